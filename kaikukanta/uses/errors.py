from django.utils.translation import gettext_lazy as _

from kaikukanta.core.errors import DomainError, NotAllowed


class NoTickets(DomainError):
    code = "no_tickets"
    template = _("Record at least one ticket: the holder's own ticket or a child ticket.")


class ChildTicketsInvalid(DomainError):
    code = "child_tickets_invalid"
    field = "child_tickets"
    template = _("Give the number of child tickets as a whole number, 0 or more.")


class TooManyChildTickets(DomainError):
    code = "too_many_child_tickets"
    field = "child_tickets"
    template = _(
        "Card %(identifier)s has %(children)s children or grandchildren under 18 registered, so it "
        "gives at most %(children)s child tickets. The registry's number counts, not the printed "
        "card's; the holder can update it where the card was issued."
    )


class NoChildTicketsForCourses(DomainError):
    code = "no_child_tickets_for_courses"
    field = "child_tickets"
    template = _(
        "Child tickets come only with entry tickets to the same event, not with course places or "
        "season passes."
    )


class NoChildTicketsHere(DomainError):
    code = "no_child_tickets_here"
    field = "child_tickets"
    template = _(
        "%(venue)s gives no free child tickets with the card: record the holder's own ticket only."
    )


class CommunityCardNotForCourses(DomainError):
    code = "community_card_not_for_courses"
    field = "kind"
    template = _("A community card gives entry tickets only, never course places or season passes.")


class NotACommunityCard(DomainError):
    code = "not_a_community_card"
    field = "community_card"
    template = _(
        "Card %(identifier)s is a personal card. A group visit is recorded with the community card "
        "of the accompanying worker's organisation."
    )


class MemberCardNotPersonal(DomainError):
    code = "member_card_not_personal"
    field = "members"
    template = _(
        "Card %(identifier)s is a community card. Each member of the group shows their own personal "
        "card."
    )


class MemberListedTwice(DomainError):
    code = "member_listed_twice"
    field = "members"
    template = _("Card %(identifier)s is listed twice in the group. Give each card once.")


class GroupEmpty(DomainError):
    code = "group_empty"
    field = "members"
    template = _(
        "A community card is used only together with clients: give the card number of each client, "
        "or the age of each client under %(limit)s who comes without a card."
    )


class CoveredClientTooOld(DomainError):
    code = "covered_client_too_old"
    field = "covered_client_ages"
    template = _(
        "A client aged %(age)s needs their own Kaikukortti: the community card covers only clients "
        "under %(limit)s."
    )


class AgeInvalid(DomainError):
    code = "age_invalid"
    field = "covered_client_ages"
    template = _("Give each client's age in whole years, for example 14.")


class EventOfAnotherVenue(DomainError):
    code = "event_of_another_venue"
    field = "event"
    template = _("%(event)s is not an event of %(venue)s. Choose one of the venue's own events.")


class EventSoldOut(DomainError):
    code = "event_sold_out"
    field = "event"
    status = 409
    template = _("%(event)s is sold out, and cardholders get no tickets to a sold-out event.")


class QuotaExhausted(DomainError):
    code = "quota_exhausted"
    field = "event"
    status = 409
    template = _(
        "The cardholder tickets of %(event)s are running out: %(left)s of %(quota)s left, and this "
        "needs %(needed)s."
    )
    sold_out_template = _(
        "The cardholder tickets of %(event)s are sold out: all %(quota)s have been given."
    )

    @property
    def message(self) -> str:
        if self.params.get("left") == 0:  # not "running out: 0 left"
            return str(self.sold_out_template) % {
                "event": self.params["event"].display_name,
                "quota": self.params["quota"],
            }
        return super().message


class CancelTooLate(DomainError):
    code = "cancel_too_late"
    status = 409
    template = _(
        "A use can be cancelled here only within %(minutes)s minutes of recording it, and this one "
        "was recorded earlier. Your region's culture coordinator (for a pop-up venue, the national "
        "service) can remove it: tell them the time and the card, and they choose Correct beside "
        "the use on their Uses page."
    )


class CancelGroupMember(DomainError):
    code = "cancel_group_member"
    status = 409
    template = _(
        "This use belongs to a group visit and cannot be cancelled alone. Your region's culture "
        "coordinator (for a pop-up venue, the national service) can remove the whole group visit: "
        "they choose Correct beside it on their Uses page."
    )


class RemovalForCoordinator(NotAllowed):
    """Venue staff asked to remove a use: the coordinator's correction, not the box office's."""

    code = "removal_for_coordinator"
    status = 403
    template = _(
        "Only the region's culture coordinator (for a pop-up venue, the national service) removes "
        "a use recorded by mistake. Within %(minutes)s minutes of recording it, cancel it at the "
        "box office; after that, ask the coordinator."
    )


class RemoveWholeGroupVisit(DomainError):
    code = "remove_whole_group_visit"
    status = 409
    template = _(
        "This use belongs to a group visit, whose uses are removed together: choose Correct beside "
        "the group visit to remove it all."
    )


class AlreadyRemoved(DomainError):
    code = "already_removed"
    status = 404
    template = _(
        "This use is no longer in the registry: it was removed or cancelled a moment ago. The "
        "Uses page shows what is left."
    )


class UseRequestCancelled(DomainError):
    code = "use_cancelled"
    field = "idempotency_key"
    status = 409
    template = _(
        "This admission was recorded and then cancelled or removed as a mistake, so it is not "
        "recorded again. To admit the holder now, check the card again and admit them as a new "
        "admission."
    )
