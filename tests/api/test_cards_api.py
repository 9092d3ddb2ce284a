"""Registering cards from a client system: a distributor organisation's site token, made by the
region's social and health coordinator; registering once per key, every refusal at once, renewing,
closing, replacing and reading by the internal id, the PDFs, and what such a token may not do."""

import datetime as dt

import pytest
from django.test import Client

from kaikukanta.accounts.tokens import ApiToken
from kaikukanta.api.services import create_api_token, create_site_token, revoke_api_token
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards import identifiers
from kaikukanta.cards.models import Card, HandOver
from kaikukanta.cards.services import hand_over_for
from kaikukanta.core.errors import DomainError, NotAllowed

from ..conftest import sign_in
from .test_uses_api import error_of, post

CARDS = "/api/v1/cards"


def bearer(secret, language="en"):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=language)


@pytest.fixture
def site_token(world):
    _token, secret = create_site_token(
        actor=world.alpha_sote_coordinator,
        sites=[world.alpha_site],
        name="Asiakastietojärjestelmä",
        verified=True,
    )
    return secret


def body(world, **extra):
    return {
        "site": world.alpha_site.pk,
        "birth_year": 1980,
        "postcode": "33100",
        "children": 2,
        **extra,
    }


def test_a_card_is_registered_once_per_key(world, site_token):
    client = bearer(site_token)
    first = post(client, CARDS, body(world), key="client-0000001")
    assert first.status_code == 201, first.content
    card = first.json()
    saved = Card.objects.get(pk=card["id"])
    assert card["card"] == identifiers.display(saved.identifier)
    assert card["valid_until"] == saved.valid_until.isoformat()
    assert (card["site"], card["children"], card["status"]) == (world.alpha_site.pk, 2, "valid")
    assert card["mobile_card_link"] is None
    again = post(client, CARDS, body(world), key="client-0000001")
    assert again.status_code == 200
    assert again.json() == card
    other = post(client, CARDS, body(world, children=3), key="client-0000001")
    assert error_of(other, 409) == "idempotency_conflict"
    assert "different request" in other.json()["message"]
    assert Card.objects.count() == 1
    # The audit trail names the card by its key, the organisation's system as the actor.
    issued = AuditEvent.objects.get(action=Action.CARD_ISSUED)
    assert issued.object_id == str(saved.pk)
    assert issued.actor_username == f"client-system-{world.alpha_site.organisation_id}"
    assert saved.identifier not in str(issued.data or "")


def test_two_systems_of_one_organisation_keep_their_keys_apart(world, site_token):
    """Both tokens act through the organisation's one account: the same key from the other system
    is a registration of its own, not a conflict and never the first system's card."""
    _token, other_secret = create_site_token(
        actor=world.alpha_sote_coordinator,
        sites=[world.alpha_site],
        name="Toinen järjestelmä",
        verified=True,
    )
    first = post(bearer(site_token), CARDS, body(world), key="client-0000002")
    second = post(bearer(other_secret), CARDS, body(world, children=3), key="client-0000002")
    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert first.json()["id"] != second.json()["id"]
    assert Card.objects.count() == 2


def test_a_registration_without_a_key_or_with_a_bad_one_is_refused(world, site_token):
    client = bearer(site_token)
    assert error_of(post(client, CARDS, body(world)), 422) == "invalid_input"
    assert error_of(post(client, CARDS, body(world), key="short"), 422) == "idempotency_key_invalid"
    assert not Card.objects.exists()


def test_every_refusal_comes_in_one_answer(world, site_token):
    response = post(
        bearer(site_token),
        CARDS,
        body(
            world,
            birth_year=2020,
            postcode="3310",
            children=99,
            wellbeing={"who5": [1, 2, None, None, None]},
        ),
        key="client-0000002",
    )
    assert error_of(response, 422) == "holder_too_young"
    answer = response.json()
    assert answer["field"] == "birth_year"
    fields = [error["field"] for error in answer["errors"]]
    assert fields == ["birth_year", "postcode", "children", "wellbeing"]
    assert all(error["message"] for error in answer["errors"])
    assert not Card.objects.exists()


def test_the_refusals_speak_the_callers_language(world, site_token):
    response = post(
        bearer(site_token, "sv"), CARDS, body(world, postcode="1"), key="client-0000003"
    )
    assert error_of(response, 422) == "postcode_invalid"
    english = post(bearer(site_token), CARDS, body(world, postcode="1"), key="client-0000004")
    assert response.json()["message"] != english.json()["message"]


def test_the_mobile_card_link_is_given_once(world, site_token):
    client = bearer(site_token)
    first = post(client, CARDS, body(world, mobile_card=True), key="client-0000005")
    assert first.status_code == 201
    link = first.json()["mobile_card_link"]
    assert link.startswith("http://testserver/")
    secret = link.rstrip("/").rsplit("/", 1)[-1]
    assert hand_over_for(secret).card_id == first.json()["id"]
    assert identifiers.display(Card.objects.get().identifier) not in link
    again = post(client, CARDS, body(world, mobile_card=True), key="client-0000005")
    assert again.status_code == 200
    assert again.json()["mobile_card_link"] is None
    assert HandOver.objects.count() == 1
    # A new link on request; the earlier one stops working.
    card_id = first.json()["id"]
    new = post(client, f"{CARDS}/{card_id}/hand-over", {})
    assert new.status_code == 200
    assert new.json()["mobile_card_link"] != link
    assert hand_over_for(secret) is None


def test_renew_close_replace_and_read_by_the_internal_id(world, site_token):
    client = bearer(site_token)
    created = post(client, CARDS, body(world), key="client-0000006").json()
    card_id = created["id"]
    read = client.get(f"{CARDS}/{card_id}")
    assert read.status_code == 200
    assert read.json()["card"] == created["card"]
    assert AuditEvent.objects.filter(action=Action.CARD_VIEWED, object_id=str(card_id)).exists()
    # A renewal the same day changes nothing, as on the page; with a new child it does.
    same = post(client, f"{CARDS}/{card_id}/renew", {})
    assert error_of(same, 422) == "renewal_changes_nothing"
    renewed = post(client, f"{CARDS}/{card_id}/renew", {"children": 3})
    assert renewed.status_code == 200, renewed.content
    assert renewed.json()["children"] == 3
    replaced = post(client, f"{CARDS}/{card_id}/replace", {})
    assert replaced.status_code == 201, replaced.content
    new = replaced.json()
    assert new["id"] != card_id
    assert new["card"] != created["card"]
    assert (new["children"], new["valid_until"]) == (3, created["valid_until"])
    old = client.get(f"{CARDS}/{card_id}").json()
    assert (old["status"], old["closing_reason"], old["replaced_by"]) == (
        "closed",
        "lost",
        new["id"],
    )
    wrong = post(client, f"{CARDS}/{new['id']}/close", {"reason": "stolen"})
    assert error_of(wrong, 422) == "choice_invalid"
    closed = post(client, f"{CARDS}/{new['id']}/close", {"reason": "moved_away"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert (
        error_of(post(client, f"{CARDS}/{new['id']}/close", {"reason": "lost"}), 422)
        == "card_closed"
    )


def test_the_pdfs_by_the_internal_id(world, site_token, alpha_card):
    client = bearer(site_token)
    card = client.get(f"{CARDS}/{alpha_card.pk}/card.pdf")
    assert card.status_code == 200
    assert card["Content-Type"] == "application/pdf"
    assert card.content.startswith(b"%PDF")
    offering = client.get(f"{CARDS}/{alpha_card.pk}/offering.pdf?language=sv")
    assert offering.status_code == 200
    assert offering.content.startswith(b"%PDF")
    assert (
        AuditEvent.objects.filter(action=Action.CARD_VIEWED, object_id=str(alpha_card.pk)).count()
        == 2
    )
    assert client.get(f"{CARDS}/{alpha_card.pk}/offering.pdf?language=de").status_code == 422


def test_a_site_token_sees_only_its_sites_cards(world, site_token, beta_card, community_card):
    client = bearer(site_token)
    for card in (beta_card, community_card):
        assert error_of(client.get(f"{CARDS}/{card.pk}"), 404) == "card_unknown"
        assert error_of(post(client, f"{CARDS}/{card.pk}/close", {"reason": "lost"}), 404)
        assert client.get(f"{CARDS}/{card.pk}/card.pdf").status_code == 404
    other_site = body(world, site=world.alpha_other_site.pk)
    assert error_of(post(client, CARDS, other_site, key="client-0000007"), 404) == "site_unknown"
    assert Card.objects.filter(issuing_site=world.alpha_other_site).count() == 1


def test_a_site_token_checks_no_card_and_records_no_use(world, site_token, alpha_card):
    client = bearer(site_token)
    check = {"venue": world.alpha_venue.pk, "card": alpha_card.identifier}
    assert error_of(post(client, "/api/v1/checks", check), 404) == "venue_unknown"
    use = post(client, "/api/v1/uses", check, key="client-0000008")
    assert error_of(use, 404) == "venue_unknown"
    assert client.get("/api/v1/venues").json() == []


def test_a_venue_token_registers_no_card(world, alpha_card):
    _token, secret = create_api_token(actor=None, user=world.alpha_venue_staff, name="Kassa")
    client = bearer(secret)
    assert error_of(post(client, CARDS, body(world), key="venue-0000001"), 404) == "site_unknown"
    assert error_of(client.get(f"{CARDS}/{alpha_card.pk}"), 404) == "card_unknown"
    assert not Card.objects.exclude(pk=alpha_card.pk).exists()


def test_only_the_social_and_health_coordinator_makes_a_site_token(world):
    sites = [world.alpha_site]
    for actor in (world.alpha_distributor, world.alpha_venue_staff, world.beta_coordinator):
        with pytest.raises(NotAllowed):
            create_site_token(actor=actor, sites=sites, name="x", verified=True)
    with pytest.raises(DomainError) as culture:
        create_site_token(actor=world.alpha_coordinator, sites=sites, name="x", verified=True)
    assert culture.value.code == "other_sides_work"
    with pytest.raises(DomainError) as unverified:
        create_site_token(actor=world.alpha_sote_coordinator, sites=sites, name="x")
    assert unverified.value.code == "token_needs_second_step"
    with pytest.raises(DomainError) as mixed:
        create_site_token(
            actor=world.national,
            sites=[world.alpha_site, world.alpha_other_site],
            name="x",
            verified=True,
        )
    assert mixed.value.code == "sites_of_several_organisations"
    # The county's two sites, in two regions: one token, by the national administrator.
    token, _secret = create_site_token(
        actor=world.national, sites=[world.alpha_site, world.beta_site], name="x", verified=True
    )
    assert set(token.sites.all()) == {world.alpha_site, world.beta_site}
    created = AuditEvent.objects.get(action=Action.API_TOKEN_CREATED)
    assert created.data["sites"] == [world.alpha_site.pk, world.beta_site.pk]


def test_a_persons_account_with_the_client_systems_user_name_is_never_taken_over(world):
    """The client system's account is `client-system-<organisation>`: a person's account given that
    name by hand is refused, or the tokens would act as that person (and the audit name them)."""
    from django.contrib.auth import get_user_model

    organisation = world.alpha_site.organisation
    person = get_user_model().objects.create_user(
        f"client-system-{organisation.pk}", password="a-persons-password-1"
    )
    with pytest.raises(DomainError) as taken:
        create_site_token(
            actor=world.alpha_sote_coordinator, sites=[world.alpha_site], name="x", verified=True
        )
    assert taken.value.code == "system_account_name_taken"
    assert person.username in str(taken.value)
    assert not ApiToken.objects.filter(user=person).exists()
    # Renamed, the system gets an account of its own (no password, no roles).
    person.username = "renamed.person@example.fi"
    person.save()
    token, _secret = create_site_token(
        actor=world.alpha_sote_coordinator, sites=[world.alpha_site], name="x", verified=True
    )
    assert token.user != person
    assert not token.user.has_usable_password()
    assert not token.user.role_assignments.exists()


def test_a_revoked_or_expired_site_token_stops_at_once(world, site_token, settings):
    client = bearer(site_token)
    assert post(client, CARDS, body(world), key="client-0000009").status_code == 201
    token = ApiToken.objects.get(sites=world.alpha_site)
    # The site's own staff see it too, and may revoke it.
    assert ApiToken.objects.visible_to(world.alpha_distributor).filter(pk=token.pk).exists()
    assert not ApiToken.objects.visible_to(world.beta_coordinator).filter(pk=token.pk).exists()
    revoke_api_token(actor=world.alpha_sote_coordinator, token=token)
    assert error_of(post(client, CARDS, body(world), key="client-0000010"), 401) == "invalid_token"
    assert AuditEvent.objects.filter(action=Action.API_TOKEN_REVOKED).count() == 1
    _token, secret = create_site_token(
        actor=world.alpha_sote_coordinator, sites=[world.alpha_site], name="y", verified=True
    )
    ApiToken.objects.filter(sites=world.alpha_site, revoked_at=None).update(
        expires_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    assert error_of(bearer(secret).get(f"{CARDS}/1"), 401) == "invalid_token"


def test_a_coordinators_session_uses_the_same_operations(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, world.alpha_sote_coordinator)
    created = post(client, CARDS, body(world), key="session-000001")
    assert created.status_code == 201, created.content
    assert error_of(post(client, CARDS, body(world, site=world.beta_site.pk), key="s-0000002"), 404)


def test_the_social_and_health_coordinator_makes_a_site_token_on_the_tokens_page(world):
    client = Client()
    client.cookies["kaikukanta_language"] = "en"
    sign_in(client, world.alpha_sote_coordinator)
    page = client.get("/venue/api-tokens/")
    assert page.status_code == 200
    assert "A token for a client-information system" in page.content.decode()
    assert world.beta_site.name not in page.content.decode()  # another region's site
    refused = client.post(
        "/venue/api-tokens/",
        {"kind": "site", "name": "ATJ", "sites": [world.alpha_site.pk, world.alpha_other_site.pk]},
    )
    assert refused.status_code == 422
    assert "one organisation" in refused.content.decode()
    made = client.post(
        "/venue/api-tokens/", {"kind": "site", "name": "ATJ", "sites": [world.alpha_site.pk]}
    )
    assert made.status_code == 201
    secret = made.context["secret"]
    assert bearer(secret).get("/api/v1/venues").status_code == 200
    token = ApiToken.objects.get(sites=world.alpha_site)
    assert token.created_by == world.alpha_sote_coordinator
    # The culture side's coordinator is told whose work it is.
    culture = Client()
    culture.cookies["kaikukanta_language"] = "en"
    sign_in(culture, world.alpha_coordinator)
    answer = culture.get("/venue/api-tokens/").content.decode()
    assert "social and health side" in answer
    assert culture.post("/venue/api-tokens/", {"kind": "site"}).status_code == 403
    revoke = client.get(f"/venue/api-tokens/{token.pk}/revoke/")
    assert "can no longer register or change cards" in revoke.content.decode()


def test_a_cached_site_token_keeps_its_sites_and_stops_when_revoked(world, alpha_card, settings):
    import uuid

    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"token-cache-{uuid.uuid4().hex}",
        }
    }
    settings.KAIKUKANTA_TOKEN_CACHE_SECONDS = 300
    caches["default"].clear()
    token, secret = create_site_token(
        actor=world.alpha_sote_coordinator, sites=[world.alpha_site], name="ATJ", verified=True
    )
    client = bearer(secret)
    for _attempt in range(2):  # a miss, then a hit: the same answers
        assert client.get(f"{CARDS}/{alpha_card.pk}").status_code == 200
        assert client.get("/api/v1/venues").json() == []
        check = {"venue": world.alpha_venue.pk, "card": alpha_card.identifier}
        assert error_of(post(client, "/api/v1/checks", check), 404) == "venue_unknown"
    from kaikukanta.accounts import token_cache

    kept = caches["default"].get(token_cache.ENTRY_PREFIX + token.key_hash)
    site = world.alpha_site
    assert [tuple(triple) for triple in kept["sites"]] == [
        (site.pk, site.organisation_id, site.region_id)
    ]
    revoke_api_token(actor=world.alpha_sote_coordinator, token=token)
    assert error_of(client.get(f"{CARDS}/{alpha_card.pk}"), 401) == "invalid_token"


def test_a_body_that_does_not_fit_names_every_field(world, site_token):
    response = post(
        bearer(site_token),
        CARDS,
        {"site": world.alpha_site.pk, "birth_year": "vuosi", "postcode": "33100"},
        key="client-0000011",
    )
    assert error_of(response, 422) == "invalid_input"
    assert [error["field"] for error in response.json()["errors"]] == ["birth_year", "children"]
    single = post(bearer(site_token), CARDS, body(world, children="x"), key="client-0000012")
    assert error_of(single, 422) == "invalid_input"
    assert (single.json()["field"], single.json()["errors"]) == ("children", None)
