"""Who sees what: every registry queryset through `visible_to(user)`, and the pages and admin on top.

The rule of thumb: a user of another region, site or venue sees nothing of this one."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from kaikukanta.accounts.models import Role, RoleAssignment
from kaikukanta.audit.models import AuditEvent, Flag
from kaikukanta.cards.models import Card, WellbeingMeasurement
from kaikukanta.cards.services import Wellbeing, issue_card, issue_community_card
from kaikukanta.events.models import Event
from kaikukanta.events.services import create_event
from kaikukanta.network.models import DistributorSite, Organisation, Region, TicketAgency, Venue
from kaikukanta.uses.models import GroupVisit, Use
from kaikukanta.uses.services import record_group_visit, record_use

from .conftest import PASSWORD, holder, new_key, pass_two_factor, sign_in


@pytest.fixture
def data(world, alpha_card, beta_card, community_card):
    alpha_use = record_use(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        card_identifier=alpha_card.identifier,
        idempotency_key=new_key(),
    ).use
    beta_use = record_use(
        actor=world.beta_venue_staff,
        venue=world.beta_venue,
        card_identifier=beta_card.identifier,
        idempotency_key=new_key(),
    ).use
    # An alpha card used at beta's venue: both regions' coordinators see it, the venue sees it.
    travel_use = record_use(
        actor=world.beta_venue_staff,
        venue=world.beta_venue,
        card_identifier=alpha_card.identifier,
        idempotency_key=new_key(),
    ).use
    group = record_group_visit(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        community_card_identifier=community_card.identifier,
        members=[alpha_card.identifier],
        idempotency_key=new_key(),
    )
    agency = TicketAgency.objects.create(
        organisation=world.alpha_venue.organisation, name="Lippupiste"
    )
    agency.venues.add(world.alpha_venue)
    return {
        "alpha_card": alpha_card,
        "beta_card": beta_card,
        "community_card": community_card,
        "alpha_use": alpha_use,
        "beta_use": beta_use,
        "travel_use": travel_use,
        "group_uses": list(group.group_visit.uses.all()),
        "group_visit": group.group_visit,
        "alpha_event": create_event(
            actor=world.alpha_venue_staff, venue=world.alpha_venue, title="A"
        ),
        "beta_event": create_event(actor=world.beta_venue_staff, venue=world.beta_venue, title="B"),
    }


def names(queryset):
    return set(queryset)


def test_cards(world, data):
    alpha, beta, community = data["alpha_card"], data["beta_card"], data["community_card"]
    expected = {
        "national": {alpha, beta, community},
        "alpha_coordinator": {alpha, community},
        "alpha_sote_coordinator": {alpha, community},
        "beta_coordinator": {beta},
        "alpha_distributor": {alpha},
        "alpha_other_distributor": {community},
        "beta_distributor": {beta},
        "alpha_venue_staff": set(),
        "beta_venue_staff": set(),
        "popup_staff": set(),
        "nobody": set(),
    }
    for name, user in world.users().items():
        assert names(Card.objects.visible_to(user)) == expected[name], name


def test_community_cards_are_seen_across_the_organisations_sites(world, data):
    # alpha_site and beta_site both belong to the wellbeing county; a community card of its own
    # organisation is visible at every site of it.
    card = issue_community_card(actor=world.alpha_distributor, site=world.alpha_site)
    assert card in Card.objects.visible_to(world.beta_distributor)
    assert card not in Card.objects.visible_to(world.alpha_other_distributor)


def test_uses(world, data):
    alpha_use, beta_use, travel = data["alpha_use"], data["beta_use"], data["travel_use"]
    group = set(data["group_uses"])
    expected = {
        "national": {alpha_use, beta_use, travel, *group},
        "alpha_coordinator": {alpha_use, travel, *group},
        "beta_coordinator": {beta_use, travel},
        "alpha_distributor": {
            alpha_use,
            travel,
            *[u for u in group if u.card == data["alpha_card"]],
        },
        "alpha_other_distributor": {u for u in group if u.card == data["community_card"]},
        "beta_distributor": {beta_use},
        "alpha_venue_staff": {alpha_use, *group},
        "beta_venue_staff": {beta_use, travel},
        "popup_staff": set(),
        "nobody": set(),
    }
    for name, expected_uses in expected.items():
        user = getattr(world, name)
        assert names(Use.objects.visible_to(user)) == expected_uses, name


def test_group_visits_events_and_wellbeing(world, data):
    visit = data["group_visit"]
    assert names(GroupVisit.objects.visible_to(world.alpha_venue_staff)) == {visit}
    assert names(GroupVisit.objects.visible_to(world.alpha_other_distributor)) == {visit}
    for user in [world.beta_venue_staff, world.beta_coordinator, world.nobody]:
        assert names(GroupVisit.objects.visible_to(user)) == set()
    assert names(Event.objects.visible_to(world.alpha_venue_staff)) == {data["alpha_event"]}
    assert names(Event.objects.visible_to(world.beta_coordinator)) == {data["beta_event"]}
    assert names(Event.objects.visible_to(world.alpha_distributor)) == set()
    issue_card(
        actor=world.alpha_distributor,
        site=world.alpha_site,
        holder=holder(),
        wellbeing=Wellbeing(mood=3),
    )
    assert WellbeingMeasurement.objects.visible_to(world.alpha_distributor).count() == 1
    assert WellbeingMeasurement.objects.visible_to(world.beta_coordinator).count() == 0
    assert WellbeingMeasurement.objects.visible_to(world.alpha_venue_staff).count() == 0


def test_network(world, data):
    assert names(Region.objects.visible_to(world.alpha_coordinator)) == {world.alpha}
    assert names(Region.objects.visible_to(world.beta_venue_staff)) == {world.beta}
    assert names(Region.objects.visible_to(world.nobody)) == set()
    assert names(DistributorSite.objects.visible_to(world.alpha_coordinator)) == {
        world.alpha_site,
        world.alpha_other_site,
    }
    assert names(DistributorSite.objects.visible_to(world.alpha_distributor)) == {world.alpha_site}
    # Venues never see distributor sites: which service issued a card is health data.
    for user in [world.alpha_venue_staff, world.beta_venue_staff, world.popup_staff]:
        assert names(DistributorSite.objects.visible_to(user)) == set()
    assert names(Venue.objects.visible_to(world.beta_coordinator)) == {world.beta_venue}
    assert names(Venue.objects.visible_to(world.alpha_distributor)) == {
        world.alpha_venue,
        world.alpha_course_venue,
        world.popup,
    }
    assert names(Venue.objects.visible_to(world.alpha_venue_staff)) == {world.alpha_venue}
    assert Organisation.objects.visible_to(world.nobody).count() == 0
    assert names(TicketAgency.objects.visible_to(world.alpha_coordinator)) == {
        TicketAgency.objects.get()
    }
    assert TicketAgency.objects.visible_to(world.beta_coordinator).count() == 0


def test_audit_trail(world, data):
    assert AuditEvent.objects.visible_to(world.national).count() == AuditEvent.objects.count()
    beta_events = AuditEvent.objects.visible_to(world.beta_coordinator)
    assert beta_events.exists()
    assert not beta_events.filter(region=world.alpha).exists()
    assert set(
        AuditEvent.objects.visible_to(world.alpha_venue_staff).values_list("actor", flat=True)
    ) == {world.alpha_venue_staff.pk}
    assert AuditEvent.objects.visible_to(world.nobody).count() == 0
    # The audit asks the reader's `scope` (the accounts' User), never accounts.scope itself: an
    # anonymous visitor, or none at all, sees nothing.
    assert AuditEvent.objects.visible_to(AnonymousUser()).count() == 0
    assert AuditEvent.objects.visible_to(None).count() == 0
    assert Flag.objects.visible_to(AnonymousUser()).count() == 0


# --- pages -----------------------------------------------------------------------------------------


def client_for(client, user):
    sign_in(client, user)
    client.cookies["kaikukanta_language"] = "en"
    return client


@pytest.mark.parametrize(
    "name", ["beta_coordinator", "beta_distributor", "alpha_other_distributor"]
)
def test_card_pages_show_nothing_of_other_regions_and_sites(client, world, data, name):
    user = getattr(world, name)
    client_for(client, user)
    alpha = data["alpha_card"]
    listing = client.get(reverse("web:cards"))
    assert listing.status_code == 200
    assert alpha.display_identifier not in listing.content.decode()
    assert client.get(reverse("web:card", args=[alpha.pk])).status_code == 404
    searched = client.post(reverse("web:cards"), {"identifier": alpha.identifier})
    assert searched.status_code == 403
    # The number exists, and the searcher is told so; never which site registered it.
    text = searched.content.decode()
    assert "is registered at another distributor site" in text
    assert "Aikuispsykiatria" not in text


@pytest.mark.parametrize("name", ["alpha_coordinator", "alpha_distributor", "national"])
def test_card_pages_show_own_cards(client, world, data, name):
    client_for(client, getattr(world, name))
    alpha = data["alpha_card"]
    assert alpha.display_identifier in client.get(reverse("web:cards")).content.decode()
    detail = client.get(reverse("web:card", args=[alpha.pk]))
    assert detail.status_code == 200
    assert "Aikuispsykiatria Alfala" in detail.content.decode()
    found = client.post(reverse("web:cards"), {"identifier": alpha.display_identifier.lower()})
    assert found.status_code == 302
    # Card pages are addressed by their key: the number stays out of addresses and logs.
    assert found["Location"] == reverse("web:card", args=[alpha.pk])
    assert alpha.identifier not in found["Location"]


@pytest.mark.parametrize("name", ["alpha_venue_staff", "beta_venue_staff", "popup_staff", "nobody"])
def test_venues_and_users_without_a_role_get_no_card_pages(client, world, data, name):
    client_for(client, getattr(world, name))
    assert client.get(reverse("web:cards")).status_code == 403
    assert client.get(reverse("web:card", args=[data["alpha_card"].pk])).status_code == 403


def test_venue_pages_never_show_the_issuing_site(client, world, data):
    client_for(client, world.beta_venue_staff)
    page = client.get(reverse("web:venue")).content.decode()
    assert data["alpha_card"].display_identifier in page  # the travelling use at beta's venue
    checked = client.post(
        reverse("web:venue"),
        {"venue": world.beta_venue.pk, "identifier": data["alpha_card"].identifier},
    ).content.decode()
    assert "is valid" in checked
    for secret in ["Aikuispsykiatria", "Alfala", "Hyvinvointialue"]:
        assert secret not in page
        assert secret not in checked
    uses = client.get(reverse("web:uses")).content.decode()
    assert "Aikuispsykiatria" not in uses


def test_venue_checks_only_at_its_own_venue(client, world, data):
    # A user with one venue cannot name another in the form: the check is made at their own.
    client_for(client, world.beta_venue_staff)
    client.post(
        reverse("web:venue"),
        {"venue": world.alpha_venue.pk, "identifier": data["alpha_card"].identifier},
    )
    assert AuditEvent.objects.filter(action="card.checked").latest("pk").venue == world.beta_venue
    # A user with several venues chooses among their own only.
    RoleAssignment.objects.create(
        user=world.beta_venue_staff, role=Role.VENUE_STAFF, venue=world.popup
    )
    response = client.post(
        reverse("web:venue"),
        {"venue": world.alpha_venue.pk, "identifier": data["alpha_card"].identifier},
    )
    assert "Choose one of your own venues" in response.content.decode()
    assert AuditEvent.objects.filter(action="card.checked", venue=world.alpha_venue).count() == 0


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("alpha_coordinator", 404),
        ("beta_distributor", 404),
        ("beta_venue_staff", 404),
        ("nobody", 404),
    ],
)
def test_region_page_of_another_region(client, world, data, name, status):
    client_for(client, getattr(world, name))
    assert (
        client.get(
            reverse("web:region", args=["beta" if name == "alpha_coordinator" else "alpha"])
        ).status_code
        == status
    )


def test_region_page_lists_only_what_the_reader_may_see(client, world, data):
    client_for(client, world.alpha_venue_staff)
    page = client.get(reverse("web:region", args=["alpha"])).content.decode()
    assert "Alfalan museo" in page
    assert "Aikuispsykiatria" not in page  # distributor sites are not a venue's business


def test_use_list_shows_only_own_uses(client, world, data):
    client_for(client, world.alpha_venue_staff)
    page = client.get(reverse("web:uses")).content.decode()
    assert "Beetalan teatteri" not in page
    assert "Alfalan museo" in page


@pytest.mark.parametrize(
    ("name", "page", "status"),
    [
        ("alpha_coordinator", "web:national", 403),
        ("alpha_distributor", "web:venue", 403),
        ("alpha_venue_staff", "web:distributor", 403),
        ("nobody", "web:uses", 403),
        ("national", "web:national", 200),
        ("alpha_distributor", "web:distributor", 200),
        ("alpha_venue_staff", "web:venue", 200),
    ],
)
def test_role_pages(client, world, data, name, page, status):
    client_for(client, getattr(world, name))
    assert client.get(reverse(page)).status_code == status


ADMIN_PAGES = [
    "admin:network_region_changelist",
    "admin:network_venue_changelist",
    "admin:accounts_user_changelist",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize(
    "name", ["alpha_coordinator", "beta_distributor", "alpha_venue_staff", "nobody"]
)
def test_admin_is_for_national_admins_only(client, world, data, page, name):
    client_for(client, getattr(world, name))
    region_page = reverse("admin:network_region_change", args=[world.alpha.pk])
    for url in [reverse(page), region_page]:
        response = client.get(url, follow=True)
        # They end on their own front page, never on an admin page.
        assert response.status_code == 200
        assert not response.request["PATH_INFO"].startswith("/admin/")
        assert "Kaikukanta administration" not in response.content.decode()


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_national_admin_runs_the_network_in_admin(client, world, data, page):
    client_for(client, world.national)
    assert client.get(reverse(page)).status_code == 200


def test_registry_data_is_not_in_the_admin(client, world, data):
    """Cards, uses, events and the audit trail have their own scoped, paginated pages; the admin
    would be a second, unscoped copy of them."""
    from django.contrib import admin

    registered = {model._meta.label for model in admin.site._registry}
    assert registered.isdisjoint(
        {"cards.Card", "uses.Use", "uses.GroupVisit", "events.Event", "audit.AuditEvent"}
    )


def test_admin_changes_to_the_network_are_audited(client, world, data):
    client_for(client, world.national)
    url = reverse("admin:network_region_change", args=[world.alpha.pk])
    response = client.post(
        url,
        {
            "name": "Alfala",
            "name_sv": "Alfby",
            "name_en": "",
            "slug": "alpha",
            "status": "pilot",
            "pilot_starts": "2026-01-01",
            "pilot_ends": "2027-12-31",
            "municipalities": [m.pk for m in world.alpha.municipalities.all()],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(action="object.changed").latest("pk")
    assert event.actor == world.national
    assert event.region == world.alpha
    assert "status" in event.data["fields"]


def test_login_with_password_lands_on_the_role_page(client, world):
    for user, expected in [
        (world.national, reverse("web:national")),
        (world.alpha_coordinator, reverse("web:region", args=["alpha"])),
        (world.alpha_distributor, reverse("web:distributor")),
        (world.alpha_venue_staff, reverse("web:venue")),
    ]:
        client.logout()
        response = client.post(
            reverse("web:login"), {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302
        if user in (world.national, world.alpha_coordinator):
            # The second step first: the authenticator set up, the recovery codes shown once.
            response = pass_two_factor(client, response)
            assert response.status_code == 302
            codes = client.get(response["Location"])
            assert len(codes.context["codes"]) == 10
            landed = client.get(codes.context["next"], follow=True)
            assert landed.request["PATH_INFO"] == expected
            continue
        assert client.get(response["Location"]).url == expected


def test_roles_and_passwords_changed_in_admin_are_audited(client, world):
    client_for(client, world.national)
    user = world.nobody
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-role": "venue_staff",
        "role_assignments-0-venue": world.beta_venue.pk,
        "role_assignments-0-user": user.pk,
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert RoleAssignment.objects.get(user=user).venue == world.beta_venue
    granted = AuditEvent.objects.get(action="role.granted")
    assert granted.region == world.beta
    assert granted.actor == world.national
    password_url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = client.post(
        password_url,
        {"password1": "a-new-long-passphrase-2026", "password2": "a-new-long-passphrase-2026"},
    )
    assert response.status_code == 302
    assert (
        AuditEvent.objects.filter(action="object.changed", data__fields=["password"]).count() == 1
    )


def test_card_page_shows_its_wellbeing_answers(client, world):
    card = issue_card(
        actor=world.alpha_distributor,
        site=world.alpha_site,
        holder=holder(),
        wellbeing=Wellbeing(who5=(1, 2, 3, 4, 5), mood=2),
    )
    client_for(client, world.alpha_distributor)
    page = client.get(reverse("web:card", args=[card.pk])).content.decode()
    assert "<td>60</td>" in page  # WHO-5 score: (1+2+3+4+5) * 4
    assert "<td>2</td>" in page


def test_the_site_and_venue_figures_are_for_whom_the_scope_says(world, client_as):
    """One rule (Scope.works_at_site_or_coordinates, works_at_venue_or_coordinates): a site's or a
    venue's figures open for exactly the users the scope names, and the services that issue and act
    for them ask the same question."""
    from kaikukanta.accounts.permissions import can_act_for_venue, can_issue_at
    from kaikukanta.accounts.scope import scope_for

    places = [
        ("web:stats_site", site, can_issue_at, "works_at_site_or_coordinates")
        for site in DistributorSite.objects.all()
    ] + [
        ("web:stats_venue", venue, can_act_for_venue, "works_at_venue_or_coordinates")
        for venue in Venue.objects.all()
    ]
    opened = set()
    for name, user in world.users().items():
        if name == "nobody":
            continue
        client = client_as(name)
        scope = scope_for(user)
        for page, place, permission, rule in places:
            allowed = getattr(scope, rule)(place.pk, place.region_id)
            assert permission(user, place) == allowed, (name, place)
            status = client.get(reverse(page, args=[place.pk])).status_code
            assert status == (200 if allowed else 404), (name, page, place)
            if allowed:
                opened.add((name, place.pk, page))
    assert ("alpha_distributor", world.alpha_site.pk, "web:stats_site") in opened
    assert ("alpha_sote_coordinator", world.alpha_venue.pk, "web:stats_venue") in opened
    assert ("alpha_venue_staff", world.beta_venue.pk, "web:stats_venue") not in opened
