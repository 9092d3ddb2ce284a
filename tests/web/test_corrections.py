"""The coordinator's correction pages: Correct beside a use on the Uses page and the venue's history,
a confirmation with the reasons, the error summary when none is chosen, and the removal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.services import issue_card
from kaikukanta.uses.models import GroupVisit, Use
from kaikukanta.uses.services import GroupMember, record_group_visit, record_use

from ..conftest import holder, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def use(world, alpha_card):
    recorded = record_use(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        card_identifier=alpha_card.identifier,
        idempotency_key=new_key(),
    ).use
    Use.objects.filter(pk=recorded.pk).update(recorded_at=timezone.now() - dt.timedelta(minutes=16))
    return recorded


@pytest.fixture
def visit(world, community_card):
    member = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    return record_group_visit(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        community_card_identifier=community_card.identifier,
        members=[GroupMember(member.identifier)],
        idempotency_key=new_key(),
    ).group_visit


def test_the_uses_page_offers_correct_to_the_culture_coordinator_only(client_as, use):
    url = reverse("web:correct_use", args=[use.pk])
    assert url in client_as("alpha_coordinator").get(reverse("web:uses")).content.decode()
    assert url in client_as("national").get(reverse("web:venue_history")).content.decode()
    for role in ("alpha_sote_coordinator", "alpha_venue_staff", "alpha_distributor"):
        page = client_as(role).get(reverse("web:uses")).content.decode()
        assert "/correct/" not in page, role
    assert (
        url not in client_as("alpha_venue_staff").get(reverse("web:venue_history")).content.decode()
    )


def test_the_confirmation_page_lists_the_reasons(client_as, use, alpha_card):
    response = client_as("alpha_coordinator").get(reverse("web:correct_use", args=[use.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Remove the use of card {alpha_card.display_identifier}" in page
    assert page.count('type="radio" name="reason"') == 4
    assert "<legend>Why is it removed?" in page
    for label in ("recorded twice", "recorded on the wrong card", "recorded at the wrong venue"):
        assert label in page
    assert 'name="confirmed" value="yes"' in page
    assert Use.objects.filter(pk=use.pk).exists()


def test_sending_without_a_reason_gives_the_error_summary(client_as, use):
    response = client_as("alpha_coordinator").post(
        reverse("web:correct_use", args=[use.pk]), {"confirmed": "yes"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert re.search(r'<a href="#id_reason_0">Choose why it is removed.</a>', page)
    assert Use.objects.filter(pk=use.pk).exists()


def test_sending_with_a_reason_removes_the_use_and_goes_back_to_the_list(client_as, use):
    back = reverse("web:uses") + "?kind=entry_ticket"
    response = client_as("alpha_coordinator").post(
        reverse("web:correct_use", args=[use.pk]),
        {"confirmed": "yes", "reason": "recorded_twice", "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == back
    assert not Use.objects.filter(pk=use.pk).exists()
    event = AuditEvent.objects.get(action=Action.USE_REMOVED)
    assert event.data["reason"] == "recorded_twice"


def test_a_next_address_elsewhere_is_not_followed(client_as, use):
    response = client_as("alpha_coordinator").post(
        reverse("web:correct_use", args=[use.pk]),
        {"confirmed": "yes", "reason": "test_entry", "next": "https://example.com/"},
    )
    assert response["Location"] == reverse("web:uses")


def test_venue_staff_are_told_the_reason_and_whom_to_ask(client_as, use):
    response = client_as("alpha_venue_staff").get(reverse("web:correct_use", args=[use.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "culture coordinator" in page
    assert "cancel it at the box office" in page
    assert Use.objects.filter(pk=use.pk).exists()


def test_the_social_and_health_coordinator_gets_the_other_sides_page(client_as, use):
    response = client_as("alpha_sote_coordinator").post(
        reverse("web:correct_use", args=[use.pk]), {"confirmed": "yes", "reason": "test_entry"}
    )
    assert response.status_code == 403
    assert "This is the culture side&#x27;s work" in response.content.decode()
    assert Use.objects.filter(pk=use.pk).exists()


def test_another_regions_use_is_not_found(client_as, world, beta_card):
    beta_use = record_use(
        actor=world.beta_venue_staff,
        venue=world.beta_venue,
        card_identifier=beta_card.identifier,
        idempotency_key=new_key(),
    ).use
    url = reverse("web:correct_use", args=[beta_use.pk])
    assert client_as("alpha_coordinator").get(url).status_code == 404


def test_a_group_member_leads_to_its_group_visit_which_is_removed_whole(client_as, visit):
    member_use = visit.uses.order_by("pk").last()
    coordinator = client_as("alpha_coordinator")
    page = coordinator.get(reverse("web:uses")).content.decode()
    group_url = reverse("web:correct_group_visit", args=[visit.pk])
    assert group_url in page
    assert reverse("web:correct_use", args=[member_use.pk]) not in page
    response = coordinator.get(reverse("web:correct_use", args=[member_use.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(group_url)
    confirmation = coordinator.get(group_url).content.decode()
    assert "all its uses: 2 uses, 2 tickets." in confirmation
    coordinator.cookies["kaikukanta_language"] = "fi"
    assert "2 käyttökertaa, 2 lippua." in coordinator.get(group_url).content.decode()
    coordinator.cookies["kaikukanta_language"] = "en"
    removed = coordinator.post(group_url, {"confirmed": "yes", "reason": "wrong_venue"})
    assert removed.status_code == 302
    assert not GroupVisit.objects.exists()
    assert not Use.objects.exists()


def test_the_confirmation_is_in_finnish_and_swedish(client_as, use):
    coordinator = client_as("alpha_coordinator")
    url = reverse("web:correct_use", args=[use.pk])
    coordinator.cookies["kaikukanta_language"] = "fi"
    finnish = coordinator.get(url).content.decode()
    coordinator.cookies["kaikukanta_language"] = "sv"
    swedish = coordinator.get(url).content.decode()
    assert "Why is it removed?" not in finnish
    assert "Why is it removed?" not in swedish
    assert finnish != swedish
