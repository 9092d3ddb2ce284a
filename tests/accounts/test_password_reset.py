"""A forgotten password reset by e-mail (issue 16): end to end with the locmem outbox, the same answer
for any address, rate limits, deactivated accounts, the person's language, and the audit trail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.models import User
from kaikukanta.audit.models import Action, AuditEvent

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "uusi-salasana-kesalla-2026"


def browser(**extra) -> Client:
    client = Client(**extra)
    client.cookies["kaikukanta_language"] = "en"
    return client


def ask(client, email):
    return client.post(reverse("web:password_reset"), {"email": email})


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/password-reset/link/\S+/)", message.body).group(1)


@pytest.fixture
def distributor(world):
    user = world.alpha_distributor
    user.email, user.language = "jakaja@example.fi", "en"
    user.save(update_fields=["email", "language"])
    return user


def test_the_login_page_links_to_the_reset(world):
    page = browser().get(reverse("web:login")).content.decode()
    assert reverse("web:password_reset") in page


def test_a_forgotten_password_is_reset_by_email_end_to_end(distributor):
    client = browser()
    sent = ask(client, "Jakaja@Example.fi")
    assert sent["Location"] == reverse("web:password_reset_sent")
    (message,) = mail.outbox
    assert message.to == ["jakaja@example.fi"]
    assert "Kaikukortti" in message.body
    assert "24 hours" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert link_in(message) in html
    page = client.get(link_in(message), follow=True)
    assert page.status_code == 200
    assert page.context["validlink"]
    form_url = page.request["PATH_INFO"]
    done = client.post(form_url, {"password1": NEW, "password2": NEW})
    assert done["Location"] == reverse("web:password_reset_complete")
    distributor.refresh_from_db()
    assert distributor.check_password(NEW)
    # Not signed in by it: the person logs in with the new password.
    assert "_auth_user_id" not in client.session
    login = client.post(reverse("web:login"), {"username": distributor.username, "password": NEW})
    assert login.status_code == 302
    # The link works once.
    again = browser().get(link_in(message), follow=True)
    assert not again.context["validlink"]
    assert AuditEvent.objects.filter(
        action=Action.PASSWORD_RESET_REQUESTED, object_id=str(distributor.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action=Action.PASSWORD_RESET_DONE, object_id=str(distributor.pk)
    ).exists()
    assert "jakaja@example.fi" not in repr(list(AuditEvent.objects.values()))


def test_the_answer_is_the_same_for_an_unknown_a_deactivated_and_a_known_address(
    distributor, world
):
    closed = world.alpha_venue_staff
    closed.email, closed.is_active = "suljettu@example.fi", False
    closed.save()
    pages = []
    for email in ("jakaja@example.fi", "ei-ole@example.fi", "suljettu@example.fi"):
        response = ask(browser(), email)
        pages.append((response.status_code, response["Location"]))
    assert len(set(pages)) == 1
    assert [m.to for m in mail.outbox] == [["jakaja@example.fi"]]  # no link for a closed account


def test_a_wrong_password_twice_says_so(distributor):
    client = browser()
    ask(client, "jakaja@example.fi")
    page = client.get(link_in(mail.outbox[0]), follow=True)
    refused = client.post(page.request["PATH_INFO"], {"password1": NEW, "password2": NEW + "x"})
    assert "The two passwords differ" in refused.content.decode()
    distributor.refresh_from_db()
    assert distributor.check_password(PASSWORD)


def test_requests_are_limited_per_address_and_per_client(distributor, settings):
    from kaikukanta.web.views.password_reset import PER_ADDRESS, PER_IP

    for _ in range(PER_ADDRESS.limit + 2):
        assert ask(browser(REMOTE_ADDR="10.1.1.1"), "jakaja@example.fi").status_code == 302
    assert len(mail.outbox) == PER_ADDRESS.limit  # later requests answered alike, nothing sent
    client = browser(REMOTE_ADDR="10.2.2.2")
    statuses = [ask(client, f"x{n}@example.fi").status_code for n in range(PER_IP.limit + 1)]
    assert statuses[:-1] == [302] * PER_IP.limit
    assert statuses[-1] == 200
    assert "Too many requests from this address" in ask(client, "y@example.fi").content.decode()


def test_the_email_is_in_the_persons_language(distributor):
    User.objects.filter(pk=distributor.pk).update(language="sv")
    ask(browser(), "jakaja@example.fi")
    message = mail.outbox[0]
    assert message.subject == "Nytt lösenord till Kaikukanta"
    assert "Länken fungerar en gång, i 24 timmar." in message.body
    User.objects.filter(pk=distributor.pk).update(language="")  # not chosen: Finnish
    ask(browser(), "jakaja@example.fi")
    assert mail.outbox[1].subject == "Uusi salasana Kaikukantaan"


def test_a_mail_server_that_refuses_is_no_500_and_tells_nothing(distributor, monkeypatch):
    import smtplib

    from django.core.mail import EmailMultiAlternatives

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    known = ask(browser(), "jakaja@example.fi")
    unknown = ask(browser(), "nobody@example.fi")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("web:password_reset_sent")
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_RESET_REQUESTED).exists()


def test_a_link_sent_before_the_account_was_deactivated_no_longer_works(distributor):
    client = browser()
    ask(client, "jakaja@example.fi")
    link = link_in(mail.outbox[0])
    User.objects.filter(pk=distributor.pk).update(is_active=False)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert page.context["validlink"] is False
