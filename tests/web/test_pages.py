import datetime as dt
import re

import pytest
from django.urls import reverse

from kaikukanta.cards.services import issue_card
from kaikukanta.stats.queries import Figure
from kaikukanta.uses.services import record_use

from ..conftest import holder, legacy_guesses, new_key, on_day, reopens_in_about, sign_in


@pytest.fixture
def en(client):
    client.cookies["kaikukanta_language"] = "en"
    return client


def test_venue_checks_a_card_and_sees_only_what_it_may(en, world, alpha_card):
    sign_in(en, world.beta_venue_staff)
    page = en.post(
        reverse("web:venue"),
        {"venue": world.beta_venue.pk, "identifier": alpha_card.display_identifier.lower()},
    )
    text = page.content.decode()
    assert f"Card {alpha_card.display_identifier} is valid." in text
    assert "Child tickets at most" in text
    assert "15.6.2027" in text  # valid until, the Finnish way in English too
    assert alpha_card.issuing_site.name not in text


def test_venue_check_of_a_mistyped_number_explains_the_typo(en, world, alpha_card):
    sign_in(en, world.alpha_venue_staff)
    number = alpha_card.identifier
    typo = number[1] + number[0] + number[2:] if number[0] != number[1] else number[:-1] + "2"
    text = en.post(reverse("web:venue"), {"identifier": typo}).content.decode()
    assert "typing error" in text
    empty = en.post(reverse("web:venue"), {"identifier": ""}).content.decode()
    assert "Type the card number." in empty


def test_venue_check_with_htmx_returns_only_the_result(en, world, alpha_card):
    sign_in(en, world.alpha_venue_staff)
    response = en.post(
        reverse("web:venue"), {"identifier": alpha_card.identifier}, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert "<html" not in text
    assert "is valid" in text


def test_card_page_shows_the_barcodes_and_the_holders_data(en, world, alpha_card):
    sign_in(en, world.alpha_distributor)
    text = en.get(reverse("web:card", args=[alpha_card.pk])).content.decode()
    assert text.count("<svg") == 2
    assert "1980" in text
    assert "33100" in text


def test_distributor_page_lists_cards_expiring_soon(en, world):
    with on_day(dt.date(2025, 7, 1)):
        soon = [
            issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
            for _ in range(25)
        ]
    sign_in(en, world.alpha_distributor)
    text = en.get(reverse("web:distributor")).content.decode()
    expiring = text.split('aria-label="Expiring soon"')[1].split("</table>")[0]
    assert soon[0].display_identifier in expiring
    # The count is of all of them, not of the 20 listed; the rest are one click away.
    assert expiring.count("<tr>") == 1 + 20
    assert '<span class="number">25</span> expire within 30 days' in text
    assert "All 25 cards that expire within 30 days" in text


def test_use_filters_say_what_is_wrong(en, world, alpha_card):
    record_use(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        card_identifier=alpha_card.identifier,
        idempotency_key=new_key(),
    )
    sign_in(en, world.alpha_venue_staff)
    text = en.get(
        reverse("web:uses"), {"since": "2026-06-10", "until": "2026-06-01"}
    ).content.decode()
    assert "The end date is before the start date." in text
    text = en.get(reverse("web:uses"), {"since": "not a date"}).content.decode()
    assert "Give a date" in text


def test_national_page_hides_small_counts_even_from_subtraction(en, world, alpha_card, beta_card):
    for card, venue, staff, count in [
        (alpha_card, world.alpha_venue, world.alpha_venue_staff, 12),
        (beta_card, world.beta_venue, world.beta_venue_staff, 2),
    ]:
        for _ in range(count):
            record_use(
                actor=staff, venue=venue, card_identifier=card.identifier, idempotency_key=new_key()
            )
    sign_in(en, world.national)
    text = en.get(reverse("web:national")).content.decode()
    rows = {
        name: row.split("</tr>")[0]
        for name, row in [
            (n, text.split(f">{n}</")[1]) for n in ["Alfala", "Beetala", "All regions"]
        ]
    }
    # Beetala's 2 culture uses are hidden; so is Alfala's 12, or the total 14 would give them away.
    assert "fewer than 5" in rows["Beetala"]
    assert ">12<" not in rows["Alfala"]
    assert "hidden, so that a small count cannot be worked out" in rows["Alfala"]
    assert ">14<" in rows["All regions"]
    bad = en.get(reverse("web:national"), {"year": "20x6"}).content.decode()
    assert "Give the year as four digits" in bad


def test_figures_are_rounded_or_hidden():
    assert str(Figure(0, 5, 5)) == "0"
    assert str(Figure(4, 5, 5)) == "<5"
    assert str(Figure(7, 5, 5)) == "5"
    assert str(Figure(8, 5, 5)) == "10"
    assert str(Figure(12, 5, 1)) == "12"


def test_national_figures_add_up(en, world, alpha_card, beta_card):
    from kaikukanta.stats.queries import yearly_table

    for card, venue, staff in [
        (alpha_card, world.alpha_venue, world.alpha_venue_staff),
        (beta_card, world.beta_venue, world.beta_venue_staff),
        (alpha_card, world.popup, world.popup_staff),
    ]:
        for _ in range(3):
            record_use(
                actor=staff,
                venue=venue,
                card_identifier=card.identifier,
                idempotency_key=new_key(),
                child_tickets=2,
            )
    rows = {row.label: row for row in yearly_table(world.national, 2026, "Pop-ups", "All")}
    assert rows["Alfala"].cards_registered.value == 1
    assert rows["Alfala"].adult_uses["culture"].value == 3
    assert rows["Alfala"].child_tickets["culture"].value == 6
    assert rows["Pop-ups"].adult_uses["science"].value == 3
    assert rows["All"].total_uses.value == 27
    assert rows["All"].cards_used.value == 2
    # A coordinator's table has only their own region.
    assert [row.label for row in yearly_table(world.beta_coordinator, 2026, "Pop-ups", "All")] == [
        "Beetala"
    ]


def test_replacements_and_community_cards_are_not_new_registrations(
    world, alpha_card, community_card
):
    from kaikukanta.cards.services import replace_card
    from kaikukanta.stats.queries import yearly_table

    replace_card(actor=world.alpha_distributor, card=alpha_card)
    rows = {row.label: row for row in yearly_table(world.national, 2026, "Pop-ups", "All")}
    assert rows["Alfala"].cards_registered.value == 1


def test_a_venue_guessing_numbers_is_flagged_and_still_answered(en, world, settings, alpha_card):
    """Numbers with a check character are one of 29**9: unknown ones are answered as unknown and
    flagged to the region's coordinators, and a card is always answered."""
    from kaikukanta.audit.models import Flag
    from kaikukanta.cards import identifiers

    sign_in(en, world.alpha_venue_staff)
    for _ in range(settings.KAIKUKANTA_FAILED_LOOKUPS + 1):
        answer = en.post(reverse("web:venue"), {"identifier": identifiers.generate()})
        assert answer.status_code == 404
        assert "No card has the number" in answer.content.decode()
    found = en.post(reverse("web:venue"), {"identifier": alpha_card.identifier})
    assert found.status_code == 200
    assert alpha_card.display_identifier in found.content.decode()

    flag = Flag.objects.get()
    assert (flag.venue, flag.region, flag.count) == (world.alpha_venue, world.alpha, 10)
    sign_in(en, world.alpha_coordinator)
    region_page = en.get(reverse("web:region", args=["alpha"])).content.decode()
    assert "10 card numbers that match no card looked up by alpha_venue" in region_page
    sign_in(en, world.beta_coordinator)
    assert "match no card" not in en.get(reverse("web:region", args=["beta"])).content.decode()
    sign_in(en, world.alpha_venue_staff)
    assert "match no card" not in en.get(reverse("web:region", args=["alpha"])).content.decode()


def test_a_sweep_of_legacy_numbers_is_stopped(en, world, settings, alpha_card, legacy_card):
    """Numbers imported from the earlier registry may be short: their unknown answers are limited,
    and once the limit is reached every such look-up is refused, the real card's too (else the
    refusal would tell the cards from the rest). Cards with a check character are still answered."""
    sign_in(en, world.alpha_venue_staff)
    for number in legacy_guesses(settings.KAIKUKANTA_LEGACY_FAILED_LOOKUPS):
        assert en.post(reverse("web:venue"), {"identifier": number}).status_code == 404
    for number in [*legacy_guesses(11)[-1:], legacy_card.identifier]:
        stopped = en.post(reverse("web:venue"), {"identifier": number})
        assert stopped.status_code == 429
        assert "Too many card look-ups" in stopped.content.decode()
        assert reopens_in_about(
            stopped.content.decode(), settings.KAIKUKANTA_LEGACY_LOOKUP_HOURS * 60
        )
    # Shown in place to htmx too, not swallowed as an error: 200 with the refusal in the fragment
    # (django-htmx's debug script would replace the page with a 429).
    htmx = en.post(
        reverse("web:venue"), {"identifier": legacy_card.identifier}, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 200
    assert "Too many card look-ups" in htmx.content.decode()
    assert en.post(reverse("web:venue"), {"identifier": alpha_card.identifier}).status_code == 200


def test_a_clerk_with_ten_unknown_numbers_gets_the_next_cards_answer(world, alpha_card):
    from kaikukanta.cards import identifiers
    from kaikukanta.cards.errors import CardNotFound
    from kaikukanta.cards.services import check_card

    for _ in range(10):
        with pytest.raises(CardNotFound):
            check_card(
                actor=world.alpha_venue_staff,
                venue=world.alpha_venue,
                identifier=identifiers.generate(),
            )
    answer = check_card(
        actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=alpha_card.identifier
    )
    assert (answer.identifier, answer.refusal) == (alpha_card.identifier, None)


def test_a_distributor_sweeping_legacy_numbers_is_stopped(en, world, settings, legacy_card):
    sign_in(en, world.alpha_distributor)
    for number in legacy_guesses(settings.KAIKUKANTA_LEGACY_FAILED_LOOKUPS + 1):
        answer = en.post(reverse("web:cards"), {"identifier": number})
    assert answer.status_code == 429
    stopped = en.post(reverse("web:cards"), {"identifier": legacy_card.identifier})
    assert stopped.status_code == 429


def test_two_accounts_guessing_do_not_close_the_venue(world, settings, alpha_card, legacy_card):
    """The probe of issue 15: 20 wrong numbers from two accounts closed every check and use at the
    venue, for everyone and the national token too. Now the venue's lock covers only numbers of
    the earlier registry's format, and a coordinator can lift it."""
    from kaikukanta.accounts.models import Role, RoleAssignment, User
    from kaikukanta.cards import identifiers, lookups
    from kaikukanta.cards.errors import CardNotFound, TooManyLookups
    from kaikukanta.cards.services import check_card
    from kaikukanta.core.errors import NotAllowed
    from kaikukanta.uses.services import record_use

    second = User.objects.create_user("second_clerk")
    third = User.objects.create_user("third_clerk")
    for user in (second, third):
        RoleAssignment.objects.create(user=user, role=Role.VENUE_STAFF, venue=world.alpha_venue)
    guesses = legacy_guesses(20) + [identifiers.generate() for _ in range(20)]
    for index, number in enumerate(guesses):
        clerk = world.alpha_venue_staff if index % 2 else second
        with pytest.raises(CardNotFound):
            check_card(actor=clerk, venue=world.alpha_venue, identifier=number)
    for actor in (third, world.national):
        answer = check_card(actor=actor, venue=world.alpha_venue, identifier=alpha_card.identifier)
        assert answer.refusal is None
        with pytest.raises(CardNotFound):
            check_card(actor=actor, venue=world.alpha_venue, identifier=identifiers.generate())
    record_use(
        actor=third,
        venue=world.alpha_venue,
        card_identifier=alpha_card.identifier,
        idempotency_key=new_key(),
    )
    # The earlier registry's numbers are locked at the venue for everyone ...
    with pytest.raises(TooManyLookups):
        check_card(actor=third, venue=world.alpha_venue, identifier=legacy_card.identifier)
    # ... and elsewhere not.
    check_card(actor=world.beta_venue_staff, venue=world.beta_venue, identifier="KK001234")

    # The region's coordinator sees the lock and lifts it; another region's cannot.
    locks = lookups.locks_in(world.alpha_coordinator, world.alpha)
    assert [(lock.venue, lock.user) for lock in locks] == [
        (world.alpha_venue, None),
        (None, world.alpha_venue_staff),
        (None, second),
    ]
    with pytest.raises(NotAllowed):
        lookups.locks_in(world.beta_coordinator, world.alpha)
    lookups.lift_lock(world.alpha_coordinator, world.alpha, locks[0].subject)
    assert [lock.user for lock in lookups.locks_in(world.alpha_coordinator, world.alpha)] == [
        world.alpha_venue_staff,
        second,
    ]
    answer = check_card(actor=third, venue=world.alpha_venue, identifier=legacy_card.identifier)
    assert answer.identifier == "KK001234"


def test_region_figures_are_shown_only_to_those_who_see_the_whole_region(en, world, alpha_card):
    issue_card(actor=world.alpha_other_distributor, site=world.alpha_other_site, holder=holder())
    sign_in(en, world.alpha_coordinator)
    page = en.get(reverse("web:region", args=["alpha"])).content.decode()
    assert "<dt>Valid cards today</dt><dd>2</dd>" in page
    for user in [world.alpha_distributor, world.alpha_venue_staff]:
        sign_in(en, user)
        page = en.get(reverse("web:region", args=["alpha"])).content.decode()
        assert "Valid cards today" not in page


def test_the_card_list_filters_by_status_with_the_same_rule_as_the_card(en, world, alpha_card):
    from kaikukanta.cards.models import ClosingReason
    from kaikukanta.cards.services import close_card

    with on_day(dt.date(2025, 6, 1)):
        expired = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    with on_day(dt.date(2025, 6, 20)):
        expiring = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    closed = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    close_card(actor=world.alpha_distributor, card=closed, reason=ClosingReason.ON_REQUEST)
    sign_in(en, world.alpha_distributor)
    expected = {
        "": {alpha_card, expired, expiring, closed},
        "valid": {alpha_card, expiring},
        "expiring": {expiring},
        "expired": {expired},
        "closed": {closed},
    }
    for status, cards in expected.items():
        response = en.get(reverse("web:cards"), {"status": status})
        assert response.status_code == 200, status
        text = response.content.decode()
        shown = {card for card in expected[""] if card.display_identifier in text}
        assert shown == cards, status
    bad = en.get(reverse("web:cards"), {"status": "lost"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()


def test_look_ups_sent_all_at_once_cannot_all_pass_the_failure_limit(world, settings, legacy_card):
    """Each look-up reserves a failure before it looks: eleven guesses in flight at once, none yet
    answered, and the eleventh is refused, with an audit event for the refusal."""
    from kaikukanta.audit.models import AuditEvent
    from kaikukanta.cards import lookups
    from kaikukanta.cards.errors import TooManyLookups

    numbers = legacy_guesses(settings.KAIKUKANTA_LEGACY_FAILED_LOOKUPS + 1)
    in_flight = [
        lookups.admit(world.alpha_venue_staff, world.alpha_venue, numbers=[number])
        for number in numbers[:-1]
    ]
    with pytest.raises(TooManyLookups):
        lookups.admit(world.alpha_venue_staff, world.alpha_venue, numbers=numbers[-1:])
    assert AuditEvent.objects.filter(action="lookup.refused", venue=world.alpha_venue).count() == 1
    for lookup in in_flight:  # all of them were cards after all
        lookup.found()
    lookups.admit(world.alpha_venue_staff, world.alpha_venue, numbers=numbers[-1:]).found()


def test_a_distributors_sweep_is_flagged_to_their_regions_coordinators(en, world, settings):
    from kaikukanta.audit.models import Flag
    from kaikukanta.cards import identifiers

    sign_in(en, world.alpha_distributor)
    for _ in range(settings.KAIKUKANTA_FAILED_LOOKUPS):
        en.post(reverse("web:cards"), {"identifier": identifiers.generate()})
    flag = Flag.objects.get()
    assert (flag.region, flag.venue, flag.actor) == (world.alpha, None, world.alpha_distributor)
    sign_in(en, world.alpha_sote_coordinator)
    page = en.get(reverse("web:region", args=["alpha"])).content.decode()
    assert "looked up by alpha_dist" in page
    assert "Ask the user whether someone was guessing card numbers." in page


def test_lists_refuse_dates_no_one_means(en, world):
    sign_in(en, world.national)
    for page in ["web:uses", "web:audit"]:
        for since, until in [("0001-01-01", ""), ("", "9999-12-31")]:
            response = en.get(reverse(page), {"since": since, "until": until})
            assert response.status_code == 200, (page, since, until)
            text = response.content.decode()
            assert "Give a date in 2000 or later." in text or "before the year 2100" in text


def test_the_distributors_expiring_count_is_the_list_it_links_to(en, world, community_card):
    with on_day(dt.date(2025, 6, 20)):
        expiring = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    sign_in(en, world.alpha_distributor)
    page = en.get(reverse("web:distributor")).content.decode()
    assert '<span class="number">1</span> expires within 30 days' in page
    link = re.search(r'href="(/cards/\?status=expiring[^"]*)"', page).group(1).replace("&amp;", "&")
    listed = en.get(link).content.decode()
    assert expiring.display_identifier in listed
    assert "1 card" in listed


def test_the_distributor_page_shows_the_latest_community_cards_and_links_to_all(en, world):
    from kaikukanta.cards.services import issue_community_card

    cards = [
        issue_community_card(actor=world.alpha_other_distributor, site=world.alpha_other_site)
        for _ in range(22)
    ]
    sign_in(en, world.alpha_other_distributor)
    page = en.get(reverse("web:distributor")).content.decode()
    section = page.split('aria-label="Community cards of your organisation"')[1].split("</table>")[
        0
    ]
    assert section.count("<tr>") == 1 + 20
    assert cards[-1].display_identifier in section
    assert "All 22 community cards of your organisation" in page


def test_a_coordinator_sees_and_lifts_a_lock_of_their_regions_venue(en, world, legacy_card):
    from kaikukanta.audit.models import AuditEvent
    from kaikukanta.cards.errors import CardNotFound
    from kaikukanta.cards.services import check_card

    for index, number in enumerate(legacy_guesses(20)):
        clerk = world.alpha_venue_staff if index < 10 else world.national
        with pytest.raises(CardNotFound):
            check_card(actor=clerk, venue=world.alpha_venue, identifier=number)
    sign_in(en, world.beta_coordinator)
    assert "Locked look-ups" not in en.get(reverse("web:region", args=["beta"])).content.decode()
    refused = en.post(reverse("web:lift_lookup_lock", args=["alpha"]), {"subject": "venue:1"})
    assert refused.status_code in (403, 404)
    sign_in(en, world.alpha_coordinator)
    page = en.get(reverse("web:region", args=["alpha"])).content.decode()
    assert "Locked look-ups" in page
    assert f"Lift the lock of {world.alpha_venue.display_name}" in page
    assert "Lift the lock of alpha_venue" in page
    lifted = en.post(
        reverse("web:lift_lookup_lock", args=["alpha"]),
        {"subject": f"venue:{world.alpha_venue.pk}"},
        follow=True,
    )
    text = lifted.content.decode()
    assert "The lock is lifted" in text
    assert f"Lift the lock of {world.alpha_venue.display_name}" not in text
    event = AuditEvent.objects.get(action="lookup.lock_lifted")
    assert (event.actor, event.venue, event.region) == (
        world.alpha_coordinator,
        world.alpha_venue,
        world.alpha,
    )
    again = en.post(
        reverse("web:lift_lookup_lock", args=["alpha"]),
        {"subject": f"venue:{world.alpha_venue.pk}"},
        follow=True,
    )
    assert "That lock had already ended." in again.content.decode()
