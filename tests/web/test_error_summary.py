"""Every staff form with errors starts with the same error summary (web/_error_summary.html): a
heading and each error as a link to its field, whose target is in the page; the fields say they are
invalid and which message describes them."""

import html
import re

import pytest
from django.urls import reverse

SUMMARY = re.compile(r'<div class="error-summary"[^>]*data-error-summary.*?</ul>', re.S)


def summary_of(response) -> str:
    page = html.unescape(response.content.decode())
    found = SUMMARY.search(page)
    assert found, f"no error summary on {response.request['PATH_INFO']}"
    summary = found.group(0)
    assert 'tabindex="-1"' in summary.split(">")[0]
    assert "There is a problem" in summary
    targets = re.findall(r'<a href="#([^"]+)">', summary)
    for target in targets:
        assert f'id="{target}"' in page, f"the summary links to #{target}, not in the page"
        field = re.search(rf'<input[^>]*id="{re.escape(target)}"[^>]*>', page) or re.search(
            rf'<(select|textarea)[^>]*id="{re.escape(target)}"[^>]*>', page
        )
        if field:
            assert 'aria-invalid="true"' in field.group(0), target
    return summary


FORMS = [
    ("alpha_distributor", "web:register_card", {}, {}),
    ("alpha_distributor", "web:register_community_card", {}, {"identifier": "ABC"}),
    ("alpha_distributor", "web:card_update", {"card": True}, {"postcode": "1"}),
    ("alpha_distributor", "web:card_renew", {"card": True}, {"birth_year": "x"}),
    ("alpha_distributor", "web:card_close", {"card": True}, {}),
    ("alpha_distributor", "web:card_replace", {"card": True}, {"identifier": "ABC"}),
    ("alpha_coordinator", "web:card_stock", {}, {"size": "x"}),
    ("alpha_venue_staff", "web:venue_events", {}, {"title": ""}),
    ("alpha_coordinator", "web:catalogue_venue", {"venue": True}, {"web_link": "not a link"}),
    ("national", "web:legal_page", {"kind": "accessibility"}, {"text": "x" * 20001}),
    ("national", "web:national_region_new", {}, {"name": ""}),
    ("national", "web:national_agency_new", {}, {"name": ""}),
    ("national", "web:national_popup_new", {}, {"name": ""}),
    ("alpha_coordinator", "web:network_invite", {"slug": "alpha"}, {"email": "x"}),
    ("alpha_sote_coordinator", "web:network_site_new", {"slug": "alpha"}, {"name": ""}),
    ("anonymous", "web:login", {}, {}),
]


@pytest.mark.parametrize(("role", "name", "args", "data"), FORMS)
def test_a_form_with_errors_starts_with_the_linked_summary(
    world, client_as, alpha_card, role, name, args, data
):
    kwargs = {}
    if args.get("card"):
        kwargs["card_id"] = alpha_card.pk
    if args.get("venue"):
        kwargs["venue_id"] = world.alpha_venue.pk
    for key in ("kind", "slug"):
        if key in args:
            kwargs[key] = args[key]
    response = client_as(role).post(reverse(name, kwargs=kwargs), data)
    assert response.status_code in (200, 400, 422), response.status_code
    summary_of(response)


def test_the_statistics_period_error_is_in_the_summary(world, client_as):
    response = client_as("alpha_coordinator").get(
        reverse("web:stats_region", args=["alpha"]), {"year": "20x5"}
    )
    assert "#id_year" in summary_of(response)


def test_no_summary_without_errors(client_as):
    page = client_as("alpha_distributor").get(reverse("web:register_card")).content.decode()
    assert "data-error-summary" not in page
