"""Fill the summary tables from the uses already recorded (new uses keep them up to date).

Frozen: the historical models and this file's own queries, as the tables were when it was written
(never today's stats/summaries.py, which later migrations may change). Months and years are
Finnish time (TIME_ZONE), as the services count them.
"""

from django.db import migrations, models, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear, TruncDate, TruncMonth

PERSONAL = "personal"


def _insert_from(connection, model, columns, queryset):
    """INSERT INTO model's table (columns) SELECT …: the rows never pass through Python."""
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)  # noqa: S608 (names from the models)


def fill(apps, schema_editor):
    connection = schema_editor.connection
    Card = apps.get_model("cards", "Card")
    Use = apps.get_model("uses", "Use")
    UseMonth = apps.get_model("stats", "UseMonth")
    CardYear = apps.get_model("stats", "CardYear")
    CardFirstUse = apps.get_model("stats", "CardFirstUse")
    CardUseYear = apps.get_model("stats", "CardUseYear")
    CardMonth = apps.get_model("stats", "CardMonth")
    RenewalMonth = apps.get_model("stats", "RenewalMonth")
    uses = Use.objects.order_by()
    personal_uses = uses.filter(card__card_type=PERSONAL)
    with transaction.atomic(using=connection.alias):
        for model in (UseMonth, CardYear, CardFirstUse, CardUseYear, CardMonth, RenewalMonth):
            model.objects.all().delete()
        _insert_from(
            connection,
            UseMonth,
            ["month", "venue_id", "category", "uses", "adult_tickets", "child_tickets"],
            uses.annotate(m=TruncMonth("occurred_at", output_field=models.DateField()))
            .values("m", "venue_id", "category")
            .annotate(
                n=Count("pk"), a=Count("pk", filter=Q(adult_ticket=True)), c=Sum("child_tickets")
            )
            .values_list("m", "venue_id", "category", "n", "a", "c"),
        )
        _insert_from(
            connection,
            CardYear,
            ["year", "card_id", "card_region_id", "issuing_site_id"],
            personal_uses.annotate(y=ExtractYear("occurred_at"))
            .values_list("y", "card_id", "card_region_id", "card__issuing_site_id")
            .distinct(),
        )
        _insert_from(
            connection,
            CardFirstUse,
            ["card_id", "first_used_on", "card_region_id", "issuing_site_id"],
            personal_uses.values("card_id", "card_region_id", "card__issuing_site_id")
            .annotate(first=TruncDate(Min("occurred_at")))
            .values_list("card_id", "first", "card_region_id", "card__issuing_site_id"),
        )
        counts = {}
        for year, region, site, n in (
            CardYear.objects.order_by()
            .values("year", "card_region_id", "issuing_site_id")
            .annotate(n=Count("pk"))
            .values_list("year", "card_region_id", "issuing_site_id", "n")
        ):
            counts.setdefault((year, region, site), {"used": 0, "taken": 0})["used"] += n
        for year, region, site, n in (
            CardFirstUse.objects.order_by()
            .annotate(y=ExtractYear("first_used_on"))
            .values("y", "card_region_id", "issuing_site_id")
            .annotate(n=Count("pk"))
            .values_list("y", "card_region_id", "issuing_site_id", "n")
        ):
            counts.setdefault((year, region, site), {"used": 0, "taken": 0})["taken"] += n
        CardUseYear.objects.bulk_create(
            CardUseYear(year=year, region_id=region, issuing_site_id=site, **n)
            for (year, region, site), n in counts.items()
        )
        personal = Card.objects.order_by().filter(card_type=PERSONAL)
        _insert_from(
            connection,
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
        _insert_from(
            connection,
            RenewalMonth,
            ["month", "region_id", "issuing_site_id", "cards"],
            personal.filter(renewed_on__isnull=False)
            .annotate(m=TruncMonth("renewed_on"))
            .values("m", "region_id", "issuing_site_id")
            .annotate(n=Count("pk"))
            .values_list("m", "region_id", "issuing_site_id", "n"),
        )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("stats", "0001_summary_tables"), ("uses", "0002_use_card_region")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
