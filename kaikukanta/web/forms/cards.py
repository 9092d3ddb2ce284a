from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaikukanta.cards.models import CardType
from kaikukanta.network.models import DistributorSite, Region

from . import card_number_attrs

EXPIRING_DAYS = 30


class CardSearchForm(forms.Form):
    """Find a card by its number: posted, so that the number never appears in an address or a log."""

    identifier = forms.CharField(
        label=_("Card number"),
        max_length=40,
        help_text=_("Type the number on the card, or read it with a barcode scanner."),
        error_messages={"required": _("Type the card number.")},
        widget=forms.TextInput(attrs=card_number_attrs),
    )


class CardFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("all")),
        ("valid", _("valid")),
        ("expiring", _("expires within 30 days")),
        ("expired", _("expired")),
        ("closed", _("closed")),
    ]
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    card_type = forms.ChoiceField(
        label=_("Card type"), choices=[("", _("all")), *CardType.choices], required=False
    )
    region: forms.ModelChoiceField[Region] = forms.ModelChoiceField(
        label=_("Region"), queryset=None, required=False
    )
    site: forms.ModelChoiceField[DistributorSite] = forms.ModelChoiceField(
        label=_("Distributor site"), queryset=None, required=False
    )

    def __init__(
        self,
        regions: QuerySet[Region],
        sites: QuerySet[DistributorSite],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # A choice of one is no choice: the field is shown only when there is something to pick.
        for name, queryset, empty in [
            ("region", regions, _("all regions")),
            ("site", sites, _("all sites")),
        ]:
            if len(queryset) > 1:
                field = cast("forms.ModelChoiceField[Any]", self.fields[name])
                field.queryset = queryset
                field.empty_label = empty
            else:
                del self.fields[name]
