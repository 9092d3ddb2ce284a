from django.utils.translation import gettext_lazy as _

from kaikukanta.core.errors import DomainError


class VenueNotAccepting(DomainError):
    code = "venue_not_accepting"
    template = _(
        "%(venue)s does not accept cards on %(day)s: it accepts them %(period)s. The holder can use "
        "the card at the other venues of the network."
    )


class VenueAcceptsOwnRegionOnly(DomainError):
    code = "venue_own_region_only"
    template = _(
        "%(venue)s accepts only cards issued in %(region)s, and this card was issued elsewhere. The "
        "card is valid at the venues of its own region and at venues that accept every region's "
        "cards."
    )


class NetworkDataInvalid(DomainError):
    code = "network_data_invalid"
    template = _("%(problem)s")


# The rules of the national network's pages (network/rules.py, network/services.py): each a kind of
# invalid network data, with the field it concerns and a message that says what to do.


class PilotPeriodMissing(NetworkDataInvalid):
    code = "pilot_period_missing"
    field = "pilot_starts"
    template = _("A pilot needs its first and last day. Give both, or choose “permanent”.")


class PilotPeriodOutOfOrder(NetworkDataInvalid):
    code = "pilot_period_out_of_order"
    field = "pilot_ends"
    template = _(
        "The pilot ends (%(ends)s) before it starts (%(starts)s). Give a last day on or after the "
        "first."
    )


class SlugTaken(NetworkDataInvalid):
    code = "slug_taken"
    field = "slug"
    template = _(
        "Another region already has the address name “%(slug)s”. Choose another one, for example "
        "with the municipality's name."
    )


class PopupPeriodMissing(NetworkDataInvalid):
    code = "popup_period_missing"
    field = "active_from"
    template = _("A pop-up venue accepts cards for a fixed period: give its first and last day.")


class VenuePeriodOutOfOrder(NetworkDataInvalid):
    code = "venue_period_out_of_order"
    field = "active_until"
    template = _(
        "The last day (%(ends)s) is before the first (%(starts)s). Give a last day on or after "
        "the first."
    )


class NotCoordinatorRole(DomainError):
    code = "not_coordinator_role"
    field = "role"
    template = _("Choose the culture side or the social and health side.")
