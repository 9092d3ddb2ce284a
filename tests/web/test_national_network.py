"""The national administrators' network pages: regions, responsible persons, pop-up venues and
ticket agencies, through the test client in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from kaikukanta.accounts.models import Role, RoleAssignment
from kaikukanta.api.services import create_agency_token
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.network.models import Municipality, Organisation, Region, TicketAgency, Venue

pytestmark = pytest.mark.django_db


def region_data(**overrides):
    values = {
        "name": "Gammala",
        "slug": "gamma",
        "status": "pilot",
        "pilot_starts": "2027-01-01",
        "pilot_ends": "2027-12-31",
        "municipalities": [Municipality.objects.get(code="901").pk],
    }
    values.update(overrides)
    return values


def test_the_regions_list_shows_status_county_municipalities_and_responsible_persons(
    world, client_as
):
    page = client_as("national").get(reverse("web:national_regions"))
    text = page.content.decode()
    assert "Alfala" in text
    assert "Beetala" in text
    assert "pilot 1.9.2025\u201331.12.2026" in text
    assert world.alpha_coordinator.display_name in text
    assert world.beta_coordinator.display_name in text


def test_a_new_region_is_saved_and_leads_to_its_responsible_persons(world, client_as):
    response = client_as("national").post(reverse("web:national_region_new"), region_data())
    region = Region.objects.get(slug="gamma")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:national_region_people", args=[region.pk])
    assert [m.code for m in region.municipalities.all()] == ["901"]
    assert (region.pilot_starts, region.pilot_ends) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert AuditEvent.objects.filter(
        action=Action.OBJECT_CREATED, object_type="network.region"
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pilot_ends": ""}, "A pilot needs its first and last day"),
        ({"pilot_ends": "2026-12-31"}, "The pilot ends (31.12.2026) before it starts (1.1.2027)"),
        ({"slug": "alpha"}, "Another region already has"),
        ({"municipalities": []}, "Choose at least one municipality."),
        ({"status": ""}, "Choose pilot or permanent."),
        ({"slug": "Not A Slug"}, "Use only lower-case letters, digits and hyphens"),
    ],
)
def test_a_region_with_a_fault_is_shown_again_with_a_message(world, client_as, overrides, message):
    response = client_as("national").post(
        reverse("web:national_region_new"), region_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Region.objects.filter(name="Gammala").exists()


def test_editing_a_region_keeps_its_municipalities_unless_changed(world, client_as):
    client = client_as("national")
    url = reverse("web:national_region", args=[world.beta.pk])
    page = client.get(url).content.decode()
    assert 'value="2025-09-01"' in page
    response = client.post(
        url,
        region_data(
            name="Beetala",
            slug="beta",
            status="permanent",
            pilot_starts="",
            pilot_ends="",
            municipalities=[Municipality.objects.get(code="902").pk],
        ),
    )
    assert response.status_code == 302
    world.beta.refresh_from_db()
    assert world.beta.status == "permanent"
    assert AuditEvent.objects.get(action=Action.OBJECT_CHANGED).data == {
        "fields": ["pilot_ends", "pilot_starts", "status"]
    }


def test_the_national_admin_assigns_and_removes_a_responsible_person(world, client_as):
    client = client_as("national")
    url = reverse("web:national_region_people", args=[world.beta.pk])
    response = client.post(
        url, {"assign": "1", "role": "coordinator_culture", "user": world.nobody.pk}, follow=True
    )
    assert "is now a responsible person of Beetala" in response.content.decode()
    assignment = RoleAssignment.objects.get(user=world.nobody, region=world.beta)
    assert assignment.role == Role.COORDINATOR_CULTURE
    # The same again: said beside the form.
    again = client.post(
        url, {"assign": "1", "role": "coordinator_culture", "user": world.nobody.pk}
    )
    assert "already has this role" in again.content.decode()
    remove = reverse("web:national_region_person_remove", args=[world.beta.pk, assignment.pk])
    response = client.post(remove, follow=True)
    assert "is no longer a responsible person of Beetala" in response.content.decode()
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action=Action.ROLE_REVOKED, region=world.beta).exists()
    # A staff role is not removed here.
    staff = world.beta_venue_staff.role_assignments.get()
    assert (
        client.post(
            reverse("web:national_region_person_remove", args=[world.beta.pk, staff.pk])
        ).status_code
        == 404
    )


def test_the_national_admin_invites_a_new_responsible_person(
    world, client_as, django_capture_on_commit_callbacks
):
    client = client_as("national")
    url = reverse("web:national_region_people", args=[world.alpha.pk])
    empty = client.post(url, {"invite": "1"})
    assert "This field is required." in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "invite": "1",
                "invite-role": "coordinator_sote",
                "invite-email": "vastaava@example.fi",
                "invite-first_name": "Vilja",
                "invite-last_name": "Vastaava",
            },
        )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user__email="vastaava@example.fi")
    assert (assignment.role, assignment.region) == (Role.COORDINATOR_SOTE, world.alpha)
    assert "/invitation/" in mail.outbox[-1].body
    page = client.get(url).content.decode()
    assert "Vilja Vastaava" in page
    assert "invited, link valid until " in page


def test_pop_up_venues_are_listed_with_their_state_and_filtered(world, client_as):
    museum = Organisation.objects.get(name="Museo")
    Venue.objects.create(
        organisation=museum,
        name="Vanha pop-up",
        category="culture",
        is_popup=True,
        active_from=dt.date(2025, 1, 1),
        active_until=dt.date(2025, 12, 31),
    )
    client = client_as("national")
    page = client.get(reverse("web:national_popups")).content.decode()
    assert "Pop-up-museo" in page
    assert "Vanha pop-up" in page
    assert "running" in page
    assert "ended" in page
    ended = client.get(reverse("web:national_popups"), {"state": "ended"}).content.decode()
    assert "Vanha pop-up" in ended
    assert "Pop-up-museo" not in ended
    found = client.get(reverse("web:national_popups"), {"q": "museo"}).content.decode()
    assert "Pop-up-museo" in found
    assert "Vanha pop-up" not in found


def test_a_pop_up_venue_is_added_with_its_period_in_order(world, client_as):
    client = client_as("national")
    data = {
        "name": "Kesäteatteri",
        "organisation": Organisation.objects.get(name="Museo").pk,
        "category": "culture",
        "active_from": "2027-06-01",
        "active_until": "2027-05-01",
    }
    wrong = client.post(reverse("web:national_popup_new"), data)
    assert "The last day (1.5.2027) is before the first (1.6.2027)" in wrong.content.decode()
    missing = client.post(reverse("web:national_popup_new"), {**data, "active_until": ""})
    assert "Give the last day." in missing.content.decode()
    response = client.post(
        reverse("web:national_popup_new"), {**data, "active_until": "2027-08-31"}
    )
    assert response.status_code == 302
    venue = Venue.objects.get(name="Kesäteatteri")
    assert (venue.is_popup, venue.region) == (True, None)


def test_a_ticket_agency_sells_for_venues_grouped_by_region(world, client_as):
    client = client_as("national")
    page = client.get(reverse("web:national_agency_new")).content.decode()
    assert page.index("<legend>Alfala</legend>") < page.index("<legend>Beetala</legend>")
    assert page.index("<legend>Beetala</legend>") < page.index("<legend>Pop-up venues</legend>")
    response = client.post(
        reverse("web:national_agency_new"),
        {
            "name": "Lippupiste",
            "organisation": Organisation.objects.get(name="Museo").pk,
            "venues": [world.alpha_venue.pk, world.popup.pk],
        },
    )
    assert response.status_code == 302
    agency = TicketAgency.objects.get(name="Lippupiste")
    assert set(agency.venues.all()) == {world.alpha_venue, world.popup}
    create_agency_token(
        actor=world.national, agency=agency, venues=[world.alpha_venue], name="Kassa", verified=True
    )
    listed = client.get(reverse("web:national_agencies")).content.decode()
    assert re.search(
        rf'<td>1 · <a href="/national/ticket-agencies/{agency.pk}/#tokens">API tokens', listed
    )
    # The agency's own account is not offered as a region's responsible person.
    people = client.get(reverse("web:national_region_people", args=[world.alpha.pk]))
    assert "agency-" not in people.content.decode()
    assert "Lippupiste" in listed
    assert "Alfalan museo" in listed


def test_an_organisation_is_made_in_a_step_of_the_pop_up_form_without_losing_what_was_typed(
    world, client_as
):
    """The pop-up form's "New organisation" button parks what was typed; the organisation's form
    returns to the pop-up form with it, and with the new organisation chosen."""
    client = client_as("national")
    typed = {
        "name": "Kesäteatteri",
        "name_sv": "Sommarteatern",
        "category": "culture",
        "active_from": "2027-03-01",
        "active_until": "2027-08-31",
        "organisation": "",
        "new_organisation": "1",
    }
    response = client.post(reverse("web:national_popup_new"), typed)
    assert response.status_code == 302
    step = response["Location"]
    assert step.startswith(reverse("web:national_organisation_new") + "?for=")
    assert "Kes" not in step  # what was typed stays in the session, not in the address
    page = client.get(step).content.decode()
    assert "you return to the form you were filling in" in page
    missing = client.post(step, {"name": "", "kind": ""}).content.decode()
    assert "Give the organisation&#x27;s name in Finnish." in missing
    response = client.post(step, {"name": "Kesäteatteri ry", "kind": "third_sector"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Kesäteatteri ry")
    assert response["Location"].startswith(reverse("web:national_popup_new") + "?restore=")
    back = client.get(response["Location"])
    form = back.context["form"]
    assert not form.is_bound  # shown again, not refused
    assert str(form["name"].value()) == "Kesäteatteri"
    assert str(form["name_sv"].value()) == "Sommarteatern"
    assert str(form["active_from"].value()) == "2027-03-01"
    assert str(form["organisation"].value()) == str(organisation.pk)
    html = back.content.decode()
    assert 'value="Kesäteatteri"' in html
    assert f'<option value="{organisation.pk}" selected>' in html
    assert AuditEvent.objects.filter(
        action="object.created", object_id=str(organisation.pk)
    ).exists()
    # Saved from there, the pop-up venue is the new organisation's.
    client.post(
        reverse("web:national_popup_new"),
        {key: value for key, value in typed.items() if key != "new_organisation"}
        | {"organisation": organisation.pk},
    )
    assert Venue.objects.get(name="Kesäteatteri").organisation == organisation


def test_the_agency_form_keeps_its_venues_through_the_organisation_step(world, client_as):
    client = client_as("national")
    response = client.post(
        reverse("web:national_agency_new"),
        {
            "name": "Lippuluukku",
            "venues": [world.alpha_venue.pk, world.popup.pk],
            "new_organisation": "1",
        },
    )
    step = response["Location"]
    cancel = client.get(step).context["back"]
    assert cancel.startswith(reverse("web:national_agency_new") + "?restore=")
    response = client.post(step, {"name": "Lippuluukku Oy", "kind": "company"})
    form = client.get(response["Location"]).context["form"]
    assert str(form["name"].value()) == "Lippuluukku"
    assert sorted(map(int, form["venues"].value())) == sorted(
        [world.alpha_venue.pk, world.popup.pk]
    )
    assert str(form["organisation"].value()) == str(
        Organisation.objects.get(name="Lippuluukku Oy").pk
    )


def test_organisations_are_listed_and_only_national_administrators_make_them(world, client_as):
    listed = client_as("national").get(reverse("web:national_organisations")).content.decode()
    assert "Yhdistys ry" in listed
    assert (
        client_as("alpha_coordinator")
        .post(reverse("web:national_organisation_new"), {"name": "X", "kind": "company"})
        .status_code
        == 403
    )
    assert not Organisation.objects.filter(name="X").exists()


def test_an_agencys_token_is_made_on_its_own_page_for_the_venues_it_sells_for(world, client_as):
    agency = TicketAgency.objects.create(
        name="Lippupalvelu", organisation=Organisation.objects.get(name="Museo")
    )
    agency.venues.set([world.alpha_venue, world.popup])
    client = client_as("national")
    url = reverse("web:national_agency", args=[agency.pk])
    page = client.get(url)
    offered = {venue.pk for venue in page.context["token_form"].fields["venues"].queryset}
    assert offered == {world.alpha_venue.pk, world.popup.pk}  # not the beta venue
    refused = client.post(
        url, {"kind": "token", "token-name": "Verkkokauppa", "token-venues": [world.beta_venue.pk]}
    )
    assert refused.status_code == 422
    assert "Select a valid choice" in refused.content.decode()
    made = client.post(
        url, {"kind": "token", "token-name": "Verkkokauppa", "token-venues": [world.alpha_venue.pk]}
    )
    assert made.status_code == 201
    assert "it is shown this once" in made.content.decode()
    token = agency.api_tokens.get()
    assert list(token.venues.all()) == [world.alpha_venue]
    assert agency.name == TicketAgency.objects.get(pk=agency.pk).name  # the agency is unchanged
    # The coordinator's token page offers, for the agency, only the venues it sells for there.
    coordinator = client_as("alpha_coordinator")
    form = coordinator.get(reverse("web:venue_api_tokens"), {"agency": agency.pk}).context[
        "agency_form"
    ]
    assert {v.pk for v in form.fields["venues"].queryset} == {world.alpha_venue.pk}
    assert form["agency"].value() == agency.pk
    listed = coordinator.get(reverse("web:venue_api_tokens")).content.decode()
    assert f'href="?agency={agency.pk}#agency-token-heading"' in listed
