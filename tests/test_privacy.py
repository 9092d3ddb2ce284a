"""The registry's promise: nothing that directly identifies a cardholder, anywhere.

Inspects every model of the project. Staff user accounts (accounts.User) are people who run the
programme, not cardholders, and are the only model allowed personal contact fields."""

import re

import pytest
from django.apps import apps
from django.db import models

PROJECT_APPS = {
    "accounts",
    "network",
    "audit",
    "cards",
    "events",
    "uses",
    "stats",
    "demo",
    "web",
    "api",
    "core",
}
STAFF_MODELS = {"accounts.User"}

# Field names that could hold a name, identity code, date of birth, address, phone or e-mail.
FORBIDDEN = re.compile(
    r"(^|_)(first_?name|last_?name|full_?name|surname|holder_?name|nimi|hetu|henkilotunnus|ssn|"
    r"social_?security|personal_?(id|code|number)|identity_?code|birth_?date|date_?of_?birth|dob|"
    r"syntymaaika|address|osoite|street|katu|phone|puhelin|mobile|email|e_?mail|sahkoposti)($|_)"
)

# Models that hold data about cardholders or their visits.
HOLDER_MODELS = {"cards.Card", "cards.WellbeingMeasurement", "uses.Use", "uses.GroupVisit"}

# On those models, the only text and date fields there may be, each with fixed content.
ALLOWED_TEXT = {
    "cards.Card": {"identifier", "postcode"},
    "uses.Use": {"idempotency_key"},
    "uses.GroupVisit": {"idempotency_key"},
}
ALLOWED_DATES = {
    "cards.Card": {
        "issued_on",
        "renewed_on",
        "valid_until",
        "closed_on",
        "closed_at",  # when the closing was recorded (a use earlier that day stays valid)
        "created_at",
        "updated_at",
        "holder_data_erased_on",  # the retention policy's, not the holder's (stats/retention.py)
    },
    "cards.WellbeingMeasurement": {"measured_on"},
    "uses.Use": {"occurred_at", "recorded_at"},
    "uses.GroupVisit": {"occurred_at", "created_at"},
}


def project_models():
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def test_no_model_has_a_field_for_a_persons_identity():
    offending = []
    for model in project_models():
        if model._meta.label in STAFF_MODELS:
            continue
        for field in model._meta.get_fields():
            if FORBIDDEN.search(field.name.lower()):
                offending.append(f"{model._meta.label}.{field.name}")
    assert offending == []


def test_holder_models_have_no_free_text_and_no_other_dates():
    found = []
    for label in HOLDER_MODELS:
        model = apps.get_model(label)
        for field in model._meta.concrete_fields:
            if isinstance(
                field, models.TextField | models.JSONField | models.EmailField | models.BinaryField
            ):
                found.append(f"{label}.{field.name}: {type(field).__name__}")
            elif isinstance(field, models.CharField) and not field.choices:
                if field.name not in ALLOWED_TEXT.get(label, set()):
                    found.append(f"{label}.{field.name}: free text")
            elif isinstance(field, models.DateField) and field.name not in ALLOWED_DATES.get(
                label, set()
            ):  # DateTimeField is a DateField too
                found.append(f"{label}.{field.name}: a date")
    assert found == []


def test_the_allowed_text_fields_cannot_hold_a_name():
    card = apps.get_model("cards.Card")
    assert card._meta.get_field("postcode").max_length == 5
    assert card._meta.get_field("postcode").validators
    assert card._meta.get_field("identifier").max_length <= 32


def test_the_privacy_test_would_catch_a_name_field():
    # The check above must not be vacuous: a field like these would fail it.
    for name in [
        "holder_name",
        "first_name",
        "hetu",
        "date_of_birth",
        "street_address",
        "phone",
        "email",
    ]:
        assert FORBIDDEN.search(name), name
    for name in ["birth_year", "postcode", "children", "venue", "occurred_at"]:
        assert not FORBIDDEN.search(name), name


def test_every_registry_model_has_a_visible_to_scope():
    # What each scope lets through is tested per role in test_scopes.py.
    missing = [
        model._meta.label
        for model in project_models()
        if model._meta.label
        not in STAFF_MODELS
        | {
            "accounts.RoleAssignment",
            "network.WellbeingCounty",
            "network.Municipality",
            "core.RateCounter",  # rate-limit counters: a window's count, no registry data
            "core.JobRun",  # when each scheduled job last succeeded, for /metrics: no registry data
            # A person's own second-step secrets and wrong-code counts: read only by the login's
            # services (accounts/services.py), never listed on any page.
            "accounts.RecoveryCode",
            "accounts.SecondStepFailures",
            # The provider's subject linked to an account: read only by the sign-in
            # (accounts/oidc.py), never listed on any page.
            "accounts.SignInIdentity",
        }
        and not hasattr(model.objects, "visible_to")
    ]
    assert missing == []


def test_the_database_itself_refuses_bad_holder_data(world):
    """The last line of defence, under the services: a write that skips them still cannot store a
    malformed postcode or impossible dates."""
    import datetime as dt

    from django.db import IntegrityError, transaction

    from kaikukanta.cards.models import Card

    base = {
        "identifier": "CONSTRAINT1",
        "issuing_site": world.alpha_site,
        "region": world.alpha,
        "issued_on": dt.date(2026, 1, 1),
        "valid_until": dt.date(2027, 1, 1),
        "birth_year": 1980,
        "children": 0,
        "postcode": "33100",
    }
    for bad in [
        {"postcode": "3310a"},
        {"postcode": "٣٣١٠٠"},
        {"postcode": "3310"},
        {"renewed_on": dt.date(2025, 12, 1)},
        {"valid_until": dt.date(2025, 12, 31)},
        {"birth_year": None},
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Card.objects.create(**{**base, **bad})
    Card.objects.create(**base)


def test_an_identity_code_typed_as_a_card_number_never_reaches_the_audit_trail(world):
    from kaikukanta.audit.models import AuditEvent
    from kaikukanta.cards.services import check_card, look_up_card
    from kaikukanta.core.errors import DomainError
    from kaikukanta.uses.services import record_use

    typed = "131052-308T"  # the shape of a Finnish personal identity code
    with pytest.raises(DomainError):
        check_card(actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=typed)
    with pytest.raises(DomainError):
        look_up_card(actor=world.alpha_distributor, identifier=typed)
    with pytest.raises(DomainError):
        record_use(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            card_identifier=typed,
            idempotency_key="identity-code-test",
        )
    events = list(AuditEvent.objects.values_list("data", flat=True))
    assert len(events) == 3
    for data in events:
        assert "131052" not in str(data)
        assert "308T" not in str(data)
        # Not even a hash: a keyed hash of an identity code is reversed by trying them all.
        assert data["not_a_card_number"] is True
        assert data["typed_length"] == 10  # normalised: without the hyphen
        assert set(data) <= {"not_a_card_number", "typed_length", "found", "code"}


def test_a_look_up_keeps_a_number_only_if_it_could_be_a_card_number(world, alpha_card):
    from kaikukanta.audit.models import AuditEvent
    from kaikukanta.cards import identifiers
    from kaikukanta.cards.services import check_card
    from kaikukanta.core.errors import DomainError

    unregistered = identifiers.generate()  # passes its check character, not registered
    typo = alpha_card.identifier[:-1] + ("2" if alpha_card.identifier[-1] != "2" else "3")
    for typed in [unregistered, typo, "KK001234"]:
        with pytest.raises(DomainError):
            check_card(actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=typed)
    kept = [e.data for e in AuditEvent.objects.filter(action="card.checked").order_by("pk")]
    # Never the number itself: its length and a keyed hash (which tells two look-ups of one
    # number apart from two of different numbers, and cannot be read).
    assert unregistered not in str(kept)
    assert set(kept[0]) == {"typed_length", "number_hmac", "hmac_key", "found"}
    assert (kept[0]["typed_length"], kept[0]["found"]) == (10, False)
    assert kept[1] == {"not_a_card_number": True, "typed_length": 10, "found": False}
    assert kept[2] == {"not_a_card_number": True, "typed_length": 8, "found": False}
