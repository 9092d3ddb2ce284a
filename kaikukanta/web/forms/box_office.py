from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaikukanta.network.models import Venue

from . import card_number_field


class CardCheckForm(forms.Form):
    venue: forms.ModelChoiceField[Venue] = forms.ModelChoiceField(
        label=_("Venue"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your own venues.")},
    )
    identifier = card_number_field()
    identifier.widget.attrs["data-camera-submit"] = ""  # a read card is checked at once

    def __init__(self, venues: QuerySet[Venue], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.only_venue = venues[0] if len(venues) == 1 else None
        if self.only_venue is not None:
            del self.fields["venue"]  # nothing to choose
        else:
            cast("forms.ModelChoiceField[Venue]", self.fields["venue"]).queryset = venues

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.only_venue is not None:
            cleaned["venue"] = self.only_venue
        return cleaned
