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
