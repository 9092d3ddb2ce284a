"""The synthetic benchmark generator: exact counts, and rows that obey every rule a real card and use
obey. Runs on SQLite (batched INSERTs) and PostgreSQL (COPY) alike; the clock is fixed at 15 June 2026
by the shared conftest."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from kaikukanta.audit.actions import is_registered
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards import identifiers
from kaikukanta.cards.models import Card
from kaikukanta.core.dates import add_years
from kaikukanta.demo import seed as demo_seed
from kaikukanta.network.models import DistributorSite, Municipality, Organisation, Region, Venue
from kaikukanta.uses.models import Use, UseKind

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    out = io.StringIO()
    options.setdefault("quiet", True)
    call_command("generate_synthetic", force=True, stdout=out, **options)
    return out.getvalue()


def assert_cards_obey_the_rules(cards: list[Card]) -> None:
    """The generator writes rows past the services; the domain's own checks judge them: the model's
    validation (its fields' limits and check constraints), the card number's check character, and
    the card's validity (Card.refusal_on) from the day it was issued or last renewed."""
    today = timezone.localdate()
    for card in cards:
        card.full_clean()
        assert identifiers.is_valid(card.identifier), card.identifier
        assert not card.imported
        start = card.renewed_on or card.issued_on
        assert start <= today
        if not card.is_closed or card.closed_on > start:
            assert card.refusal_on(start) is None, (card.pk, card.refusal_on(start))
        assert card.status_on(today) in {"valid", "expired", "closed"}
        assert timezone.localdate(card.created_at) == card.issued_on
        assert card.issuing_site.region_id == card.region_id


def assert_uses_obey_the_rules(uses: list[Use]) -> None:
    """Every generated use is one the registry would have recorded: Card.refusal_at (the card's
    validity at that moment, the venue's period and region, community cards only in groups) says
    nothing against it, and its child tickets are within Card.child_tickets_at."""
    now = timezone.now()
    for use in uses:
        card, venue = use.card, use.venue
        day = timezone.localdate(use.occurred_at)
        refusal = card.refusal_at(venue, day, at=use.occurred_at)
        assert refusal is None, (use.pk, refusal)
        assert use.child_tickets <= card.child_tickets_at(venue)
        assert use.card_region_id == card.region_id
        assert use.occurred_at <= use.recorded_at <= now
        assert use.adult_ticket or use.child_tickets > 0
        assert use.idempotency_key == f"syn-{use.pk:012d}"


def test_generates_exactly_the_rows_asked_for_and_they_obey_the_rules():
    generate(cards=300, uses=3000, seed=7)

    assert Card.objects.count() == 300
    assert Use.objects.count() == 3000
    cards = list(Card.objects.select_related("region"))
    assert len({card.identifier for card in cards}) == 300
    assert_cards_obey_the_rules(cards)
    uses = list(Use.objects.select_related("card__region", "venue__region"))
    assert_uses_obey_the_rules(uses)

    # The synthetic network: 20 regions, some of them pilots, and national pop-up venues.
    regions = Region.objects.filter(slug__startswith="synteettinen-")
    assert regions.count() == 20
    assert regions.filter(status=Region.Status.PILOT).exists()
    assert Venue.objects.filter(is_popup=True, region=None).count() >= 3
    assert Card.objects.filter(region__status=Region.Status.PILOT).exists()
    assert Card.objects.filter(renewed_on__isnull=False).exists()
    assert Use.objects.filter(child_tickets__gt=0).exists()
    assert Use.objects.filter(kind=UseKind.COURSE_PLACE).exists()

    event = AuditEvent.objects.get(action=Action.DATA_LOADED)
    assert event.data["what"] == "synthetic"
    assert event.data["cards"] == 300
    assert event.data["uses"] == 3000
    assert event.data["seed"] == 7


def test_new_rows_after_the_run_get_fresh_keys():
    generate(cards=20, uses=50)
    site = DistributorSite.objects.first()
    today = timezone.localdate()
    card = Card.objects.create(
        identifier=identifiers.generate(),
        issuing_site=site,
        region=site.region,
        issued_on=today,
        valid_until=today,
        birth_year=1980,
        postcode="33100",
        children=0,
    )
    assert card.pk > Card.objects.exclude(pk=card.pk).order_by("-pk").values_list("pk")[0][0]
    use = Use.objects.create(
        card=card,
        card_region=card.region,
        venue=Venue.objects.filter(region=site.region).first(),
        occurred_at=timezone.now(),
        category="culture",
        kind=UseKind.ENTRY_TICKET,
        idempotency_key="after-the-run",
    )
    assert use.pk > Use.objects.exclude(pk=use.pk).order_by("-pk").values_list("pk")[0][0]


def test_running_twice_adds_rows_without_collisions():
    generate(cards=200, uses=1000, seed=1)
    generate(cards=150, uses=700, seed=1)  # the same seed: identifiers must still not collide

    assert Card.objects.count() == 350
    assert Use.objects.count() == 1700
    identifiers_ = list(Card.objects.values_list("identifier", flat=True))
    assert len(set(identifiers_)) == 350
    assert Region.objects.count() == 20  # the network is created once
    assert AuditEvent.objects.filter(action=Action.DATA_LOADED).count() == 2
    assert_cards_obey_the_rules(list(Card.objects.select_related("region")))
    assert_uses_obey_the_rules(list(Use.objects.select_related("card__region", "venue__region")))


def test_regions_option_adds_regions_with_free_municipality_codes():
    Municipality.objects.create(code="900", name="Olemassa oleva")
    generate(cards=30, uses=100, regions=3)
    assert list(Region.objects.order_by("slug").values_list("slug", flat=True)) == [
        "synteettinen-01",
        "synteettinen-02",
        "synteettinen-03",
    ]
    generate(cards=30, uses=100, regions=2)
    assert Region.objects.count() == 5
    assert Region.objects.filter(slug="synteettinen-05").exists()
    codes = list(Municipality.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 6
    assert all(len(code) == 3 and code.isdigit() for code in codes)
    assert not set(codes) & set(demo_seed.MUNICIPALITIES)  # load_demo must still work afterwards
    assert Card.objects.count() == 60


def test_uses_an_existing_network_and_creates_none():
    region = Region.objects.create(slug="alpha", name="Alfala", status="permanent")
    region.municipalities.add(Municipality.objects.create(code="901", name="Alfala"))
    organisation = Organisation.objects.create(name="Hyvinvointialue", kind="public")
    site = DistributorSite.objects.create(organisation=organisation, region=region, name="Sote")
    venue = Venue.objects.create(
        organisation=organisation, region=region, name="Opisto", category="education"
    )

    generate(cards=50, uses=400)

    assert Region.objects.count() == 1
    assert set(Card.objects.values_list("issuing_site", flat=True)) == {site.pk}
    assert set(Use.objects.values_list("venue", flat=True)) == {venue.pk}
    assert not Use.objects.filter(child_tickets__gt=0).exclude(kind=UseKind.ENTRY_TICKET).exists()
    assert_uses_obey_the_rules(list(Use.objects.select_related("card__region", "venue__region")))


def test_progress_is_shown_unless_quiet():
    output = generate(cards=120, uses=500, batch=50, quiet=False)
    assert "cards: 50 / 120 (42%)" in output
    assert "cards: 120 / 120 (100%)" in output
    assert "uses: 500 / 500 (100%)" in output
    assert "rows/s" in output
    assert "total" in output
    assert generate(cards=10, uses=10) == ""


def test_refuses_without_debug_or_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="KAIKUKANTA_DEBUG"):
        call_command("generate_synthetic", cards=10, uses=10, quiet=True)
    assert not Card.objects.exists()


def test_uses_need_cards():
    with pytest.raises(CommandError, match="cards"):
        generate(cards=0, uses=10)


def _schema(tables: list[str]) -> tuple[list, list]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "ORDER BY 1, 2",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, condeferrable, condeferred, "
            "convalidated, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        return indexes, cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are rebuilt on PostgreSQL")
def test_rebuilding_indexes_leaves_the_schema_exactly_as_it_was():
    tables = [Card._meta.db_table, Use._meta.db_table]
    before = _schema(tables)
    assert len(before[0]) > 10
    assert len(before[1]) > 10
    generate(cards=200, uses=1000, indexes="rebuild")
    assert _schema(tables) == before
    assert Card.objects.count() == 200
    assert Use.objects.count() == 1000
    assert_uses_obey_the_rules(list(Use.objects.select_related("card__region", "venue__region")))


def test_audit_events_for_benchmarks():
    generate(cards=100, uses=400, audit_events=600, seed=3)
    generate(cards=0, audit_events=150, seed=4)  # later, on the same network: no new cards

    assert Card.objects.count() == 100
    synthetic = AuditEvent.objects.exclude(action=Action.DATA_LOADED)
    assert synthetic.count() == 750
    assert AuditEvent.objects.filter(action=Action.DATA_LOADED).count() == 2
    assert (
        AuditEvent.objects.filter(action=Action.DATA_LOADED).latest("pk").data["audit_events"]
        == 150
    )
    today = timezone.localdate()
    earliest = add_years(today, -3)
    actions = set()
    for event in synthetic.select_related("venue"):
        actions.add(event.action)
        assert event.actor_id is None
        assert event.actor_username.startswith("syn.")
        assert earliest <= timezone.localdate(event.occurred_at) < today
        assert 8 <= timezone.localtime(event.occurred_at).hour < 20
        if event.venue is not None:
            assert event.region_id == event.venue.region_id  # None at a pop-up venue
        else:
            assert event.region_id is not None
        if event.object_type == "cards.card":
            assert Card.objects.filter(pk=int(event.object_id)).exists()
    assert {Action.USE_RECORDED, Action.CARD_CHECKED, Action.CARD_ISSUED} <= actions
    assert all(is_registered(action) for action in actions)
    # New events after the run get fresh keys.
    later = AuditEvent.objects.create(action=Action.DATA_LOADED)
    assert later.pk > synthetic.order_by("-pk").values_list("pk", flat=True)[0]
