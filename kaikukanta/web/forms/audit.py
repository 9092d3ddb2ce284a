from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaikukanta.audit.actions import choices as action_choices
from kaikukanta.network.models import Region

from . import offer_choice
from .uses import DateRangeForm


class AuditFilterForm(DateRangeForm):
    action = forms.ChoiceField(
        label=_("Action"), choices=lambda: [("", _("all")), *action_choices()], required=False
    )
    region: forms.ModelChoiceField[Region] = forms.ModelChoiceField(
        label=_("Region"), queryset=None, required=False
    )

    def __init__(self, regions: QuerySet[Region], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_choice(self, "region", regions, _("all regions"))
