"""The statistics' data migrations are frozen: they fill the tables with the historical models and
their own queries, never with today's stats/summaries.py, and what they fill equals a rebuild."""

import datetime as dt
import inspect

import pytest
from django.core.management import call_command
from django.db import connection

from kaikukanta.cards.services import renew_card, replace_card
from kaikukanta.stats import summaries

from ..conftest import holder
from .test_periods import history, used  # noqa: F401 (the fixture)

ZERO_ONE_TABLES = (
    "stats_usemonth",
    "stats_cardyear",
    "stats_cardfirstuse",
    "stats_carduseyear",
    "stats_cardmonth",
    "stats_renewalmonth",
)
FILLING = ("0002_fill_summaries", "0003_period_tables")


def test_the_filling_migrations_use_nothing_of_todays_code():
    import importlib

    for name in FILLING:
        module = importlib.import_module(f"kaikukanta.stats.migrations.{name}")
        source = inspect.getsource(module)
        assert "kaikukanta" not in source.replace("kaikukanta.stats.migrations", ""), name
        assert "apps.get_model" in source, name


@pytest.mark.django_db(transaction=True)
def test_migrating_the_statistics_again_fills_them_as_a_rebuild_does(world, history):  # noqa: F811
    a, b, c, _d, _e = history
    # A renewal with new holder data, and a replacement: the card tables' every kind of row.
    renew_card(actor=world.alpha_distributor, card=b, holder=holder(birth_year=1950))
    replace_card(actor=world.alpha_distributor, card=c)
    used(world, a, dt.date(2026, 6, 10))
    assert summaries.differences() == []
    call_command("migrate", "stats", "0001", verbosity=0)
    with connection.cursor() as cursor:  # 0002 must fill what 0001 made, not find it filled
        for table in ZERO_ONE_TABLES:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (names above)
    # Every app to its latest: going back unapplied the other apps' migrations that depend on stats
    # (uses 0004 and after), which the rest of the run needs.
    call_command("migrate", verbosity=0)
    assert summaries.differences() == []
