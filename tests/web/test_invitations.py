"""Invitations (issue 16): the invitee is signed in once the password is set (and sent to set up
two-factor authentication where the role needs it); the list says until when the link is valid and
can send it again (audited); the e-mail is in the invitee's language, has an HTML part, says what
Kaikukanta is and whom to contact; the link's days come from the setting; a mail server that refuses
the mail does not give a 500 and the person is told."""

from __future__ import annotations

import re
import smtplib
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kaikukanta.accounts.models import Invitation, User
from kaikukanta.audit.models import Action, AuditEvent

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "kaikki-kortit-kulkevat-2026"


@pytest.fixture(autouse=True)
def _sends_on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


def invite(client, slug="alpha", **data):
    values = {"email": "Uusi.Jakaja@example.fi", "first_name": "Uusi", "last_name": "Jakaja"}
    values.update(data)
    with _capture(execute=True):
        return client.post(reverse("web:network_invite", args=[slug]), values)


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)


def test_the_invitee_is_signed_in_when_the_password_is_set(world, client_as):
    invite(client_as("alpha_sote_coordinator"), place=f"site:{world.alpha_site.pk}")
    invitee = Client()
    done = invitee.post(link_in(mail.outbox[0]), {"password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302
    page = invitee.get(done["Location"], follow=True)
    assert page.context["user"].email == "uusi.jakaja@example.fi"
    assert page.status_code == 200


def test_an_invited_coordinator_goes_to_set_up_two_factor_first(world, client_as):
    with _capture(execute=True):
        client_as("national").post(
            reverse("web:national_region_people", args=[world.alpha.pk]),
            {
                "invite": "1",
                "invite-role": "coordinator_culture",
                "invite-email": "uusi.koordinaattori@example.fi",
                "invite-first_name": "Uusi",
                "invite-last_name": "Koordinaattori",
            },
        )
    invitee = Client()
    done = invitee.post(link_in(mail.outbox[0]), {"password1": PASSWORD, "password2": PASSWORD})
    assert done["Location"] == reverse("web:two_factor_setup")
    assert invitee.get(done["Location"]).status_code == 200
    # Signed in, but nothing else opens before the second step is set up.
    assert invitee.get(reverse("web:audit"))["Location"].startswith(reverse("web:two_factor"))


def test_the_days_come_from_the_setting_in_every_text(world, client_as, settings):
    settings.KAIKUKANTA_INVITATION_DAYS = 3
    coordinator = client_as("alpha_sote_coordinator")
    form = coordinator.get(reverse("web:network_invite", args=["alpha"])).content.decode()
    assert "for 3 days" in form
    assert "7 days" not in form
    response = invite(coordinator, place=f"site:{world.alpha_site.pk}")
    page = coordinator.get(response["Location"]).content.decode()
    assert "The link works for 3 days, until 18.6.2026" in page
    assert "for 3 days" in mail.outbox[0].body
    assert "valid until 18.6.2026" in mail.outbox[0].body
    assert "invited, link valid until 18.6.2026" in page


def test_the_email_has_an_html_part_says_what_kaikukanta_is_and_whom_to_contact(world, client_as):
    world.alpha_sote_coordinator.email = "koordinaattori@example.fi"
    world.alpha_sote_coordinator.save(update_fields=["email"])
    invite(client_as("alpha_sote_coordinator"), place=f"site:{world.alpha_site.pk}")
    (message,) = mail.outbox
    assert "registry of the Kaikukortti culture card" in message.body
    assert "koordinaattori@example.fi" in message.body
    assert "regional coordinator, social and health services: Alfala" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert link_in(message) in html
    assert "koordinaattori@example.fi" in html


def test_the_email_is_in_the_inviters_page_language_then_the_invitees_own(world):
    client = Client()
    sign_in(client, world.alpha_sote_coordinator)
    client.cookies["kaikukanta_language"] = "sv"
    invite(client, place=f"site:{world.alpha_site.pk}")
    user = User.objects.get(email="uusi.jakaja@example.fi")
    assert user.language == "sv"
    with translation.override("sv"):
        assert translation.gettext("Your Kaikukortti registry account") == mail.outbox[0].subject
    assert mail.outbox[0].subject != "Your Kaikukortti registry account"
    # The invitee chose Finnish meanwhile: a resent invitation is in Finnish.
    User.objects.filter(pk=user.pk).update(language="fi")
    with _capture(execute=True):
        client.post(reverse("web:resend_invitation", args=[user.pk]))
    with translation.override("fi"):
        assert translation.gettext("Your Kaikukortti registry account") == mail.outbox[1].subject


def test_an_invitation_is_sent_again_from_the_list_audited(world, client_as):
    coordinator = client_as("alpha_sote_coordinator")
    invite(coordinator, place=f"site:{world.alpha_site.pk}")
    user = User.objects.get(email="uusi.jakaja@example.fi")
    first = link_in(mail.outbox[0])
    network = reverse("web:network", args=["alpha"])
    page = coordinator.get(network).content.decode()
    assert reverse("web:resend_invitation", args=[user.pk]) in page
    with _capture(execute=True):
        again = coordinator.post(
            reverse("web:resend_invitation", args=[user.pk]), {"next": network}
        )
    assert again["Location"] == network
    assert len(mail.outbox) == 2
    assert link_in(mail.outbox[1]) != first
    assert Client().get(first).status_code == 404  # the old link stops working
    assert Client().get(link_in(mail.outbox[1])).status_code == 200
    assert AuditEvent.objects.filter(
        action=Action.INVITATION_RESENT, object_id=str(user.pk)
    ).exists()
    # Not someone else's to send: the culture side's coordinator does not run this account.
    refused = client_as("alpha_coordinator").post(reverse("web:resend_invitation", args=[user.pk]))
    assert refused.status_code == 302
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_refuses_is_no_500_and_the_person_is_told(world, settings, monkeypatch):
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"uusi.jakaja@example.fi": (550, b"no")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    client = Client(raise_request_exception=False)
    client.cookies["kaikukanta_language"] = "en"
    sign_in(client, world.alpha_sote_coordinator)
    response = client.post(
        reverse("web:network_invite", args=["alpha"]),
        {
            "email": "uusi.jakaja@example.fi",
            "first_name": "Uusi",
            "last_name": "Jakaja",
            "place": f"site:{world.alpha_site.pk}",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "the invitation e-mail could not be sent" in response.content.decode()
    user = User.objects.get(email="uusi.jakaja@example.fi")
    assert Invitation.objects.filter(user=user).exists()
    assert reverse("web:resend_invitation", args=[user.pk]) in response.content.decode()


def test_the_national_page_of_a_regions_responsible_persons_tells_the_invitation_and_resends_it(
    world, client_as
):
    national = client_as("national")
    national.cookies["django_language"] = "en"
    people = reverse("web:national_region_people", args=[world.alpha.pk])
    with _capture(execute=True):
        national.post(
            people,
            {
                "invite": "1",
                "invite-role": "coordinator_culture",
                "invite-email": "uusi.koordinaattori@example.fi",
                "invite-first_name": "Uusi",
                "invite-last_name": "Koordinaattori",
            },
        )
    user = User.objects.get(email="uusi.koordinaattori@example.fi")
    invitation = user.invitations.get()
    page = national.get(people).content.decode()
    until = invitation.expires_at.astimezone(ZoneInfo("Europe/Helsinki"))
    assert f"invited, link valid until {until.day}.{until.month}.{until.year}" in page
    assert reverse("web:resend_invitation", args=[user.pk]) in page
    with _capture(execute=True):
        again = national.post(reverse("web:resend_invitation", args=[user.pk]), {"next": people})
    assert again["Location"] == people
    assert len(mail.outbox) == 2
