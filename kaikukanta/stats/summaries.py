"""Keeping the summary tables (models.py) in step with the uses and cards, and rebuilding them."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, TruncDate, TruncMonth
from django.utils import timezone

from kaikukanta.cards.models import RECORD_KEYS, Card, CardType, WellbeingMeasurement
from kaikukanta.uses.models import Use

from .models import (
    CardFirstUse,
    CardMonth,
    CardProfileMonth,
    CardUseGap,
    CardUseMonth,
    CardUseYear,
    CardYear,
    ErasedProfileMonth,
    ErasedWellbeingMonth,
    RenewalMonth,
    UseMonth,
)
from .periods import MAX_MONTHS, month_number

SUMMARIES = (
    UseMonth,
    CardYear,
    CardFirstUse,
    CardUseYear,
    CardUseMonth,
    CardUseGap,
    CardMonth,
    CardProfileMonth,
    RenewalMonth,
)

# CardUseGap.previous for a card's first month of use, and for a previous use too long ago to
# matter in any period (periods.MAX_MONTHS): both earlier than any period's first month.
NEVER = dt.date(1900, 1, 1)
LONG_AGO = dt.date(1900, 2, 1)


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _insert_new(model: type[models.Model], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True if the row is new. One statement, no savepoint; a
    concurrent insert of the same key waits for the other transaction and then inserts nothing."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in values)
    marks = ", ".join(["%s"] * len(values))
    key = next(
        c.fields
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    )
    conflict = ", ".join(
        connection.ops.quote_name(model._meta.get_field(f).column)  # type: ignore[union-attr,arg-type]
        for f in key
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT ({conflict}) DO NOTHING",  # noqa: S608 (names from the model)
            list(values.values()),
        )
        return cursor.rowcount == 1


def use_record_key(card_key: int, use_id: int) -> int:
    """A use's record key: its card's, moved by its own id (so that a card's uses are records of
    their own), 0..RECORD_KEYS - 1. The rebuild computes the same in SQL (_rebuild_uses)."""
    return (card_key + use_id * USE_KEY_STEP) % RECORD_KEYS


USE_KEY_STEP = 167  # odd: consecutive uses of a card spread over every key


def _add(
    model: type[models.Model],
    key: dict[str, Any],
    amounts: dict[str, int],
    record_key: int | None = None,
) -> None:
    """Adds `amounts` to the counters of the row `key`, creating it if needed, and `record_key`
    times each amount to the counter's key sum (`<counter>_key`, models.py); safe when two
    transactions add to the same row at once. One statement, `INSERT … ON CONFLICT DO UPDATE` on the
    row's unique key (the second of two waits for the first's row, and adds to it once committed);
    a key with a None in it (which a unique key does not match), and a subtraction (the INSERT's
    own row, checked before the conflict is, would break a counter's CHECK >= 0), the long way."""
    if record_key is not None:
        amounts = {**amounts, **_key_sums(model, amounts, record_key)}
    sql = _upsert_sql(model, tuple(key), tuple(amounts))
    if sql is None or None in key.values() or min(amounts.values(), default=0) < 0:
        _add_by_update(model, key, amounts)
        return
    values = {**key, **amounts}
    params = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in values:
            value = values[field.attname]
        elif field.name in values:
            value = values[field.name]
        else:
            value = field.get_default()
        params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _key_sums(
    model: type[models.Model], amounts: dict[str, int], record_key: int
) -> dict[str, int]:
    names = _key_fields(model)
    return {f"{name}_key": amount * record_key for name, amount in amounts.items() if name in names}


@functools.cache
def _key_fields(model: type[models.Model]) -> frozenset[str]:
    """The counters of `model` that keep a key sum."""
    names = {field.name for field in model._meta.concrete_fields}
    return frozenset(name for name in names if f"{name}_key" in names)


@functools.cache
def _upsert_sql(
    model: type[models.Model], key: tuple[str, ...], amounts: tuple[str, ...]
) -> str | None:
    """The upsert of `_add` for a key that is the model's unique constraint (None: it is not)."""
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return str(model._meta.get_field(name).column)  # type: ignore[union-attr]

    columns = {column(name) for name in key}
    unique = [
        {column(name) for name in constraint.fields}
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and constraint.fields
        and constraint.condition is None
        and constraint.deferrable is None
        and not getattr(constraint, "opclasses", ())
        and not getattr(constraint, "include", ())
        and constraint.nulls_distinct is not False
    ]
    if columns not in unique:
        return None
    table = quote(model._meta.db_table)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    counters = [quote(column(name)) for name in amounts]
    return (
        f"INSERT INTO {table} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608 (names from the model)
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({', '.join(quote(column) for column in sorted(columns))}) DO UPDATE SET "
        + ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in counters)
    )


def _add_by_update(model: type[models.Model], key: dict[str, Any], amounts: dict[str, int]) -> None:
    changes = {name: F(name) + amount for name, amount in amounts.items()}
    if model._default_manager.filter(**key).update(**changes):
        return
    try:
        with transaction.atomic():
            model._default_manager.create(**key, **amounts)
    except IntegrityError:
        model._default_manager.filter(**key).update(**changes)


# --- the write path and its lock order -------------------------------------------------------------
#
# The services that change uses and cards (uses/services.py, cards/services.py) call `uses_added`,
# `use_removed`, `card_added` and `card_changed` in the transaction that makes the change: nothing
# else writes these tables (no signal receivers; a bulk load is followed by `rebuild`). Every such
# transaction takes its locks in ONE order, so that two of them wait for each other and never
# deadlock:
#
#   1. the cards of the request, locked by the service before anything else: several (a group
#      visit's) at once, sorted by number (uses/services.py `_record_group_visit`); then the
#      request's own rows (an event's quota, the use written or the one cancelled, the audit);
#   2. the cards' own rows (CardUseMonth, CardYear, CardFirstUse), which only a holder of the
#      card's lock writes;
#   3. the shared counters (CardUseGap, CardUseYear, CardMonth, CardProfileMonth, RenewalMonth,
#      and the retention purge's ErasedProfileMonth and ErasedWellbeingMonth, `holder_data_erased`),
#      sorted by table and key: kept back in a `Counts` until the cards' own rows are written;
#   4. last, the venue's month rows (UseMonth), sorted by key: every use at a venue in a month
#      adds to one row, whose lock is then held only to the end of the transaction.
#
# Before, the receivers wrote each use's rows in turn: a group visit held the venue's month row of
# its first member while taking the next member's shared rows, which a single use at the venue
# takes before the venue's month row, and PostgreSQL found a deadlock (tests/stats/
# test_concurrency.py races group visits, uses, cancellations and renewals).

# Step 4's tables; every other counter is step 3.
_LAST = (UseMonth,)


def _sortable(value: Any) -> tuple[bool, Any]:
    return (value is not None, value)


class Counts:
    """The counter additions of one change, written by `write` in the lock order above (steps 3
    and 4), each by `_add` with its record key."""

    def __init__(self) -> None:
        self._additions: list[
            tuple[type[models.Model], dict[str, Any], dict[str, int], int | None]
        ] = []

    def add(
        self,
        model: type[models.Model],
        key: dict[str, Any],
        amounts: dict[str, int],
        record_key: int | None = None,
    ) -> None:
        """`record_key`: the key of the record counted (each amount adds it to the key sums)."""
        self._additions.append((model, key, amounts, record_key))

    @staticmethod
    def _order(addition: tuple) -> tuple:
        model, key, _amounts, _extra = addition
        return (
            model in _LAST,
            model._meta.db_table,
            tuple((name, _sortable(key[name])) for name in sorted(key)),
        )

    def write(self) -> None:
        for model, key, amounts, record_key in sorted(self._additions, key=self._order):
            _add(model, key, amounts, record_key)
        self._additions.clear()


# --- uses ------------------------------------------------------------------------------------------


def _use_month_key(use: Use) -> dict[str, Any]:
    return {
        "month": local_day(use.occurred_at).replace(day=1),
        "venue_id": use.venue_id,
        "category": use.category,
    }


def _use_month_amounts(use: Use, sign: int) -> dict[str, int]:
    return {
        "uses": sign,
        "adult_tickets": sign * int(use.adult_ticket),
        # Clients under the age limit covered by a community card are children's tickets too.
        "child_tickets": sign * (use.child_tickets + use.clients_without_card),
    }


def _card_of(use: Use, recorded_with: Card | None = None) -> dict[str, Any] | None:
    """The card's type and issuing site, or None for a community card (no holder to count):
    `recorded_with`, the card a use was just recorded with (read under its row lock in the same
    transaction), or read now."""
    return _personal(_card_row(use, recorded_with))


def _personal(found: tuple[str, int, int] | None) -> dict[str, Any] | None:
    if found is None or found[0] != CardType.PERSONAL:
        return None
    return {"card_type": found[0], "issuing_site_id": found[1], "record_key": found[2]}


def _card_row(use: Use, recorded_with: Card | None) -> tuple[str, int, int] | None:
    if recorded_with is not None:
        return recorded_with.card_type, recorded_with.issuing_site_id, recorded_with.record_key
    fields = ("card_type", "issuing_site_id", "record_key")
    return Card.objects.filter(pk=use.card_id).values_list(*fields).first()


def _count_use_year(
    counts: Counts, year: int, use: Use, site_id: int, record_key: int, **amounts: int
) -> None:
    counts.add(
        CardUseYear,
        {"year": year, "region_id": use.card_region_id, "issuing_site_id": site_id},
        amounts,
        record_key,
    )


def since(month: dt.date, previous: dt.date | None) -> dt.date:
    """CardUseGap.previous of a card used in `month` whose previous month of use is `previous`."""
    if previous is None:
        return NEVER
    if month_number(month) - month_number(previous) >= MAX_MONTHS:
        return LONG_AGO
    return previous


def _count_gap(
    counts: Counts,
    month: dt.date,
    previous: dt.date | None,
    place: dict[str, Any],
    n: int,
    record_key: int,
) -> None:
    key = {"month": month, "previous": since(month, previous), **place}
    counts.add(CardUseGap, key, {"cards": n}, record_key)


def _neighbours(card_id: int, month: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The card's months of use just before and just after `month`, in one statement (a use's
    first in a month asks this while recording)."""
    quote = connection.ops.quote_name
    table, column, card = (
        quote(name) for name in (CardUseMonth._meta.db_table, "month", "card_id")
    )
    value = connection.ops.adapt_datefield_value(month)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(CASE WHEN {column} < %s THEN {column} END), "  # noqa: S608 (names from the model)
            f"MIN(CASE WHEN {column} > %s THEN {column} END) FROM {table} WHERE {card} = %s",
            [value, value, card_id],
        )
        before, after = cursor.fetchone()
    return _as_date(before), _as_date(after)


def _as_date(value: dt.date | str | None) -> dt.date | None:
    """A date from the database (SQLite gives an aggregate's date back as its text)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _lock_card(card_id: int) -> None:
    """Step 1 of the lock order, for a caller that has not taken it (the services have: then this
    waits for nothing). Uses of one card that open or close months at once take turns: each then
    sees the others' months when it finds its neighbours (read committed: every statement sees
    what is committed)."""
    list(Card.objects.select_for_update().filter(pk=card_id).order_by().values_list("pk"))


def _month_opened(counts: Counts, use: Use, month: dt.date, site: int, record_key: int) -> None:
    _lock_card(use.card_id)
    place = {"region_id": use.card_region_id, "issuing_site_id": site}
    before, after = _neighbours(use.card_id, month)
    _count_gap(counts, month, before, place, +1, record_key)
    if after is not None:
        _count_gap(counts, after, before, place, -1, record_key)
        _count_gap(counts, after, month, place, +1, record_key)


def _month_closed(counts: Counts, use: Use, month: dt.date, site: int, record_key: int) -> None:
    _lock_card(use.card_id)
    if not CardUseMonth.objects.filter(card_id=use.card_id, month=month).delete()[0]:
        return
    place = {"region_id": use.card_region_id, "issuing_site_id": site}
    before, after = _neighbours(use.card_id, month)
    _count_gap(counts, month, before, place, -1, record_key)
    if after is not None:
        _count_gap(counts, after, month, place, -1, record_key)
        _count_gap(counts, after, before, place, +1, record_key)


def uses_added(uses: Sequence[Use]) -> None:
    """New uses, just saved by the transaction recording them (`record_use`: one; a group visit:
    its community card's and every member's), which holds their cards' locks (step 1). A use that
    holds its card (as recording's do) is counted with that card, read under its lock a moment ago."""
    counts = Counts()
    use_keys = []
    for use in uses:
        found = _card_row(use, use.card if Use.card.is_cached(use) else None)
        _card_used(counts, use, _personal(found))
        use_keys.append(use_record_key(found[2] if found else 0, use.pk))
    for use, use_key in zip(uses, use_keys, strict=True):
        counts.add(UseMonth, _use_month_key(use), _use_month_amounts(use, +1), use_key)
    counts.write()


def use_added(use: Use) -> None:
    """One new use (`uses_added`)."""
    uses_added([use])


def _card_used(counts: Counts, use: Use, card: dict[str, Any] | None) -> None:
    if card is None:
        return
    site, key = card["issuing_site_id"], card["record_key"]
    day = local_day(use.occurred_at)
    month = day.replace(day=1)
    # The common case, a card used again in a month it was already used in, costs one statement
    # here (the month's row exists); before, the year's row was tried in a savepoint every time.
    place = {"card_region_id": use.card_region_id, "issuing_site_id": site}
    if _insert_new(CardUseMonth, {"month": month, "card_id": use.card_id, **place}):
        _month_opened(counts, use, month, site, key)
        if _insert_new(CardYear, {"year": day.year, "card_id": use.card_id, **place}):
            _count_use_year(counts, day.year, use, site, key, used=1)
    # The card's first use: locked, so that two uses of one card recorded at once agree on it.
    first = CardFirstUse.objects.select_for_update().filter(card_id=use.card_id).first()
    if first is None:
        try:
            with transaction.atomic():
                CardFirstUse.objects.create(
                    card_id=use.card_id,
                    first_used_on=day,
                    card_region_id=use.card_region_id,
                    issuing_site_id=site,
                )
            _count_use_year(counts, day.year, use, site, key, taken=1)
            return
        except IntegrityError:
            first = CardFirstUse.objects.select_for_update().get(card_id=use.card_id)
    if day < first.first_used_on:  # a use typed in later, earlier than the first one known
        _move_first_use(counts, first, day, use, site, key)


def _move_first_use(
    counts: Counts, first: CardFirstUse, day: dt.date | None, use: Use, site: int, record_key: int
) -> None:
    _count_use_year(counts, first.first_used_on.year, use, site, record_key, taken=-1)
    if day is None:
        first.delete()
        return
    _count_use_year(counts, day.year, use, site, record_key, taken=1)
    first.first_used_on = day
    first.save(update_fields=["first_used_on"])


def uses_removed(uses: Sequence[Use]) -> None:
    """Uses about to be deleted (`cancel_use`: one; `remove_use`, `remove_group_visit`: one, or a
    group visit's all), by the transaction deleting them, which holds their cards' locks (step 1;
    taken here too, for a caller that has not). Call it before `delete()`, while the uses still have
    their keys. Each is counted out as if those before it in `uses` were already gone, so that all
    of them are counted out at once: the cards' own rows first, then the shared counters, then the
    venues' month rows (steps 2 to 4), as `uses_added` counts them in."""
    counts = Counts()
    gone: list[int] = []
    use_keys = []
    for use in uses:
        gone.append(use.pk)
        found = _card_row(use, None)
        use_keys.append(use_record_key(found[2] if found else 0, use.pk))
        card = _personal(found)
        if card is not None:
            # Locked before the card's other uses are looked at: a use of the card being recorded
            # now (which holds this lock) is then committed, and seen, before this decides the
            # month is over.
            _lock_card(use.card_id)
            _card_unused(counts, use, card["issuing_site_id"], card["record_key"], gone)
    for use, use_key in zip(uses, use_keys, strict=True):
        counts.add(UseMonth, _use_month_key(use), _use_month_amounts(use, -1), use_key)
    counts.write()


def use_removed(use: Use) -> None:
    """One use about to be deleted (`uses_removed`)."""
    uses_removed([use])


def _card_unused(counts: Counts, use: Use, site: int, key: int, gone: Sequence[int]) -> None:
    """`use` counted out of its card's rows; `gone`: it and the uses counted out before it."""
    day = local_day(use.occurred_at)
    others = Use.objects.filter(card_id=use.card_id).exclude(pk__in=gone)
    zone = timezone.get_current_timezone()
    year_starts = dt.datetime(day.year, 1, 1, tzinfo=zone)
    year_ends = dt.datetime(day.year + 1, 1, 1, tzinfo=zone)
    used_that_year = others.filter(occurred_at__gte=year_starts, occurred_at__lt=year_ends)
    month = day.replace(day=1)
    month_starts = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    month_ends = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone)
    if not others.filter(occurred_at__gte=month_starts, occurred_at__lt=month_ends).exists():
        _month_closed(counts, use, month, site, key)
    if (
        not used_that_year.exists()
        and CardYear.objects.filter(card_id=use.card_id, year=day.year).delete()[0]
    ):
        _count_use_year(counts, day.year, use, site, key, used=-1)
    first = CardFirstUse.objects.select_for_update().filter(card_id=use.card_id).first()
    if first is not None:
        earliest = others.aggregate(first=Min("occurred_at"))["first"]
        new_day = local_day(earliest) if earliest is not None else None
        if new_day != first.first_used_on:
            _move_first_use(counts, first, new_day, use, site, key)


# --- cards -----------------------------------------------------------------------------------------

# Age groups at issue, from the birth year (the registry keeps no birth date).
AGE_GROUPS = [
    ("0-17", 0, 17),
    ("18-29", 18, 29),
    ("30-44", 30, 44),
    ("45-64", 45, 64),
    ("65+", 65, 200),
]


def age_group(issued_on: dt.date, birth_year: int | None) -> str:
    if not birth_year:
        return ""
    age = issued_on.year - birth_year
    for name, lowest, highest in AGE_GROUPS:
        if lowest <= age <= highest:
            return name
    return ""


CARD_FIELDS = (
    "card_type",
    "issued_on",
    "renewed_on",
    "region_id",
    "issuing_site_id",
    "birth_year",
    "gender",
    "life_situation",
    "record_key",
    "holder_data_erased_on",
)


def card_state(card: Card) -> dict[str, Any]:
    """What the summaries count of a card: take it before changing the card, for `card_changed`."""
    return {name: getattr(card, name) for name in CARD_FIELDS}


def _is_replacement(card_id: int) -> bool:
    return Card.objects.filter(replaced_by_id=card_id).exists()


def _profile(state: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("age", age_group(state["issued_on"], state["birth_year"])),
        ("gender", state["gender"] or ""),
        ("life", state["life_situation"] or ""),
    ]


def _count_card(counts: Counts, state: dict[str, Any], replacement: bool, sign: int) -> None:
    if state["card_type"] != CardType.PERSONAL:
        return
    place = {"region_id": state["region_id"], "issuing_site_id": state["issuing_site_id"]}
    month = state["issued_on"].replace(day=1)
    key = state["record_key"]
    counts.add(
        CardMonth, {"month": month, **place, "replacement": replacement}, {"cards": sign}, key
    )
    # An erased card's share of the holder data stays what it was when erased (ErasedProfileMonth
    # keeps it, `holder_data_erased`): holder data typed in again later (a renewal) moves nothing.
    if not replacement and not state["holder_data_erased_on"]:
        for dimension, value in _profile(state):
            counts.add(
                CardProfileMonth,
                {"month": month, **place, "dimension": dimension, "value": value},
                {"cards": sign},
                key,
            )
    if state["renewed_on"]:
        renewed = {"month": state["renewed_on"].replace(day=1), **place}
        counts.add(RenewalMonth, renewed, {"cards": sign}, key)


def card_added(card: Card, *, replacement: bool = False) -> None:
    """A new card, just saved by the transaction issuing or importing it; `replacement`: it
    replaces a lost card (`replace_card`), and counts apart from the cards registered."""
    counts = Counts()
    _count_card(counts, card_state(card), replacement, +1)
    counts.write()


def card_changed(before: dict[str, Any], card: Card) -> None:
    """A card changed (renewed, its holder data updated), by the transaction holding its lock:
    its share moves from its old holder data and renewal month (`before`, its `card_state` taken
    before the change) to the new ones. Closing a card or handing it over changes nothing counted."""
    after = card_state(card)
    if before == after:
        return
    counts = Counts()
    replacement = _is_replacement(card.pk)
    _count_card(counts, before, replacement, -1)
    _count_card(counts, after, replacement, +1)
    counts.write()


def holder_data_erased(cards: models.QuerySet[Card], answers: models.QuerySet) -> None:
    """The retention policy is about to erase the holder data of `cards` and delete the wellbeing
    `answers` (stats/retention.py, in the same transaction, before it does): what they count in the
    statistics is added, as aggregates, to ErasedProfileMonth (their share of CardProfileMonth, from
    which `rebuild` then counts them) and ErasedWellbeingMonth (their share of the change in
    wellbeing, which figures.wellbeing_change adds). The cards are locked first (step 1 of the lock
    order, sorted by number), then the counters are added (step 3). CardProfileMonth itself is
    unchanged: the figures do not change."""
    erased = cards.filter(card_type=CardType.PERSONAL, holder_data_erased_on__isnull=True)
    touched = Card.objects.filter(Q(pk__in=erased.values("pk")) | Q(pk__in=answers.values("card")))
    list(touched.select_for_update().order_by("identifier").values_list("pk", flat=True))
    counts = Counts()
    for month, region, site, dimension, value, n, k in _profile_rows(_registered(erased)):
        key = {
            "month": _as_date(month),
            "region_id": region,
            "issuing_site_id": site,
            "dimension": dimension,
            "value": value,
        }
        counts.add(ErasedProfileMonth, key, {"cards": n, "cards_key": k})
    for (month, region, site), amounts in _wellbeing_changes(answers).items():
        key = {"month": month, "region_id": region, "issuing_site_id": site}
        counts.add(ErasedWellbeingMonth, key, amounts)
    counts.write()


def issue_scores(answers: models.QuerySet[WellbeingMeasurement]) -> dict[int, int]:
    """The WHO-5 score at issue of each card among `answers` with a complete one (its latest)."""
    complete = answers.order_by("measured_on", "pk").filter(
        WellbeingMeasurement.complete(), occasion=WellbeingMeasurement.Occasion.ISSUE
    )
    fields = WellbeingMeasurement.WHO5_FIELDS
    return {
        row["card"]: WellbeingMeasurement.score(row) for row in complete.values("card", *fields)
    }


def _wellbeing_changes(
    answers: models.QuerySet[WellbeingMeasurement],
) -> dict[tuple[dt.date, int, int], dict[str, int]]:
    """What `answers` count in the change in wellbeing, by month of renewal and area: each complete
    renewal measurement of a card with a complete one at issue."""
    at_issue = issue_scores(answers)
    renewals = answers.order_by().filter(
        WellbeingMeasurement.complete(),
        occasion=WellbeingMeasurement.Occasion.RENEWAL,
        # A subquery, not a list of ids (no statement nears 65,535 parameters); `at_issue` below
        # keeps only the cards with a complete answer at issue, as this filter does.
        card__in=answers.order_by()
        .filter(WellbeingMeasurement.complete(), occasion=WellbeingMeasurement.Occasion.ISSUE)
        .values("card"),
    )
    fields = WellbeingMeasurement.WHO5_FIELDS
    found: dict[tuple[dt.date, int, int], dict[str, int]] = {}
    for row in renewals.values(
        "card",
        "measured_on",
        "card__region_id",
        "card__issuing_site_id",
        "card__record_key",
        *fields,
    ):
        key = (
            row["measured_on"].replace(day=1),
            row["card__region_id"],
            row["card__issuing_site_id"],
        )
        amounts = found.setdefault(key, {"holders": 0, "holders_key": 0, "change_sum": 0})
        amounts["holders"] += 1
        amounts["holders_key"] += row["card__record_key"]
        amounts["change_sum"] += WellbeingMeasurement.score(row) - at_issue[row["card"]]
    return found


# --- rebuilding and checking -----------------------------------------------------------------------


def _insert_from(model: type[models.Model], columns: list[str], queryset: models.QuerySet) -> None:
    """INSERT INTO model's table (columns) SELECT …: the rows never pass through Python."""
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)


def _age_group_expression() -> Case:
    return Case(
        *[
            When(Q(birth_year__isnull=False, _age__gte=lowest, _age__lte=highest), then=Value(name))
            for name, lowest, highest in AGE_GROUPS
        ],
        default=Value(""),
        output_field=models.CharField(),
    )


def _rebuild_uses(tables: Sequence[type[models.Model]]) -> None:
    personal = Q(card__card_type=CardType.PERSONAL)
    if CardUseMonth in tables:
        _insert_from(
            CardUseMonth,
            ["month", "card_id", "card_region_id", "issuing_site_id"],
            Use.objects.order_by()
            .filter(personal)
            .annotate(m=TruncMonth("occurred_at", output_field=models.DateField()))
            .values_list("m", "card_id", "card_region_id", "card__issuing_site_id")
            .distinct(),
        )
    if CardUseGap in tables:
        _rebuild_gaps()
    if UseMonth not in tables:
        return
    use_key = ExpressionWrapper(
        (F("card__record_key") + F("pk") * USE_KEY_STEP) % RECORD_KEYS,
        output_field=models.BigIntegerField(),
    )
    _insert_from(
        UseMonth,
        [
            "month",
            "venue_id",
            "category",
            "uses",
            "adult_tickets",
            "child_tickets",
            "uses_key",
            "adult_tickets_key",
            "child_tickets_key",
        ],
        Use.objects.order_by()
        .annotate(m=TruncMonth("occurred_at", output_field=models.DateField()), k=use_key)
        .values("m", "venue_id", "category")
        .annotate(
            n=Count("pk"),
            a=Count("pk", filter=Q(adult_ticket=True)),
            c=Sum(F("child_tickets") + F("clients_without_card")),
            nk=Sum("k"),
            ak=Coalesce(Sum("k", filter=Q(adult_ticket=True)), 0),
            ck=Sum((F("child_tickets") + F("clients_without_card")) * F("k")),
        )
        .values_list("m", "venue_id", "category", "n", "a", "c", "nk", "ak", "ck"),
    )
    _insert_from(
        CardYear,
        ["year", "card_id", "card_region_id", "issuing_site_id"],
        Use.objects.order_by()
        .filter(personal)
        .annotate(y=ExtractYear("occurred_at"))
        .values_list("y", "card_id", "card_region_id", "card__issuing_site_id")
        .distinct(),
    )
    _insert_from(
        CardFirstUse,
        ["card_id", "first_used_on", "card_region_id", "issuing_site_id"],
        Use.objects.order_by()
        .filter(personal)
        .values("card_id", "card_region_id", "card__issuing_site_id")
        .annotate(first=TruncDate(Min("occurred_at")))
        .values_list("card_id", "first", "card_region_id", "card__issuing_site_id"),
    )
    CardUseYear.objects.bulk_create(
        CardUseYear(
            year=year,
            region_id=region,
            issuing_site_id=site,
            used=counts["used"],
            taken=counts["taken"],
            used_key=counts["used_key"],
            taken_key=counts["taken_key"],
        )
        for (year, region, site), counts in _card_use_counts().items()
    )


def _rebuild_gaps() -> None:
    """CardUseGap from CardUseMonth: each row's previous month of the same card (LAG), as
    `since()` files it, counted."""
    gap = connection.ops.quote_name(CardUseGap._meta.db_table)
    months = connection.ops.quote_name(CardUseMonth._meta.db_table)
    cards = connection.ops.quote_name(Card._meta.db_table)
    if connection.vendor == "postgresql":
        number = "(EXTRACT(YEAR FROM {0}) * 12 + EXTRACT(MONTH FROM {0}) - 1)"
        sentinel = "CAST(%s AS date)"
    else:
        number = "(CAST(strftime('%%Y', {0}) AS INTEGER) * 12 + CAST(strftime('%%m', {0}) AS INTEGER) - 1)"
        sentinel = "%s"
    sql = f"""
        INSERT INTO {gap} (month, previous, region_id, issuing_site_id, cards, cards_key)
        SELECT month,
               CASE WHEN prev IS NULL THEN {sentinel}
                    WHEN {number.format("month")} - {number.format("prev")} >= %s THEN {sentinel}
                    ELSE prev END,
               card_region_id, issuing_site_id, COUNT(*), SUM(record_key)
        FROM (SELECT m.month, m.card_region_id, m.issuing_site_id, c.record_key,
                     LAG(m.month) OVER (PARTITION BY m.card_id ORDER BY m.month) AS prev
              FROM {months} AS m JOIN {cards} AS c ON c.id = m.card_id) AS used
        GROUP BY 1, 2, 3, 4
    """  # noqa: S608 (table names from the models)
    with connection.cursor() as cursor:
        cursor.execute(sql, [NEVER.isoformat(), MAX_MONTHS, LONG_AGO.isoformat()])


def _card_use_counts() -> dict[tuple[int, int, int], Counter]:
    counts: dict[tuple[int, int, int], Counter] = {}
    for year, region, site, n, k in (
        CardYear.objects.order_by()
        .values("year", "card_region_id", "issuing_site_id")
        .annotate(n=Count("pk"), k=Sum("card__record_key"))
        .values_list("year", "card_region_id", "issuing_site_id", "n", "k")
    ):
        counts.setdefault((year, region, site), Counter()).update(used=n, used_key=k or 0)
    for year, region, site, n, k in (
        CardFirstUse.objects.order_by()
        .annotate(y=ExtractYear("first_used_on"))
        .values("y", "card_region_id", "issuing_site_id")
        .annotate(n=Count("pk"), k=Sum("card__record_key"))
        .values_list("y", "card_region_id", "issuing_site_id", "n", "k")
    ):
        counts.setdefault((year, region, site), Counter()).update(taken=n, taken_key=k or 0)
    return counts


def _rebuild_cards(tables: Sequence[type[models.Model]]) -> None:
    personal = Card.objects.order_by().filter(card_type=CardType.PERSONAL)
    if CardMonth in tables:
        _insert_from(
            CardMonth,
            ["month", "region_id", "issuing_site_id", "replacement", "cards", "cards_key"],
            personal.annotate(
                m=TruncMonth("issued_on"),
                rep=Exists(Card.objects.filter(replaced_by=OuterRef("pk"))),
            )
            .values("m", "region_id", "issuing_site_id", "rep")
            .annotate(n=Count("pk"), k=Sum("record_key"))
            .values_list("m", "region_id", "issuing_site_id", "rep", "n", "k"),
        )
    if CardProfileMonth in tables:
        kept = _registered(personal.filter(holder_data_erased_on__isnull=True))
        for rows in _profile_queries(kept):
            _insert_from(CardProfileMonth, PROFILE_COLUMNS, rows)
        _add_erased_profiles()
    if RenewalMonth in tables:
        _insert_from(
            RenewalMonth,
            ["month", "region_id", "issuing_site_id", "cards", "cards_key"],
            personal.filter(renewed_on__isnull=False)
            .annotate(m=TruncMonth("renewed_on"))
            .values("m", "region_id", "issuing_site_id")
            .annotate(n=Count("pk"), k=Sum("record_key"))
            .values_list("m", "region_id", "issuing_site_id", "n", "k"),
        )


PROFILE_COLUMNS = [
    "month",
    "region_id",
    "issuing_site_id",
    "dimension",
    "value",
    "cards",
    "cards_key",
]


def _registered(cards: models.QuerySet[Card]) -> models.QuerySet[Card]:
    """The personal cards among `cards` that CardProfileMonth counts: registered, not replacements."""
    return cards.order_by().exclude(Exists(Card.objects.filter(replaced_by=OuterRef("pk"))))


def _profile_queries(cards: models.QuerySet[Card]) -> list[models.QuerySet]:
    """CardProfileMonth's rows of `cards`, a query for each dimension, in PROFILE_COLUMNS' order."""
    profiles = [
        ("age", _age_group_expression()),
        ("gender", Coalesce("gender", Value(""))),
        ("life", Coalesce("life_situation", Value(""))),
    ]
    return [
        cards.annotate(
            _age=ExtractYear("issued_on") - F("birth_year"),
            y=TruncMonth("issued_on", output_field=models.DateField()),
            d=Value(dimension, output_field=models.CharField()),
            v=expression,
        )
        .values("y", "region_id", "issuing_site_id", "d", "v")
        .annotate(n=Count("pk"), k=Sum("record_key"))
        .values_list("y", "region_id", "issuing_site_id", "d", "v", "n", "k")
        for dimension, expression in profiles
    ]


def _profile_rows(cards: models.QuerySet[Card]) -> Iterator[tuple]:
    for rows in _profile_queries(cards):
        yield from rows


def _add_erased_profiles() -> None:
    """Adds ErasedProfileMonth to the CardProfileMonth rebuilt from the cards not erased: to the
    rows of the same key, then the rows no card left (two statements, none through Python)."""
    same = {
        name: OuterRef(name) for name in ("month", "region", "issuing_site", "dimension", "value")
    }
    erased = ErasedProfileMonth.objects.order_by().filter(**same)
    CardProfileMonth.objects.filter(Exists(erased)).update(
        cards=F("cards") + Subquery(erased.values("cards")[:1]),
        cards_key=F("cards_key") + Subquery(erased.values("cards_key")[:1]),
    )
    _insert_from(
        CardProfileMonth,
        PROFILE_COLUMNS,
        ErasedProfileMonth.objects.order_by()
        .exclude(Exists(CardProfileMonth.objects.filter(**same)))
        .values_list(*[name.removesuffix("_id") for name in PROFILE_COLUMNS]),
    )


# The tables a migration fills, as they were when it ran: uses' tables, then cards' (CardUseGap
# after CardUseMonth; CardUseYear after CardYear and CardFirstUse).
USE_TABLES = (UseMonth, CardYear, CardFirstUse, CardUseYear)
CARD_TABLES = (CardMonth, CardProfileMonth, RenewalMonth)
PERIOD_TABLES = (CardUseMonth, CardUseGap)


def rebuild(tables: Sequence[type[models.Model]] = SUMMARIES) -> None:
    """Recomputes the summary tables (every one by default) from the uses and cards, in one
    transaction. `tables` is one of the groups above, or several (a migration fills those it adds)."""
    with transaction.atomic():
        for model in tables:
            model._default_manager.all().delete()
        _rebuild_uses(tables)
        _rebuild_cards(tables)


def _contents() -> dict[str, Any]:
    """Each summary table's rows (without the empty counters) as a digest, for comparing: read in
    order, a chunk at a time, so that a national database's millions of rows are never all in
    memory at once."""
    found: dict[str, Any] = {}
    for model in SUMMARIES:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        counters = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.IntegerField) and f.attname not in ("year", "id")
        ]
        positions = [fields.index(name) for name in counters]
        digest = hashlib.sha256()
        rows = model._default_manager.order_by(*fields).values_list(*fields)
        for row in rows.iterator(chunk_size=20_000):
            if not positions or any(row[i] for i in positions):
                digest.update(repr(row).encode())
        found[model._meta.model_name or ""] = digest.hexdigest()
    return found


def differences() -> list[str]:
    """The summary tables that disagree with a rebuild from the uses and cards (empty: none).

    Never blocks recording, and sees no drift that is not there: the tables as they are and the
    uses and cards they are rebuilt from are read in one snapshot (PostgreSQL: one REPEATABLE READ
    transaction; SQLite: one transaction, which is its own snapshot), and the rebuild goes into
    temporary tables of the same names, which hide the real ones from this connection alone until
    the transaction ends; the real tables are only read, so uses recorded meanwhile write them as
    usual (their rows are not in the snapshot, neither in the tables nor in the uses)."""
    with _snapshot():
        kept = _contents()
        _shadow_summaries()
        rebuild()
        rebuilt = _contents()
        _drop_shadows()  # on an error, the rollback drops them
        transaction.set_rollback(True)
    return [name for name in kept if kept[name] != rebuilt[name]]


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction whose reads all see the database as it was at its first: on PostgreSQL
    REPEATABLE READ (its first statement; inside a transaction already begun, as in a test, that
    transaction's own)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _shadow_summaries() -> None:
    """An empty temporary table for each summary table, with its name and columns: unqualified, as
    every statement of `rebuild` and `_contents` names it, the name is then the temporary one."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in SUMMARIES:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {quote(table)} (LIKE {quote(table)} INCLUDING ALL)"
                )
                continue
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table]
            )
            (definition,) = cursor.fetchone()
            # SQLite's foreign keys reach no further than their own database (here: temp).
            definition = re.sub(
                r' REFERENCES "\w+" \("\w+"\)( DEFERRABLE INITIALLY DEFERRED)?', "", definition
            )
            cursor.execute(definition.replace("CREATE TABLE", "CREATE TEMPORARY TABLE", 1))


def _drop_shadows() -> None:
    schema = "pg_temp" if connection.vendor == "postgresql" else "temp"
    with connection.cursor() as cursor:
        for model in SUMMARIES:
            cursor.execute(f"DROP TABLE {schema}.{connection.ops.quote_name(model._meta.db_table)}")
