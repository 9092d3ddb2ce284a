"""benchmarks/lists.py on a tiny synthetic database, so that the benchmark keeps working as the lists
change: every list, filter and position it times answers 200 and shows rows where there are some.
(The figures themselves mean nothing here.)"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from benchmarks import lists
from kaikukanta.accounts.models import Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def synthetic():
    call_command(
        "generate_synthetic",
        cards=120,
        uses=900,
        audit_events=400,
        regions=3,
        seed=5,
        force=True,
        quiet=True,
        stdout=io.StringIO(),
    )


def test_the_benchmark_times_every_list_filter_and_position(synthetic):
    out: list[str] = []
    rows, base_ms = lists.run(runs=0, roles=["national", "coordinator"], write=out.append)
    # The smaller scopes, at one position (the suite need not spend more time on them).
    rows += lists.run(runs=0, roles=["distributor", "venue"], at=["middle"], write=out.append)[0]

    assert base_ms > 0
    assert [row.problems for row in rows if row.problems] == []
    timed = {(row.page, row.role) for row in rows if row.timing is not None}
    assert {
        ("cards", "national"),
        ("uses", "national"),
        ("audit", "national"),
        ("cards", "coordinator"),
        ("uses", "coordinator"),
        ("audit", "coordinator"),
        ("cards", "distributor"),
        ("uses", "distributor"),
        ("uses", "venue"),
        ("landing", "national"),
        ("landing", "coordinator"),
        ("landing", "distributor"),
    } <= timed
    assert ("audit", "venue") not in timed  # not their page: skipped, not a 403 in the table
    labels = {(row.page, row.label) for row in rows if row.role == "national"}
    for expected in [
        ("cards", "(none)"),
        ("cards", "status=valid"),
        ("cards", "status=expiring"),
        ("cards", "card_type=community"),
        ("cards", "site=busiest"),
        ("uses", "venue=busiest"),
        ("uses", "since+until=a month"),
        ("uses", "kind=course_place"),
        ("audit", "action=use.recorded (most)"),
    ]:
        assert expected in labels
    middles = [row for row in rows if row.position == "middle" and row.timing is not None]
    assert middles
    assert all("after=" in row.url for row in middles)
    first_pages = [row for row in rows if row.label == "(none)" and row.position == "first"]
    assert all(row.timing.rows > 0 for row in first_pages)

    report = lists.table(rows, base_ms)
    assert report.count("\n") == len(rows) + 1
    assert "| /uses/ | (none) | coordinator | middle |" in report
    requests = [row for row in rows if row.page != "landing" and row.timing is not None]
    assert lists.summary(rows)[0].startswith(f"{len(requests)} list requests")

    # Runs reuse the users and their roles.
    assert User.objects.filter(username__startswith="bench.").count() == 4
    coordinator = User.objects.get(username="bench.coordinator")
    assert RoleAssignment.objects.filter(user=coordinator).get().role == Role.COORDINATOR_CULTURE


def test_an_unknown_filter_stops_the_benchmark(synthetic, monkeypatch):
    from django import forms

    from kaikukanta.web.forms.uses import UseFilterForm

    monkeypatch.setitem(UseFilterForm.base_fields, "colour", forms.CharField(required=False))
    with pytest.raises(SystemExit, match="colour"):
        lists.run(runs=0, pages=["uses"], landing=False, write=lambda line: None)
