"""The distributor's pages as a worker uses them at a client meeting: register, print, hand over,
update, renew, close, replace; community cards; card stock."""

import html
import io
import re

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse

from kaikukanta.accounts.models import Role, RoleAssignment
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards import identifiers
from kaikukanta.cards.models import Card, CardType, HandOver, RegistrationKey, WellbeingMeasurement
from kaikukanta.cards.services import close_card, create_card_stock, hand_over_for

from ..conftest import holder, sign_in

REGISTER = "web:register_card"


def form(**overrides):
    data = {
        "key": "form-key-000001",
        "birth_year": "1984",
        "postcode": "33100",
        "children": "1",
        "life_situation": "",
        "gender": "",
        "delivery": "paper",
        "identifier": "",
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def worker(client_as):
    return client_as("alpha_distributor")


def test_the_landing_page_has_the_register_button(worker):
    page = text(worker.get(reverse("web:distributor")))
    assert f'href="{reverse(REGISTER)}"' in page
    assert f'href="{reverse("web:register_community_card")}"' in page


def test_the_card_list_offers_registering_to_distributors_only(worker, client_as):
    assert f'href="{reverse(REGISTER)}"' in text(worker.get(reverse("web:cards")))
    coordinator = client_as("alpha_coordinator")
    assert f'href="{reverse(REGISTER)}"' not in text(coordinator.get(reverse("web:cards")))


def test_the_register_form_asks_nothing_that_identifies_the_client(worker):
    page = text(worker.get(reverse(REGISTER)))
    for field in ("birth_year", "postcode", "children", "life_situation", "gender", "delivery"):
        assert f'name="{field}"' in page
    assert 'name="wellbeing-who5_1"' in page
    assert 'name="wellbeing-mood"' in page
    assert 'type="hidden" name="key"' in page
    assert 'data-card-number="new"' in page  # the number is checked as it is typed
    assert "name" not in set(re.findall(r'name="([a-z_]*name[a-z_]*)"', page))


def test_registering_leads_to_the_cards_page_ready_to_print(world, worker):
    response = worker.post(reverse(REGISTER), form())
    card = Card.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:card", args=[card.pk]) + "?print=1"
    assert card.identifier not in response["Location"]
    assert (card.birth_year, card.postcode, card.children) == (1984, "33100", 1)
    assert card.issuing_site == world.alpha_site
    page = text(worker.get(response["Location"]))
    assert "The card is registered." in page
    assert reverse("web:card_pdf", args=[card.pk]) in page
    assert reverse("web:card_offering_pdf", args=[card.pk]) in page
    assert not WellbeingMeasurement.objects.exists()  # skipped


def test_a_double_clicked_register_registers_one_card_and_lands_on_it(worker):
    first = worker.post(reverse(REGISTER), form())
    second = worker.post(reverse(REGISTER), form())
    assert Card.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert RegistrationKey.objects.count() == 1


def test_a_new_form_has_a_new_key(worker):
    keys = {
        re.search(r'name="key" value="([^"]+)"', text(worker.get(reverse(REGISTER)))).group(1)
        for _ in range(2)
    }
    assert len(keys) == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"birth_year": "2012"}, "must be born in 2010 or earlier"),
        ({"birth_year": "84"}, "four digits"),
        ({"birth_year": ""}, "Type the holder's birth year"),
        ({"postcode": "3310"}, "exactly five digits"),
        ({"children": "-1"}, "0 if none"),
        ({"children": "25"}, "from 0 to 20"),
        ({"delivery": ""}, "Choose a paper card, a mobile card or both."),
        ({"identifier": "ABC"}, "ten characters"),
    ],
)
def test_bad_input_is_refused_with_what_to_do(worker, overrides, message):
    response = worker.post(reverse(REGISTER), form(**overrides))
    assert response.status_code == 422
    assert message in text(response)
    assert not Card.objects.exists()


def test_a_typo_in_the_number_is_caught_by_its_check_character(worker):
    number = identifiers.generate()
    wrong = next(c for c in identifiers.ALPHABET if c != number[-1])
    response = worker.post(reverse(REGISTER), form(identifier=number[:-1] + wrong))
    assert response.status_code == 422
    assert "typing error" in text(response)


def test_a_number_already_registered_is_refused(worker, beta_card):
    response = worker.post(reverse(REGISTER), form(identifier=beta_card.display_identifier))
    assert response.status_code == 409
    assert "is already registered" in text(response)
    assert Card.objects.count() == 1


def test_a_number_of_another_regions_stock_is_refused(world, worker):
    batch = create_card_stock(actor=world.beta_coordinator, region=world.beta, size=1)
    number = batch.numbers.get().identifier
    response = worker.post(reverse(REGISTER), form(identifier=number.lower()))
    assert response.status_code == 422
    assert "card stock of Beetala" in text(response)
    own = create_card_stock(actor=world.alpha_coordinator, region=world.alpha, size=1)
    worker.post(
        reverse(REGISTER), form(identifier=own.numbers.get().identifier, key="key-two-0001")
    )
    assert Card.objects.get().identifier == own.numbers.get().identifier


def test_the_questionnaire_is_all_five_or_none(worker):
    partial = form(**{"wellbeing-who5_1": "3", "wellbeing-mood": "4"})
    response = worker.post(reverse(REGISTER), partial)
    assert response.status_code == 422
    page = text(response)
    # The service's one text for the rule, at the first statement left unanswered (no copy of the
    # rule in the form), and nothing recorded: a partial answer never silently becomes no answer.
    assert page.count("Answer all five WHO-5 statements, or leave all of them empty.") == 2
    assert 'href="#id_wellbeing-who5_2_0"' in page
    assert not Card.objects.exists()
    full = form(**{f"wellbeing-who5_{i}": str(i) for i in range(1, 6)}, **{"wellbeing-mood": "4"})
    worker.post(reverse(REGISTER), full)
    measurement = WellbeingMeasurement.objects.get()
    assert (measurement.who5_score, measurement.mood) == (60, 4)


def test_a_mobile_card_gets_its_link_shown_once(world, worker):
    response = worker.post(reverse(REGISTER), form(delivery="mobile"))
    card = Card.objects.get()
    page = text(worker.get(response["Location"]))
    found = re.search(r'href="(http://testserver/m/([A-Z0-9]+)/)"', page)
    assert found, page
    assert hand_over_for(found.group(2)).card == card
    assert card.identifier not in found.group(1)
    assert "<svg" in page.split("hand-over-qr")[1][:400]  # its QR code
    again = text(worker.get(reverse("web:card", args=[card.pk])))
    assert found.group(2) not in again  # shown once
    assert "A link was given on" in again


def test_a_new_link_revokes_the_old_and_a_revoked_link_opens_nothing(world, worker, alpha_card):
    url = reverse("web:card_hand_over", args=[alpha_card.pk])
    first = re.search(r"/m/([A-Z0-9]+)/", text(worker.get(worker.post(url)["Location"]))).group(1)
    second = re.search(r"/m/([A-Z0-9]+)/", text(worker.get(worker.post(url)["Location"]))).group(1)
    assert hand_over_for(first) is None
    assert hand_over_for(second) is not None
    worker.post(reverse("web:card_revoke_hand_over", args=[alpha_card.pk]))
    assert hand_over_for(second) is None
    assert not HandOver.objects.active().exists()
    assert worker.get(f"/m/{second}/").status_code == 404


def test_the_printed_card_from_the_page_reads_back_to_the_number(worker, alpha_card):
    response = worker.get(reverse("web:card_pdf", args=[alpha_card.pk]) + "?sheet=a4")
    assert response["Content-Type"] == "application/pdf"
    assert alpha_card.identifier not in response["Content-Disposition"]
    page = pypdfium2.PdfDocument(io.BytesIO(response.content))[0]
    found = {r.text for r in zxingcpp.read_barcodes(page.render(scale=4).to_pil())}
    assert found == {alpha_card.identifier}
    assert AuditEvent.objects.filter(action=Action.CARD_VIEWED, object_id=str(alpha_card.pk))


def test_the_offering_comes_in_the_clients_language(world, worker, alpha_card):
    world.alpha_venue.name_sv = "Alfala museum"
    world.alpha_venue.save()
    url = reverse("web:card_offering_pdf", args=[alpha_card.pk])
    swedish = worker.get(url + "?language=sv")
    document = pypdfium2.PdfDocument(io.BytesIO(swedish.content))
    content = document[0].get_textpage().get_text_range()
    assert "Alfala museum" in content
    assert "Beetalan teatteri" not in content


def test_update_changes_details_without_renewing(worker, alpha_card):
    url = reverse("web:card_update", args=[alpha_card.pk])
    page = text(worker.get(url))
    assert 'value="1980"' in page  # the present details, to change
    response = worker.post(url, form(children="3", birth_year="1980"))
    assert response["Location"] == reverse("web:card", args=[alpha_card.pk])
    alpha_card.refresh_from_db()
    assert alpha_card.children == 3
    assert alpha_card.renewed_on is None
    unchanged = worker.post(url, form(children="3", birth_year="1980"))
    assert unchanged.status_code == 422
    assert "Nothing was changed" in text(unchanged)


def test_renew_offers_the_questionnaire_again(world, worker):
    import datetime as dt

    from kaikukanta.cards.services import issue_card

    from ..conftest import on_day

    with on_day(dt.date(2025, 9, 1)):
        card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    url = reverse("web:card_renew", args=[card.pk])
    assert 'name="wellbeing-who5_1"' in text(worker.get(url))
    answers = {f"wellbeing-who5_{i}": "5" for i in range(1, 6)}
    response = worker.post(url, form(birth_year="1980", children="2", **answers))
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.valid_until.isoformat() == "2027-06-15"
    assert WellbeingMeasurement.objects.get(card=card).occasion == "renewal"


def test_renew_of_a_card_valid_for_a_year_says_it_changes_nothing(worker, alpha_card):
    response = worker.post(
        reverse("web:card_renew", args=[alpha_card.pk]), form(birth_year="1980", children="2")
    )
    # Nothing to extend and no detail changed: said so, rather than a renewal that changes nothing.
    assert response.status_code == 422
    assert "is already valid until" in text(response)
    alpha_card.refresh_from_db()
    assert alpha_card.renewed_on is None


def test_close_with_a_reason(worker, alpha_card):
    url = reverse("web:card_close", args=[alpha_card.pk])
    assert "lost" not in re.findall(r'value="([a-z_]+)"', text(worker.get(url)))
    refused = worker.post(url, {})
    assert refused.status_code == 422
    assert "Choose why the card is closed." in text(refused)
    worker.post(url, {"reason": "moved_away"})
    alpha_card.refresh_from_db()
    assert (alpha_card.is_closed, alpha_card.closing_reason) == (True, "moved_away")
    page = text(worker.get(reverse("web:card", args=[alpha_card.pk])))
    assert reverse("web:card_renew", args=[alpha_card.pk]) not in page


def test_replace_a_lost_card_links_the_history(worker, alpha_card):
    response = worker.post(reverse("web:card_replace", args=[alpha_card.pk]), {"identifier": ""})
    alpha_card.refresh_from_db()
    new = alpha_card.replaced_by
    assert response["Location"] == reverse("web:card", args=[new.pk]) + "?print=1"
    assert alpha_card.closing_reason == "lost"
    page = text(worker.get(response["Location"]))
    assert reverse("web:card", args=[alpha_card.pk]) in page  # "Replaces"


def test_another_sites_card_cannot_be_changed(client_as, alpha_card):
    other = client_as("alpha_other_distributor")
    for name in ("card_update", "card_renew", "card_close", "card_replace", "card_pdf"):
        assert other.get(reverse(f"web:{name}", args=[alpha_card.pk])).status_code == 404
    assert (
        other.post(reverse("web:card_close", args=[alpha_card.pk]), {"reason": "lost"}).status_code
        == 404
    )
    alpha_card.refresh_from_db()
    assert not alpha_card.is_closed


def test_the_card_page_prints_neither_wellbeing_nor_uses(world, worker):
    from django.contrib.staticfiles import finders

    from kaikukanta.cards.services import Wellbeing, issue_card

    card = issue_card(
        actor=world.alpha_distributor,
        site=world.alpha_site,
        holder=holder(),
        wellbeing=Wellbeing(who5=(1, 2, 3, 4, 5), mood=2),
    )
    page = text(worker.get(reverse("web:card", args=[card.pk])))
    for heading in ("wellbeing-heading", "uses-heading"):
        before = page[: page.index(f'<h2 id="{heading}"')]
        assert before.rstrip().endswith('<div class="no-print">'), heading
    with open(finders.find("kaikukanta/site.css")) as file:
        css = file.read()
    print_rules = "".join(re.findall(r"@media print \{(.*?)\n\}", css, re.S))
    assert re.search(r"\.no-print[^{]*\{\s*display: none", print_rules)


def test_community_card_register_renew_close_print(world, client_as):
    worker = client_as("alpha_other_distributor")
    response = worker.post(
        reverse("web:register_community_card"), {"key": "community-key-1", "identifier": ""}
    )
    card = Card.objects.get(card_type=CardType.COMMUNITY)
    assert card.issuing_site == world.alpha_other_site
    page = text(worker.get(response["Location"]))
    assert reverse("web:card_update", args=[card.pk]) not in page
    assert worker.get(reverse("web:card_pdf", args=[card.pk])).status_code == 200
    renewed = worker.post(reverse("web:card_renew", args=[card.pk]), {})
    assert renewed.status_code == 422  # valid for a year already
    assert "is already valid until" in text(renewed)
    worker.post(reverse("web:card_close", args=[card.pk]), {"reason": "on_request"})
    card.refresh_from_db()
    assert card.is_closed


def test_coordinator_generates_and_prints_a_batch(world, client_as):
    coordinator = client_as("alpha_coordinator")
    response = coordinator.post(reverse("web:card_stock"), {"region": world.alpha.pk, "size": "12"})
    batch = world.alpha.card_stocks.get()
    assert response["Location"] == reverse("web:card_stock_batch", args=[batch.pk])
    close_number = batch.numbers.first().identifier
    from kaikukanta.cards.services import issue_card

    card = issue_card(
        actor=world.alpha_distributor,
        site=world.alpha_site,
        holder=holder(),
        identifier=close_number,
    )
    close_card(actor=world.alpha_distributor, card=card, reason="lost")
    page = text(coordinator.get(response["Location"]))
    assert re.search(r"<dt>Registered</dt><dd>1</dd>", page)
    assert close_number not in page  # how many, never which
    sheets = coordinator.get(reverse("web:card_stock_pdf", args=[batch.pk]) + "?sheet=a4")
    assert len(pypdfium2.PdfDocument(io.BytesIO(sheets.content))) == 2
    refused = coordinator.post(reverse("web:card_stock"), {"region": world.beta.pk, "size": "5"})
    assert refused.status_code == 422  # not one of their regions to choose
    too_many = coordinator.post(
        reverse("web:card_stock"), {"region": world.alpha.pk, "size": "5000"}
    )
    assert "from 1 to 2000" in text(too_many)


def test_opening_a_cards_action_page_is_an_audited_look_up(worker, alpha_card):
    before = AuditEvent.objects.filter(action=Action.CARD_VIEWED).count()
    worker.get(reverse("web:card_update", args=[alpha_card.pk]))
    assert AuditEvent.objects.filter(action=Action.CARD_VIEWED).count() == before + 1


def test_printing_a_stock_batch_is_audited_without_its_numbers(world, client_as):
    batch = create_card_stock(actor=world.alpha_coordinator, region=world.alpha, size=3)
    response = client_as("alpha_coordinator").get(reverse("web:card_stock_pdf", args=[batch.pk]))
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(action="card_stock.printed")
    assert (event.actor, event.object_id, event.data) == (
        world.alpha_coordinator,
        str(batch.pk),
        {"numbers": 3},
    )


def test_every_fault_of_a_registration_is_shown_after_one_submit(world, worker):
    """What the form cannot read (a birth year that is no number) and every rule of the service
    (postcode, children, questionnaire, another region's number) come back together, each beside
    its field and as a link in the summary at the top."""
    stock = create_card_stock(actor=world.beta_coordinator, region=world.beta, size=1)
    response = worker.post(
        reverse(REGISTER),
        form(
            birth_year="nineteen",
            postcode="3310",
            children="21",
            identifier=stock.numbers.get().identifier,
            **{"wellbeing-who5_1": "3"},
        ),
    )
    assert response.status_code == 422
    page = text(response)
    summary = page.split("data-error-summary")[1].split("</div>")[0]
    assert "There is a problem" in summary
    for target, message in [
        ("id_birth_year", "Give the birth year as four digits, for example 1984."),
        ("id_postcode", "A Finnish postcode has exactly five digits, for example 33100."),
        ("id_children", "Give the number of the holder's own children and grandchildren under 18"),
        ("id_identifier", "card stock of Beetala"),
        ("id_wellbeing-who5_2_0", "Answer all five WHO-5 statements"),
    ]:
        assert re.search(rf'<a href="#{target}">[^<]*{re.escape(message)}', summary), target
        field_id = target.removesuffix("_0")
        assert re.search(rf'aria-describedby="[^"]*{field_id}_error"', page), field_id
        assert f'id="{field_id}_error"' in page
    assert 'aria-invalid="true"' in page
    assert not Card.objects.exists()


def test_a_worker_at_two_sites_gets_their_last_site_chosen(world, worker):
    RoleAssignment.objects.create(
        user=world.alpha_distributor,
        role=Role.DISTRIBUTOR_STAFF,
        distributor_site=world.alpha_other_site,
    )

    def chosen() -> str | None:
        select = text(worker.get(reverse(REGISTER))).split('name="site"')[1].split("</select>")[0]
        found = re.search(r'<option value="(\d+)" selected>', select)
        return found.group(1) if found else None

    assert chosen() is None  # nothing registered yet: the worker chooses
    response = worker.post(reverse(REGISTER), form(site=str(world.alpha_other_site.pk)))
    assert response.status_code == 302
    worker.logout()
    sign_in(worker, world.alpha_distributor)  # a new session: remembered in the database
    assert chosen() == str(world.alpha_other_site.pk)
    worker.post(reverse(REGISTER), form(site=str(world.alpha_site.pk), key="form-key-000002"))
    assert chosen() == str(world.alpha_site.pk)
