"""The national administrators' network (issue 9): regions and their pilot periods, the responsible
persons of a region's two sides, pop-up venues' periods and the venues a ticket agency sells for."""

import datetime as dt

import pytest
from django.core import mail

from kaikukanta.accounts.errors import RoleAlreadyGranted
from kaikukanta.accounts.models import Invitation, Role, RoleAssignment
from kaikukanta.api.services import create_agency_token
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.core.errors import NotAllowed
from kaikukanta.network import services
from kaikukanta.network.errors import (
    NotCoordinatorRole,
    PilotPeriodMissing,
    PilotPeriodOutOfOrder,
    PopupPeriodMissing,
    SlugTaken,
    VenuePeriodOutOfOrder,
)
from kaikukanta.network.models import Municipality, Organisation, Region, TicketAgency, Venue

NOT_NATIONAL = [
    "alpha_coordinator",
    "alpha_sote_coordinator",
    "alpha_distributor",
    "alpha_venue_staff",
    "nobody",
]


def _pilot(**overrides):
    values = {
        "name": "Gammala",
        "slug": "gamma",
        "status": "pilot",
        "pilot_starts": dt.date(2027, 1, 1),
        "pilot_ends": dt.date(2027, 12, 31),
    }
    return Region(**{**values, **overrides})


def test_the_national_admin_creates_a_pilot_region_with_its_municipalities(world):
    municipality = Municipality.objects.create(code="903", name="Gammala")
    region = services.save_region(
        actor=world.national,
        region=_pilot(),
        municipalities=[municipality],
        changed=["name", "slug", "status", "municipalities"],
    )
    assert list(region.municipalities.all()) == [municipality]
    event = AuditEvent.objects.get(action=Action.OBJECT_CREATED, object_type="network.region")
    assert (event.object_id, event.region, event.data) == (
        str(region.pk),
        region,
        {"fields": ["municipalities", "name", "slug", "status"]},
    )


def test_a_pilot_made_permanent_loses_its_dates_and_the_audit_names_them(world):
    region = services.save_region(actor=world.national, region=_pilot(), municipalities=[])
    region = Region.objects.get(pk=region.pk)
    region.status = "permanent"
    services.save_region(actor=world.national, region=region, municipalities=[], changed=["status"])
    region.refresh_from_db()
    assert (region.pilot_starts, region.pilot_ends) == (None, None)
    event = AuditEvent.objects.filter(
        action=Action.OBJECT_CHANGED, object_type="network.region"
    ).latest("pk")
    assert event.data == {"fields": ["pilot_ends", "pilot_starts", "status"]}


@pytest.mark.parametrize("role", NOT_NATIONAL)
def test_only_national_admins_save_regions(world, role):
    with pytest.raises(NotAllowed):
        services.save_region(actor=getattr(world, role), region=_pilot(), municipalities=[])
    assert not Region.objects.filter(slug="gamma").exists()


@pytest.mark.parametrize(
    ("dates", "error", "field"),
    [
        ({"pilot_starts": None}, PilotPeriodMissing, "pilot_starts"),
        ({"pilot_ends": None}, PilotPeriodMissing, "pilot_ends"),
        ({"pilot_ends": dt.date(2026, 12, 31)}, PilotPeriodOutOfOrder, "pilot_ends"),
    ],
)
def test_a_pilot_needs_its_period_in_order(world, dates, error, field):
    with pytest.raises(error) as raised:
        services.save_region(actor=world.national, region=_pilot(**dates), municipalities=[])
    assert raised.value.field == field
    assert "Give" in raised.value.message
    assert not AuditEvent.objects.exists()


def test_a_permanent_region_keeps_no_pilot_dates(world):
    region = world.beta
    region.status = Region.Status.PERMANENT
    services.save_region(
        actor=world.national, region=region, municipalities=region.municipalities.all()
    )
    region.refresh_from_db()
    assert (region.pilot_starts, region.pilot_ends) == (None, None)


def test_two_regions_do_not_share_an_address_name(world):
    with pytest.raises(SlugTaken) as raised:
        services.save_region(actor=world.national, region=_pilot(slug="alpha"), municipalities=[])
    assert raised.value.field == "slug"
    assert "alpha" in raised.value.message


def test_a_municipality_may_be_in_two_regions_as_the_model_allows(world):
    shared = world.alpha.municipalities.get()
    region = services.save_region(actor=world.national, region=_pilot(), municipalities=[shared])
    assert set(shared.regions.all()) == {world.alpha, region}


# --- responsible persons ---------------------------------------------------------------------------


def test_the_national_admin_makes_a_person_the_regions_culture_side_and_removes_the_role(world):
    person = world.beta_venue_staff
    assignment = services.assign_responsible_person(
        actor=world.national, region=world.alpha, side=Role.COORDINATOR_CULTURE, user=person
    )
    assert (assignment.role, assignment.region) == (Role.COORDINATOR_CULTURE, world.alpha)
    granted = AuditEvent.objects.get(action=Action.ROLE_GRANTED)
    assert granted.data == {"user": person.pk, "role": "coordinator_culture"}
    with pytest.raises(RoleAlreadyGranted):
        services.assign_responsible_person(
            actor=world.national, region=world.alpha, side=Role.COORDINATOR_CULTURE, user=person
        )
    services.remove_responsible_person(actor=world.national, assignment=assignment)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    revoked = AuditEvent.objects.get(action=Action.ROLE_REVOKED)
    assert (revoked.region, revoked.data) == (
        world.alpha,
        {"user": person.pk, "role": "coordinator_culture"},
    )
    # The person's other roles stay.
    assert person.role_assignments.filter(role=Role.VENUE_STAFF).exists()


def test_a_responsible_person_is_a_coordinator_of_one_side_only(world):
    with pytest.raises(NotCoordinatorRole):
        services.assign_responsible_person(
            actor=world.national, region=world.alpha, side=Role.NATIONAL_ADMIN, user=world.nobody
        )
    staff = world.alpha_venue_staff.role_assignments.get()
    with pytest.raises(NotCoordinatorRole):
        services.remove_responsible_person(actor=world.national, assignment=staff)


@pytest.mark.parametrize("role", NOT_NATIONAL)
def test_only_national_admins_assign_and_remove_responsible_persons(world, role):
    actor = getattr(world, role)
    with pytest.raises(NotAllowed):
        services.assign_responsible_person(
            actor=actor, region=world.alpha, side=Role.COORDINATOR_SOTE, user=world.nobody
        )
    with pytest.raises(NotAllowed):
        services.remove_responsible_person(
            actor=actor, assignment=world.alpha_coordinator.role_assignments.get()
        )


def test_a_new_responsible_person_is_invited_by_email(world):
    user, invitation = services.invite_responsible_person(
        actor=world.national,
        region=world.beta,
        side=Role.COORDINATOR_SOTE,
        email="Uusi.Vastaava@Example.fi",
        first_name="Uusi",
        last_name="Vastaava",
        link_for=lambda secret: f"https://example.fi/invitation/{secret}/",
    )
    assert user.role_assignments.get().region == world.beta
    assert not user.has_usable_password()
    assert (invitation.expires_at - invitation.created_at) == dt.timedelta(days=7)
    assert Invitation.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.ROLE_GRANTED, region=world.beta).exists()


def test_the_invitation_mail_goes_once_the_change_is_committed(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_responsible_person(
            actor=world.national,
            region=world.alpha,
            side=Role.COORDINATOR_CULTURE,
            email="kulttuuri@example.fi",
            first_name="Kulttuuri",
            last_name="Vastaava",
            link_for=lambda secret: f"https://example.fi/invitation/{secret}/",
        )
    assert [m.to for m in mail.outbox] == [["kulttuuri@example.fi"]]


# --- pop-up venues ---------------------------------------------------------------------------------


def _popup(**overrides):
    values = {
        "organisation": Organisation.objects.get(name="Museo"),
        "name": "Kesäteatteri",
        "category": "culture",
        "is_popup": True,
        "active_from": dt.date(2027, 6, 1),
        "active_until": dt.date(2027, 8, 31),
    }
    return Venue(**{**values, **overrides})


def test_the_national_admin_adds_a_pop_up_venue_with_its_period(world):
    venue = services.save_venue(actor=world.national, venue=_popup(), changed=["name"])
    assert venue.region is None
    assert AuditEvent.objects.filter(action=Action.OBJECT_CREATED, object_id=str(venue.pk)).exists()
    with pytest.raises(NotAllowed):
        services.save_venue(actor=world.alpha_coordinator, venue=_popup(name="Toinen"))


@pytest.mark.parametrize(
    ("period", "error", "field"),
    [
        ({"active_from": None}, PopupPeriodMissing, "active_from"),
        ({"active_until": None}, PopupPeriodMissing, "active_until"),
        ({"active_until": dt.date(2027, 5, 31)}, VenuePeriodOutOfOrder, "active_until"),
    ],
)
def test_a_pop_up_venue_needs_its_period_in_order(world, period, error, field):
    with pytest.raises(error) as raised:
        services.save_venue(actor=world.national, venue=_popup(**period))
    assert raised.value.field == field
    assert not AuditEvent.objects.exists()


def test_a_regions_venue_period_runs_forwards_too(world):
    venue = world.alpha_venue
    venue.active_from, venue.active_until = dt.date(2027, 2, 1), dt.date(2027, 1, 1)
    with pytest.raises(VenuePeriodOutOfOrder):
        services.save_venue(actor=world.alpha_coordinator, venue=venue)


# --- ticket agencies -------------------------------------------------------------------------------


def test_the_national_admin_chooses_the_venues_an_agency_sells_for(world):
    organisation = Organisation.objects.get(name="Museo")
    agency = services.save_ticket_agency(
        actor=world.national,
        agency=TicketAgency(organisation=organisation, name="Lippupiste"),
        venues=[world.alpha_venue, world.popup],
        changed=["name", "organisation", "venues"],
    )
    assert set(agency.venues.all()) == {world.alpha_venue, world.popup}
    created = AuditEvent.objects.get(action=Action.OBJECT_CREATED)
    assert created.data == {
        "fields": ["name", "organisation", "venues"],
        "venues_added": sorted([world.alpha_venue.pk, world.popup.pk]),
        "venues_removed": [],
    }
    # A token of the agency acts only while the agency sells for the venue.
    token, _secret = create_agency_token(
        actor=world.alpha_coordinator,
        agency=agency,
        venues=[world.alpha_venue],
        name="Kassa",
        verified=True,
    )
    services.save_ticket_agency(
        actor=world.national, agency=agency, venues=[world.beta_venue], changed=["venues"]
    )
    assert list(agency.venues.all()) == [world.beta_venue]
    changed = AuditEvent.objects.get(
        action=Action.OBJECT_CHANGED, object_type="network.ticketagency"
    )
    assert changed.data["venues_removed"] == sorted([world.alpha_venue.pk, world.popup.pk])
    assert changed.data["venues_added"] == [world.beta_venue.pk]
    assert not token.venues.filter(ticket_agencies=agency).exists()


@pytest.mark.parametrize("role", NOT_NATIONAL)
def test_only_national_admins_save_ticket_agencies(world, role):
    organisation = Organisation.objects.get(name="Museo")
    with pytest.raises(NotAllowed):
        services.save_ticket_agency(
            actor=getattr(world, role),
            agency=TicketAgency(organisation=organisation, name="Lippupiste"),
            venues=[],
        )
    assert not TicketAgency.objects.exists()
