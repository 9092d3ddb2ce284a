"""Keeping the summary tables (models.py) in step with the uses and cards, and rebuilding them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear, TruncDate, TruncMonth
from django.utils import timezone

from kaikukanta.cards.models import Card, CardType
from kaikukanta.uses.models import Use

from .models import (
    CardFirstUse,
    CardMonth,
    CardProfileYear,
    CardUseYear,
    CardYear,
    RenewalMonth,
    UseMonth,
)

SUMMARIES = (
    UseMonth,
    CardYear,
    CardFirstUse,
    CardUseYear,
    CardMonth,
    CardProfileYear,
    RenewalMonth,
)


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _add(model: type[models.Model], key: dict[str, Any], amounts: dict[str, int]) -> None:
    """Adds `amounts` to the counters of the row `key`, creating it if needed; safe when two
    transactions add to the same row at once (the second waits for the first's row lock, or for
    its unique key, and then adds to the committed row)."""
    changes = {name: F(name) + amount for name, amount in amounts.items()}
    if model._default_manager.filter(**key).update(**changes):
        return
    try:
        with transaction.atomic():
            model._default_manager.create(**key, **amounts)
    except IntegrityError:
        model._default_manager.filter(**key).update(**changes)


# --- uses ------------------------------------------------------------------------------------------


def _use_month_key(use: Use) -> dict[str, Any]:
    return {
        "month": local_day(use.occurred_at).replace(day=1),
        "venue_id": use.venue_id,
        "category": use.category,
    }


def _card_of(use: Use) -> dict[str, Any] | None:
    """The card's type and issuing site, or None for a community card (no holder to count)."""
    card = Card.objects.filter(pk=use.card_id).values("card_type", "issuing_site_id").first()
    if card is None or card["card_type"] != CardType.PERSONAL:
        return None
    return dict(card)


def _count_use_year(year: int, use: Use, site_id: int, **amounts: int) -> None:
    _add(
        CardUseYear,
        {"year": year, "region_id": use.card_region_id, "issuing_site_id": site_id},
        amounts,
    )


def use_added(use: Use) -> None:
    _add(
        UseMonth,
        _use_month_key(use),
        {"uses": 1, "adult_tickets": int(use.adult_ticket), "child_tickets": use.child_tickets},
    )
    card = _card_of(use)
    if card is None:
        return
    site = card["issuing_site_id"]
    day = local_day(use.occurred_at)
    try:
        with transaction.atomic():
            CardYear.objects.create(
                year=day.year,
                card_id=use.card_id,
                card_region_id=use.card_region_id,
                issuing_site_id=site,
            )
        _count_use_year(day.year, use, site, used=1)
    except IntegrityError:
        pass  # the card was already used that year
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
            _count_use_year(day.year, use, site, taken=1)
            return
        except IntegrityError:
            first = CardFirstUse.objects.select_for_update().get(card_id=use.card_id)
    if day < first.first_used_on:  # a use typed in later, earlier than the first one known
        _move_first_use(first, day, use, site)


def _move_first_use(first: CardFirstUse, day: dt.date | None, use: Use, site: int) -> None:
    _count_use_year(first.first_used_on.year, use, site, taken=-1)
    if day is None:
        first.delete()
        return
    _count_use_year(day.year, use, site, taken=1)
    first.first_used_on = day
    first.save(update_fields=["first_used_on"])


def use_removed(use: Use) -> None:
    UseMonth.objects.filter(**_use_month_key(use)).update(
        uses=F("uses") - 1,
        adult_tickets=F("adult_tickets") - int(use.adult_ticket),
        child_tickets=F("child_tickets") - use.child_tickets,
    )
    card = _card_of(use)
    if card is None:
        return
    site = card["issuing_site_id"]
    day = local_day(use.occurred_at)
    others = Use.objects.filter(card_id=use.card_id).exclude(pk=use.pk)
    zone = timezone.get_current_timezone()
    year_starts = dt.datetime(day.year, 1, 1, tzinfo=zone)
    year_ends = dt.datetime(day.year + 1, 1, 1, tzinfo=zone)
    used_that_year = others.filter(occurred_at__gte=year_starts, occurred_at__lt=year_ends)
    if (
        not used_that_year.exists()
        and CardYear.objects.filter(card_id=use.card_id, year=day.year).delete()[0]
    ):
        _count_use_year(day.year, use, site, used=-1)
    first = CardFirstUse.objects.select_for_update().filter(card_id=use.card_id).first()
    if first is not None:
        earliest = others.aggregate(first=Min("occurred_at"))["first"]
        new_day = local_day(earliest) if earliest is not None else None
        if new_day != first.first_used_on:
            _move_first_use(first, new_day, use, site)


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
)


def card_state(card_id: int) -> dict[str, Any] | None:
    return Card.objects.filter(pk=card_id).values(*CARD_FIELDS).first()


def _is_replacement(card_id: int) -> bool:
    return Card.objects.filter(replaced_by_id=card_id).exists()


def _profile(state: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("age", age_group(state["issued_on"], state["birth_year"])),
        ("gender", state["gender"] or ""),
        ("life", state["life_situation"] or ""),
    ]


def _count_card(state: dict[str, Any] | None, replacement: bool, sign: int) -> None:
    if state is None or state["card_type"] != CardType.PERSONAL:
        return
    place = {"region_id": state["region_id"], "issuing_site_id": state["issuing_site_id"]}
    month = state["issued_on"].replace(day=1)
    _add(CardMonth, {"month": month, **place, "replacement": replacement}, {"cards": sign})
    if not replacement:
        for dimension, value in _profile(state):
            _add(
                CardProfileYear,
                {"year": month.year, **place, "dimension": dimension, "value": value},
                {"cards": sign},
            )
    if state["renewed_on"]:
        _add(RenewalMonth, {"month": state["renewed_on"].replace(day=1), **place}, {"cards": sign})


def card_changed(
    card_id: int,
    before: dict[str, Any] | None,
    replaced_by_before: int | None,
    replaced_by_now: int | None,
) -> None:
    """Moves a card's share from its old holder data, issue and renewal months to the new ones;
    a card that now replaces another moves from "registered" to "replacement"."""
    after = card_state(card_id)
    replacement = _is_replacement(card_id)
    if before != after:
        _count_card(before, replacement, -1)
        _count_card(after, replacement, +1)
    if replaced_by_now != replaced_by_before:
        for other, now_replacement in ((replaced_by_before, False), (replaced_by_now, True)):
            if other is None:
                continue
            state = card_state(other)
            _count_card(state, not now_replacement, -1)
            _count_card(state, now_replacement, +1)


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


def _rebuild_uses() -> None:
    personal = Q(card__card_type=CardType.PERSONAL)
    _insert_from(
        UseMonth,
        ["month", "venue_id", "category", "uses", "adult_tickets", "child_tickets"],
        Use.objects.order_by()
        .annotate(m=TruncMonth("occurred_at", output_field=models.DateField()))
        .values("m", "venue_id", "category")
        .annotate(
            n=Count("pk"),
            a=Count("pk", filter=Q(adult_ticket=True)),
            c=Sum("child_tickets"),
        )
        .values_list("m", "venue_id", "category", "n", "a", "c"),
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
        )
        for (year, region, site), counts in _card_use_counts().items()
    )


def _card_use_counts() -> dict[tuple[int, int, int], Counter]:
    counts: dict[tuple[int, int, int], Counter] = {}
    for year, region, site, n in (
        CardYear.objects.order_by()
        .values("year", "card_region_id", "issuing_site_id")
        .annotate(n=Count("pk"))
        .values_list("year", "card_region_id", "issuing_site_id", "n")
    ):
        counts.setdefault((year, region, site), Counter())["used"] += n
    for year, region, site, n in (
        CardFirstUse.objects.order_by()
        .annotate(y=ExtractYear("first_used_on"))
        .values("y", "card_region_id", "issuing_site_id")
        .annotate(n=Count("pk"))
        .values_list("y", "card_region_id", "issuing_site_id", "n")
    ):
        counts.setdefault((year, region, site), Counter())["taken"] += n
    return counts


def _rebuild_cards() -> None:
    personal = Card.objects.order_by().filter(card_type=CardType.PERSONAL)
    _insert_from(
        CardMonth,
        ["month", "region_id", "issuing_site_id", "replacement", "cards"],
        personal.annotate(
            m=TruncMonth("issued_on"),
            rep=Exists(Card.objects.filter(replaced_by=OuterRef("pk"))),
        )
        .values("m", "region_id", "issuing_site_id", "rep")
        .annotate(n=Count("pk"))
        .values_list("m", "region_id", "issuing_site_id", "rep", "n"),
    )
    registered = personal.exclude(Exists(Card.objects.filter(replaced_by=OuterRef("pk"))))
    for dimension, expression in [
        ("age", _age_group_expression()),
        ("gender", Coalesce("gender", Value(""))),
        ("life", Coalesce("life_situation", Value(""))),
    ]:
        _insert_from(
            CardProfileYear,
            ["year", "region_id", "issuing_site_id", "dimension", "value", "cards"],
            registered.annotate(
                _age=ExtractYear("issued_on") - F("birth_year"),
                y=ExtractYear("issued_on"),
                d=Value(dimension, output_field=models.CharField()),
                v=expression,
            )
            .values("y", "region_id", "issuing_site_id", "d", "v")
            .annotate(n=Count("pk"))
            .values_list("y", "region_id", "issuing_site_id", "d", "v", "n"),
        )
    _insert_from(
        RenewalMonth,
        ["month", "region_id", "issuing_site_id", "cards"],
        personal.filter(renewed_on__isnull=False)
        .annotate(m=TruncMonth("renewed_on"))
        .values("m", "region_id", "issuing_site_id")
        .annotate(n=Count("pk"))
        .values_list("m", "region_id", "issuing_site_id", "n"),
    )


def rebuild() -> None:
    """Recomputes every summary table from the uses and cards, in one transaction."""
    with transaction.atomic():
        for model in SUMMARIES:
            model._default_manager.all().delete()
        _rebuild_uses()
        _rebuild_cards()


def _contents() -> dict[str, Any]:
    """Each summary table's rows (without the empty counters), for comparing."""
    found: dict[str, Any] = {}
    for model in SUMMARIES:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        counters = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.IntegerField) and f.attname not in ("year", "id")
        ]
        rows = set(model._default_manager.values_list(*fields))
        if counters:
            positions = [fields.index(name) for name in counters]
            rows = {row for row in rows if any(row[i] for i in positions)}
        found[model._meta.model_name or ""] = rows
    return found


def differences() -> list[str]:
    """The summary tables that disagree with a rebuild from the uses and cards (empty: none)."""
    kept = _contents()
    with transaction.atomic():
        rebuild()
        rebuilt = _contents()
        transaction.set_rollback(True)
    return [name for name in kept if kept[name] != rebuilt[name]]
