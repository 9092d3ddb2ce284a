from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaikukanta.events.errors import QuotaInvalid
from kaikukanta.events.models import MAX_QUOTA
from kaikukanta.network.models import Venue


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        required=False,
        help_text=_("For example 15.6.2026 18:00. Empty: an offer without a set time."),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("the venue's own")), *Venue.Category.choices],
        required=False,
    )
    cardholder_quota = forms.IntegerField(
        label=_("Cardholder tickets at most"),
        required=False,
        min_value=1,
        max_value=MAX_QUOTA,
        error_messages={"max_value": QuotaInvalid.template, "min_value": QuotaInvalid.template},
        help_text=_("Empty: no cap. Adult and child tickets count together."),
    )
    sold_out = forms.BooleanField(label=_("Sold out"), required=False)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_at": data.get("starts_at"),
            "category": data.get("category") or "",
            "cardholder_quota": data.get("cardholder_quota"),
        }
