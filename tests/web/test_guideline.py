"""The national guideline: publishing a version, acknowledging it for one's own site or venue, and
coordinators seeing who has not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaikukanta.guidelines.models import Acknowledgement, GuidelineVersion
from kaikukanta.guidelines.services import publish_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    return publish_version(
        actor=world.national,
        version="2026",
        title="Kaikukortin toimintaohje",
        url="https://example.fi/ohje.pdf",
    )


def test_a_national_admin_publishes_a_version(world, client_as):
    client = client_as("national")
    response = client.post(
        reverse("web:guideline_publish"),
        {"version": "2026.1", "title": "Toimintaohje", "url": "https://example.fi/ohje.pdf"},
    )
    assert response.status_code == 302
    assert GuidelineVersion.objects.current().version == "2026.1"
    bad = client.post(reverse("web:guideline_publish"), {"version": "", "title": "", "url": "x"})
    assert bad.status_code == 200
    assert GuidelineVersion.objects.count() == 1


def test_staff_acknowledge_for_their_own_site_once(world, client_as, version):
    client = client_as("alpha_distributor")
    page = client.get(reverse("web:guideline")).content.decode()
    assert "Acknowledge for" in page
    place = f"site:{world.alpha_site.pk}"
    assert client.post(reverse("web:guideline_acknowledge"), {"place": place}).status_code == 302
    client.post(reverse("web:guideline_acknowledge"), {"place": place})
    ack = Acknowledgement.objects.get()
    assert (ack.distributor_site, ack.acknowledged_by, ack.version) == (
        world.alpha_site,
        world.alpha_distributor,
        version,
    )
    # Another site's key is not theirs: refused.
    other = {"place": f"site:{world.beta_site.pk}"}
    assert client.post(reverse("web:guideline_acknowledge"), other).status_code == 404


def test_coordinators_see_who_has_not_acknowledged(world, client_as, version, alpha_card):
    client_as("alpha_distributor").post(
        reverse("web:guideline_acknowledge"), {"place": f"site:{world.alpha_site.pk}"}
    )
    page = client_as("alpha_sote_coordinator").get(reverse("web:network", args=["alpha"]))
    sites = {site.pk: site.acknowledged for site in page.context["sites"]}
    assert sites[world.alpha_site.pk] is True
    assert sites[world.alpha_other_site.pk] is False
    assert "not acknowledged" in page.content.decode()
