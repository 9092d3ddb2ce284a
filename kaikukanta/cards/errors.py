from django.utils.translation import gettext_lazy as _

# ChoiceInvalid moved to core (events and uses raise it too); named here for the cards' callers.
from kaikukanta.core.errors import ChoiceInvalid as ChoiceInvalid
from kaikukanta.core.errors import DomainError, NotAllowed


class HolderTooYoung(DomainError):
    code = "holder_too_young"
    field = "birth_year"
    template = _(
        "The card is for people who are 16 or turn 16 this year: the holder must be born in "
        "%(latest)s or earlier."
    )


class BirthYearInvalid(DomainError):
    code = "birth_year_invalid"
    field = "birth_year"
    template = _("Give the birth year as four digits, between %(earliest)s and %(latest)s.")


class PostcodeInvalid(DomainError):
    code = "postcode_invalid"
    field = "postcode"
    template = _("A Finnish postcode has exactly five digits, for example 33100.")


class ChildrenInvalid(DomainError):
    code = "children_invalid"
    field = "children"
    template = _(
        "Give the number of the holder's own children and grandchildren under 18 as a whole "
        "number from 0 to %(max)s."
    )


class WellbeingIncomplete(DomainError):
    code = "wellbeing_incomplete"
    field = "wellbeing"
    template = _("Answer all five WHO-5 statements, or leave all of them empty.")


class WellbeingInvalid(DomainError):
    code = "wellbeing_invalid"
    field = "wellbeing"
    template = _("Each WHO-5 answer is a number from 0 to 5, and the mood a number from 1 to 5.")


class IdentifierMalformed(DomainError):
    code = "identifier_malformed"
    field = "identifier"
    template = _(
        "A card number has ten characters: digits 2-9 and letters A-Y without I, L, O and S, "
        "for example %(example)s. Check the number on the card."
    )


class IdentifierHasInvalidCharacters(DomainError):
    code = "identifier_invalid_characters"
    field = "identifier"
    template = _(
        "The card number %(identifier)s contains %(characters)s, which card numbers never use "
        "(they have no 0, 1, I, L, O, S or Z). Check the number on the card."
    )


class IdentifierCheckFailed(DomainError):
    code = "identifier_check_failed"
    field = "identifier"
    template = _(
        "The card number %(identifier)s has a typing error: its check character does not match. "
        "Check the number on the card, character by character."
    )


class IdentifierTaken(DomainError):
    code = "identifier_taken"
    field = "identifier"
    status = 409
    template = _("The card number %(identifier)s is already registered. Use another card.")


class ImportedIdentifierInvalid(DomainError):
    code = "imported_identifier_invalid"
    field = "identifier"
    template = _(
        "An imported card number may contain only the letters A-Z and digits, 4 to 32 characters: "
        "%(identifier)s does not."
    )


class CardNotFound(DomainError):
    code = "card_not_found"
    field = "identifier"
    status = 404
    template = _("No card has the number %(identifier)s. Check the number on the card.")


class CardRegisteredElsewhere(DomainError):
    """A number registered at a site the searcher does not work at: it exists, but not which site
    (that could tell which service a person is a client of)."""

    code = "card_registered_elsewhere"
    field = "identifier"
    status = 403
    template = _(
        "Card %(identifier)s is registered at another distributor site. Its validity is extended, "
        "and it is changed and closed, there or by the region's coordinators; the holder can ask "
        "the service that gave the card."
    )


class CardManagedElsewhere(NotAllowed):
    code = "card_managed_elsewhere"
    template = _(
        "Card %(identifier)s is managed at the site that registered it, or by the region's "
        "coordinators. Ask them to extend its validity, change it or close it."
    )


class CardClosed(DomainError):
    """A closed card, where it would be used (a venue, the API): the holder gets a new card from a
    distributor."""

    code = "card_closed"
    template = _(
        "Card %(identifier)s was closed on %(closed_on)s and can no longer be used. The holder can "
        "get a new card from a Kaikukortti distributor."
    )


class CardClosedForDistributor(CardClosed):
    """A closed card, where a distributor would extend, change, close or replace it: they are the
    ones who register a new card, so they are not told to ask a distributor."""

    template = _(
        "Card %(identifier)s was closed on %(closed_on)s: its validity cannot be extended, and it "
        "cannot be changed or replaced. If the holder still needs a card, register a new one."
    )


class CardExpired(DomainError):
    code = "card_expired"
    template = _(
        "Card %(identifier)s expired on %(valid_until)s. Its validity can be extended at the "
        "service that issued it."
    )


class CardPilotEnded(DomainError):
    code = "card_pilot_ended"
    template = _(
        "Card %(identifier)s was valid until %(ends)s, the end of the pilot of %(region)s, and its "
        "validity cannot be extended. The region's coordinators know whether the Kaikukortti "
        "continues there."
    )


class CardNotYetValid(DomainError):
    code = "card_not_yet_valid"
    template = _("Card %(identifier)s was issued on %(issued_on)s and was not valid on %(day)s.")


class SiteNotTakingPart(DomainError):
    code = "site_not_taking_part"
    template = _(
        "%(site)s no longer takes part in the network and cannot issue cards. Contact the "
        "region's coordinator."
    )


class PilotNotStarted(DomainError):
    code = "pilot_not_started"
    template = _("The pilot of %(region)s starts on %(starts)s; cards can be issued from that day.")


class PilotEnded(DomainError):
    code = "pilot_ended"
    template = _(
        "The pilot of %(region)s ended on %(ends)s, and no card can be valid after it. Ask the "
        "region's coordinator whether the region continues."
    )


class RenewalChangesNothing(DomainError):
    code = "renewal_changes_nothing"
    template = _(
        "Card %(identifier)s is already valid until %(valid_until)s: extending its validity today "
        "would not add to it. Extend it nearer its end, or update the holder's data instead."
    )


class RenewalCappedByPilot(DomainError):
    code = "renewal_capped_by_pilot"
    template = _(
        "Card %(identifier)s is already valid until %(valid_until)s, the end of the pilot of "
        "%(region)s: extending its validity would not add to it."
    )


class IssueDateTooEarly(DomainError):
    code = "date_before_issue"
    template = _("The date %(day)s is before card %(identifier)s was issued on %(issued_on)s.")


class DateBeforeRenewal(DomainError):
    code = "date_before_renewal"
    template = _(
        "The date %(day)s is before the validity of card %(identifier)s was last extended on "
        "%(renewed_on)s."
    )


class ClosingBeforeLastUse(DomainError):
    code = "closing_before_last_use"
    template = _(
        "Card %(identifier)s was last used on %(last_use)s, so it cannot be closed before that day."
    )


class ValidityPastPilot(DomainError):
    code = "validity_past_pilot"
    template = _(
        "Card %(identifier)s would be valid until %(valid_until)s, but the pilot of %(region)s ends "
        "on %(ends)s and no card can be valid after it."
    )


class RenewalAfterValidity(DomainError):
    code = "renewal_after_validity"
    template = _(
        "The date of the extension, %(day)s, is after the validity of card %(identifier)s ends on "
        "%(valid_until)s."
    )


class CommunityCardNeedsGroup(DomainError):
    code = "community_card_needs_group"
    template = _(
        "Card %(identifier)s is a community card, for group visits only: it is used when "
        "accompanying clients. Record a group visit with each client's own card number."
    )


class TooManyLookups(DomainError):
    code = "too_many_lookups"
    status = 429
    template = _(
        "Too many card look-ups in a short time, or too many numbers that match no card. Try again "
        "after %(until)s. If this was not you, tell your region's coordinator."
    )


class StockOfAnotherRegion(DomainError):
    code = "stock_of_another_region"
    field = "identifier"
    template = _(
        "Card %(identifier)s comes from the card stock of %(region)s and can be registered only "
        "there. Take a card from your own region's stock, or leave the number empty to get a new one."
    )


class HolderDataUnchanged(DomainError):
    code = "holder_data_unchanged"
    template = _("Nothing was changed: the card already has these details.")


class NotAPersonalCard(DomainError):
    code = "not_a_personal_card"
    template = _("Card %(identifier)s is a community card: it has no holder details to change.")


class StockSizeInvalid(DomainError):
    code = "stock_size_invalid"
    field = "size"
    template = _("A batch has from 1 to %(max)s cards. Give a whole number in that range.")
