"""The box office's forms: check a card (and, with "admit at once", record the holder's ticket in the
same step), admit a checked card with its tickets, and a community card's group visit."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaikukanta.cards import identifiers
from kaikukanta.core.idempotency import KEY_PATTERN
from kaikukanta.events.models import Event
from kaikukanta.network.models import Venue
from kaikukanta.uses.errors import ChildTicketsInvalid
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


def event_label(event: Event) -> str:
    """An event as the clerk chooses it: its title, when it starts, and what is left of the
    cardholder tickets (Event.tickets_left; "sold out" when nothing is)."""
    label = event.title
    if event.starts_at:
        moment = formats.date_format(timezone.localtime(event.starts_at), "SHORT_DATETIME_FORMAT")
        label = f"{label}, {moment}"
    left = event.tickets_left()
    if left == 0:
        return f"{label}{DASH}{gettext('sold out')}"
    if left is not None:
        return label + DASH + gettext("%(left)s cardholder tickets left") % {"left": left}
    return label


DASH = " \N{EN DASH} "


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Event) -> str:
        return event_label(obj)


NOT_YOUR_VENUE = _("The venue is not one of yours. Choose the venue and check the card again.")


class AdmitForm(forms.Form):
    """The tickets of one checked card. The card number and the request key travel in the form's
    body (never the address); the key makes a double tap record once."""

    venue = forms.ModelChoiceField(
        queryset=Venue.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": NOT_YOUR_VENUE,
            "invalid_choice": NOT_YOUR_VENUE,
        },
    )
    identifier = forms.CharField(max_length=40, widget=forms.HiddenInput)
    request_key = forms.RegexField(regex=KEY_PATTERN, widget=forms.HiddenInput)
    adult_ticket = forms.BooleanField(label=_("Holder's own ticket"), required=False, initial=True)
    # How many child tickets a card gives is the service's rule (record_use), decided on the card as
    # it is when the use is recorded: the form only reads a whole number.
    child_tickets = forms.IntegerField(
        label=_("Child tickets"),
        initial=0,
        error_messages={"invalid": ChildTicketsInvalid.template},
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=UseKind.choices, initial=UseKind.ENTRY_TICKET)
    category = forms.ChoiceField(label=_("Category"), choices=Venue.Category.choices)
    event = EventChoiceField(
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
            # The check's answer sets the + and - buttons' range only (box-office.js); the service
            # refuses more than the card gives when the use is recorded.
            self.fields["child_tickets"].widget.attrs.update(
                {"max": children, "data-child-counter": ""}
            )
        if events is not None and events.exists():
            cast("forms.ModelChoiceField[Event]", self.fields["event"]).queryset = events
        else:
            del self.fields["event"]

    @staticmethod
    def posted_venue(venues: QuerySet[Venue], data: Any) -> Venue | None:
        """The venue the form was sent for, when it is one of `venues` (its events are offered);
        None for anything else (not a number, not the user's), which the form then refuses."""
        field: forms.ModelChoiceField[Venue] = forms.ModelChoiceField(queryset=venues)
        try:
            return field.clean(data.get("venue"))
        except forms.ValidationError:
            return None


@dataclass
class MemberLine:
    """One member of a group visit as the page lists them: their card's number, the verdict it got
    when it was scanned (a code: CardCheck.verdict, "community_member" or "unknown"), how many child
    tickets the card gives here and how many are asked, and when the venue admitted it today. The
    verdict only tells the clerk; recording checks every card again."""

    identifier: str
    verdict: str
    most_children: int = 0
    child_tickets: int = 0
    admitted_today: str = ""
    reason: str = ""

    @property
    def display_identifier(self) -> str:
        return identifiers.display(self.identifier)

    @property
    def accepted(self) -> bool:
        return self.verdict == "accepted"


VERDICT_CODES = {
    "accepted",
    "expired",
    "closed",
    "not_yet_valid",
    "not_here",
    "group_only",
    "community_member",
    "unknown",
    "refused",
}
ADMITTED_AT = re.compile(r"^\d{1,2}\.\d{2}$")


class GroupVisitForm(VenueChoiceMixin, forms.Form):
    """A community card's group visit, built line by line from a scanner: the worker's community
    card, then each member's own card (`member_number`, checked as it is scanned and listed with its
    own verdict), and the clients under the age limit who come without a card.

    The listed members travel in the form as repeated fields (`member`, `member_verdict`,
    `member_most`, `member_children`, `member_admitted`): `lines()` reads them back, and a member is
    removed by leaving their line out."""

    venue: forms.ModelChoiceField[Venue] = forms.ModelChoiceField(
        label=_("Venue"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your own venues.")},
    )
    community_card = card_number_field(label=_("Community card"), required=False)
    member_number = card_number_field(
        label=_("Member's own card"),
        required=False,
        help_text=_("Scan each member's card in turn: it is checked at once."),
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
        # A scanner ends the community card with Enter: that moves on to the members' field, so
        # the visit is not sent before they are scanned (box-office.js, data-enter-moves-to).
        self.fields["community_card"].widget.attrs["data-enter-moves-to"] = self[
            "member_number"
        ].id_for_label
        # The community card is needed to record (not to add a member), and the member's field is
        # where the scanner types: neither is marked "optional" (web/_field.html).
        for name in ("community_card", "member_number"):
            self.fields[name].needed_to_send = True  # type: ignore[attr-defined]
        self.fields["member_number"].widget.attrs["data-camera-submit"] = ""
        self.fields["member_number"].widget.attrs["data-group-member"] = ""
        self.fields["covered_clients"].widget.attrs["data-child-counter"] = ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        self._venue()
        return self.cleaned_data

    def lines(self) -> list[MemberLine]:
        """The members listed so far, as the form carried them (anything malformed left out)."""
        data = self.data
        if not hasattr(data, "getlist"):
            return []
        numbers = data.getlist("member")
        verdicts = data.getlist("member_verdict")
        most = data.getlist("member_most")
        children = data.getlist("member_children")
        admitted = data.getlist("member_admitted")
        lines = []
        for index, raw in enumerate(numbers[:100]):
            number = identifiers.normalize(raw)
            if not number or len(number) > 40:
                continue
            verdict = _at(verdicts, index)
            line = MemberLine(
                identifier=number,
                verdict=verdict if verdict in VERDICT_CODES else "refused",
                most_children=_count(_at(most, index)),
                admitted_today=(
                    _at(admitted, index) if ADMITTED_AT.match(_at(admitted, index)) else ""
                ),
            )
            line.child_tickets = min(_count(_at(children, index)), line.most_children)
            lines.append(line)
        return lines


def _at(values: list[str], index: int) -> str:
    return values[index] if index < len(values) else ""


def _count(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 3 else 0
