from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from kaikukanta.accounts.scope import scope_for
from kaikukanta.core.dates import today

if TYPE_CHECKING:
    # Named only as strings in the base classes below, which ruff does not read as uses.
    from .models import Card, WellbeingMeasurement  # noqa: F401

CARD_STATUSES = ("valid", "expired", "closed")

# A card "expires soon" when its last valid day is at most this many days ahead: the card list's
# "expiring" filter, the distributor's landing page and the expiry reminder e-mails all read it
# (CardQuerySet.expiring).
EXPIRING_DAYS = 30


# The regions whose pilot decides a card's validity are read first, as a list of keys, rather than
# put in the card query as a subquery: there are a handful of regions, and with their keys known (and
# usually none) the card query keeps its plain date ranges, which the indexes on (valid_until, id) and
# (issued_on, id) can serve. Behind an OR with a subquery, PostgreSQL reads every card still valid to
# find the few expiring within 30 days.


def _pilot_ended_before(day: dt.date) -> list[int]:
    from kaikukanta.network.models import Region

    return list(Region.objects.pilot_ended_before(day).values_list("pk", flat=True))


def _pilot_ending_by(day: dt.date) -> list[int]:
    from kaikukanta.network.models import Region

    return list(Region.objects.pilot_ending_by(day).values_list("pk", flat=True))


class CardQuerySet(models.QuerySet["Card"]):
    def visible_to(self, user: Any) -> CardQuerySet:
        """National admins: every card. Coordinators: their regions' cards. Distributor staff: the
        cards of their own sites and their organisations' community cards. Venue staff: none (they
        check one card at a time by its full number, through `check_card`)."""
        scope = scope_for(user)
        if scope.national:
            return self.all()
        return self.filter(
            Q(region__in=scope.coordinator_regions)
            | Q(issuing_site__in=scope.distributor_sites)
            | Q(
                card_type="community",
                issuing_site__organisation__in=scope.distributor_organisations,
            )
        )

    # --- validity: the rule of Card.refusal_on(day) for lists, filters and counts -----------------
    # (tests/cards/test_validity.py checks that the two give the same answer, card by card)

    def valid_on(self, day: dt.date | None = None) -> CardQuerySet:
        """Cards that can be used on `day` (today by default): issued by then, not closed by then,
        and not past their own valid-until or the end of their region's pilot."""
        day = day or today()
        valid = self.filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=day),
            issued_on__lte=day,
            valid_until__gte=day,
        )
        ended = _pilot_ended_before(day)
        return valid.exclude(region__in=ended) if ended else valid

    def expired_on(self, day: dt.date | None = None) -> CardQuerySet:
        """Cards not closed by `day` whose validity (or their region's pilot) ended before it."""
        day = day or today()
        ended = _pilot_ended_before(day)
        expired = Q(valid_until__lt=day) | Q(region__in=ended) if ended else Q(valid_until__lt=day)
        return self.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day)).filter(expired)

    def closed_on_or_before(self, day: dt.date | None = None) -> CardQuerySet:
        return self.filter(closed_on__lte=day or today())

    def expiring_within(self, days: int, day: dt.date | None = None) -> CardQuerySet:
        """Cards valid on `day` whose last valid day is at most `days` days later: the ones to
        renew soon."""
        day = day or today()
        last = day + dt.timedelta(days=days)
        ending = _pilot_ending_by(last)
        soon = (
            Q(valid_until__lte=last) | Q(region__in=ending) if ending else Q(valid_until__lte=last)
        )
        return self.valid_on(day).filter(soon)

    def expiring(self, day: dt.date | None = None) -> CardQuerySet:
        """Cards that expire soon (within EXPIRING_DAYS of `day`): the ones to renew."""
        return self.expiring_within(EXPIRING_DAYS, day)

    def with_status(self, status: str, day: dt.date | None = None) -> CardQuerySet:
        """The cards of one of CARD_STATUSES, as Card.status_on names them."""
        if status == "valid":
            return self.valid_on(day)
        if status == "expired":
            return self.expired_on(day)
        if status == "closed":
            return self.closed_on_or_before(day)
        raise ValueError(f"unknown card status {status!r}")


class WellbeingMeasurementQuerySet(models.QuerySet["WellbeingMeasurement"]):
    def visible_to(self, user: Any) -> WellbeingMeasurementQuerySet:
        from .models import Card

        return self.filter(card__in=Card.objects.visible_to(user))
