"""Changes to the network: who may add and edit distributor sites, venues and the rest."""

import datetime as dt

import pytest

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.core.errors import NotAllowed
from kaikukanta.network import services
from kaikukanta.network.errors import NetworkDataInvalid
from kaikukanta.network.models import DistributorSite, Organisation, Region, Venue

from ..conftest import sign_in


def test_the_social_and_health_coordinator_adds_a_distributor_site_to_their_region(world):
    organisation = Organisation.objects.get(name="Yhdistys ry")
    site = DistributorSite(organisation=organisation, region=world.alpha, name="Nuorten Ohjaamo")
    for actor in [world.alpha_coordinator, world.beta_coordinator, world.alpha_distributor]:
        with pytest.raises(NotAllowed):
            services.save_site(actor=actor, site=site)
    services.save_site(actor=world.alpha_sote_coordinator, site=site, changed=["name"])
    event = AuditEvent.objects.get(action=Action.OBJECT_CREATED)
    assert (event.region, event.object_id, event.data) == (
        world.alpha,
        str(site.pk),
        {"fields": ["name"]},
    )
    # Moving it to another region needs the other region's coordinator too.
    site.region = world.beta
    with pytest.raises(NotAllowed):
        services.save_site(actor=world.alpha_sote_coordinator, site=site)
    services.save_site(actor=world.national, site=site, changed=["region"])
    assert DistributorSite.objects.get(pk=site.pk).region == world.beta


def test_the_culture_coordinator_runs_the_venues_and_pop_ups_are_national(world):
    museum = Organisation.objects.get(name="Museo")
    venue = Venue(
        organisation=museum, region=world.alpha, name="Alfalan uimahalli", category="sports"
    )
    with pytest.raises(NotAllowed):
        services.save_venue(actor=world.alpha_sote_coordinator, venue=venue)
    services.save_venue(actor=world.alpha_coordinator, venue=venue)
    popup = Venue(
        organisation=museum,
        name="Uusi pop-up",
        category="culture",
        is_popup=True,
        active_from=dt.date(2026, 7, 1),
        active_until=dt.date(2026, 12, 31),
    )
    with pytest.raises(NotAllowed):
        services.save_venue(actor=world.alpha_coordinator, venue=popup)
    services.save_venue(actor=world.national, venue=popup)
    world.popup.name = "Renamed"
    with pytest.raises(NotAllowed):
        services.save_venue(actor=world.alpha_coordinator, venue=world.popup)


def test_bad_network_data_is_refused_with_the_field_it_concerns(world):
    museum = Organisation.objects.get(name="Museo")
    venue = Venue(
        organisation=museum,
        region=world.alpha,
        name="Alfalan kesäteatteri",
        category="culture",
        active_from=dt.date(2026, 9, 1),
        active_until=dt.date(2026, 6, 1),
    )
    with pytest.raises(NetworkDataInvalid):
        services.save_venue(actor=world.national, venue=venue)
    venue.active_until = dt.date(2026, 9, 30)
    venue.category = "cooking"
    with pytest.raises(NetworkDataInvalid) as raised:
        services.save_venue(actor=world.national, venue=venue)
    assert raised.value.field == "category"
    assert Venue.objects.filter(name="Alfalan kesäteatteri").count() == 0


def test_regions_and_organisations_are_national(world):
    region = Region(slug="gamma", name="Gammala", status="permanent")
    with pytest.raises(NotAllowed):
        services.save_network_object(actor=world.alpha_coordinator, obj=region)
    services.save_network_object(actor=world.national, obj=region, changed=["name"])
    with pytest.raises(NotAllowed):
        services.delete_network_object(actor=world.alpha_coordinator, obj=region)
    services.delete_network_object(actor=world.national, obj=region)
    assert not Region.objects.filter(slug="gamma").exists()
    assert AuditEvent.objects.filter(action=Action.OBJECT_DELETED, data__name="Gammala").exists()


def test_the_admin_saves_through_the_services(client, world):
    sign_in(client, world.national)
    url = f"/admin/network/distributorsite/{world.alpha_site.pk}/change/"
    response = client.post(
        url,
        {
            "name": "Aikuispsykiatria Alfala",
            "name_sv": "Vuxenpsykiatrin",
            "name_en": "",
            "organisation": world.alpha_site.organisation_id,
            "region": world.alpha.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=Action.OBJECT_CHANGED)
    assert (event.actor, event.region, event.data) == (
        world.national,
        world.alpha,
        {"fields": ["name_sv"]},
    )
