"""Every change to a card, one function each: issue, import, renew, close, replace; and the two ways of
looking a card up (by its own staff, and by a venue).

Each function takes the acting user as `actor`, checks that they may act, enforces the Kaikukortti rules,
changes the card inside one transaction together with its audit event, and raises a `DomainError` whose
message says what to do when a rule says no.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from kaikukanta.accounts.permissions import can_act_for_venue, can_issue_at, can_manage_card
from kaikukanta.accounts.scope import scope_for
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.audit.services import record
from kaikukanta.core.dates import add_years, now, today, typed_day
from kaikukanta.core.errors import DateInFuture, DomainError, NotAllowed, raise_refusals
from kaikukanta.core.idempotency import Once, once, repeated, validate_key
from kaikukanta.network.models import DistributorSite, Region, Venue
from kaikukanta.stats import summaries

from . import identifiers, lookups
from .errors import (
    BirthYearInvalid,
    CardClosedForDistributor,
    CardExpired,
    CardManagedElsewhere,
    CardNotFound,
    CardRegisteredElsewhere,
    ChildrenInvalid,
    ChoiceInvalid,
    ClosingBeforeLastUse,
    DateBeforeRenewal,
    HolderDataUnchanged,
    HolderTooYoung,
    IdentifierCheckFailed,
    IdentifierHasInvalidCharacters,
    IdentifierMalformed,
    IdentifierTaken,
    ImportedIdentifierInvalid,
    IssueDateTooEarly,
    NotAPersonalCard,
    PilotEnded,
    PilotNotStarted,
    PostcodeInvalid,
    RenewalAfterValidity,
    RenewalCappedByPilot,
    RenewalChangesNothing,
    SiteNotTakingPart,
    StockOfAnotherRegion,
    StockSizeInvalid,
    ValidityPastPilot,
    WellbeingIncomplete,
    WellbeingInvalid,
)
from .models import (
    MAX_CHILDREN,
    Card,
    CardStatus,
    CardStock,
    CardType,
    ClosingReason,
    Gender,
    HandOver,
    LifeSituation,
    RegistrationKey,
    StockNumber,
    WellbeingMeasurement,
)

MINIMUM_AGE = 16
OLDEST_AGE = 120
VALIDITY_YEARS = 1


HOLDER_FIELDS = ("birth_year", "postcode", "children", "life_situation", "gender")
# The choices' values, computed once: an enum's `values` builds its list anew on every call, and
# the registry import checks a hundred thousand holders.


@dataclass(frozen=True)
class HolderData:
    """What a personal card records of its holder, and nothing more."""

    birth_year: int
    postcode: str
    children: int
    life_situation: str = ""
    gender: str = ""

    def as_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HOLDER_FIELDS}


@dataclass(frozen=True)
class Wellbeing:
    """Voluntary answers: all five WHO-5 items (0-5 each) or none, and a mood from 1 to 5. A page
    passes the five answers as given, None for one left unanswered: the service decides
    (wellbeing_refusals)."""

    who5: tuple[int | None, ...] | None = None
    mood: int | None = None

    @property
    def is_empty(self) -> bool:
        return self.who5 is None and self.mood is None


@dataclass(frozen=True)
class CardCheck:
    """What a venue learns of a card: whether this venue would record a use of it today and, if not,
    why (the very refusal recording would give) and what the holder can do; until when it is valid,
    for how many children, and its type. Never who issued it, where, or why it was closed."""

    identifier: str
    card_type: str
    status: str  # "valid", "expired", "closed" (Card.status_on)
    valid_until: dt.date | None  # while the card is valid
    closed_on: dt.date | None
    children: int | None
    refusal: DomainError | None

    @property
    def accepted(self) -> bool:
        """A use of this card would be recorded here today."""
        return self.refusal is None

    @property
    def valid(self) -> bool:
        """The card itself is valid today, whatever this venue's answer."""
        return self.status == "valid"

    @property
    def display_identifier(self) -> str:
        return identifiers.display(self.identifier)

    @property
    def is_community(self) -> bool:
        return self.card_type == CardType.COMMUNITY

    @property
    def verdict(self) -> str:
        """What is wrong, in one word a page titles its answer with: "accepted", "closed",
        "expired" (a pilot's end too), "not_yet_valid", "group_only" (a community card outside a
        group visit), or "not_here" (a card valid elsewhere that this venue does not accept)."""
        if self.refusal is None:
            return "accepted"
        if self.status in ("closed", "expired"):
            return self.status
        if self.status != "valid":
            return "not_yet_valid"
        if self.refusal.code == "community_card_needs_group":
            return "group_only"
        return "not_here"


# --- validation shared by the functions below ------------------------------------------------------


def holder_refusals(holder: HolderData, *, on: dt.date | None = None) -> list[DomainError]:
    """Every Kaikukortti rule the holder data breaks, all at once (empty when it passes): the
    registration, update and renewal pages show them together, each beside its field. A value the
    form could not read arrives as None and is refused here too (the page keeps its own message)."""
    on = on or today()
    errors: list[DomainError] = []
    latest = on.year - MINIMUM_AGE
    earliest = on.year - OLDEST_AGE
    birth_year = holder.birth_year
    if not _is_whole(birth_year) or not earliest <= birth_year <= on.year:
        errors.append(BirthYearInvalid(earliest=earliest, latest=latest))
    elif birth_year > latest:
        errors.append(HolderTooYoung(latest=latest))
    postcode = (holder.postcode or "").strip() if isinstance(holder.postcode, str) else ""
    if len(postcode) != 5 or not postcode.isascii() or not postcode.isdigit():
        errors.append(PostcodeInvalid())
    if not _is_whole(holder.children) or not 0 <= holder.children <= MAX_CHILDREN:
        errors.append(ChildrenInvalid(max=MAX_CHILDREN))
    if holder.life_situation and holder.life_situation not in LifeSituation.values:
        errors.append(ChoiceInvalid(field="life_situation", value=holder.life_situation))
    if holder.gender and holder.gender not in Gender.values:
        errors.append(ChoiceInvalid(field="gender", value=holder.gender))
    return errors


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_holder(holder: HolderData, *, on: dt.date) -> HolderData:
    raise_refusals(holder_refusals(holder, on=on))
    return _stored_holder(holder)


def _stored_holder(holder: HolderData) -> HolderData:
    """Holder data that passed holder_refusals, as stored."""
    return dataclasses.replace(holder, postcode=holder.postcode.strip())


def wellbeing_refusals(wellbeing: Wellbeing | None) -> list[DomainError]:
    """What is wrong with the questionnaire's answers: the WHO-5 score is counted from all five
    statements, so some answered and others not is refused (never silently dropped)."""
    if wellbeing is None or wellbeing.is_empty:
        return []
    invalid = wellbeing.mood is not None and (
        not _is_whole(wellbeing.mood) or not 1 <= wellbeing.mood <= 5
    )
    incomplete = False
    if wellbeing.who5 is not None:
        answers = tuple(wellbeing.who5)
        given = [answer for answer in answers if answer is not None]
        invalid = invalid or any(not _is_whole(answer) or not 0 <= answer <= 5 for answer in given)
        incomplete = bool(given) and (len(answers) != 5 or len(given) != 5)
    errors: list[DomainError] = []
    if incomplete:
        errors.append(WellbeingIncomplete())
    if invalid:
        errors.append(WellbeingInvalid())
    return errors


def _validate_wellbeing(wellbeing: Wellbeing | None) -> Wellbeing | None:
    raise_refusals(wellbeing_refusals(wellbeing))
    return _stored_wellbeing(wellbeing)


def _stored_wellbeing(wellbeing: Wellbeing | None) -> Wellbeing | None:
    """Answers that passed wellbeing_refusals, as stored (None: nothing answered)."""
    if wellbeing is None or wellbeing.is_empty:
        return None
    if wellbeing.who5 is not None and all(answer is None for answer in wellbeing.who5):
        # Every statement left unanswered: no WHO-5 answers at all, not a score.
        wellbeing = dataclasses.replace(wellbeing, who5=None)
    return None if wellbeing.is_empty else wellbeing


def _save_wellbeing(card: Card, wellbeing: Wellbeing | None, occasion: str, on: dt.date) -> None:
    if wellbeing is None:
        return
    who5 = wellbeing.who5 or (None,) * 5
    WellbeingMeasurement.objects.create(
        card=card,
        occasion=occasion,
        measured_on=on,
        mood=wellbeing.mood,
        **dict(zip(WellbeingMeasurement.WHO5_FIELDS, who5, strict=True)),
    )


def parse_identifier(raw: str) -> str:
    """A typed or scanned card number, normalised and checked; raises an error that says what is
    wrong with it. Use for numbers this registry generates (new cards, pre-printed card stock)."""
    identifier = identifiers.normalize(raw)
    if not identifier:
        raise IdentifierMalformed(example=identifiers.display(identifiers.generate()))
    wrong = identifiers.invalid_characters(identifier)
    if wrong:
        raise IdentifierHasInvalidCharacters(identifier=identifier, characters=", ".join(wrong))
    if len(identifier) != identifiers.LENGTH:
        raise IdentifierMalformed(example=identifiers.display(identifiers.generate()))
    if not identifiers.is_valid(identifier):
        raise IdentifierCheckFailed(identifier=identifiers.display(identifier))
    return identifier


def _validity_until(region: Region, start: dt.date) -> dt.date:
    """One year from `start`, but never past the end of the region's pilot."""
    if region.is_pilot:
        # A pilot has both dates (the region_pilot_has_dates constraint), as in Region.is_running_on.
        assert region.pilot_starts is not None
        assert region.pilot_ends is not None
        if start < region.pilot_starts:
            raise PilotNotStarted(region=region, starts=region.pilot_starts)
        if start > region.pilot_ends:
            raise PilotEnded(region=region, ends=region.pilot_ends)
    until = add_years(start, VALIDITY_YEARS)
    cap = region.validity_cap()
    return min(until, cap) if cap else until


def _new_identifier() -> str:
    """A generated number no card has and no card stock holds."""
    while True:
        candidate = identifiers.generate()
        if not (
            Card.objects.filter(identifier=candidate).exists()
            or StockNumber.objects.filter(identifier=candidate).exists()
        ):
            return candidate


def _number_for(region: Region, identifier: str | None, *, generate: bool = True) -> str:
    """The number a new card of `region` gets: a typed or scanned one (checked, and refused when it
    comes from another region's card stock) or a new one (`generate`; else "")."""
    if not identifier:
        return _new_identifier() if generate else ""
    number = parse_identifier(identifier)
    stock = StockNumber.objects.filter(identifier=number).select_related("batch__region").first()
    if stock is not None and stock.batch.region_id != region.pk:
        raise StockOfAnotherRegion(
            identifier=identifiers.display(number), region=stock.batch.region
        )
    return number


def _find_registration(key: str) -> RegistrationKey | None:
    return RegistrationKey.objects.filter(key=key).select_related("card").first()


def _same_registration(
    site: DistributorSite, fingerprint: str
) -> Callable[[RegistrationKey], bool]:
    """Whether a registration key found was written by the same request: the same site and, for an
    API request, the same body (`fingerprint`)."""
    return lambda found: found.card.issuing_site_id == site.pk and found.fingerprint == fingerprint


def _registered_before(
    key: str | None, site: DistributorSite, fingerprint: str = ""
) -> Once[Card] | None:
    """The card an earlier request with `key` registered (`created` False), or None when the key is
    new; the same key with another request (or another site) is a conflict. Asked after who may act
    at the site and before the rules: a retry of a registration that succeeded gets its card even
    when the site has since left the network or the region's pilot has ended (the rules held when
    the card was registered), or the client would never learn the card's id."""
    if key is None:
        return None
    key = validate_key(key)
    done = repeated(
        find=lambda: _find_registration(key), same=_same_registration(site, fingerprint)
    )
    return None if done is None else Once(done.result.card, created=False)


def _registered_once(
    key: str | None, site: DistributorSite, create: Any, fingerprint: str = ""
) -> Once[Card]:
    """`create()` once per key: a second submit of the same registration form (a double click, a
    reload), or an API request retried with its Idempotency-Key, returns the card the first one
    registered (core/idempotency.py), also when both arrive at the same moment. `fingerprint`, what
    an API request asked for: the same key with another request (or another site) is a conflict."""
    if key is None:
        return Once(create(), created=True)
    key = validate_key(key)

    def create_with_key() -> RegistrationKey:
        return RegistrationKey.objects.create(key=key, card=create(), fingerprint=fingerprint)

    done = once(
        find=lambda: _find_registration(key),
        same=_same_registration(site, fingerprint),
        create=create_with_key,
    )
    return Once(done.result.card, created=done.created)


def _create_card(**fields: Any) -> Card:
    """Insert a card; a number taken meanwhile by a concurrent request becomes a clear error."""
    try:
        with transaction.atomic():
            return Card.objects.create(**fields)
    except IntegrityError:
        if Card.objects.filter(identifier=fields["identifier"]).exists():
            raise IdentifierTaken(identifier=identifiers.display(fields["identifier"])) from None
        raise


def _check_may_issue(actor: Any, site: DistributorSite) -> None:
    """Who may register cards at the site: asked first, before a request key tells anything."""
    if not can_issue_at(actor, site):
        raise NotAllowed()


def _check_site(actor: Any, site: DistributorSite) -> None:
    _check_may_issue(actor, site)
    if not site.is_active:
        raise SiteNotTakingPart(site=site)


def _check_manager(actor: Any, card: Card) -> None:
    if not can_manage_card(actor, card):
        raise CardManagedElsewhere(identifier=card.display_identifier)


def _check_site_still_taking_part(actor: Any, card: Card) -> None:
    """A site that has left the network keeps its cards, but new validity (renewal) or a new
    number (replacement) for them comes from the region's coordinator."""
    if not card.issuing_site.is_active and not scope_for(actor).coordinates(card.region_id):
        raise SiteNotTakingPart(site=card.issuing_site)


def _check_not_before_issue_or_renewal(card: Card, day: dt.date) -> None:
    """A card's history runs forwards: renewals and closing come after the issue and the last
    renewal."""
    if day < card.issued_on:
        raise IssueDateTooEarly(
            day=day, identifier=card.display_identifier, issued_on=card.issued_on
        )
    if card.renewed_on and day < card.renewed_on:
        raise DateBeforeRenewal(
            day=day, identifier=card.display_identifier, renewed_on=card.renewed_on
        )


def _check_closing_day(card: Card, day: dt.date) -> None:
    """A card closes on or after its issue, its last renewal and its last use: a use after the
    closing day would otherwise stand in the registry on a closed card. (Uses earlier on the closing
    day stand; from the closing on, no use is accepted for that day.)"""
    _check_not_before_issue_or_renewal(card, day)
    last_use = card.uses.aggregate(last=Max("occurred_at"))["last"]
    if last_use is not None and day < timezone.localdate(last_use):
        raise ClosingBeforeLastUse(
            identifier=card.display_identifier, last_use=timezone.localdate(last_use)
        )


def _lock(card: Card) -> Card:
    """The card re-read under a row lock, so two changes to one card happen one after the other."""
    return Card.objects.select_for_update().select_related("region").get(pk=card.pk)


# --- issue ---------------------------------------------------------------------------------------


def registration_refusals(
    *,
    site: DistributorSite | None,
    holder: HolderData,
    identifier: str | None = None,
    wellbeing: Wellbeing | None = None,
    on: dt.date | None = None,
) -> list[DomainError]:
    """Every refusal a registration would get from the rules of the card (not from who may act), all
    at once, in the order of the form: the holder data, the questionnaire, the number, the region's
    pilot. `issue_card` raises them together; the registration page asks this too when the form
    itself could not read some field, so that one submit shows every fault. `site` None (not chosen
    yet) skips what depends on it."""
    on = on or today()
    errors = holder_refusals(holder, on=on) + wellbeing_refusals(wellbeing)
    if site is None:
        return errors
    if identifier:
        try:
            _number_for(site.region, identifier, generate=False)
        except DomainError as error:
            errors.append(error)
    try:
        _validity_until(site.region, on)
    except DomainError as error:
        errors.append(error)
    return errors


def issue_card(
    *,
    actor: Any,
    site: DistributorSite,
    holder: HolderData,
    identifier: str | None = None,
    wellbeing: Wellbeing | None = None,
    issued_on: dt.date | None = None,
    key: str | None = None,
) -> Card:
    """Register a personal card at a distributor site.

    `identifier` is the number of a pre-printed card (checked; a number of another region's card
    stock is refused); without it a new number is generated. `key`, the registration form's random
    key, makes a repeated submit return the card the first one registered.
    """
    return issue_card_once(
        actor=actor,
        site=site,
        holder=holder,
        identifier=identifier,
        wellbeing=wellbeing,
        issued_on=issued_on,
        key=key,
    ).result


def issue_card_once(
    *,
    actor: Any,
    site: DistributorSite,
    holder: HolderData,
    identifier: str | None = None,
    wellbeing: Wellbeing | None = None,
    issued_on: dt.date | None = None,
    key: str | None = None,
    fingerprint: str = "",
) -> Once[Card]:
    """`issue_card`, telling whether this call registered the card (`created`) or found the one an
    earlier request with the same `key` registered: the API's Idempotency-Key (api/v1/cards.py),
    whose `fingerprint` (what the request asked for) must then be the same. A key already used is
    answered before the request is judged (_registered_before)."""
    _check_may_issue(actor, site)
    earlier = _registered_before(key, site, fingerprint)
    if earlier is not None:
        return earlier
    _check_site(actor, site)
    issued_on = typed_day(issued_on)
    raise_refusals(
        registration_refusals(
            site=site, holder=holder, identifier=identifier, wellbeing=wellbeing, on=issued_on
        )
    )
    # Checked once, every refusal together, above: only stored as they will be here.
    holder = _stored_holder(holder)
    wellbeing = _stored_wellbeing(wellbeing)
    region = site.region
    valid_until = _validity_until(region, issued_on)
    return _registered_once(
        key,
        site,
        lambda: _issue_personal(actor, site, holder, identifier, wellbeing, issued_on, valid_until),
        fingerprint,
    )


def _issue_personal(
    actor: Any,
    site: DistributorSite,
    holder: HolderData,
    identifier: str | None,
    wellbeing: Wellbeing | None,
    issued_on: dt.date,
    valid_until: dt.date,
) -> Card:
    region = site.region
    number = _number_for(region, identifier)
    with transaction.atomic():
        card = _create_card(
            identifier=number,
            card_type=CardType.PERSONAL,
            issuing_site=site,
            region=region,
            issued_on=issued_on,
            valid_until=valid_until,
            **holder.as_fields(),
        )
        summaries.card_added(card)
        _save_wellbeing(card, wellbeing, WellbeingMeasurement.Occasion.ISSUE, issued_on)
        record(actor=actor, action=Action.CARD_ISSUED, target=card, region=region)
    return card


def issue_community_card(
    *,
    actor: Any,
    site: DistributorSite,
    identifier: str | None = None,
    issued_on: dt.date | None = None,
    key: str | None = None,
) -> Card:
    """Register a community card for the organisation of a distributor site. It has no holder: the
    organisation's staff, volunteers and students use it when accompanying clients."""
    _check_may_issue(actor, site)
    earlier = _registered_before(key, site)
    if earlier is not None:
        return earlier.result
    _check_site(actor, site)
    issued_on = typed_day(issued_on)
    region = site.region
    valid_until = _validity_until(region, issued_on)
    return _registered_once(
        key, site, lambda: _issue_community(actor, site, identifier, issued_on, valid_until)
    ).result


def _issue_community(
    actor: Any,
    site: DistributorSite,
    identifier: str | None,
    issued_on: dt.date,
    valid_until: dt.date,
) -> Card:
    region = site.region
    number = _number_for(region, identifier)
    with transaction.atomic():
        card = _create_card(
            identifier=number,
            card_type=CardType.COMMUNITY,
            issuing_site=site,
            region=region,
            issued_on=issued_on,
            valid_until=valid_until,
        )
        summaries.card_added(card)  # counts nothing today: a community card has no holder
        record(
            actor=actor,
            action=Action.CARD_ISSUED,
            target=card,
            region=region,
            data={"card_type": CardType.COMMUNITY},
        )
    return card


def import_card(
    *,
    actor: Any,
    site: DistributorSite,
    identifier: str,
    issued_on: dt.date,
    valid_until: dt.date,
    holder: HolderData | None,
    renewed_on: dt.date | None = None,
) -> Card:
    """Bring a card over from the earlier registry with its number as it is (letters and digits).

    The card keeps its own dates; `holder` is None for a community card. Only national admins import.
    """
    if not can_issue_at(actor, site) or not _is_national(actor):
        raise NotAllowed()
    number, holder_fields = check_imported_card(
        site=site,
        identifier=identifier,
        issued_on=issued_on,
        valid_until=valid_until,
        holder=holder,
        renewed_on=renewed_on,
    )
    with transaction.atomic():
        card = _create_card(
            identifier=number,
            imported=not identifiers.is_valid(number),
            card_type=CardType.PERSONAL if holder is not None else CardType.COMMUNITY,
            issuing_site=site,
            region=site.region,
            issued_on=issued_on,
            renewed_on=renewed_on,
            valid_until=valid_until,
            **holder_fields,
        )
        summaries.card_added(card)
        record(actor=actor, action=Action.CARD_IMPORTED, target=card, region=site.region)
    return card


def check_imported_card(
    *,
    site: DistributorSite,
    identifier: str,
    issued_on: dt.date,
    valid_until: dt.date,
    holder: HolderData | None,
    renewed_on: dt.date | None = None,
) -> tuple[str, dict[str, Any]]:
    """The rules a card of the earlier registry must meet to be imported (import_card, and the
    registry import of migration_import, which writes in batches): its number as stored and its
    holder fields, or the DomainError of the first rule it breaks. Reads nothing from the database:
    `site` may be one the import has not written yet."""
    number = identifiers.normalize(identifier)
    if not identifiers.IMPORTED_PATTERN.match(number):
        raise ImportedIdentifierInvalid(identifier=identifier)
    # Imported cards keep their own history, however old: only the future is refused.
    for name, day in (("issued_on", issued_on), ("renewed_on", renewed_on)):
        if day is not None and day > today():
            raise DateInFuture(field=name, date=day)
    if valid_until < issued_on:
        raise IssueDateTooEarly(
            field="valid_until", day=valid_until, identifier=number, issued_on=issued_on
        )
    if renewed_on is not None and renewed_on < issued_on:
        raise IssueDateTooEarly(
            field="renewed_on", day=renewed_on, identifier=number, issued_on=issued_on
        )
    if renewed_on is not None and renewed_on > valid_until:
        raise RenewalAfterValidity(
            field="renewed_on", day=renewed_on, identifier=number, valid_until=valid_until
        )
    cap = site.region.validity_cap()
    if cap and valid_until > cap:
        raise ValidityPastPilot(
            field="valid_until",
            identifier=number,
            valid_until=valid_until,
            region=site.region,
            ends=cap,
        )
    holder_fields: dict[str, Any] = {}
    if holder is not None:
        holder_fields = _validate_holder(holder, on=issued_on).as_fields()
    return number, holder_fields


def _is_national(actor: Any) -> bool:
    return scope_for(actor).national


LAST_SITE_LOOKBACK_DAYS = 365


def last_registration_site(actor: Any, sites: Any) -> DistributorSite | None:
    """The site, of `sites`, where `actor` registered their latest card (within a year), for the
    registration form to choose in advance for a worker at several sites. Read from the audit
    trail's "card issued" events, so it holds across sessions and devices and stores nothing new."""
    since = timezone.now() - dt.timedelta(days=LAST_SITE_LOOKBACK_DAYS)
    latest = (
        AuditEvent.objects.filter(
            actor=actor,
            action=Action.CARD_ISSUED,
            object_type=Card._meta.label_lower,
            occurred_at__gte=since,
        )
        .order_by("-occurred_at", "-id")
        .values_list("object_id", flat=True)
        .first()
    )
    if latest is None:
        return None
    card = Card.objects.filter(pk=int(latest)).only("issuing_site").first()
    if card is None:
        return None
    return next((site for site in sites if site.pk == card.issuing_site_id), None)


# --- renew, close, replace -----------------------------------------------------------------------


def renew_card(
    *,
    actor: Any,
    card: Card,
    holder: HolderData | None = None,
    wellbeing: Wellbeing | None = None,
    renewed_on: dt.date | None = None,
) -> Card:
    """Extend a card for a year from today (capped by a pilot's end), at the issuing site or by the
    region's coordinator. `holder` updates the holder data, for example a new child."""
    _check_manager(actor, card)
    _check_site_still_taking_part(actor, card)
    renewed_on = typed_day(renewed_on)
    if card.is_community:
        holder = None
    raise_refusals(
        (holder_refusals(holder, on=renewed_on) if holder is not None else [])
        + wellbeing_refusals(wellbeing)
    )
    if holder is not None:
        holder = _stored_holder(holder)
    wellbeing = _stored_wellbeing(wellbeing)
    with transaction.atomic():
        card = _lock(card)
        if card.is_closed:
            raise CardClosedForDistributor(
                identifier=card.display_identifier, closed_on=card.closed_on
            )
        _check_not_before_issue_or_renewal(card, renewed_on)
        valid_until = _validity_until(card.region, renewed_on)
        if valid_until <= card.valid_until and holder is None:
            capped = card.region.validity_cap() == card.valid_until
            error = RenewalCappedByPilot if capped else RenewalChangesNothing
            raise error(
                identifier=card.display_identifier, valid_until=card.valid_until, region=card.region
            )
        before = summaries.card_state(card)
        changed = ["valid_until", "renewed_on"]
        previous_until = card.valid_until
        card.valid_until = max(valid_until, card.valid_until)
        card.renewed_on = renewed_on
        if holder is not None:
            for name in HOLDER_FIELDS:
                if getattr(card, name) != getattr(holder, name):
                    setattr(card, name, getattr(holder, name))
                    changed.append(name)
        card.save(update_fields=[*changed, "updated_at"])
        summaries.card_changed(before, card)
        if not card.is_community:
            _save_wellbeing(card, wellbeing, WellbeingMeasurement.Occasion.RENEWAL, renewed_on)
        record(
            actor=actor,
            action=Action.CARD_RENEWED,
            target=card,
            region=card.region,
            # Which fields changed, never their values.
            data={
                "previous_valid_until": previous_until.isoformat(),
                "valid_until": card.valid_until.isoformat(),
                "changed": changed,
            },
        )
    return card


def close_card(*, actor: Any, card: Card, reason: str, closed_on: dt.date | None = None) -> Card:
    """Close a card for good: lost, moved away, no longer eligible, or at the holder's request."""
    _check_manager(actor, card)
    if reason not in ClosingReason.values:
        raise ChoiceInvalid(field="reason", value=reason)
    closed_on = typed_day(closed_on)
    with transaction.atomic():
        card = _lock(card)
        if card.is_closed:
            raise CardClosedForDistributor(
                identifier=card.display_identifier, closed_on=card.closed_on
            )
        _check_closing_day(card, closed_on)
        card.status = CardStatus.CLOSED
        card.closed_on = closed_on
        card.closed_at = now()
        card.closing_reason = reason
        card.save(
            update_fields=["status", "closed_on", "closed_at", "closing_reason", "updated_at"]
        )
        record(
            actor=actor,
            action=Action.CARD_CLOSED,
            target=card,
            region=card.region,
            data={"reason": reason},
        )
    return card


def replace_card(
    *, actor: Any, card: Card, identifier: str | None = None, replaced_on: dt.date | None = None
) -> Card:
    """Replace a lost card: the old one is closed as lost and linked to a new number that carries the
    same holder data and validity, so the history of both stays together."""
    _check_manager(actor, card)
    _check_site_still_taking_part(actor, card)
    replaced_on = typed_day(replaced_on)
    number = _number_for(card.region, identifier)
    with transaction.atomic():
        old = _lock(card)
        if old.is_closed:
            raise CardClosedForDistributor(
                identifier=old.display_identifier, closed_on=old.closed_on
            )
        if old.is_expired_on(replaced_on):
            raise CardExpired(
                identifier=old.display_identifier, valid_until=old.effective_valid_until
            )
        _check_closing_day(old, replaced_on)
        new = _create_card(
            identifier=number,
            card_type=old.card_type,
            issuing_site=old.issuing_site,
            region=old.region,
            issued_on=replaced_on,
            valid_until=old.effective_valid_until,
            **{name: getattr(old, name) for name in HOLDER_FIELDS},
        )
        # The old card's counted state does not change (closing counts nothing); the new one counts
        # as a replacement, not as a card registered.
        summaries.card_added(new, replacement=True)
        old.status = CardStatus.CLOSED
        old.closed_on = replaced_on
        old.closed_at = now()
        old.closing_reason = ClosingReason.LOST
        old.replaced_by = new
        old.save(
            update_fields=[
                "status",
                "closed_on",
                "closed_at",
                "closing_reason",
                "replaced_by",
                "updated_at",
            ]
        )
        record(
            actor=actor,
            action=Action.CARD_REPLACED,
            target=old,
            region=old.region,
            data={"replaced_by": new.pk},
        )
        record(
            actor=actor,
            action=Action.CARD_ISSUED,
            target=new,
            region=new.region,
            data={"replaces": old.pk},
        )
    return new


def update_holder_data(*, actor: Any, card: Card, holder: HolderData) -> Card:
    """Change a personal card's holder data when life changes (a child born, a move) without
    renewing it. The audit event names the fields that changed, never their values."""
    _check_manager(actor, card)
    if card.is_community:
        raise NotAPersonalCard(identifier=card.display_identifier)
    holder = _validate_holder(holder, on=today())
    with transaction.atomic():
        card = _lock(card)
        if card.is_closed:
            raise CardClosedForDistributor(
                identifier=card.display_identifier, closed_on=card.closed_on
            )
        changed = [name for name in HOLDER_FIELDS if getattr(card, name) != getattr(holder, name)]
        if not changed:
            raise HolderDataUnchanged()
        before = summaries.card_state(card)
        for name in changed:
            setattr(card, name, getattr(holder, name))
        card.save(update_fields=[*changed, "updated_at"])
        summaries.card_changed(before, card)
        record(
            actor=actor,
            action=Action.CARD_UPDATED,
            target=card,
            region=card.region,
            data={"changed": changed},
        )
    return card


# --- card stock ----------------------------------------------------------------------------------

MAX_STOCK_SIZE = 2000


def create_card_stock(*, actor: Any, region: Region, size: int) -> CardStock:
    """Generate a batch of new card numbers for a region, to print on blank cards: by the region's
    coordinators and national admins. The numbers are registered only in that region."""
    if not scope_for(actor).coordinates(region.pk):
        raise NotAllowed()
    if not isinstance(size, int) or not 1 <= size <= MAX_STOCK_SIZE:
        raise StockSizeInvalid(max=MAX_STOCK_SIZE)
    with transaction.atomic():
        batch = CardStock.objects.create(region=region, size=size, created_by=actor)
        numbers: set[str] = set()
        while len(numbers) < size:
            wanted = size - len(numbers)
            candidates = {identifiers.generate() for _ in range(wanted)} - numbers
            taken = set(
                Card.objects.filter(identifier__in=candidates).values_list("identifier", flat=True)
            ) | set(
                StockNumber.objects.filter(identifier__in=candidates).values_list(
                    "identifier", flat=True
                )
            )
            numbers |= candidates - taken
        StockNumber.objects.bulk_create(
            StockNumber(batch=batch, identifier=number) for number in sorted(numbers)
        )
        record(
            actor=actor,
            action=Action.CARD_STOCK_CREATED,
            target=batch,
            region=region,
            data={"size": size},
        )
    return batch


# --- look-ups ------------------------------------------------------------------------------------


def typed_number_for_audit(number: str) -> dict[str, Any]:
    """How the audit trail remembers a number that matched no card: never as typed.

    A number that passes its check character (a card number that may yet be registered, or a name
    such as MANNEKETTU that passes by chance) is kept as its length and a keyed hash (HMAC-SHA256,
    truncated to 16 hex digits, with the id of the key): the same number typed twice can be told,
    the number cannot be read. The key is KAIKUKANTA_AUDIT_NUMBER_KEY; once it is rotated, the old
    hashes can no longer be compared with anything. Anything else, an identity code pasted into the
    wrong field say, is kept as "not a card number" and its length only."""
    if identifiers.is_valid(number):
        key = audit_number_key()
        digest = hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:16]
        key_id = hashlib.sha256(b"key-id:" + key).hexdigest()[:8]
        return {"typed_length": len(number), "number_hmac": digest, "hmac_key": key_id}
    return {"not_a_card_number": True, "typed_length": len(number)}


def audit_number_key() -> bytes:
    """The key of the audit trail's hashes of unknown numbers (settings: KAIKUKANTA_AUDIT_NUMBER_KEY,
    else one derived from SECRET_KEY)."""
    configured = settings.KAIKUKANTA_AUDIT_NUMBER_KEY
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"audit-number-key", hashlib.sha256).digest()


def unknown_number_error(number: str) -> DomainError:
    """The most helpful error for a number that matches no card: a typing error the check character
    reveals, characters no number has, or simply no such card."""
    if identifiers.has_native_shape(number) and not identifiers.is_valid(number):
        return IdentifierCheckFailed(identifier=identifiers.display(number))
    wrong = identifiers.invalid_characters(number)
    if wrong and len(number) == identifiers.LENGTH:
        return IdentifierHasInvalidCharacters(identifier=number, characters=", ".join(wrong))
    if not number:
        return IdentifierMalformed(example=identifiers.display(identifiers.generate()))
    return CardNotFound(identifier=identifiers.display(number))


def find_card(number: str, *, lock: bool = False) -> Card:
    """The card with a normalised number, by anyone's look-up (the callers check who may ask and
    throttle). `lock`: hold the card's row until the transaction ends, so that the card is not
    closed half-way through recording a use of it."""
    cards = Card.objects.select_related("region")
    if lock:
        cards = cards.select_for_update(of=("self",))
    try:
        if number:
            return cards.get(identifier=number)
    except Card.DoesNotExist:
        pass
    raise unknown_number_error(number)


def _staff_regions(actor: Any) -> list[Region]:
    """Where a distributor's or coordinator's look-up flags go: their own regions."""
    scope = scope_for(actor)
    return list(Region.objects.filter(pk__in=scope.distributor_regions | scope.coordinator_regions))


def look_up_card(*, actor: Any, identifier: str) -> Card:
    """A card by its number, for its own staff and coordinators. A number registered at a site the
    actor does not see is said to exist elsewhere (never which site), not to be unknown. Audited,
    found or not, and throttled (cards/lookups.py)."""
    if not scope_for(actor).reads_cards:
        raise NotAllowed()
    number = identifiers.normalize(identifier)
    lookup = lookups.admit(actor, numbers=[number], regions=_staff_regions(actor))
    try:
        card = find_card(number)
    except DomainError as error:
        record(
            actor=actor,
            action=Action.CARD_VIEWED,
            data={**typed_number_for_audit(number), "found": False},
        )
        lookup.failed(error)
        raise
    lookup.found()
    if not Card.objects.visible_to(actor).filter(pk=card.pk).exists():
        record(
            actor=actor,
            action=Action.CARD_VIEWED,
            target=card,
            region=card.region,
            data={"found": True, "visible": False},
        )
        raise CardRegisteredElsewhere(identifier=card.display_identifier)
    record(actor=actor, action=Action.CARD_VIEWED, target=card, region=card.region)
    return card


def card_to_change(*, actor: Any, card_id: int) -> Card | None:
    """A card by its internal key, if the actor may see it, for a change: not audited as a reading
    (the change's own service records it, and refuses an actor who sees the card but does not
    manage it). The pages and the API both take their cards to change from here."""
    return (
        Card.objects.visible_to(actor)
        .select_related("region", "issuing_site__organisation")
        .filter(pk=card_id)
        .first()
    )


def open_card(*, actor: Any, card_id: int) -> Card | None:
    """A card by its internal key (the key of its page), if the actor may see it; audited."""
    card = (
        Card.objects.visible_to(actor)
        .select_related("issuing_site__organisation", "region", "replaced_by")
        .filter(pk=card_id)
        .first()
    )
    if card is not None:
        record(actor=actor, action=Action.CARD_VIEWED, target=card, region=card.region)
    return card


def check_card(
    *, actor: Any, venue: Venue, identifier: str, on: dt.date | None = None
) -> CardCheck:
    """What a venue may know of a card, by its full number: whether recording a use of it here would
    be accepted, and if not the same refusal `record_use` would give. Every check is audited, found
    or not, and throttled (cards/lookups.py)."""
    if not can_act_for_venue(actor, venue):
        raise NotAllowed()
    number = identifiers.normalize(identifier)
    lookup = lookups.admit(
        actor, venue, numbers=[number], regions=[venue.region] if venue.region else []
    )
    day = on or today()
    try:
        card = find_card(number)
    except DomainError as error:
        record(
            actor=actor,
            action=Action.CARD_CHECKED,
            venue=venue,
            region=venue.region,
            data={**typed_number_for_audit(number), "found": False},
        )
        lookup.failed(error)
        raise
    lookup.found()
    result = card_check_of(card, venue, day)
    record(
        actor=actor,
        action=Action.CARD_CHECKED,
        target=card,
        venue=venue,
        region=venue.region,
        data={"found": True, "refusal": result.refusal.code if result.refusal else None},
    )
    return result


def card_check_of(card: Card, venue: Venue, day: dt.date) -> CardCheck:
    """What `venue` may know of `card` on `day` (check_card's answer, and each line of the box
    office's list of card states: uses.services.card_states_at). Reads `card.region`."""
    refusal = card.refusal_at(venue, day)
    valid = card.refusal_on(day) is None
    return CardCheck(
        identifier=card.identifier,
        card_type=card.card_type,
        status=card.status_on(day),
        # Nothing that looks valid for a card that is not: its refusal says why and until when.
        valid_until=card.effective_valid_until if valid else None,
        closed_on=card.closed_on,
        children=card.child_tickets_at(venue) if valid else None,
        refusal=refusal,
    )


# The mobile-card hand-over: a link with a random secret, never the card number.

HAND_OVER_SECRET_LENGTH = 16  # characters of the card-number alphabet: 29**16, about 78 bits


def _hand_over_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hand_over_card(*, actor: Any, card: Card) -> str:
    """Give the holder a new link to their mobile card, and stop any earlier one from working.

    Returns the link's secret. Only its hash is stored: the worker shows the link (a QR code and a
    short address) once, and gives a new one if the holder loses it."""
    _check_manager(actor, card)
    with transaction.atomic():
        card = _lock(card)
        if card.is_closed:
            raise CardClosedForDistributor(
                identifier=card.display_identifier, closed_on=card.closed_on
            )
        now = timezone.now()
        card.hand_overs.active().update(revoked_at=now)
        secret = "".join(
            secrets.choice(identifiers.ALPHABET) for _ in range(HAND_OVER_SECRET_LENGTH)
        )
        HandOver.objects.create(card=card, secret_hash=_hand_over_hash(secret), created_at=now)
        record(actor=actor, action=Action.CARD_HANDED_OVER, target=card, region=card.region)
    return secret


def revoke_hand_over(*, actor: Any, card: Card) -> bool:
    """Stop the card's mobile-card link from working (a lost phone, a link sent to the wrong person).
    Returns whether there was a link to revoke."""
    _check_manager(actor, card)
    with transaction.atomic():
        card = _lock(card)
        revoked = card.hand_overs.active().update(revoked_at=timezone.now())
        if revoked:
            record(actor=actor, action=Action.HAND_OVER_REVOKED, target=card, region=card.region)
    return bool(revoked)


def hand_over_for(secret: str) -> HandOver | None:
    """The working hand-over a link's secret opens, with its card and region; None for an unknown or
    revoked secret, or anything that is not one (the caller shows a page that reveals nothing, and
    throttles the asking)."""
    secret = identifiers.normalize(secret)
    if len(secret) != HAND_OVER_SECRET_LENGTH or identifiers.invalid_characters(secret):
        return None
    return (
        HandOver.objects.active()
        .select_related("card__region")
        .filter(secret_hash=_hand_over_hash(secret))
        .first()
    )


def card_stock_numbers(*, actor: Any, batch: CardStock) -> list[str]:
    """A batch's numbers, to print on blank cards: the printing is audited (which batch and how many
    numbers, never the numbers). The caller has found the batch through CardStock.visible_to."""
    numbers = list(batch.numbers.values_list("identifier", flat=True))
    record(
        actor=actor,
        action=Action.CARD_STOCK_PRINTED,
        target=batch,
        region=batch.region,
        data={"numbers": len(numbers)},
    )
    return numbers
