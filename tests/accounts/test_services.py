"""Who may give whom which role, and deactivate whom: the national administrators anything; a
region's coordinators the staff of their own side of their own region."""

import pytest

from kaikukanta.accounts import services
from kaikukanta.accounts.errors import CannotDeactivateSelf, RoleAlreadyGranted, RoleTargetInvalid
from kaikukanta.accounts.models import Role, RoleAssignment, User
from kaikukanta.accounts.scope import scope_for
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.core.errors import NotAllowed

from ..conftest import sign_in


@pytest.fixture
def newcomer(db):
    return User.objects.create_user("newcomer")


def test_national_admin_grants_any_role_and_it_is_audited(world, newcomer):
    assignment = services.grant_role(
        actor=world.national, user=newcomer, role=Role.COORDINATOR_CULTURE, region=world.beta
    )
    assert scope_for(newcomer).coordinates(world.beta.pk)
    event = AuditEvent.objects.get(action=Action.ROLE_GRANTED)
    assert (event.actor, event.region, event.object_id) == (
        world.national,
        world.beta,
        str(assignment.pk),
    )


def test_coordinators_staff_their_own_side_of_their_own_region(world, newcomer):
    # The social and health coordinator staffs distributor sites, the culture one venues.
    services.grant_role(
        actor=world.alpha_sote_coordinator,
        user=newcomer,
        role=Role.DISTRIBUTOR_STAFF,
        distributor_site=world.alpha_site,
    )
    services.grant_role(
        actor=world.alpha_coordinator, user=newcomer, role=Role.VENUE_STAFF, venue=world.alpha_venue
    )
    for actor, role, target in [
        (
            world.alpha_coordinator,
            Role.DISTRIBUTOR_STAFF,
            {"distributor_site": world.alpha_other_site},
        ),
        (world.alpha_sote_coordinator, Role.VENUE_STAFF, {"venue": world.alpha_course_venue}),
        (
            world.alpha_sote_coordinator,
            Role.DISTRIBUTOR_STAFF,
            {"distributor_site": world.beta_site},
        ),
        (world.alpha_coordinator, Role.VENUE_STAFF, {"venue": world.popup}),
        (world.alpha_coordinator, Role.COORDINATOR_CULTURE, {"region": world.alpha}),
        (world.alpha_distributor, Role.DISTRIBUTOR_STAFF, {"distributor_site": world.alpha_site}),
    ]:
        with pytest.raises(NotAllowed):
            services.grant_role(actor=actor, user=newcomer, role=role, **target)
    assert RoleAssignment.objects.filter(user=newcomer).count() == 2


def test_a_role_names_exactly_its_place_and_is_granted_once(world, newcomer):
    with pytest.raises(RoleTargetInvalid) as raised:
        services.grant_role(
            actor=world.national, user=newcomer, role=Role.VENUE_STAFF, region=world.alpha
        )
    assert "constraint" not in raised.value.message.lower()
    services.grant_role(
        actor=world.national, user=newcomer, role=Role.VENUE_STAFF, venue=world.alpha_venue
    )
    with pytest.raises(RoleAlreadyGranted) as raised:
        services.grant_role(
            actor=world.national, user=newcomer, role=Role.VENUE_STAFF, venue=world.alpha_venue
        )
    assert raised.value.message == "newcomer already has this role."
    assert raised.value.status == 409


def test_revoking_a_role_takes_the_access_away_and_is_audited(world):
    assignment = world.alpha_venue_staff.role_assignments.get()
    with pytest.raises(NotAllowed):
        services.revoke_role(actor=world.beta_coordinator, assignment=assignment)
    services.revoke_role(actor=world.alpha_coordinator, assignment=assignment)
    assert not scope_for(User.objects.get(pk=world.alpha_venue_staff.pk)).venues
    assert AuditEvent.objects.filter(action=Action.ROLE_REVOKED, region=world.alpha).exists()


def test_deactivating_users(world):
    with pytest.raises(NotAllowed):  # a distributor's staff is the other side's business
        services.deactivate_user(actor=world.alpha_coordinator, user=world.alpha_distributor)
    with pytest.raises(NotAllowed):  # another region's
        services.deactivate_user(actor=world.beta_coordinator, user=world.alpha_venue_staff)
    with pytest.raises(CannotDeactivateSelf):
        services.deactivate_user(actor=world.national, user=world.national)
    services.deactivate_user(actor=world.alpha_coordinator, user=world.alpha_venue_staff)
    user = User.objects.get(pk=world.alpha_venue_staff.pk)
    assert not user.is_active
    assert scope_for(user) == scope_for(None)  # no access at all
    assert AuditEvent.objects.filter(
        action=Action.USER_DEACTIVATED, object_id=str(user.pk)
    ).exists()
    services.deactivate_user(actor=world.national, user=world.nobody)


def test_admin_grants_and_revokes_roles_through_the_services(client, world):
    sign_in(client, world.national)
    client.cookies["kaikukanta_language"] = "en"
    user = world.nobody
    url = f"/admin/accounts/user/{user.pk}/change/"
    form = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-role": "venue_staff",
        "role_assignments-0-region": world.alpha.pk,  # a venue role naming a region: refused
        "role_assignments-0-user": user.pk,
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Choose the role and exactly the one place it is for." in text
    assert "role_names_its_object" not in text  # no internal constraint name
    form["role_assignments-0-region"] = ""
    form["role_assignments-0-venue"] = world.alpha_venue.pk
    assert client.post(url, form).status_code == 302
    assignment = RoleAssignment.objects.get(user=user)
    form.update(
        {
            "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-0-id": assignment.pk,
            "role_assignments-0-DELETE": "on",
        }
    )
    assert client.post(url, form).status_code == 302
    assert not RoleAssignment.objects.filter(user=user).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="role.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [Action.ROLE_GRANTED, Action.ROLE_REVOKED]
