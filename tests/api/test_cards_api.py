"""Registering cards from a client system: a distributor organisation's site token, made by the
region's social and health coordinator; registering once per key, every refusal at once, renewing,
closing, replacing and reading by the internal id, the PDFs, and what such a token may not do."""

import datetime as dt

import pytest
from django.test import Client

from kaikukanta.accounts.tokens import ApiToken
from kaikukanta.api.services import (
    create_agency_token,
    create_api_token,
    create_site_token,
    revoke_api_token,
)
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


def test_a_retry_gets_its_card_after_the_site_left_the_network_or_the_pilot_ended(
    world, site_token
):
    """The retry of a registration that succeeded (its answer lost on the way) is answered with the
    card, whatever the rules say of a new registration since: else the client never learns its id."""
    client = bearer(site_token)
    first = post(client, CARDS, body(world), key="client-0000101")
    assert first.status_code == 201, first.content
    card = first.json()
    site = world.alpha_site
    site.is_active = False
    site.save(update_fields=["is_active"])
    again = post(client, CARDS, body(world), key="client-0000101")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == card["id"]
    assert error_of(post(client, CARDS, body(world, children=3), key="client-0000101"), 409)
    # A new registration is judged by the rules of today.
    new = post(client, CARDS, body(world), key="client-0000102")
    assert error_of(new, 422) == "site_not_taking_part"
    site.is_active = True
    site.save(update_fields=["is_active"])
    region = world.alpha
    region.status = "pilot"
    region.pilot_starts, region.pilot_ends = dt.date(2025, 1, 1), dt.date(2026, 6, 14)
    region.save()
    again = post(client, CARDS, body(world), key="client-0000101")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == card["id"]
    assert error_of(post(client, CARDS, body(world), key="client-0000103"), 422) == "pilot_ended"
    assert Card.objects.count() == 1


def test_who_may_act_at_the_site_is_asked_before_the_key(world):
    """A key says nothing to one who may not register at the site: not the card, not a conflict."""
    from kaikukanta.cards.services import issue_card_once

    from ..conftest import holder

    made = issue_card_once(
        actor=world.alpha_distributor, site=world.alpha_site, holder=holder(), key="form-00000001"
    )
    assert made.created
    with pytest.raises(NotAllowed):
        issue_card_once(
            actor=world.beta_distributor,
            site=world.alpha_site,
            holder=holder(),
            key="form-00000001",
        )
    again = issue_card_once(
        actor=world.alpha_distributor, site=world.alpha_site, holder=holder(), key="form-00000001"
    )
    assert (again.created, again.result.pk) == (False, made.result.pk)


def test_a_replay_is_audited_as_a_reading(world, site_token):
    """The replay answers the holder data again: the audit trail says the card was read."""
    client = bearer(site_token)
    card_id = post(client, CARDS, body(world), key="client-0000104").json()["id"]

    def readings():
        return AuditEvent.objects.filter(action=Action.CARD_VIEWED, object_id=str(card_id))

    assert not readings().exists()  # registering is not a reading
    assert post(client, CARDS, body(world), key="client-0000104").status_code == 200
    reading = readings().get()
    assert reading.actor_username == f"client-system-{world.alpha_site.organisation_id}"
    # A conflict answers no card, and reads none.
    assert error_of(post(client, CARDS, body(world, children=0), key="client-0000104"), 409)
    assert readings().count() == 1


def test_the_audit_trail_names_the_token_that_acted(world, site_token):
    """Every token of the organisation acts through one account: the event names the token too."""
    _other, other_secret = create_site_token(
        actor=world.alpha_sote_coordinator,
        sites=[world.alpha_site],
        name="Toinen järjestelmä",
        verified=True,
    )
    first = post(bearer(site_token), CARDS, body(world), key="client-0000105").json()
    second = post(bearer(other_secret), CARDS, body(world), key="client-0000106").json()
    tokens = {token.name: token.pk for token in ApiToken.objects.filter(sites=world.alpha_site)}
    issued = {
        event.object_id: event.data
        for event in AuditEvent.objects.filter(action=Action.CARD_ISSUED)
    }
    assert issued[str(first["id"])] == {"api_token": tokens["Asiakastietojärjestelmä"]}
    assert issued[str(second["id"])] == {"api_token": tokens["Toinen järjestelmä"]}
    bearer(other_secret).get(f"{CARDS}/{first['id']}")
    reading = AuditEvent.objects.get(action=Action.CARD_VIEWED, object_id=str(first["id"]))
    assert reading.data == {"api_token": tokens["Toinen järjestelmä"]}
    # A signed-in session acts as its person: no token named.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, world.alpha_distributor)
    own = post(client, CARDS, body(world), key="session-0000107").json()
    assert AuditEvent.objects.get(action=Action.CARD_ISSUED, object_id=str(own["id"])).data == {}


def test_a_misspelt_or_mistyped_field_is_refused_not_ignored(world, site_token, settings):
    """`identifer` (misspelt) would have registered a new number while the holder leaves with the
    pre-printed card; `"children": true` one child; `"site": true` site 1. Each is refused, naming
    the field, and nothing is registered."""
    from kaikukanta.cards.services import create_card_stock

    batch = create_card_stock(actor=world.alpha_sote_coordinator, region=world.alpha, size=1)
    printed = identifiers.display(batch.numbers.get().identifier)
    client = bearer(site_token)
    misspelt = post(client, CARDS, body(world, identifer=printed), key="client-0000108")
    assert error_of(misspelt, 422) == "invalid_input"
    answer = misspelt.json()
    assert answer["field"] == "identifer"
    assert "identifer" in answer["message"]
    assert "/api/v1/docs" in answer["message"]
    swedish = post(
        bearer(site_token, "sv"), CARDS, body(world, identifer=printed), key="client-0000108"
    )
    assert "inget fält identifer" in swedish.json()["message"]
    for field, value in (
        ("children", True),
        ("site", True),
        ("site", str(world.alpha_site.pk)),
        ("birth_year", 1980.0),
        ("postcode", 33100),
        ("mobile_card", "true"),
        ("wellbeing", {"mood": True}),
        ("wellbeing", {"mood": 3, "stress": 2}),
    ):
        refused = post(client, CARDS, body(world, **{field: value}), key="client-0000109")
        assert error_of(refused, 422) == "invalid_input", (field, value)
        named = refused.json()["field"]
        assert named.startswith(field), (field, value, named)
        assert named in refused.json()["message"]
    assert not Card.objects.exists()
    # JSON numbers and strings as the schema says: registered, with the pre-printed number.
    made = post(
        client,
        CARDS,
        body(world, identifier=printed, wellbeing={"mood": 4, "who5": [1, 2, 3, 4, 5]}),
        key="client-0000110",
    )
    assert made.status_code == 201, made.content
    assert made.json()["card"] == printed
    card_id = made.json()["id"]
    # The other bodies too: an unknown field refused, the fields they have taken.
    for path, wrong in (
        ("renew", {"child": 3}),
        ("renew", {"children": "3"}),
        ("close", {"reason": "moved_away", "closed_on": "2026-06-15"}),
        ("replace", {"identifer": printed}),
    ):
        refused = post(client, f"{CARDS}/{card_id}/{path}", wrong)
        assert error_of(refused, 422) == "invalid_input", (path, wrong)
    renewed = post(client, f"{CARDS}/{card_id}/renew", {"children": 3, "wellbeing": {"mood": 2}})
    assert renewed.status_code == 200, renewed.content
    assert renewed.json()["children"] == 3
    closed = post(client, f"{CARDS}/{card_id}/close", {"reason": "moved_away"})
    assert closed.json()["status"] == "closed"


def test_a_strict_body_takes_a_day_written_as_the_api_writes_it():
    """A strict body validates Python values: a day is an IsoDate there, which takes 2026-06-30."""
    from pydantic import ValidationError

    from kaikukanta.api.v1.schemas import IsoDate, StrictIn

    class DayIn(StrictIn):
        day: IsoDate
        count: int

    taken = DayIn.model_validate({"day": "2026-06-30", "count": 2})
    assert (taken.day, taken.count) == (dt.date(2026, 6, 30), 2)
    for wrong in ({"day": 0, "count": 2}, {"day": "2026-02-30", "count": 2}, {"day": "30.6.2026"}):
        with pytest.raises(ValidationError):
            DayIn.model_validate(wrong)


def test_a_client_system_finds_its_sites_numbers(world, site_token):
    client = bearer(site_token)
    answer = client.get("/api/v1/sites")
    assert answer.status_code == 200
    site = world.alpha_site
    assert answer.json() == [
        {
            "id": site.pk,
            "name": site.name,
            "organisation": site.organisation.name,
            "region": "alpha",
            "region_name": "Alfala",
            "takes_part": True,
        }
    ]
    # The number it does not have points to the list.
    unknown = post(client, CARDS, body(world, site=world.beta_site.pk), key="client-0000111")
    assert error_of(unknown, 404) == "site_unknown"
    assert "/api/v1/sites" in unknown.json()["message"]
    # A venue's token registers at no site.
    _token, venue_secret = create_api_token(actor=None, user=world.alpha_venue_staff, name="Kassa")
    assert bearer(venue_secret).get("/api/v1/sites").json() == []


def test_the_sites_listed_are_those_where_the_caller_may_register(world):
    """The list is the registration's own rule (can_issue_at) for every role of the world."""
    from kaikukanta.accounts.permissions import can_issue_at
    from kaikukanta.network.models import DistributorSite

    from ..conftest import WORLD_ROLES

    every = list(DistributorSite.objects.all())
    for role in WORLD_ROLES:
        user = getattr(world, role)
        client = Client(HTTP_ACCEPT_LANGUAGE="sv")
        sign_in(client, user)
        answer = client.get("/api/v1/sites")
        assert answer.status_code == 200, (role, answer.content)
        listed = {site["id"] for site in answer.json()}
        assert listed == {site.pk for site in every if can_issue_at(user, site)}, role
    # Names in the caller's language; a site that left the network is listed as such.
    world.alpha_site.is_active = False
    world.alpha_site.save(update_fields=["is_active"])
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    sign_in(client, world.alpha_distributor)
    (listed,) = client.get("/api/v1/sites").json()
    assert (listed["region_name"], listed["takes_part"]) == ("Alfby", False)


def test_the_tokens_page_shows_each_sites_number(world, site_token):
    client = Client()
    client.cookies["kaikukanta_language"] = "en"
    sign_in(client, world.alpha_sote_coordinator)
    page = client.get("/venue/api-tokens/").content.decode()
    assert f"no. {world.alpha_site.pk} in the API" in page
    assert "/api/v1/sites" in page


def test_no_token_is_made_for_a_deactivated_system_account(world):
    """A token of a deactivated account would be refused on every call (401), nobody told why: it is
    not made, and the coordinator is told what to do; renamed by a national administrator, the
    system gets a new account and its token works."""
    from kaikukanta.accounts.services import deactivate_user, save_user
    from kaikukanta.network.models import Organisation, TicketAgency

    _token, secret = create_site_token(
        actor=world.alpha_sote_coordinator, sites=[world.alpha_site], name="ATJ", verified=True
    )
    account = ApiToken.objects.get().user
    deactivate_user(actor=world.national, user=account)
    with pytest.raises(DomainError) as refused:
        create_site_token(
            actor=world.alpha_sote_coordinator, sites=[world.alpha_site], name="ATJ", verified=True
        )
    assert refused.value.code == "system_account_deactivated"
    assert account.username in refused.value.message
    assert "rename" in refused.value.message
    assert ApiToken.objects.count() == 1
    # On the tokens page, in Finnish too.
    client = Client()
    client.cookies["kaikukanta_language"] = "fi"
    sign_in(client, world.alpha_sote_coordinator)
    page = client.post(
        "/venue/api-tokens/", {"kind": "site", "name": "ATJ", "sites": [world.alpha_site.pk]}
    )
    assert page.status_code == 409
    assert account.username in page.content.decode()
    assert "on poistettu käytöstä" in page.content.decode()
    assert ApiToken.objects.count() == 1
    # Renamed as the message says: a new account, and its token works.
    account.username = f"{account.username}-closed"
    save_user(actor=world.national, user=account, changed=["username"])
    token, secret = create_site_token(
        actor=world.alpha_sote_coordinator, sites=[world.alpha_site], name="ATJ", verified=True
    )
    assert token.user != account
    assert bearer(secret).get("/api/v1/sites").status_code == 200
    # An agency's account likewise.
    agency = TicketAgency.objects.create(
        name="Lippupalvelu", organisation=Organisation.objects.create(name="Liput", kind="company")
    )
    agency.venues.add(world.alpha_venue)
    agency_token, _secret = create_agency_token(
        actor=world.alpha_coordinator,
        agency=agency,
        venues=[world.alpha_venue],
        name="Myynti",
        verified=True,
    )
    deactivate_user(actor=world.national, user=agency_token.user)
    with pytest.raises(DomainError) as agency_refused:
        create_agency_token(
            actor=world.alpha_coordinator,
            agency=agency,
            venues=[world.alpha_venue],
            name="Myynti",
            verified=True,
        )
    assert agency_refused.value.code == "system_account_deactivated"
    assert f"agency-{agency.pk}" in agency_refused.value.message


def test_a_replay_after_its_key_was_purged_or_with_a_new_token_registers_again(world, site_token):
    """The two limits docs/api.md states: a key lives 60 days after its card was registered, and
    the keys are per token."""
    from django.utils import timezone

    from kaikukanta.stats.retention import delete_request_keys

    client = bearer(site_token)
    first = post(client, CARDS, body(world), key="client-0000112").json()
    _token, rotated = create_site_token(
        actor=world.alpha_sote_coordinator, sites=[world.alpha_site], name="Uusi", verified=True
    )
    other = post(bearer(rotated), CARDS, body(world), key="client-0000112")
    assert other.status_code == 201
    assert other.json()["id"] != first["id"]
    delete_request_keys(timezone.now() + dt.timedelta(days=59), dry_run=False)
    assert post(client, CARDS, body(world), key="client-0000112").json()["id"] == first["id"]
    delete_request_keys(timezone.now() + dt.timedelta(days=61), dry_run=False)
    again = post(client, CARDS, body(world), key="client-0000112")
    assert again.status_code == 201
    assert again.json()["id"] not in (first["id"], other.json()["id"])
    assert Card.objects.count() == 3
