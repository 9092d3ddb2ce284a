"""The culture / social-and-health split (docs/architecture-rules.md): each regional coordinator acts
on their own side only, in every service; a coordinator of the other side in their own region is told
whose work it is (by role, region and name), anyone else is plainly refused."""

from __future__ import annotations

import pytest
from django.utils import translation

from kaikukanta.accounts.errors import OtherSidesWork
from kaikukanta.accounts.models import Role
from kaikukanta.accounts.permissions import can_keep_venue, side_refused
from kaikukanta.accounts.scope import CULTURE, SOTE, scope_for
from kaikukanta.accounts.services import grant_role
from kaikukanta.api.services import create_agency_token
from kaikukanta.core.errors import DomainError
from kaikukanta.events.services import create_event, set_sold_out, update_event
from kaikukanta.network.catalogue import NotYourCatalogueEntry, update_venue_entry
from kaikukanta.network.models import TicketAgency

from ..conftest import make_user


def test_a_coordinators_role_covers_one_side_of_one_region(world):
    culture = scope_for(world.alpha_coordinator)
    sote = scope_for(world.alpha_sote_coordinator)
    assert culture.covers(CULTURE, world.alpha.pk)
    assert not culture.covers(SOTE, world.alpha.pk)
    assert sote.covers(SOTE, world.alpha.pk)
    assert not sote.covers(CULTURE, world.alpha.pk)
    assert not culture.covers(CULTURE, world.beta.pk)
    assert scope_for(world.national).covers(CULTURE, None)  # pop-up venues: national
    assert not culture.covers(CULTURE, None)


def test_venues_own_work_is_the_venues_staff_and_its_culture_coordinators(world):
    assert can_keep_venue(world.alpha_venue_staff, world.alpha_venue)
    assert can_keep_venue(world.alpha_coordinator, world.alpha_venue)
    assert can_keep_venue(world.national, world.popup)
    for user in (world.alpha_sote_coordinator, world.beta_coordinator, world.beta_venue_staff):
        assert not can_keep_venue(user, world.alpha_venue)
    # Only a coordinator of the venue's own region is told it is the other side's work.
    assert side_refused(world.alpha_sote_coordinator, CULTURE, world.alpha.pk)
    assert not side_refused(world.beta_coordinator, CULTURE, world.alpha.pk)
    assert not side_refused(world.alpha_coordinator, CULTURE, world.alpha.pk)


def _refusals(world, actor):
    """Each of the venue's own works, tried by `actor`: the error raised."""
    agency = TicketAgency.objects.create(organisation=world.alpha_venue.organisation, name="Lippu")
    agency.venues.add(world.alpha_venue)
    event = create_event(actor=world.alpha_venue_staff, venue=world.alpha_venue, title="Konsertti")
    attempts = [
        lambda: update_venue_entry(actor=actor, venue=world.alpha_venue, values={"web_link": ""}),
        lambda: create_event(actor=actor, venue=world.alpha_venue, title="Näyttely"),
        lambda: update_event(actor=actor, event=event, title="Muu"),
        lambda: set_sold_out(actor=actor, event=event),
        lambda: create_agency_token(
            actor=actor, agency=agency, venues=[world.alpha_venue], name="x", verified=True
        ),
        lambda: grant_role(
            actor=actor,
            user=make_user("uusi"),
            role=Role.VENUE_STAFF,
            venue=world.alpha_venue,
        ),
    ]
    errors = []
    for attempt in attempts:
        with pytest.raises(DomainError) as refused:
            attempt()
        errors.append(refused.value)
    return errors


def test_the_social_and_health_coordinator_is_told_whose_work_a_venues_is(world):
    errors = _refusals(world, world.alpha_sote_coordinator)
    assert all(isinstance(error, OtherSidesWork) for error in errors), errors
    assert {error.code for error in errors} == {"other_sides_work"}
    name = world.alpha_coordinator.display_name
    with translation.override("en"):
        assert errors[0].message == (
            "This is the culture side's work: venues, their staff, catalogue entries, events and "
            f"ticket agencies' access. In Alfala it is done by the region's culture coordinator: "
            f"{name}."
        )
    with translation.override("fi"):
        assert "kulttuuri" in errors[0].message
        assert name in errors[0].message
    with translation.override("sv"):
        assert "kultur" in errors[0].message
        assert "Alfby" in errors[0].message
    # Never "ask your region's coordinator": that is the reader themselves.
    with translation.override("en"):
        assert all("your region" not in error.message for error in errors)


def test_another_regions_coordinator_is_refused_without_being_told_more(world):
    errors = _refusals(world, world.beta_coordinator)
    assert not any(isinstance(error, OtherSidesWork) for error in errors)
    assert isinstance(errors[0], NotYourCatalogueEntry)


def test_the_culture_side_named_when_it_has_no_coordinator_yet(world):
    world.alpha_coordinator.is_active = False
    world.alpha_coordinator.save()
    error = OtherSidesWork(side=CULTURE, region=world.alpha)
    with translation.override("en"):
        assert "no one named yet" in error.message
        assert world.alpha_coordinator.display_name not in error.message
    # And the other way round: a site's staff are the social and health side's.
    error = OtherSidesWork(side=SOTE, region=world.alpha)
    with translation.override("en"):
        assert "social and health coordinator: alpha_sote." in error.message


def test_the_catalogue_list_tells_the_other_side_whose_the_venues_entries_are(world, client_as):
    from django.urls import reverse

    page = client_as("alpha_sote_coordinator").get(
        reverse("web:catalogue_entries"), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert reverse("web:catalogue_venue", args=[world.alpha_venue.pk]) not in text
    assert reverse("web:catalogue_region", args=["alpha"]) in text  # the introduction is shared
    assert f"culture coordinator: {world.alpha_coordinator.display_name}." in text
    text = client_as("alpha_coordinator").get(reverse("web:catalogue_entries")).content.decode()
    assert reverse("web:catalogue_venue", args=[world.alpha_venue.pk]) in text


def test_the_other_sides_staff_accounts_are_that_sides_coordinators(world):
    from kaikukanta.accounts.services import deactivate_user, reset_two_factor

    for action in (deactivate_user, reset_two_factor):
        with pytest.raises(OtherSidesWork) as refused:
            action(actor=world.alpha_sote_coordinator, user=world.alpha_venue_staff)
        assert refused.value.side == CULTURE
        with pytest.raises(OtherSidesWork) as refused:
            action(actor=world.alpha_coordinator, user=world.alpha_distributor)
        assert refused.value.side == SOTE
        # Another region's staff: plainly not theirs, nothing told.
        with pytest.raises(DomainError) as refused:
            action(actor=world.beta_coordinator, user=world.alpha_distributor)
        assert not isinstance(refused.value, OtherSidesWork)
