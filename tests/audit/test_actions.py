"""The audit trail's verbs are free strings that their own apps register (audit/actions.py): the trail
writes only registered verbs, shows each in its owning app's words, and has no database choices."""

import pytest
from django.utils import translation

from kaikukanta.audit import actions
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.audit.services import record


def test_each_app_registers_its_own_verbs():
    assert actions.owner_of(Action.CARD_ISSUED) == "cards"
    assert actions.owner_of(Action.USE_RECORDED) == "uses"
    assert actions.owner_of(Action.EVENT_CREATED) == "events"
    assert actions.owner_of(Action.ROLE_GRANTED) == "accounts"
    assert actions.owner_of(Action.FEEDBACK_RECEIVED) == "feedback"
    assert actions.owner_of(Action.CATALOGUE_CHANGED) == "network"
    assert actions.owner_of(Action.DATA_PURGED) == "stats"
    assert actions.owner_of(Action.OBJECT_CHANGED) == "audit"
    # audit/models.py names no domain's verbs and gives the field no choices.
    assert AuditEvent._meta.get_field("action").choices is None
    with pytest.raises(AttributeError):
        _ = Action.CARD_EATEN


@pytest.mark.django_db
def test_only_registered_verbs_are_written_and_shown_in_the_owners_words():
    with pytest.raises(ValueError, match="unregistered audit action"):
        record(actor=None, action="card.eaten")
    assert not AuditEvent.objects.exists()
    event = record(actor=None, action=Action.CARD_ISSUED)
    assert event.action == "card.issued"
    with translation.override("en"):
        assert event.action_label == "card issued"
    with translation.override("fi"):
        assert event.action_label not in {"card issued", "card.issued"}
    assert ("card.issued", "card issued") in actions.choices()


def test_two_apps_cannot_claim_one_verb():
    from django.db import models

    class Clash(models.TextChoices):
        CARD_ISSUED = "card.issued", "issued again"

    with pytest.raises(ValueError, match="registered by cards"):
        actions.register("uses", Clash)


def test_the_api_tokens_older_events_are_found_under_the_accounts_label(world):
    """Events written while API tokens were the api app's name them `api.apitoken`: audit.0012
    renames them, so a search by object finds a token's whole history under one name."""
    import importlib

    from django.apps import apps

    from kaikukanta.api.services import create_api_token, revoke_api_token
    from kaikukanta.audit.models import AuditEvent

    token, _secret = create_api_token(
        actor=world.alpha_venue_staff, user=world.alpha_venue_staff, name="Kassa"
    )
    AuditEvent.objects.filter(object_id=str(token.pk)).update(object_type="api.apitoken")
    revoke_api_token(actor=world.alpha_venue_staff, token=token)
    migration = importlib.import_module(
        "kaikukanta.audit.migrations.0012_api_token_events_named_by_accounts"
    )
    migration.rename(apps, None)
    history = AuditEvent.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk))
    assert sorted(history.values_list("action", flat=True)) == [
        "api_token.created",
        "api_token.revoked",
    ]
    assert not AuditEvent.objects.filter(object_type="api.apitoken").exists()
