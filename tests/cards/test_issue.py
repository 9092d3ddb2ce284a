import datetime as dt

import pytest
from django.utils import translation

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards import errors, identifiers
from kaikukanta.cards.models import Card, CardType, WellbeingMeasurement
from kaikukanta.cards.services import (
    Wellbeing,
    create_card_stock,
    import_card,
    issue_card,
    issue_community_card,
    registration_refusals,
    renew_card,
)
from kaikukanta.core.errors import DateInFuture, DateTooFarBack, NotAllowed, Refusals

from ..conftest import TODAY, holder, on_day


def test_distributor_registers_a_card_valid_for_one_year(world):
    card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    assert identifiers.is_valid(card.identifier)
    assert card.card_type == CardType.PERSONAL
    assert card.region == world.alpha
    assert card.issued_on == TODAY
    assert card.valid_until == dt.date(2027, 6, 15)
    assert (card.birth_year, card.postcode, card.children) == (1980, "33100", 2)
    event = AuditEvent.objects.get(action=Action.CARD_ISSUED)
    assert (event.actor, event.object_id, event.region) == (
        world.alpha_distributor,
        str(card.pk),
        world.alpha,
    )


def test_card_issued_on_29_february_is_valid_until_28_february(world):
    with on_day(dt.date(2024, 3, 10)):
        card = issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(),
            issued_on=dt.date(2024, 2, 29),  # a paper form typed in ten days later
        )
    assert card.valid_until == dt.date(2025, 2, 28)


def test_validity_never_passes_the_end_of_the_pilot(world):
    card = issue_card(actor=world.beta_distributor, site=world.beta_site, holder=holder())
    assert card.valid_until == dt.date(2026, 12, 31)


def test_no_card_before_the_pilot_starts_or_after_it_ends(world):
    with pytest.raises(errors.PilotNotStarted), on_day(dt.date(2025, 8, 31)):
        issue_card(
            actor=world.beta_distributor,
            site=world.beta_site,
            holder=holder(),
            issued_on=dt.date(2025, 8, 31),
        )
    world.beta.pilot_ends = dt.date(2026, 5, 31)
    world.beta.save()
    site = world.beta_site
    site.region.refresh_from_db()
    with pytest.raises(errors.PilotEnded) as raised:
        issue_card(actor=world.beta_distributor, site=site, holder=holder())
    with translation.override("fi"):
        assert "31.5.2026" in raised.value.message


@pytest.mark.parametrize(
    ("birth_year", "allowed"),
    [(2010, True), (2011, False), (1990, True), (1906, True), (1905, False), (2027, False)],
)
def test_holder_must_be_16_or_turn_16_this_year(world, birth_year, allowed):
    if allowed:
        issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(birth_year=birth_year),
        )
        return
    with pytest.raises((errors.HolderTooYoung, errors.BirthYearInvalid)) as raised:
        issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(birth_year=birth_year),
        )
    assert raised.value.field == "birth_year"
    assert Card.objects.count() == 0


def test_too_young_message_says_the_latest_birth_year(world):
    with pytest.raises(errors.HolderTooYoung) as raised:
        issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder(birth_year=2012)
        )
    assert "2010" in raised.value.message


@pytest.mark.parametrize("postcode", ["3310", "331000", "3310A", "", "33 10", "٣٣١٠٠"])
def test_postcode_must_be_five_digits(world, postcode):
    with pytest.raises(errors.PostcodeInvalid) as raised:
        issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder(postcode=postcode)
        )
    assert raised.value.field == "postcode"
    assert "33100" in raised.value.message


@pytest.mark.parametrize("children", [-1, 21, "2", None])
def test_children_is_a_small_whole_number(world, children):
    with pytest.raises(errors.ChildrenInvalid):
        issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder(children=children)
        )


def test_optional_choices_are_checked(world):
    with pytest.raises(errors.ChoiceInvalid) as raised:
        issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(life_situation="millionaire"),
        )
    assert raised.value.field == "life_situation"
    card = issue_card(
        actor=world.alpha_distributor,
        site=world.alpha_site,
        holder=holder(life_situation="student", gender="other"),
    )
    assert (card.life_situation, card.gender) == ("student", "other")


def test_wellbeing_at_issue_is_all_five_who5_answers_or_none(world):
    card = issue_card(
        actor=world.alpha_distributor,
        site=world.alpha_site,
        holder=holder(),
        wellbeing=Wellbeing(who5=(3, 4, 2, 5, 1), mood=4),
    )
    measurement = WellbeingMeasurement.objects.get(card=card)
    assert measurement.occasion == "issue"
    assert measurement.who5_score == 60
    with pytest.raises(errors.WellbeingIncomplete):
        issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(),
            wellbeing=Wellbeing(who5=(3, 4, None, 5, 1)),
        )
    with pytest.raises(errors.WellbeingInvalid):
        issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(),
            wellbeing=Wellbeing(mood=6),
        )
    assert Card.objects.count() == 1  # the refused cards left nothing behind


def test_pre_printed_number_is_checked(world):
    number = identifiers.generate()
    card = issue_card(
        actor=world.alpha_distributor,
        site=world.alpha_site,
        holder=holder(),
        identifier=number.lower(),
    )
    assert card.identifier == number
    with pytest.raises(errors.IdentifierTaken):
        issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder(), identifier=number
        )
    typo = number[:3] + number[4] + number[3] + number[5:]
    if typo != number:
        with pytest.raises(errors.IdentifierCheckFailed):
            issue_card(
                actor=world.alpha_distributor,
                site=world.alpha_site,
                holder=holder(),
                identifier=typo,
            )
    with pytest.raises(errors.IdentifierHasInvalidCharacters) as raised:
        issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(),
            identifier="O" + number[1:],
        )
    assert "O" in raised.value.message
    with pytest.raises(errors.IdentifierMalformed):
        issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder(), identifier="ABC"
        )


def test_only_the_sites_staff_and_the_regions_coordinators_issue(world):
    for actor in [world.alpha_distributor, world.alpha_coordinator, world.national]:
        issue_card(actor=actor, site=world.alpha_site, holder=holder())
    for actor in [
        world.alpha_other_distributor,
        world.beta_distributor,
        world.beta_coordinator,
        world.alpha_venue_staff,
        world.nobody,
    ]:
        with pytest.raises(NotAllowed):
            issue_card(actor=actor, site=world.alpha_site, holder=holder())


def test_site_that_left_the_network_issues_nothing(world):
    world.alpha_site.is_active = False
    world.alpha_site.save()
    with pytest.raises(errors.SiteNotTakingPart):
        issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())


def test_issue_date_cannot_be_in_the_future(world):
    with pytest.raises(DateInFuture):
        issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(),
            issued_on=TODAY + dt.timedelta(days=1),
        )


def test_issue_date_at_most_30_days_back_for_paper_forms_typed_in_later(world):
    card = issue_card(
        actor=world.alpha_distributor,
        site=world.alpha_site,
        holder=holder(),
        issued_on=TODAY - dt.timedelta(days=30),
    )
    assert card.issued_on == dt.date(2026, 5, 16)
    with pytest.raises(DateTooFarBack) as raised:
        issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(),
            issued_on=TODAY - dt.timedelta(days=31),
        )
    assert "15.5.2026 is more than 30 days ago" in raised.value.message
    with translation.override("sv"):
        assert "15.5.2026" in raised.value.message


def test_community_card_has_no_holder_and_belongs_to_the_organisation(world):
    card = issue_community_card(actor=world.alpha_other_distributor, site=world.alpha_other_site)
    assert card.card_type == CardType.COMMUNITY
    assert card.birth_year is None
    assert card.children is None
    assert card.postcode == ""
    assert card.issuing_site.organisation.name == "Yhdistys ry"


def test_import_keeps_the_old_number_as_it_is(world):
    card = import_card(
        actor=world.national,
        site=world.alpha_site,
        identifier="kk-001234",
        issued_on=dt.date(2025, 9, 1),
        valid_until=dt.date(2026, 9, 1),
        holder=holder(),
    )
    assert card.identifier == "KK001234"
    assert card.imported
    with pytest.raises(errors.ImportedIdentifierInvalid):
        import_card(
            actor=world.national,
            site=world.alpha_site,
            identifier="KK_00/1",
            issued_on=dt.date(2025, 9, 1),
            valid_until=dt.date(2026, 9, 1),
            holder=holder(),
        )
    with pytest.raises(NotAllowed):
        import_card(
            actor=world.alpha_coordinator,
            site=world.alpha_site,
            identifier="KK001235",
            issued_on=dt.date(2025, 9, 1),
            valid_until=dt.date(2026, 9, 1),
            holder=holder(),
        )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fi", "postinumerossa on tasan viisi numeroa"),
        ("sv", "postnummer har exakt fem siffror"),
        ("en", "postcode has exactly five digits"),
    ],
)
def test_errors_speak_the_readers_language(world, language, expected):
    with pytest.raises(errors.PostcodeInvalid) as raised:
        issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder(postcode="1")
        )
    with translation.override(language):
        assert expected in raised.value.message


def test_import_keeps_the_validity_rules(world):
    from kaikukanta.cards.services import import_card

    common = {"actor": world.national, "site": world.beta_site, "holder": holder()}
    with pytest.raises(errors.ValidityPastPilot):
        import_card(
            identifier="OLD0001",
            issued_on=dt.date(2025, 9, 1),
            valid_until=dt.date(2027, 1, 1),
            **common,
        )
    with pytest.raises(errors.IssueDateTooEarly):
        import_card(
            identifier="OLD0002",
            issued_on=dt.date(2025, 9, 1),
            valid_until=dt.date(2026, 9, 1),
            renewed_on=dt.date(2025, 8, 1),
            **common,
        )
    with pytest.raises(errors.RenewalAfterValidity):
        import_card(
            identifier="OLD0003",
            issued_on=dt.date(2025, 9, 1),
            valid_until=dt.date(2026, 3, 1),
            renewed_on=dt.date(2026, 4, 1),
            **common,
        )
    assert Card.objects.count() == 0


def test_every_refusal_of_a_registration_comes_at_once(world):
    """A registration with four faults is refused once, naming all four (each with its field), so
    that the page shows them after one submit: not the birth year first and the postcode next."""
    stock = create_card_stock(actor=world.beta_coordinator, region=world.beta, size=1)
    with pytest.raises(Refusals) as refused:
        issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(birth_year=TODAY.year - 10, postcode="3310", children=21),
            identifier=stock.numbers.get().identifier,
            wellbeing=Wellbeing(who5=(3, None, None, None, None)),
        )
    assert [(error.code, error.field) for error in refused.value.errors] == [
        ("holder_too_young", "birth_year"),
        ("postcode_invalid", "postcode"),
        ("children_invalid", "children"),
        ("wellbeing_incomplete", "wellbeing"),
        ("stock_of_another_region", "identifier"),
    ]
    # Read as one error, it is the first: the code, status and message a caller of one shows.
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "holder_too_young",
        422,
        "birth_year",
    )
    assert refused.value.message == refused.value.errors[0].message
    assert not Card.objects.exists()


def test_a_single_refusal_is_raised_as_itself(world):
    with pytest.raises(errors.PostcodeInvalid):
        issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder(postcode="x")
        )


def test_the_rules_are_asked_without_registering(world):
    """registration_refusals is issue_card's own list: the page asks it when the form could not
    read a field, and it judges what it was given (a site not chosen yet skips the site's rules)."""
    faulty = holder(birth_year=None, postcode="123")
    assert [e.code for e in registration_refusals(site=None, holder=faulty)] == [
        "birth_year_invalid",
        "postcode_invalid",
    ]
    assert registration_refusals(site=world.alpha_site, holder=holder()) == []
    assert not Card.objects.exists()


def test_no_answer_to_every_statement_is_no_questionnaire(world):
    card = issue_card(
        actor=world.alpha_distributor,
        site=world.alpha_site,
        holder=holder(),
        wellbeing=Wellbeing(who5=(None,) * 5, mood=3),
    )
    measurement = WellbeingMeasurement.objects.get(card=card)
    assert (measurement.who5_score, measurement.mood) == (None, 3)


def test_renewal_reports_the_holder_and_questionnaire_faults_together(world, alpha_card):
    with pytest.raises(Refusals) as refused:
        renew_card(
            actor=world.alpha_distributor,
            card=alpha_card,
            holder=holder(postcode="1", children=-1),
            wellbeing=Wellbeing(who5=(1, 2, 3, 4, 5), mood=9),
        )
    assert [error.code for error in refused.value.errors] == [
        "postcode_invalid",
        "children_invalid",
        "wellbeing_invalid",
    ]
