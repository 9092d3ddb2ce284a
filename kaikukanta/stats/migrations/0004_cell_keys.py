"""Each summary counter gets its key sum (the cell key method, stats/suppression.py), and every summary
table is filled here from the cards and uses, with this migration's own frozen copy of the rebuild
(historical models and its own SQL: never today's stats module, whose tables may have grown since).
0002 and 0003 fill the tables with their own frozen queries, without key sums; this one empties
them and fills them again with the key sums."""

import datetime as dt

from django.db import migrations, models
from django.db.models import Case, Count, Exists, ExpressionWrapper, F, Min, OuterRef, Q, Sum
from django.db.models import Value, When
from django.db.models.functions import Coalesce, ExtractYear, TruncDate, TruncMonth

NEVER, LONG_AGO, MAX_MONTHS = dt.date(1900, 1, 1), dt.date(1900, 2, 1), 36
AGE_GROUPS = [("0-17", 0, 17), ("18-29", 18, 29), ("30-44", 30, 44), ("45-64", 45, 64), ("65+", 65, 200)]
TABLES = [
    "UseMonth",
    "CardYear",
    "CardFirstUse",
    "CardUseYear",
    "CardUseMonth",
    "CardUseGap",
    "CardMonth",
    "CardProfileMonth",
    "RenewalMonth",
]


def fill(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    get = apps.get_model
    Card, Use = get("cards", "Card"), get("uses", "Use")
    stats = {name: get("stats", name) for name in TABLES}
    for model in stats.values():
        model.objects.all().delete()

    def insert(name, columns, queryset):
        sql, params = queryset.query.sql_with_params()
        table = quote(stats[name]._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({', '.join(map(quote, columns))}) {sql}", params)

    personal_uses = Use.objects.order_by().filter(card__card_type="personal")
    use_key = ExpressionWrapper(
        (F("card__record_key") + F("pk") * 167) % 256, output_field=models.BigIntegerField()
    )
    insert(
        "UseMonth",
        ["month", "venue_id", "category", "uses", "adult_tickets", "child_tickets", "uses_key",
         "adult_tickets_key", "child_tickets_key"],
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
    insert(
        "CardYear",
        ["year", "card_id", "card_region_id", "issuing_site_id"],
        personal_uses.annotate(y=ExtractYear("occurred_at"))
        .values_list("y", "card_id", "card_region_id", "card__issuing_site_id")
        .distinct(),
    )
    insert(
        "CardFirstUse",
        ["card_id", "first_used_on", "card_region_id", "issuing_site_id"],
        personal_uses.values("card_id", "card_region_id", "card__issuing_site_id")
        .annotate(first=TruncDate(Min("occurred_at")))
        .values_list("card_id", "first", "card_region_id", "card__issuing_site_id"),
    )
    insert(
        "CardUseMonth",
        ["month", "card_id", "card_region_id", "issuing_site_id"],
        personal_uses.annotate(m=TruncMonth("occurred_at", output_field=models.DateField()))
        .values_list("m", "card_id", "card_region_id", "card__issuing_site_id")
        .distinct(),
    )
    counts = {}
    for model, year, counter in (
        (stats["CardYear"], "year", "used"),
        (stats["CardFirstUse"], ExtractYear("first_used_on"), "taken"),
    ):
        for y, region, site, n, k in (
            model.objects.order_by()
            .annotate(y=year if isinstance(year, ExtractYear) else F(year))
            .values("y", "card_region_id", "issuing_site_id")
            .annotate(n=Count("pk"), k=Sum("card__record_key"))
            .values_list("y", "card_region_id", "issuing_site_id", "n", "k")
        ):
            row = counts.setdefault((y, region, site), {})
            row[counter], row[f"{counter}_key"] = n, k or 0
    stats["CardUseYear"].objects.bulk_create(
        stats["CardUseYear"](year=y, region_id=region, issuing_site_id=site, **row)
        for (y, region, site), row in counts.items()
    )
    if connection.vendor == "postgresql":
        number = "(EXTRACT(YEAR FROM {0}) * 12 + EXTRACT(MONTH FROM {0}) - 1)"
        sentinel = "CAST(%s AS date)"
    else:
        number = "(CAST(strftime('%%Y', {0}) AS INTEGER) * 12 + CAST(strftime('%%m', {0}) AS INTEGER) - 1)"
        sentinel = "%s"
    gap, months = quote(stats["CardUseGap"]._meta.db_table), quote(stats["CardUseMonth"]._meta.db_table)
    cards = quote(Card._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
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
            """,  # noqa: S608
            [NEVER.isoformat(), MAX_MONTHS, LONG_AGO.isoformat()],
        )
    personal = Card.objects.order_by().filter(card_type="personal")
    replacement = Exists(Card.objects.filter(replaced_by=OuterRef("pk")))
    insert(
        "CardMonth",
        ["month", "region_id", "issuing_site_id", "replacement", "cards", "cards_key"],
        personal.annotate(m=TruncMonth("issued_on"), rep=replacement)
        .values("m", "region_id", "issuing_site_id", "rep")
        .annotate(n=Count("pk"), k=Sum("record_key"))
        .values_list("m", "region_id", "issuing_site_id", "rep", "n", "k"),
    )
    age = Case(
        *[
            When(Q(birth_year__isnull=False, _age__gte=low, _age__lte=high), then=Value(name))
            for name, low, high in AGE_GROUPS
        ],
        default=Value(""),
        output_field=models.CharField(),
    )
    profiles = [
        ("age", age),
        ("gender", Coalesce("gender", Value(""))),
        ("life", Coalesce("life_situation", Value(""))),
    ]
    for dimension, expression in profiles:
        insert(
            "CardProfileMonth",
            ["month", "region_id", "issuing_site_id", "dimension", "value", "cards", "cards_key"],
            personal.exclude(replacement)
            .annotate(
                _age=ExtractYear("issued_on") - F("birth_year"),
                y=TruncMonth("issued_on"),
                d=Value(dimension, output_field=models.CharField()),
                v=expression,
            )
            .values("y", "region_id", "issuing_site_id", "d", "v")
            .annotate(n=Count("pk"), k=Sum("record_key"))
            .values_list("y", "region_id", "issuing_site_id", "d", "v", "n", "k"),
        )
    insert(
        "RenewalMonth",
        ["month", "region_id", "issuing_site_id", "cards", "cards_key"],
        personal.filter(renewed_on__isnull=False)
        .annotate(m=TruncMonth("renewed_on"))
        .values("m", "region_id", "issuing_site_id")
        .annotate(n=Count("pk"), k=Sum("record_key"))
        .values_list("m", "region_id", "issuing_site_id", "n", "k"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("cards", "0006_card_record_key"),
        ("stats", "0003_period_tables"),
        ("uses", "0004_clients_without_card"),
    ]

    operations = [
        migrations.AddField(
            model_name='cardmonth',
            name='cards_key',
            field=models.BigIntegerField(default=0, verbose_name='key sum: cards'),
        ),
        migrations.AddField(
            model_name='cardprofilemonth',
            name='cards_key',
            field=models.BigIntegerField(default=0, verbose_name='key sum: cards'),
        ),
        migrations.AddField(
            model_name='cardusegap',
            name='cards_key',
            field=models.BigIntegerField(default=0, verbose_name='key sum: cards'),
        ),
        migrations.AddField(
            model_name='carduseyear',
            name='taken_key',
            field=models.BigIntegerField(default=0, verbose_name='key sum: cards taken into use'),
        ),
        migrations.AddField(
            model_name='carduseyear',
            name='used_key',
            field=models.BigIntegerField(default=0, verbose_name='key sum: cards used'),
        ),
        migrations.AddField(
            model_name='renewalmonth',
            name='cards_key',
            field=models.BigIntegerField(default=0, verbose_name='key sum: cards'),
        ),
        migrations.AddField(
            model_name='usemonth',
            name='adult_tickets_key',
            field=models.BigIntegerField(default=0, verbose_name='key sum: adult tickets'),
        ),
        migrations.AddField(
            model_name='usemonth',
            name='child_tickets_key',
            field=models.BigIntegerField(default=0, verbose_name='key sum: child tickets'),
        ),
        migrations.AddField(
            model_name='usemonth',
            name='uses_key',
            field=models.BigIntegerField(default=0, verbose_name='key sum: uses'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
