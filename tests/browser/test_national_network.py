"""The national administrator on a 360 px phone, by keyboard: creates a region (a pilot), makes an
existing person its culture side's responsible person, invites a new one for the social and health
side, and opens the pop-up venues and ticket agencies; axe-core on every page of the national
network and no sideways scrolling."""

import re

from django.core import mail

from kaikukanta.accounts.models import Role, RoleAssignment
from kaikukanta.network.models import Region

from .support import assert_accessible, assert_no_sideways_scroll, log_in

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}


def checked(page, what):
    assert_accessible(page, what)
    assert_no_sideways_scroll(page, what)


def press(page, locator, key="Enter"):
    locator.focus()
    page.keyboard.press(key)


def type_into(page, locator, text):
    locator.focus()
    page.keyboard.type(text)


def test_the_national_admin_creates_a_region_and_its_responsible_persons_by_keyboard(new_page):
    page = new_page(**PHONE)
    log_in(page, "kaikukeskus")
    page.wait_for_url("**/national/")
    press(page, page.get_by_role("link", name="Alueet ja niiden vastuuhenkilöt"))
    page.wait_for_url("**/national/regions/")
    checked(page, "regions list")

    press(page, page.get_by_role("link", name="Lisää alue"))
    page.wait_for_url("**/national/regions/new/")
    checked(page, "new region form")
    # Sent empty: each field says what to do.
    press(page, page.get_by_role("button", name="Tallenna"))
    page.locator(".field-error").first.wait_for()
    assert (
        page.locator("#id_municipalities_error")
        .get_by_text("Valitse vähintään yksi kunta.")
        .is_visible()
    )
    # ... and the summary at the top lists it as a link to the field.
    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("link", name="Valitse vähintään yksi kunta.").is_visible()
    checked(page, "new region form with errors")

    type_into(page, page.get_by_label("Nimi suomeksi"), "Testilä")
    type_into(page, page.get_by_label("Osoitenimi"), "testila")
    # The municipalities' filter, then the first one shown.
    type_into(page, page.get_by_label("Näytä kunnat, joiden nimessä on"), "Tampere")
    shown = page.locator("#municipality-choices label:visible")
    assert shown.count() >= 1
    assert "Tampere" in shown.first.inner_text()
    press(page, shown.first.locator("input"), "Space")
    press(page, page.get_by_role("radio", name="pilotti"), "Space")
    page.get_by_label("Pilotti alkaa").fill("2027-01-01")
    page.get_by_label("Pilotti päättyy").fill("2026-12-31")
    press(page, page.get_by_role("button", name="Tallenna"))
    page.get_by_text("Pilotti päättyy (31.12.2026) ennen kuin se alkaa (1.1.2027)").first.wait_for()
    checked(page, "region form with a pilot out of order")
    page.get_by_label("Pilotti päättyy").fill("2027-12-31")
    press(page, page.get_by_role("button", name="Tallenna"))
    page.wait_for_url(re.compile(r".*/national/regions/\d+/people/$"))
    region = Region.objects.get(slug="testila")
    assert region.is_pilot
    assert [m.name for m in region.municipalities.all()] == ["Tampere"]
    checked(page, "responsible persons page")

    press(page, page.locator("#id_role_0"), "Space")  # the culture side
    page.locator("#id_user").focus()
    page.locator("#id_user").select_option(index=1)
    press(page, page.get_by_role("button", name="Nimeä vastuuhenkilöksi"))
    page.get_by_text("vastuuhenkilö.", exact=False).first.wait_for()
    assert RoleAssignment.objects.filter(region=region, role=Role.COORDINATOR_CULTURE).exists()

    before = len(mail.outbox)
    press(page, page.locator("#id_invite-role_1"), "Space")  # the social and health side
    type_into(page, page.locator("#id_invite-email"), "uusi.vastaava@example.fi")
    type_into(page, page.locator("#id_invite-first_name"), "Uusi")
    type_into(page, page.locator("#id_invite-last_name"), "Vastaava")
    press(page, page.get_by_role("button", name="Lähetä kutsu"))
    page.get_by_text("Kutsu lähetettiin osoitteeseen uusi.vastaava@example.fi").wait_for()
    assert page.get_by_text(
        re.compile(r"kutsuttu, linkki voimassa \d+\.\d+\.\d{4} asti")
    ).is_visible()
    assert len(mail.outbox) == before + 1
    checked(page, "responsible persons page with two persons")

    # Removing a role, by keyboard.
    press(page, page.get_by_role("button", name="Poista henkilön Uusi Vastaava rooli"))
    page.get_by_text("Uusi Vastaava ei ole enää alueen Testilä vastuuhenkilö.").wait_for()
    assert not RoleAssignment.objects.filter(region=region, role=Role.COORDINATOR_SOTE).exists()


def test_the_national_admin_opens_the_pop_up_venues_and_ticket_agencies(new_page):
    page = new_page(**PHONE)
    log_in(page, "kaikukeskus")
    page.wait_for_url("**/national/")
    for path, what in [
        ("/national/pop-up-venues/", "pop-up venues"),
        ("/national/pop-up-venues/?state=running", "running pop-up venues"),
        ("/national/pop-up-venues/new/", "new pop-up venue"),
        ("/national/ticket-agencies/", "ticket agencies"),
        ("/national/ticket-agencies/new/", "new ticket agency"),
    ]:
        page.goto(path)
        checked(page, what)
    # The venues' filter shows only the matching ones.
    choices = page.locator("#venue-groups .choice-list label")
    name = choices.first.inner_text().strip()
    type_into(page, page.get_by_label("Näytä kohteet, joiden nimessä on"), name)
    assert choices.first.is_visible()
    assert 1 <= page.locator("#venue-groups .choice-list label:visible").count() < choices.count()
    page.goto(f"/national/regions/{Region.objects.order_by('pk').first().pk}/")
    checked(page, "region edit form")


def test_the_national_admin_adds_an_organisation_in_a_step_of_the_pop_up_form(new_page):
    """Half-way through a new pop-up venue, its organisation is not in the list: "Uusi organisaatio"
    opens the organisation's form, and saving it returns to the pop-up form with what was typed and
    the new organisation chosen; then the pop-up venue is saved. By keyboard, on a phone."""
    from kaikukanta.network.models import Organisation, Venue

    page = new_page(**PHONE)
    log_in(page, "kaikukeskus")
    page.wait_for_url("**/national/")
    page.goto("/national/pop-up-venues/new/")
    type_into(page, page.locator("#id_name"), "Kiertävä sirkus")
    type_into(page, page.locator("#id_name_sv"), "Turnerande cirkus")
    page.locator("#id_category").select_option("culture")
    page.locator("#id_active_from").fill("2027-03-01")
    page.locator("#id_active_until").fill("2027-05-31")
    press(page, page.get_by_role("button", name="Uusi organisaatio"))
    page.wait_for_url(re.compile(r".*/national/organisations/new/\?for=.+"))
    checked(page, "new organisation in a step of the pop-up form")
    press(page, page.get_by_role("button", name="Tallenna"))
    page.locator(".field-error").first.wait_for()
    assert (
        page.locator("#id_name_error").get_by_text("Anna organisaation nimi suomeksi.").is_visible()
    )
    checked(page, "new organisation with errors")
    type_into(page, page.locator("#id_name"), "Sirkusyhdistys ry")
    press(page, page.get_by_role("radio", name="järjestö tai säätiö"), "Space")
    press(page, page.get_by_role("button", name="Tallenna"))
    page.wait_for_url(re.compile(r".*/national/pop-up-venues/new/\?restore=.+"))
    organisation = Organisation.objects.get(name="Sirkusyhdistys ry")
    # What was typed is there, and the new organisation chosen.
    assert page.locator("#id_name").input_value() == "Kiertävä sirkus"
    assert page.locator("#id_name_sv").input_value() == "Turnerande cirkus"
    assert page.locator("#id_category").input_value() == "culture"
    assert page.locator("#id_active_from").input_value() == "2027-03-01"
    assert page.locator("#id_active_until").input_value() == "2027-05-31"
    assert page.locator("#id_organisation").input_value() == str(organisation.pk)
    checked(page, "pop-up form restored after the organisation step")
    press(page, page.get_by_role("button", name="Tallenna"))
    page.wait_for_url("**/national/pop-up-venues/")
    venue = Venue.objects.get(name="Kiertävä sirkus")
    assert venue.organisation == organisation
    assert venue.is_popup
    page.goto("/national/organisations/")
    checked(page, "organisations")
    page.goto("/catalogue/")
    assert page.get_by_text("1.3.2027 alkaen").first.is_visible()
    checked(page, "catalogue with an upcoming pop-up venue")
