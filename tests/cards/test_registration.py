"""Registering at a client meeting: the form's key against double clicks, card stock of a region,
the holder data updated without renewing, and the same number registered from two sites at once."""

import threading

import pytest
from django.db import connection

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards import errors, identifiers
from kaikukanta.cards.models import Card, CardStock, StockNumber
from kaikukanta.cards.services import (
    HolderData,
    create_card_stock,
    issue_card,
    issue_community_card,
    replace_card,
    update_holder_data,
)
from kaikukanta.core.errors import IdempotencyConflict, NotAllowed

from ..conftest import holder, new_key


def test_the_same_form_key_registers_one_card(world):
    key = new_key()
    first = issue_card(
        actor=world.alpha_distributor, site=world.alpha_site, holder=holder(), key=key
    )
    again = issue_card(
        actor=world.alpha_distributor, site=world.alpha_site, holder=holder(), key=key
    )
    assert again.pk == first.pk
    assert Card.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.CARD_ISSUED).count() == 1


def test_a_form_key_of_another_site_is_a_conflict_not_its_card(world):
    key = new_key()
    issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder(), key=key)
    with pytest.raises(IdempotencyConflict):
        issue_card(
            actor=world.alpha_other_distributor,
            site=world.alpha_other_site,
            holder=holder(),
            key=key,
        )


def test_a_community_card_form_key_registers_one_card(world):
    key = new_key()
    first = issue_community_card(actor=world.alpha_distributor, site=world.alpha_site, key=key)
    again = issue_community_card(actor=world.alpha_distributor, site=world.alpha_site, key=key)
    assert first.pk == again.pk


def test_coordinator_generates_a_batch_of_stock_for_their_region(world):
    batch = create_card_stock(actor=world.alpha_coordinator, region=world.alpha, size=25)
    numbers = list(batch.numbers.values_list("identifier", flat=True))
    assert len(set(numbers)) == 25
    assert all(identifiers.is_valid(number) for number in numbers)
    event = AuditEvent.objects.get(action=Action.CARD_STOCK_CREATED)
    assert event.data == {"size": 25}
    assert event.region == world.alpha
    assert batch.registered_count() == 0
    issue_card(
        actor=world.alpha_distributor, site=world.alpha_site, holder=holder(), identifier=numbers[3]
    )
    assert batch.registered_count() == 1


@pytest.mark.parametrize("role", ["beta_coordinator", "alpha_distributor", "alpha_venue_staff"])
def test_only_the_regions_coordinators_and_national_admins_generate_stock(world, role):
    with pytest.raises(NotAllowed):
        create_card_stock(actor=getattr(world, role), region=world.alpha, size=5)
    assert not CardStock.objects.exists()


@pytest.mark.parametrize("size", [0, -1, 2001])
def test_a_batch_size_out_of_range_is_refused(world, size):
    with pytest.raises(errors.StockSizeInvalid):
        create_card_stock(actor=world.national, region=world.alpha, size=size)


def test_a_number_of_another_regions_stock_is_refused(world):
    batch = create_card_stock(actor=world.beta_coordinator, region=world.beta, size=2)
    number = batch.numbers.first().identifier
    with pytest.raises(errors.StockOfAnotherRegion) as refused:
        issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder(), identifier=number
        )
    assert "Beetala" in refused.value.message
    assert refused.value.field == "identifier"
    with pytest.raises(errors.StockOfAnotherRegion):
        issue_community_card(
            actor=world.alpha_distributor, site=world.alpha_site, identifier=number
        )
    assert not Card.objects.exists()
    # In its own region it registers.
    card = issue_card(
        actor=world.beta_distributor, site=world.beta_site, holder=holder(), identifier=number
    )
    assert card.identifier == number


def test_a_replacement_number_of_another_regions_stock_is_refused(world, alpha_card):
    batch = create_card_stock(actor=world.beta_coordinator, region=world.beta, size=1)
    with pytest.raises(errors.StockOfAnotherRegion):
        replace_card(
            actor=world.alpha_distributor,
            card=alpha_card,
            identifier=batch.numbers.get().identifier,
        )
    alpha_card.refresh_from_db()
    assert not alpha_card.is_closed


def test_generated_numbers_avoid_the_stock(world, monkeypatch):
    batch = create_card_stock(actor=world.alpha_coordinator, region=world.alpha, size=1)
    taken = batch.numbers.get().identifier
    candidates = iter([taken, identifiers.generate()])
    monkeypatch.setattr(identifiers, "generate", lambda: next(candidates))
    card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    assert card.identifier != taken
    assert StockNumber.objects.filter(identifier=taken).exists()


def test_update_changes_holder_data_without_renewing(world, alpha_card):
    valid_until = alpha_card.valid_until
    card = update_holder_data(
        actor=world.alpha_distributor,
        card=alpha_card,
        holder=holder(children=3, postcode="33200"),
    )
    assert (card.children, card.postcode, card.valid_until) == (3, "33200", valid_until)
    assert card.renewed_on is None
    event = AuditEvent.objects.get(action=Action.CARD_UPDATED)
    assert event.data == {"changed": ["postcode", "children"]}  # which fields, never the values


def test_update_that_changes_nothing_says_so(world, alpha_card):
    with pytest.raises(errors.HolderDataUnchanged):
        update_holder_data(actor=world.alpha_distributor, card=alpha_card, holder=holder())
    assert not AuditEvent.objects.filter(action=Action.CARD_UPDATED).exists()


def test_update_validates_like_registration(world, alpha_card):
    with pytest.raises(errors.HolderTooYoung):
        update_holder_data(
            actor=world.alpha_distributor, card=alpha_card, holder=holder(birth_year=2015)
        )
    with pytest.raises(errors.PostcodeInvalid):
        update_holder_data(
            actor=world.alpha_distributor, card=alpha_card, holder=holder(postcode="3310")
        )


def test_update_only_by_the_issuing_site_or_coordinators(world, alpha_card):
    with pytest.raises(errors.CardManagedElsewhere):
        update_holder_data(
            actor=world.alpha_other_distributor, card=alpha_card, holder=holder(children=0)
        )
    update_holder_data(
        actor=world.alpha_sote_coordinator, card=alpha_card, holder=holder(children=0)
    )


def test_a_community_card_has_no_holder_data_to_update(world, community_card):
    with pytest.raises(errors.NotAPersonalCard):
        update_holder_data(
            actor=world.alpha_other_distributor, card=community_card, holder=holder()
        )


def test_a_closed_card_is_not_updated(world, alpha_card):
    from kaikukanta.cards.services import close_card

    close_card(actor=world.alpha_distributor, card=alpha_card, reason="moved_away")
    with pytest.raises(errors.CardClosed):
        update_holder_data(
            actor=world.alpha_distributor, card=alpha_card, holder=holder(children=1)
        )


def test_holder_data_type_is_what_the_form_gives():
    assert HolderData(birth_year=1990, postcode="00100", children=0).life_situation == ""


@pytest.mark.django_db(transaction=True)
def test_the_same_number_from_two_sites_at_once_registers_one_card(world):
    batch = create_card_stock(actor=world.alpha_coordinator, region=world.alpha, size=1)
    number = batch.numbers.get().identifier
    sites = [
        (world.alpha_distributor, world.alpha_site),
        (world.alpha_other_distributor, world.alpha_other_site),
    ] * 3
    barrier = threading.Barrier(len(sites))
    results: list = [None] * len(sites)

    def worker(index):
        actor, site = sites[index]
        try:
            barrier.wait(timeout=10)
            results[index] = issue_card(
                actor=actor, site=site, holder=holder(), identifier=number, key=new_key()
            )
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(sites))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    cards = [r for r in results if isinstance(r, Card)]
    refused = [r for r in results if isinstance(r, errors.IdentifierTaken)]
    assert len(cards) == 1, results
    assert len(refused) == len(sites) - 1, results
    assert Card.objects.filter(identifier=number).count() == 1
    assert AuditEvent.objects.filter(action=Action.CARD_ISSUED).count() == 1


def test_card_stock_is_seen_in_its_region_only(world):
    alpha = create_card_stock(actor=world.national, region=world.alpha, size=1)
    beta = create_card_stock(actor=world.national, region=world.beta, size=1)
    seen = {
        role: set(CardStock.objects.visible_to(getattr(world, role)))
        for role in ("national", "alpha_coordinator", "beta_distributor", "alpha_venue_staff")
    }
    assert seen == {
        "national": {alpha, beta},
        "alpha_coordinator": {alpha},
        "beta_distributor": {beta},
        "alpha_venue_staff": set(),
    }
    assert set(StockNumber.objects.visible_to(world.alpha_coordinator)) == set(alpha.numbers.all())
