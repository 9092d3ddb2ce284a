"""Confirmations and recovery (issue 16) in the browser, in Finnish: deactivating an account and
closing a card ask first and say what can be undone; a forgotten password is reset by e-mail from
the login page; axe finds nothing on any of the new pages."""

import re

from django.core import mail

from kaikukanta.accounts.models import Role, User
from kaikukanta.cards.models import Card

from .support import assert_accessible, assert_no_sideways_scroll, log_in

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
NEW_PASSWORD = "uusi-salasana-joulukuussa-2026"


def checked(page, what):
    assert_accessible(page, what)
    assert_no_sideways_scroll(page, what)


def test_deactivating_an_account_asks_first_and_can_be_cancelled(new_page):
    person = (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.DISTRIBUTOR_STAFF,
            role_assignments__distributor_site__region__slug="tampere",
        )
        .order_by("pk")
        .first()
    )
    page = new_page(**PHONE)
    log_in(page, "tampere.sote")
    page.goto("/network/tampere/")
    link = page.get_by_role("link", name=f"Poista käytöstä: {person.display_name}")
    link.click()
    page.wait_for_url(re.compile(r"/people/\d+/deactivate/$"))
    checked(page, "deactivation confirmation")
    assert page.get_by_role("heading", name="Voiko sen perua?").is_visible()
    assert page.get_by_text("valtakunnalliseen tukeen").is_visible()
    page.get_by_role("link", name="Peru").click()
    page.wait_for_url("**/network/tampere/")
    person.refresh_from_db()
    assert person.is_active  # cancelled: nothing happened
    page.get_by_role("link", name=f"Poista käytöstä: {person.display_name}").click()
    page.get_by_role("button", name=f"Poista käytöstä: {person.display_name}").click()
    page.wait_for_url("**/network/tampere/")
    page.get_by_text("ei voi enää kirjautua").first.wait_for()
    person.refresh_from_db()
    assert not person.is_active
    # The demo's distributor logs in again in the tests that follow (the live server's database is
    # shared by the tests of a session).
    User.objects.filter(pk=person.pk).update(is_active=True)


def test_closing_a_card_is_a_page_of_its_own_that_says_it_cannot_be_undone(new_page):
    distributor = User.objects.get(username="jakaja.tampere")
    sites = distributor.role_assignments.values_list("distributor_site", flat=True)
    card = (
        Card.objects.filter(closed_on__isnull=True, issuing_site__in=sites, card_type="personal")
        .order_by("pk")
        .first()
    )
    page = new_page(**PHONE)
    log_in(page, "jakaja.tampere")
    page.goto(f"/cards/{card.pk}/")
    page.get_by_role("link", name="Sulje", exact=True).click()
    page.wait_for_url(f"**/cards/{card.pk}/close/")
    checked(page, "close-card confirmation")
    assert page.get_by_text("Sulkemista ei voi perua").is_visible()
    card.refresh_from_db()
    assert card.closed_on is None  # opening the page closes nothing


def test_a_forgotten_password_is_reset_by_email(new_page):
    user = (
        User.objects.filter(is_active=True, role_assignments__role=Role.VENUE_STAFF)
        .order_by("pk")
        .first()
    )
    user.email = "unohtaja@example.fi"
    user.save(update_fields=["email"])
    page = new_page(**PHONE)
    page.goto("/login/")
    page.get_by_role("link", name="Unohditko salasanasi?").click()
    page.wait_for_url("**/password-reset/")
    checked(page, "password reset form")
    before = len(mail.outbox)
    page.get_by_label("Sähköpostiosoite").fill("unohtaja@example.fi")
    page.get_by_role("button", name="Lähetä linkki").click()
    page.wait_for_url("**/password-reset/sent/")
    checked(page, "password reset sent")
    assert len(mail.outbox) == before + 1
    link = re.search(r"https?://\S+(/password-reset/link/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.wait_for_url("**/set-password/")
    checked(page, "new password form")
    page.get_by_label("Uusi salasana").fill(NEW_PASSWORD)
    page.get_by_label("Sama salasana uudelleen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Aseta salasana").click()
    page.wait_for_url("**/password-reset/done/")
    checked(page, "password reset done")
    log_in(page, user.username, NEW_PASSWORD)
    page.wait_for_url("**/venue/**")
    # The link worked once.
    page.goto(link)
    assert page.get_by_role("link", name="Pyydä uusi linkki").is_visible()
