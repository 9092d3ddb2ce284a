"""A culture coordinator corrects a use recorded by mistake, with the keyboard only, in Finnish: the
Correct link on the Uses page, the confirmation with its reasons (axe finds nothing), the error
summary when no reason is chosen, and the use removed once one is."""

import re
import uuid

from kaikukanta.accounts.models import User
from kaikukanta.cards.models import Card
from kaikukanta.core.errors import DomainError
from kaikukanta.network.models import Venue
from kaikukanta.uses.models import Use
from kaikukanta.uses.services import record_use

from .support import assert_accessible, assert_no_sideways_scroll, log_in


def _a_use_recorded_by_mistake() -> Use:
    """A use recorded now at a Tampere venue (removed by the test again: the demo's figures stay)."""
    venue = Venue.objects.filter(region__slug="tampere").order_by("pk").first()
    national = User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.get(
        role_assignments__role="national_admin"
    )
    for card in Card.objects.filter(card_type="personal", closed_on__isnull=True).order_by("pk"):
        try:
            return record_use(
                actor=national,
                venue=venue,
                card_identifier=card.identifier,
                idempotency_key=f"browser-{uuid.uuid4()}",
            ).use
        except DomainError:  # a card not usable there: the next one
            continue
    raise AssertionError("no demo card is usable at a Tampere venue")


def test_a_culture_coordinator_removes_a_use_with_the_keyboard(new_page):
    use = _a_use_recorded_by_mistake()
    page = new_page()
    log_in(page, "tampere.kulttuuri")
    page.goto("/uses/")
    link = page.locator(f'a[href^="/uses/{use.pk}/correct/"]')
    assert link.inner_text().startswith("Korjaa")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/uses/{use.pk}/correct/"))
    assert_accessible(page, "the correction's confirmation")
    assert_no_sideways_scroll(page, "the correction's confirmation")
    assert page.get_by_role("group", name="Miksi se poistetaan?").is_visible()

    # Sent without a reason: the error summary, focused, links to the first reason.
    page.get_by_role("button", name="Poista käyttökerta").focus()
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Valitse, miksi se poistetaan." in summary.inner_text()
    # forms.js moves the focus once the page has loaded: wait for it, not for the summary alone.
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    assert_accessible(page, "the correction with its error")
    assert Use.objects.filter(pk=use.pk).exists()

    page.get_by_role("link", name="Valitse, miksi se poistetaan.").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")  # the first reason, focused by the summary's link
    assert page.get_by_role("radio", name="kirjattu kahdesti").is_checked()
    page.get_by_role("button", name="Poista käyttökerta").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/uses/(\?.*)?$"))
    page.get_by_text("Poistettu. Tilastot eivät enää laske sitä.").wait_for()
    assert not Use.objects.filter(pk=use.pk).exists()
