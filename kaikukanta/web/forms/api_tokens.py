from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaikukanta.network.models import DistributorSite, TicketAgency, Venue


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The system that will use the token, for example “Till 2”."),
    )
    venues = forms.ModelMultipleChoiceField(
        label=_("Venues"),
        queryset=Venue.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The token acts for these venues only."),
    )

    def __init__(self, venues: QuerySet[Venue], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelMultipleChoiceField", self.fields["venues"]).queryset = venues


class AgencyTokenForm(forms.Form):
    """A coordinator authorises a ticket agency's system for some of the venues it sells for."""

    agency = forms.ModelChoiceField(label=_("Ticket agency"), queryset=TicketAgency.objects.none())
    venues = forms.ModelMultipleChoiceField(
        label=_("Venues"),
        queryset=Venue.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    name = forms.CharField(label=_("Name"), max_length=100)

    def __init__(
        self,
        agencies: QuerySet[TicketAgency],
        venues: QuerySet[Venue],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[TicketAgency]", self.fields["agency"]).queryset = agencies
        cast("forms.ModelMultipleChoiceField", self.fields["venues"]).queryset = venues


class SiteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        """The site with its organisation: a token is for one organisation's sites."""
        return f"{obj.display_name} ({obj.organisation.display_name})"


class SiteTokenForm(forms.Form):
    """A social and health coordinator authorises a client-information system for some of one
    organisation's distributor sites: it registers their cards through the API."""

    sites = SiteChoiceField(
        label=_("Distributor sites"),
        queryset=DistributorSite.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sites of one organisation: the system registers and reads their cards only."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The client-information system that will use the token."),
    )

    def __init__(self, sites: QuerySet[DistributorSite], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelMultipleChoiceField", self.fields["sites"]).queryset = sites
