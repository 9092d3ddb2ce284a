from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaikukanta.cards.models import CardType
from kaikukanta.cards.querysets import EXPIRING_DAYS
from kaikukanta.network.models import DistributorSite, Region

from . import card_number_field, offer_choice


def _expiring() -> str:
    return gettext("expires within %(days)s days") % {"days": EXPIRING_DAYS}


class CardSearchForm(forms.Form):
    """Find a card by its number: posted, so that the number never appears in an address or a log."""

    identifier = card_number_field()


class CardFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("all")),
        ("valid", _("valid")),
        ("expiring", lazy(_expiring, str)()),
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
        offer_choice(self, "region", regions, _("all regions"))
        offer_choice(self, "site", sites, _("all sites"))
