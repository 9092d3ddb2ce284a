"""The staff menu and each user's landing page, from one table.

Each entry names a page; whether a user gets it is the page's own capability (`access.py`), so the
menu, `landing_url` and the permission tests cannot disagree with the page itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for
from kaikukanta.network.models import Region

from .access import ANY_ROLE, COORDINATOR, NATIONAL, VENUE, Capability, capability_of


@dataclass(frozen=True)
class Link:
    url: str
    label: str | Promise


def _single(entry: Entry, user: Any) -> list[Link]:
    return [Link(reverse(entry.url_name), entry.label)]


def _coordinated_regions(entry: Entry, user: Any) -> list[Link]:
    regions = Region.objects.filter(pk__in=scope_for(user).coordinator_regions).order_by("name")
    return [
        Link(reverse(entry.url_name, args=[region.slug]), region.display_name) for region in regions
    ]


def _own_statistics(entry: Entry, user: Any) -> list[Link]:
    """Straight to the reader's own statistics (web:stats would redirect there)."""
    from .views.stats import own_statistics_url

    url = own_statistics_url(user)
    return [Link(url, entry.label)] if url else []


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: Promise
    # Whose menu shows it; None: whoever the page itself lets in.
    capability: Capability | None = None
    # A role's own start page: landing_url picks the first entry the user has.
    landing: bool = False
    links: Callable[[Entry, Any], list[Link]] = _single

    def page_capability(self) -> Capability:
        if self.capability is not None:
            return self.capability
        url = reverse(self.url_name)
        capability = capability_of(resolve(url).func)
        assert capability is not None, f"{self.url_name} has no @requires capability"
        return capability


MENU = [
    Entry("web:national", _("National"), landing=True),
    # Coordinators get a link for each of their regions; others reach their region from their page.
    Entry(
        "web:region", _("Region"), capability=COORDINATOR, landing=True, links=_coordinated_regions
    ),
    Entry("web:distributor", _("Distributor"), landing=True),
    # Coordinators may type in paper records there too, but it is a venue's own start page.
    Entry("web:venue", _("Venue"), capability=VENUE, landing=True),
    Entry("web:cards", _("Cards")),
    Entry("web:card_stock", _("Card stock")),
    Entry("web:uses", _("Uses")),
    Entry("web:audit", _("Audit trail")),
    Entry("web:catalogue_entries", _("Catalogue")),
    Entry("web:feedback", _("Feedback")),
    # Each role's own statistics: the country, their region, their site or their venue.
    Entry("web:stats", _("Statistics"), links=_own_statistics),
    Entry("web:guideline", _("Guideline")),
    # The national network (regions, pop-up venues, ticket agencies): national admins' own pages.
    Entry("web:national_regions", _("Network")),
    # Django's admin is not our view; its site asks the same capability (accounts/admin_site.py).
    Entry("admin:index", _("Administration"), capability=NATIONAL),
    # Their own logging in: recovery codes, a link to their organisation's provider
    # (web/views/two_factor.py account). The page opens to anyone signed in; someone without a role
    # has no menu at all.
    Entry("web:two_factor_account", _("Logging in"), capability=ANY_ROLE),
]


def menu(user: Any) -> list[Link]:
    return [
        link
        for entry in MENU
        if entry.page_capability().allows(user)
        for link in entry.links(entry, user)
    ]


def landing_url(user: Any) -> str | None:
    """The page a user starts from: their most encompassing role's page."""
    for entry in MENU:
        if entry.landing and entry.page_capability().allows(user):
            links = entry.links(entry, user)
            if links:
                return links[0].url
    return None
