import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from kaikukanta.accounts.models import Role, RoleAssignment, User
from kaikukanta.cards.models import Card, CardType
from kaikukanta.demo import seed
from kaikukanta.demo.loader import DEMO_PASSWORD
from kaikukanta.network.models import DistributorSite, Region, Venue
from kaikukanta.uses.models import GroupVisit, Use

# Counted by hand from the seed deck.
EXPECTED = {
    "tampere": {"distributors": 12, "venues": 24},
    "valkeakoski": {"distributors": 6, "venues": 5},
    "nokia": {"distributors": 8, "venues": 4},
    "orivesi": {"distributors": 3, "venues": 2},
}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Loaded once for this module (it takes seconds) and removed after it."""
    with django_db_blocker.unblock():
        call_command("load_demo", force=True, verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(loaded, db):
    return None


def test_the_seed_network_is_loaded_exactly(demo):
    assert set(Region.objects.values_list("slug", flat=True)) == set(EXPECTED)
    for slug, counts in EXPECTED.items():
        assert (
            DistributorSite.objects.filter(region__slug=slug).count() == counts["distributors"]
        ), slug
        assert Venue.objects.filter(region__slug=slug).count() == counts["venues"], slug
    popups = Venue.objects.filter(is_popup=True)
    assert popups.count() == 7
    assert popups.filter(organisation__name="Suomen valokuvataiteen museo").count() == 2
    assert Region.objects.get(slug="tampere").status == "permanent"
    assert set(Region.objects.filter(status="pilot").values_list("slug", flat=True)) == {
        "valkeakoski",
        "nokia",
        "orivesi",
    }


def test_the_demo_works_today(demo):
    today = dt.date(2026, 6, 15)
    for region in Region.objects.filter(status="pilot"):
        assert region.pilot_starts <= today <= region.pilot_ends
    for venue in Venue.objects.filter(is_popup=True):
        assert venue.is_active_on(today)
    assert Card.objects.filter(valid_until__gte=today, status="active").count() > 100


def test_every_role_has_a_demo_user_who_can_log_in(demo):
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
        assert user.last_name == "Demo"
        assert user.email == ""


def test_demo_cards_and_uses_obey_the_rules(demo):
    assert 300 <= Card.objects.filter(card_type=CardType.PERSONAL).count() <= 600
    assert Card.objects.filter(card_type=CardType.COMMUNITY).count() >= 5
    assert 2000 <= Use.objects.count() <= 6000
    assert GroupVisit.objects.count() >= 10
    # Uses are spread over the last two years, and none is outside its card's validity.
    first = Use.objects.order_by("occurred_at").first().occurred_at.date()
    last = Use.objects.order_by("occurred_at").last().occurred_at.date()
    assert first < dt.date(2025, 3, 1)
    assert last >= dt.date(2026, 6, 1)
    assert not Use.objects.filter(
        Q(occurred_at__date__gt=F("card__valid_until"))
        | Q(occurred_at__date__lt=F("card__issued_on"))
    ).exists()
    assert (
        not Use.objects.filter(child_tickets__gt=F("card__children"))
        .exclude(card__card_type="community")
        .exists()
    )
    pilot_cards = Card.objects.filter(region__status="pilot")
    assert not pilot_cards.filter(valid_until__gt=F("region__pilot_ends")).exists()
    # Every venue category and every locality shows something.
    assert set(Use.objects.values_list("category", flat=True)) == {
        "culture",
        "education",
        "science",
        "sports",
    }
    per_region = dict(Use.objects.values_list("venue__region__slug").annotate(n=Count("pk")))
    assert all(per_region.get(slug, 0) > 0 for slug in EXPECTED)


def test_loading_twice_changes_nothing(demo):
    cards = Card.objects.count()
    call_command("load_demo", force=True, verbosity=0)
    assert Card.objects.count() == cards


def test_the_demo_copies_no_contact_details_from_the_seed(demo):
    # The deck names real contact persons; the demo has only fictional "Demo" users.
    deck_words = ["Ruusuvuori", "Uusitalo", "Vesikansa", "Ärölä", "Korhonen"]
    for user in User.objects.all():
        assert not any(
            word in f"{user.first_name} {user.last_name} {user.username}" for word in deck_words
        )
    for name in seed.ORGANISATIONS:
        assert "@" not in name


def test_demo_refuses_to_load_outside_debug_without_force(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="KAIKUKANTA_DEBUG"):
        call_command("load_demo", verbosity=0)
