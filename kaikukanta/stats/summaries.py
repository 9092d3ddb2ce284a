"""Keeping the summary tables (models.py) in step with the uses, and rebuilding them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear, TruncDate, TruncMonth
from django.utils import timezone

from kaikukanta.cards.models import Card, CardType
from kaikukanta.uses.models import Use

from .models import CardFirstUse, CardMonth, CardYear, RenewalMonth, UseMonth


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


def _use_month_key(use: Use) -> dict[str, Any]:
    return {
        "month": local_day(use.occurred_at).replace(day=1),
        "venue_id": use.venue_id,
        "card_region_id": use.card_region_id,
        "category": use.category,
    }


def use_added(use: Use) -> None:
    _add(
        UseMonth,
        _use_month_key(use),
        {"uses": 1, "adult_tickets": int(use.adult_ticket), "child_tickets": use.child_tickets},
    )
    card = Card.objects.filter(pk=use.card_id).values("card_type", "issuing_site_id").first()
    if card is None or card["card_type"] != CardType.PERSONAL:
        return
    day = local_day(use.occurred_at)
    CardYear.objects.bulk_create(
        [
            CardYear(
                year=day.year,
                card_id=use.card_id,
                card_region_id=use.card_region_id,
                issuing_site_id=card["issuing_site_id"],
            )
        ],
        ignore_conflicts=True,
    )
    CardFirstUse.objects.bulk_create(
        [
            CardFirstUse(
                card_id=use.card_id,
                first_used_on=day,
                card_region_id=use.card_region_id,
                issuing_site_id=card["issuing_site_id"],
            )
        ],
        ignore_conflicts=True,
    )
    # A use typed in later may be earlier than the first one known.
    CardFirstUse.objects.filter(card_id=use.card_id, first_used_on__gt=day).update(
        first_used_on=day
    )


def use_removed(use: Use) -> None:
    UseMonth.objects.filter(**_use_month_key(use)).update(
        uses=F("uses") - 1,
        adult_tickets=F("adult_tickets") - int(use.adult_ticket),
        child_tickets=F("child_tickets") - use.child_tickets,
    )
    day = local_day(use.occurred_at)
    others = Use.objects.filter(card_id=use.card_id).exclude(pk=use.pk)
    zone = timezone.get_current_timezone()
    year_starts = dt.datetime(day.year, 1, 1, tzinfo=zone)
    year_ends = dt.datetime(day.year + 1, 1, 1, tzinfo=zone)
    if not others.filter(occurred_at__gte=year_starts, occurred_at__lt=year_ends).exists():
        CardYear.objects.filter(card_id=use.card_id, year=day.year).delete()
    first = others.aggregate(first=Min("occurred_at"))["first"]
    if first is None:
        CardFirstUse.objects.filter(card_id=use.card_id).delete()
    else:
        CardFirstUse.objects.filter(card_id=use.card_id).update(first_used_on=local_day(first))


def _insert_from(model: type[models.Model], columns: list[str], queryset: models.QuerySet) -> None:
    """INSERT INTO model's table (columns) SELECT …: the rows never pass through Python."""
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)


def rebuild() -> None:
    """Recomputes every summary table from the uses, in one transaction."""
    personal = Q(card__card_type=CardType.PERSONAL)
    with transaction.atomic():
        for model in (UseMonth, CardYear, CardFirstUse, CardMonth, RenewalMonth):
            model.objects.all().delete()
        rebuild_cards()
        _insert_from(
            UseMonth,
            [
                "month",
                "venue_id",
                "card_region_id",
                "category",
                "uses",
                "adult_tickets",
                "child_tickets",
            ],
            Use.objects.order_by()
            .annotate(m=TruncDate(TruncMonth("occurred_at")))
            .values("m", "venue_id", "card_region_id", "category")
            .annotate(
                n=Count("pk"),
                a=Count("pk", filter=Q(adult_ticket=True)),
                c=Sum("child_tickets"),
            )
            .values_list("m", "venue_id", "card_region_id", "category", "n", "a", "c"),
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


def differences() -> list[str]:
    """What disagrees between the summary tables and the uses (empty when they agree)."""
    found: list[str] = []
    kept = {
        (row.month, row.venue_id, row.card_region_id, row.category): (
            row.uses,
            row.adult_tickets,
            row.child_tickets,
        )
        for row in UseMonth.objects.exclude(uses=0)
    }
    counted = {
        (m if isinstance(m, dt.date) else dt.date.fromisoformat(str(m)[:10]), v, r, c): (
            n,
            a,
            ch or 0,
        )
        for m, v, r, c, n, a, ch in Use.objects.order_by()
        .annotate(m=TruncDate(TruncMonth("occurred_at")))
        .values("m", "venue_id", "card_region_id", "category")
        .annotate(
            n=Count("pk"), a=Count("pk", filter=Q(adult_ticket=True)), ch=Sum("child_tickets")
        )
        .values_list("m", "venue_id", "card_region_id", "category", "n", "a", "ch")
    }
    if kept != counted:
        found.append("uses per month")
    personal = Use.objects.order_by().filter(card__card_type=CardType.PERSONAL)
    years = set(
        personal.annotate(y=ExtractYear("occurred_at")).values_list("card_id", "y").distinct()
    )
    if years != set(CardYear.objects.values_list("card_id", "year")):
        found.append("cards used per year")
    firsts = {
        card: local_day(first)
        for card, first in personal.values("card_id")
        .annotate(f=Min("occurred_at"))
        .values_list("card_id", "f")
    }
    if firsts != dict(CardFirstUse.objects.values_list("card_id", "first_used_on")):
        found.append("first uses")
    return found + card_differences()


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


def _card_month_key(state: dict[str, Any], replacement: bool) -> dict[str, Any]:
    return {
        "month": state["issued_on"].replace(day=1),
        "region_id": state["region_id"],
        "issuing_site_id": state["issuing_site_id"],
        "replacement": replacement,
        "age_group": age_group(state["issued_on"], state["birth_year"]),
        "gender": state["gender"] or "",
        "life_situation": state["life_situation"] or "",
    }


def _count_card(state: dict[str, Any] | None, replacement: bool, sign: int) -> None:
    if state is None or state["card_type"] != CardType.PERSONAL:
        return
    _add(CardMonth, _card_month_key(state, replacement), {"cards": sign})
    if state["renewed_on"]:
        _add(
            RenewalMonth,
            {
                "month": state["renewed_on"].replace(day=1),
                "region_id": state["region_id"],
                "issuing_site_id": state["issuing_site_id"],
            },
            {"cards": sign},
        )


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


def _age_group_expression() -> tuple[Case, Any]:
    age = ExtractYear("issued_on") - F("birth_year")
    return Case(
        *[
            When(Q(birth_year__isnull=False, _age__gte=lowest, _age__lte=highest), then=Value(name))
            for name, lowest, highest in AGE_GROUPS
        ],
        default=Value(""),
        output_field=models.CharField(),
    ), age


def rebuild_cards() -> None:
    cases, age = _age_group_expression()
    personal = (
        Card.objects.order_by()
        .filter(card_type=CardType.PERSONAL)
        .annotate(
            _age=age,
            m=TruncMonth("issued_on"),
            rep=Exists(Card.objects.filter(replaced_by=OuterRef("pk"))),
            ag=cases,
            g=Coalesce("gender", Value("")),
            ls=Coalesce("life_situation", Value("")),
        )
    )
    _insert_from(
        CardMonth,
        [
            "month",
            "region_id",
            "issuing_site_id",
            "replacement",
            "age_group",
            "gender",
            "life_situation",
            "cards",
        ],
        personal.values("m", "region_id", "issuing_site_id", "rep", "ag", "g", "ls")
        .annotate(n=Count("pk"))
        .values_list("m", "region_id", "issuing_site_id", "rep", "ag", "g", "ls", "n"),
    )
    _insert_from(
        RenewalMonth,
        ["month", "region_id", "issuing_site_id", "cards"],
        Card.objects.order_by()
        .filter(card_type=CardType.PERSONAL, renewed_on__isnull=False)
        .annotate(m=TruncMonth("renewed_on"))
        .values("m", "region_id", "issuing_site_id")
        .annotate(n=Count("pk"))
        .values_list("m", "region_id", "issuing_site_id", "n"),
    )


def card_differences() -> list[str]:
    def kept(model: type[models.Model], fields: list[str]) -> dict:
        return {
            tuple(row[:-1]): row[-1]
            for row in model._default_manager.exclude(cards=0).values_list(*fields, "cards")
        }

    found = []
    before = (
        kept(
            CardMonth,
            [
                "month",
                "region_id",
                "issuing_site_id",
                "replacement",
                "age_group",
                "gender",
                "life_situation",
            ],
        ),
        kept(RenewalMonth, ["month", "region_id", "issuing_site_id"]),
    )
    with transaction.atomic():
        CardMonth.objects.all().delete()
        RenewalMonth.objects.all().delete()
        rebuild_cards()
        after = (
            kept(
                CardMonth,
                [
                    "month",
                    "region_id",
                    "issuing_site_id",
                    "replacement",
                    "age_group",
                    "gender",
                    "life_situation",
                ],
            ),
            kept(RenewalMonth, ["month", "region_id", "issuing_site_id"]),
        )
        transaction.set_rollback(True)
    if before[0] != after[0]:
        found.append("cards registered per month")
    if before[1] != after[1]:
        found.append("renewals per month")
    return found
