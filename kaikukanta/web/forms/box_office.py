"""The box office's forms: check a card (and, with "admit at once", record the holder's ticket in the
same step), admit a checked card with its tickets, and a community card's group visit."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.idempotency import KEY_PATTERN
from kaikukanta.events.models import Event
from kaikukanta.network.models import Venue
from kaikukanta.uses.models import UseKind

from . import card_number_field


def new_request_key() -> str:
    """A fresh idempotency key, put in the form: a double submit of the form records once."""
    return uuid.uuid4().hex


class VenueChoiceMixin:
    """A venue chosen from the user's own (no field when there is only one)."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def _offer_venues(self, venues: QuerySet[Venue]) -> None:
        self.only_venue = venues[0] if len(venues) == 1 else None
        if self.only_venue is not None:
            del self.fields["venue"]  # nothing to choose
        else:
            cast("forms.ModelChoiceField[Venue]", self.fields["venue"]).queryset = venues

    def _venue(self) -> None:
        if self.only_venue is not None:
            self.cleaned_data["venue"] = self.only_venue


class CardCheckForm(VenueChoiceMixin, forms.Form):
    venue: forms.ModelChoiceField[Venue] = forms.ModelChoiceField(
        label=_("Venue"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your own venues.")},
    )
    identifier = card_number_field()
    identifier.widget.attrs["data-camera-submit"] = ""  # a read card is checked at once
    identifier.widget.attrs["data-box-office-number"] = ""  # focused and cleared after each answer
    admit_now = forms.BooleanField(
        label=_("Admit at once: record the holder's own ticket when the card is accepted"),
        required=False,
    )
    # Drawn with the form: "admit at once" sent twice (a resent form, a repeated request) records once.
    request_key = forms.RegexField(regex=KEY_PATTERN, widget=forms.HiddenInput, required=False)

    def __init__(self, venues: QuerySet[Venue], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._offer_venues(venues)

    def clean(self) -> dict[str, Any]:
        super().clean()
        self._venue()
        return self.cleaned_data


class AdmitForm(forms.Form):
    """The tickets of one checked card. The card number and the request key travel in the form's
    body (never the address); the key makes a double tap record once."""

    venue = forms.ModelChoiceField(queryset=Venue.objects.none(), widget=forms.HiddenInput)
    identifier = forms.CharField(max_length=40, widget=forms.HiddenInput)
    request_key = forms.RegexField(regex=KEY_PATTERN, widget=forms.HiddenInput)
    adult_ticket = forms.BooleanField(label=_("Holder's own ticket"), required=False, initial=True)
    child_tickets = forms.IntegerField(
        label=_("Child tickets"),
        min_value=0,
        initial=0,
        error_messages={"min_value": _("Give the number of child tickets as 0 or more.")},
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=UseKind.choices, initial=UseKind.ENTRY_TICKET)
    category = forms.ChoiceField(label=_("Category"), choices=Venue.Category.choices)
    event = forms.ModelChoiceField(
        label=_("Event"),
        queryset=Event.objects.none(),
        required=False,
        empty_label=_("No event"),
    )

    def __init__(
        self,
        venues: QuerySet[Venue],
        *args: Any,
        venue: Venue | None = None,
        children: int | None = None,
        events: QuerySet[Event] | None = None,
        **kwargs: Any,
    ) -> None:
        # Ids of its own: the check form beside it has an `identifier` field too, and a label must
        # point at the number field, not at this form's hidden copy.
        kwargs.setdefault("auto_id", "admit_%s")
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Venue]", self.fields["venue"]).queryset = venues
        if venue is not None:
            self.fields["category"].initial = venue.category
        if children is not None:
            child_field = cast("forms.IntegerField", self.fields["child_tickets"])
            child_field.max_value = children
            child_field.widget.attrs.update({"max": children, "data-child-counter": ""})
        if events is not None and events.exists():
            cast("forms.ModelChoiceField[Event]", self.fields["event"]).queryset = events
        else:
            del self.fields["event"]


class GroupVisitForm(VenueChoiceMixin, forms.Form):
    """A community card's group visit: the worker's community card, the members' own cards one per
    line, and the clients under the age limit who come without a card."""

    venue: forms.ModelChoiceField[Venue] = forms.ModelChoiceField(
        label=_("Venue"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your own venues.")},
    )
    community_card = card_number_field(label=_("Community card"))
    members = forms.CharField(
        label=_("Members' own cards"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("One card number a line: scan each member's card in turn."),
    )
    covered_clients = forms.IntegerField(
        label=_("Clients under the age limit without a card"),
        min_value=0,
        max_value=50,
        initial=0,
    )
    request_key = forms.RegexField(regex=KEY_PATTERN, widget=forms.HiddenInput)

    def __init__(self, venues: QuerySet[Venue], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._offer_venues(venues)
        # A scanner ends the community card with Enter: that moves on to the members' cards, so
        # the visit is not sent before they are scanned.
        self.fields["community_card"].widget.attrs["data-enter-moves-to"] = self[
            "members"
        ].id_for_label
        self.fields["covered_clients"].widget.attrs["data-child-counter"] = ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        self._venue()
        return self.cleaned_data

    def member_numbers(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("members", "").splitlines()
            if line.strip()
        ]
