"""The retention policy: what the registry deletes, and when (``manage.py purge``, weekly).

Every period is a setting, with the default the privacy notice states (docs/operations.md):

- **Holder data** of a personal card closed, or expired (its valid-until, or its region's pilot's end
  if that was moved earlier, passed without renewal: ``CardQuerySet.expired_on``), more than ``KAIKUKANTA_RETAIN_HOLDER_DATA_YEARS`` (2) years ago: the birth year, postcode, number of
  children, life situation and gender are emptied, and the voluntary wellbeing answers and the card's
  mobile-card links deleted. The card row stays (its number, type, region, dates and status), so its
  uses stay uses of a card, and the statistics, which count from their own summary tables, keep
  counting them: what the erased cards counted in the holder-data table and the answers in the
  change in wellbeing is added first, as aggregates (by month, area and value; never a card), to
  stats.ErasedProfileMonth and ErasedWellbeingMonth (stats/summaries.py `holder_data_erased`), from
  which a rebuild and the wellbeing figure count them as they were.
- **Audit events** and flags older than ``KAIKUKANTA_RETAIN_AUDIT_YEARS`` (5) years, except the events
  the controller keeps as long as the registry runs: who was given or lost which role, deactivated
  users, API tokens, and two-factor resets (:data:`KEPT_ACTIONS`).
- **Login records** of django-axes (address, user agent, time of every login and failed login), and
  the counts of wrong second-step codes by person and address (accounts.SecondStepFailures, by their
  last wrong code), older than ``KAIKUKANTA_RETAIN_LOGIN_DAYS`` (90) days.
- **Mobile-card links** revoked more than ``KAIKUKANTA_RETAIN_HAND_OVER_DAYS`` (30) days ago.
- **Request keys** (a cancelled use's idempotency key, a registration form's key) older than
  ``KAIKUKANTA_RETAIN_REQUEST_KEY_DAYS`` (60) days: longer than a queued request may be backdated.

Each rule deletes only what is past its period, so a second run finds nothing (idempotent). A dry run
counts and changes nothing. A run that changed something writes one audit event with the counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kaikukanta.accounts.models import SecondStepFailures
from kaikukanta.audit.models import Action, AuditEvent, Flag
from kaikukanta.audit.services import record
from kaikukanta.cards.models import Card, CardType, HandOver, RegistrationKey, WellbeingMeasurement
from kaikukanta.cards.querysets import CardQuerySet
from kaikukanta.uses.models import CancelledRequest

from . import summaries

KEPT_ACTIONS = (
    Action.ROLE_GRANTED,
    Action.ROLE_REVOKED,
    Action.USER_DEACTIVATED,
    Action.API_TOKEN_CREATED,
    Action.API_TOKEN_REVOKED,
    Action.TWO_FACTOR_RESET,
    Action.DATA_PURGED,
)

HOLDER_DATA_CLEARED = {
    "birth_year": None,
    "postcode": "",
    "children": None,
    "life_situation": "",
    "gender": "",
}


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def cards_past_holder_retention(now: dt.datetime) -> CardQuerySet:
    """Personal cards closed, or expired (by the domain's rule: their own valid-until or their
    region's pilot's end, whichever came first), before the holder-data period began."""
    cutoff = years_before(timezone.localdate(now), settings.KAIKUKANTA_RETAIN_HOLDER_DATA_YEARS)
    personal = Card.objects.filter(card_type=CardType.PERSONAL)
    return personal.filter(closed_on__lt=cutoff) | personal.expired_on(cutoff)


def erase_holder_data(now: dt.datetime, dry_run: bool) -> dict[str, int]:
    old = cards_past_holder_retention(now)
    cards = old.filter(holder_data_erased_on__isnull=True)
    answers = WellbeingMeasurement.objects.filter(card__in=old)
    links = HandOver.objects.active().filter(card__in=old)  # revoked ones: delete_revoked_links
    if dry_run:
        return {
            "cards_erased": cards.count(),
            "wellbeing_answers": answers.count(),
            "old_cards_links": links.count(),
        }
    summaries.holder_data_erased(cards, answers)
    return {
        # update(): no save signals, and updated_at set by hand (auto_now acts on save() only).
        "cards_erased": cards.update(
            **HOLDER_DATA_CLEARED, holder_data_erased_on=timezone.localdate(now), updated_at=now
        ),
        "wellbeing_answers": answers.delete()[0],
        "old_cards_links": links.delete()[0],
    }


def delete_audit_events(now: dt.datetime, dry_run: bool) -> dict[str, int]:
    cutoff_day = years_before(timezone.localdate(now), settings.KAIKUKANTA_RETAIN_AUDIT_YEARS)
    cutoff = timezone.make_aware(dt.datetime.combine(cutoff_day, dt.time.min))
    events = AuditEvent.objects.filter(occurred_at__lt=cutoff).exclude(action__in=KEPT_ACTIONS)
    flags = Flag.objects.filter(raised_at__lt=cutoff)
    if dry_run:
        return {"audit_events": events.count(), "flags": flags.count()}
    return {"audit_events": events.delete()[0], "flags": flags.delete()[0]}


def delete_login_records(now: dt.datetime, dry_run: bool) -> dict[str, int]:
    cutoff = now - dt.timedelta(days=settings.KAIKUKANTA_RETAIN_LOGIN_DAYS)
    count = 0
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        old = model.objects.filter(attempt_time__lt=cutoff)
        count += old.count() if dry_run else old.delete()[0]
    wrong_codes = SecondStepFailures.objects.filter(last_failure_at__lt=cutoff)
    count += wrong_codes.count() if dry_run else wrong_codes.delete()[0]
    return {"login_records": count}


def delete_revoked_links(now: dt.datetime, dry_run: bool) -> dict[str, int]:
    cutoff = now - dt.timedelta(days=settings.KAIKUKANTA_RETAIN_HAND_OVER_DAYS)
    links = HandOver.objects.filter(revoked_at__lt=cutoff)
    return {"revoked_links": links.count() if dry_run else links.delete()[0]}


def delete_request_keys(now: dt.datetime, dry_run: bool) -> dict[str, int]:
    cutoff = now - dt.timedelta(days=settings.KAIKUKANTA_RETAIN_REQUEST_KEY_DAYS)
    cancelled = CancelledRequest.objects.filter(cancelled_at__lt=cutoff)
    registration = RegistrationKey.objects.filter(card__created_at__lt=cutoff)
    if dry_run:
        return {"request_keys": cancelled.count() + registration.count()}
    return {"request_keys": cancelled.delete()[0] + registration.delete()[0]}


@dataclass(frozen=True)
class Rule:
    name: str
    apply: Callable[[dt.datetime, bool], dict[str, int]]


RULES = (
    Rule("holder data", erase_holder_data),
    Rule("audit events", delete_audit_events),
    Rule("login records", delete_login_records),
    Rule("mobile-card links", delete_revoked_links),
    Rule("request keys", delete_request_keys),
)


def purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Apply every rule (or count, in a dry run); returns the counts. All of it in one transaction,
    with the audit event of the counts: a purge happens completely or not at all."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    with transaction.atomic():
        for rule in RULES:
            counts.update(rule.apply(now, dry_run))
        if not dry_run and any(counts.values()):
            record(actor=None, action=Action.DATA_PURGED, data=dict(counts))
    return counts
