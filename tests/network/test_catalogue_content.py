"""Keeping the catalogue's content: who may edit which entry, and what is recorded."""

import pytest
from django.urls import reverse

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.network.catalogue import (
    NotYourCatalogueEntry,
    editable_venues,
    update_region_description,
    update_venue_entry,
)


def test_a_venue_edits_its_own_entry_and_the_change_is_audited_without_values(world):
    update_venue_entry(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        values={"description": "Uusi kuvaus", "offers_entry": True, "name": "ignored"},
    )
    world.alpha_venue.refresh_from_db()
    assert world.alpha_venue.description == "Uusi kuvaus"
    assert world.alpha_venue.offers_entry is True
    assert world.alpha_venue.name == "Alfalan museo"  # not a catalogue field
    event = AuditEvent.objects.get(action=Action.CATALOGUE_CHANGED)
    assert event.data == {"fields": ["description", "offers_entry"]}
    assert "Uusi kuvaus" not in str(event.data)


@pytest.mark.parametrize(
    ("role", "venue", "allowed"),
    [
        ("alpha_venue_staff", "alpha_venue", True),
        ("alpha_venue_staff", "alpha_course_venue", False),
        ("alpha_coordinator", "alpha_course_venue", True),
        ("alpha_coordinator", "beta_venue", False),
        ("alpha_coordinator", "popup", False),
        ("popup_staff", "popup", True),
        ("national", "popup", True),
        ("alpha_distributor", "alpha_venue", False),
    ],
)
def test_who_edits_which_entry(world, role, venue, allowed):
    user, target = getattr(world, role), getattr(world, venue)
    assert (target in editable_venues(user)) is allowed
    if allowed:
        update_venue_entry(actor=user, venue=target, values={"location": "Katu 1"})
    else:
        with pytest.raises(NotYourCatalogueEntry):
            update_venue_entry(actor=user, venue=target, values={"location": "Katu 1"})


def test_region_introduction_by_its_coordinators(world):
    update_region_description(
        actor=world.alpha_coordinator, region=world.alpha, values={"description_sv": "Välkommen"}
    )
    world.alpha.refresh_from_db()
    assert world.alpha.description_sv == "Välkommen"
    with pytest.raises(NotYourCatalogueEntry):
        update_region_description(
            actor=world.beta_coordinator, region=world.alpha, values={"description": "x"}
        )


def test_the_entry_page_saves_and_explains_a_bad_link(world, client_as):
    client = client_as("alpha_venue_staff")
    url = reverse("web:catalogue_venue", args=[world.alpha_venue.pk])
    response = client.post(url, {"web_link": "not a link", "child_tickets": "on"})
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    response = client.post(
        url, {"web_link": "https://museo.example/", "description": "Kuvaus", "child_tickets": "on"}
    )
    assert response.status_code == 302
    world.alpha_venue.refresh_from_db()
    assert world.alpha_venue.web_link == "https://museo.example/"
