"""The region's network page, inviting staff, the invitation link, deactivating, sites and venues."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kaikukanta.accounts.models import Invitation, Role, RoleAssignment, User
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.network.models import DistributorSite, Venue

pytestmark = pytest.mark.django_db

PASSWORD = "kaikki-kortit-kulkevat-2026"


@pytest.fixture(autouse=True)
def _sends_on_commit(django_capture_on_commit_callbacks):
    """The e-mail goes when the invitation's transaction commits: run those callbacks."""
    global _capture
    _capture = django_capture_on_commit_callbacks


def invite(client, slug="alpha", **data):
    values = {"email": "Uusi.Jakaja@example.fi", "first_name": "Uusi", "last_name": "Jakaja"}
    values.update(data)
    with _capture(execute=True):
        return client.post(reverse("web:network_invite", args=[slug]), values)


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)


def test_the_network_page_shows_sites_venues_people_and_last_activity(world, client_as, alpha_card):
    page = client_as("alpha_sote_coordinator").get(reverse("web:network", args=["alpha"]))
    text = page.content.decode()
    assert world.alpha_site.display_name in text
    assert world.alpha_venue.display_name in text
    assert world.alpha_distributor.display_name in text
    assert "15.6.2026" in text  # the alpha card issued today at alpha_site
    assert world.beta_site.display_name not in text


def test_a_coordinator_invites_a_staff_member_who_sets_a_password_once(world, client_as):
    coordinator = client_as("alpha_sote_coordinator")
    response = invite(coordinator, place=f"site:{world.alpha_site.pk}")
    assert response.status_code == 302
    user = User.objects.get(email="uusi.jakaja@example.fi")
    assert not user.has_usable_password()
    assert RoleAssignment.objects.filter(
        user=user, role=Role.DISTRIBUTOR_STAFF, distributor_site=world.alpha_site
    ).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["uusi.jakaja@example.fi"]
    url = link_in(mail.outbox[0])
    invitation = Invitation.objects.get(user=user)
    assert url.split("/")[-2] not in invitation.secret_hash  # only the hash is kept
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    anonymous = client_as("anonymous")
    form = anonymous.get(url)
    assert form.status_code == 200
    mismatch = anonymous.post(url, {"password1": PASSWORD, "password2": PASSWORD + "x"})
    assert "The two passwords differ" in mismatch.content.decode()
    done = anonymous.post(url, {"password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert anonymous.get(url).status_code == 404  # single use
    assert anonymous.post(url, {"password1": "x" * 20, "password2": "x" * 20}).status_code == 404
    assert AuditEvent.objects.filter(action=Action.ROLE_GRANTED, data__user=user.pk).exists()


def test_an_invitation_expires_after_seven_days(world, client_as):
    invite(client_as("alpha_sote_coordinator"), place=f"site:{world.alpha_site.pk}")
    url = link_in(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client_as("anonymous").get(url).status_code == 404


def test_a_coordinator_invites_only_to_their_own_side_and_region(world, client_as):
    culture = client_as("alpha_coordinator")
    refused = invite(culture, place=f"site:{world.alpha_site.pk}")
    assert refused.status_code == 200  # not a choice for the culture side
    assert not User.objects.filter(email="uusi.jakaja@example.fi").exists()
    assert invite(culture, place=f"venue:{world.alpha_venue.pk}").status_code == 302
    assert invite(client_as("beta_coordinator"), slug="alpha").status_code == 404


def test_inviting_someone_with_an_account_in_use_says_what_to_do(world, client_as):
    world.alpha_distributor.email = "jakaja@example.fi"
    world.alpha_distributor.save(update_fields=["email"])
    response = invite(
        client_as("alpha_sote_coordinator"),
        email="Jakaja@Example.fi",
        place=f"site:{world.alpha_site.pk}",
    )
    assert "already has an account that is in use" in response.content.decode()
    assert not mail.outbox


def test_an_invitation_does_not_open_a_closed_account_again(world, client_as):
    """A deactivated invitee who never set a password keeps their roles: inviting their address
    again must not bring the account, and those roles, back."""
    pending = User.objects.create_user(username="odottaa", email="odottaa@example.fi")
    pending.set_unusable_password()
    pending.is_active = False
    pending.save()
    RoleAssignment.objects.create(user=pending, role=Role.COORDINATOR_SOTE, region=world.beta)
    response = invite(
        client_as("alpha_sote_coordinator"),
        email="odottaa@example.fi",
        place=f"site:{world.alpha_site.pk}",
    )
    assert "has been closed" in response.content.decode()
    pending.refresh_from_db()
    assert not pending.is_active
    assert not mail.outbox


def test_a_coordinator_deactivates_their_staff_but_not_others(world, client_as):
    coordinator = client_as("alpha_sote_coordinator")
    url = reverse("web:network_deactivate", args=["alpha", world.alpha_distributor.pk])
    assert url in coordinator.get(reverse("web:network", args=["alpha"])).content.decode()
    # The link opens a confirmation that says what happens; only its own POST deactivates.
    asked = coordinator.get(url)
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "can no longer log in, and their API tokens stop working" in text
    assert "ask the national support service" in text
    assert coordinator.post(url).status_code == 200  # a bare POST: the confirmation again
    world.alpha_distributor.refresh_from_db()
    assert world.alpha_distributor.is_active
    assert coordinator.post(url, {"confirmed": "yes"}).status_code == 302
    world.alpha_distributor.refresh_from_db()
    assert not world.alpha_distributor.is_active
    other = reverse("web:network_deactivate", args=["alpha", world.alpha_venue_staff.pk])
    # Not theirs to deactivate: no confirmation page, the reason instead.
    refused = coordinator.get(other, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.redirect_chain
    coordinator.post(other, {"confirmed": "yes"})
    world.alpha_venue_staff.refresh_from_db()
    assert world.alpha_venue_staff.is_active  # the culture side's staff
    # Told whose staff they are, by the culture coordinator's name, not "ask your coordinator".
    text = refused.content.decode()
    assert "the culture side&#x27;s work" in text
    assert f"culture coordinator: {world.alpha_coordinator.display_name}." in text


def test_the_people_list_offers_deactivate_only_beside_ones_own_sides_staff(world, client_as):
    page = client_as("alpha_sote_coordinator").get(reverse("web:network", args=["alpha"]))
    text = page.content.decode()
    own = reverse("web:network_deactivate", args=["alpha", world.alpha_distributor.pk])
    other = reverse("web:network_deactivate", args=["alpha", world.alpha_venue_staff.pk])
    culture = reverse("web:network_deactivate", args=["alpha", world.alpha_coordinator.pk])
    assert own in text
    assert other not in text
    assert culture not in text
    text = client_as("alpha_coordinator").get(reverse("web:network", args=["alpha"])).content
    assert other.encode() in text
    assert own.encode() not in text


def test_coordinators_add_and_edit_their_sides_places(world, client_as):
    sote = client_as("alpha_sote_coordinator")
    response = sote.post(
        reverse("web:network_site_new", args=["alpha"]),
        {
            "name": "Uusi jakopiste",
            "organisation": world.alpha_site.organisation_id,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    site = DistributorSite.objects.get(name="Uusi jakopiste")
    assert site.region == world.alpha
    assert AuditEvent.objects.filter(action=Action.OBJECT_CREATED, region=world.alpha).exists()
    # The other side's page in their own region: whose work it is and who does it, not a 404.
    refused = sote.get(reverse("web:network_venue_new", args=["alpha"]), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "the culture side&#x27;s work" in text
    assert f"culture coordinator: {world.alpha_coordinator.display_name}." in text
    # Another region's page stays a 404: its existence is not told across regions.
    assert sote.get(reverse("web:network_venue_new", args=["beta"])).status_code == 404
    culture = client_as("alpha_coordinator")
    response = culture.post(
        reverse("web:network_venue", args=["alpha", world.alpha_venue.pk]),
        {
            "name": "Uusi nimi",
            "organisation": world.alpha_venue.organisation_id,
            "municipality": world.alpha.municipalities.get().pk,
            "category": Venue.Category.CULTURE,
            "accepts_other_regions": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    world.alpha_venue.refresh_from_db()
    assert world.alpha_venue.name == "Uusi nimi"


def test_every_text_about_the_invitation_tells_the_configured_days(world, client_as, settings):
    """One rule (accounts.models.invitation_days, KAIKUKANTA_INVITATION_DAYS): the link's expiry,
    the invite pages and the confirmation all tell the same number."""
    settings.KAIKUKANTA_INVITATION_DAYS = 3
    coordinator = client_as("alpha_sote_coordinator")
    coordinator.cookies["django_language"] = "en"
    page = coordinator.get(reverse("web:network_invite", args=["alpha"])).content.decode()
    assert "The link works once, for 3 days." in page
    assert "7 days" not in page
    national = client_as("national")
    national.cookies["django_language"] = "en"
    people = reverse("web:national_region_people", args=[world.alpha_site.region_id])
    assert "The link works once, for 3 days." in national.get(people).content.decode()
    done = invite(coordinator, place=f"site:{world.alpha_site.pk}")
    invitation = Invitation.objects.get(user__email="uusi.jakaja@example.fi")
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=3)
    shown = coordinator.get(done["Location"]).content.decode()
    assert "The link works for 3 days, until " in shown
    settings.KAIKUKANTA_INVITATION_DAYS = 1
    assert (
        "The link works once, for 1 day."
        in coordinator.get(reverse("web:network_invite", args=["alpha"])).content.decode()
    )
