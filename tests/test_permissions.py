"""The permission matrix: every URL of the staff pages, the API and the admin, for every role of the
`world` (and the anonymous), on an object of the user's own and on one foreign to them.

How to read a row: `Row("web:card", objects=own_and_foreign("card"), get=staff(403, national=OK,
alpha_distributor=(OK, 404), ...))` says that the card page answers 403 to every role not named, sends
the anonymous to the login page, shows the national administrator both cards and shows
alpha_distributor their own card and a 404 for a card of another site. A pair is (own, foreign); a
single outcome is the same for both.

Outcomes: a status code; `LOGIN` (a 302 to the login page; in the admin, through /admin/login/);
`AWAY` (the admin sends a signed-in user without the right away, to a page that is not the admin's);
`Redirect(...)` (a 302 to exactly that address); `SERVED` (the admin took the POST: a 200 form or a
302 within the admin). A refused request (403, 404, 405, LOGIN, AWAY) writes nothing to the audit trail,
unless its row says it `audits` refusals (a card look-up is audited, found or not).

The admin's rows are generated from `admin.site._registry`; `test_every_url_has_a_row` walks the URL
resolver and fails, naming them, when a URL has no row. A new page, API operation or admin view needs
a row here (or, for a new kind of admin view, a line in `model_admin_rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kaikukanta.accounts.admin_site import NationalAdmin
from kaikukanta.audit.models import AuditEvent
from kaikukanta.cards.services import create_card_stock
from kaikukanta.network.models import TicketAgency, WellbeingCounty
from kaikukanta.web.access import capability_of
from kaikukanta.web.navigation import landing_url, menu

from .conftest import ANONYMOUS, WORLD_ROLES

ROLES = (*WORLD_ROLES, ANONYMOUS)

OK = 200
LOGIN = "login"
AWAY = "away"
SERVED = "served"
REFUSED = {403, 404, 405, LOGIN, AWAY}


@dataclass(frozen=True)
class Redirect:
    """A 302 to exactly this address: a URL name with its arguments, or a function of the object."""

    to: str | Callable[[Any], str]
    args: tuple = ()

    def url(self, obj: Any) -> str:
        return self.to(obj) if callable(self.to) else reverse(self.to, args=self.args)

    def __repr__(self) -> str:
        return f"Redirect({getattr(self.to, '__name__', self.to)!s}{self.args or ''})"


Outcome = Any  # int | str | Redirect, or a pair (own, foreign) of them
Expectations = dict[str, Outcome]


def by_role(default: Outcome, **special: Outcome) -> Expectations:
    unknown = set(special) - set(ROLES)
    assert not unknown, f"no such role in the world: {unknown}"
    return {role: special.get(role, default) for role in ROLES}


def staff(default: Outcome, **special: Outcome) -> Expectations:
    """A page behind the login: the anonymous go to the login page."""
    return by_role(default, **{ANONYMOUS: LOGIN, **special})


def national_only(national: Outcome) -> Expectations:
    """An admin page: the national administrator gets `national`, everyone else is sent away."""
    return by_role(AWAY, national=national, **{ANONYMOUS: LOGIN})


# --- the objects of the world, own and foreign -----------------------------------------------------

# For each kind of object a URL or a form names, each role's own one and one foreign to them. Where a
# role has no object of that kind (nobody, the pop-up's staff have no region), both are alpha/beta's.
OWN = {
    "card": {
        **dict.fromkeys(ROLES, "alpha_card"),
        "beta_coordinator": "beta_card",
        "beta_distributor": "beta_card",
        "beta_venue_staff": "beta_card",
        "alpha_other_distributor": "community_card",  # the card of its own site
    },
    "region": {
        **dict.fromkeys(ROLES, "alpha"),
        "beta_coordinator": "beta",
        "beta_distributor": "beta",
        "beta_venue_staff": "beta",
    },
    "stock": {
        **dict.fromkeys(ROLES, "alpha_stock"),
        "beta_coordinator": "beta_stock",
        "beta_distributor": "beta_stock",
        "beta_venue_staff": "beta_stock",
    },
    "venue": {
        **dict.fromkeys(ROLES, "alpha_venue"),
        "beta_coordinator": "beta_venue",
        "beta_distributor": "beta_venue",
        "beta_venue_staff": "beta_venue",
        "popup_staff": "popup",
    },
}
FOREIGN = {
    "card": {
        **dict.fromkeys(ROLES, "beta_card"),
        "beta_coordinator": "alpha_card",
        "beta_distributor": "alpha_card",
        "beta_venue_staff": "alpha_card",
        "alpha_other_distributor": "alpha_card",  # same region, another site
    },
    "region": {
        **dict.fromkeys(ROLES, "beta"),
        "beta_coordinator": "alpha",
        "beta_distributor": "alpha",
        "beta_venue_staff": "alpha",
    },
    "stock": {
        **dict.fromkeys(ROLES, "beta_stock"),
        "beta_coordinator": "alpha_stock",
        "beta_distributor": "alpha_stock",
        "beta_venue_staff": "alpha_stock",
    },
    "venue": {
        **dict.fromkeys(ROLES, "beta_venue"),
        "beta_coordinator": "alpha_venue",
        "beta_distributor": "alpha_venue",
        "beta_venue_staff": "alpha_venue",
        "popup_staff": "alpha_venue",
    },
}

# The API's tokens (test_token_matrix): a client system's token for alpha's distributor site, acting
# as that site's staff; a venue's own system's token for alpha's venue. Their own and foreign objects
# are those of the site's and the venue's staff.
TOKENS = {"site_token": "alpha_distributor", "venue_token": "alpha_venue_staff"}
for _token, _like in TOKENS.items():
    for _kind in OWN:
        OWN[_kind][_token] = OWN[_kind][_like]
        FOREIGN[_kind][_token] = FOREIGN[_kind][_like]


def by_token(get: Outcome, post: Outcome = None, **special: dict[str, Outcome]) -> dict:
    """What each token gets, GET and POST (None: no POST): one outcome for both tokens, or a dict
    naming each."""

    def each(outcome: Outcome) -> dict[str, Outcome] | None:
        if outcome is None:
            return None
        if isinstance(outcome, dict):
            assert set(outcome) == set(TOKENS), outcome
            return outcome
        return dict.fromkeys(TOKENS, outcome)

    return {"GET": each(get), "POST": each(post)}


Objects = Callable[[str, dict[str, Any]], list[Any]]


def no_object(role: str, things: dict[str, Any]) -> list[Any]:
    return [None]


def own_and_foreign(kind: str) -> Objects:
    def objects(role: str, things: dict[str, Any]) -> list[Any]:
        return [things[OWN[kind][role]], things[FOREIGN[kind][role]]]

    objects.kind = kind  # type: ignore[attr-defined]
    return objects


def the(name: str) -> Objects:
    """One object, the same for every role (the admin, where the national administrator sees all)."""
    return lambda role, things: [things[name]]


@dataclass(frozen=True)
class Row:
    key: str  # the URL's name with its namespace, as test_every_url_has_a_row finds it
    get: Expectations
    post: Expectations | None = None  # None: the page takes no POST
    objects: Objects = no_object
    path: Callable[[Any], str] | None = None  # the address, from the object; default reverse(key)
    args: Callable[[Any], list] = lambda obj: []
    data: Callable[[Any, dict[str, Any]], dict] = lambda obj, things: {}
    query: str = ""
    json: bool = False  # the POST's body is JSON (the API), not a form
    audits: bool = False  # the page audits its refusals too (a card look-up, found or not)
    label: str = ""  # tells apart rows of one URL name (the admin's app pages)
    # The API's rows: what a system's Bearer token gets, by method and kind of token (TOKENS).
    tokens: dict[str, dict[str, Outcome]] | None = None

    @property
    def id(self) -> str:
        return f"{self.key}-{self.label}" if self.label else self.key

    def url(self, obj: Any) -> str:
        url = self.path(obj) if self.path else reverse(self.key, args=self.args(obj))
        return url + self.query

    def methods(self) -> Iterator[tuple[str, Expectations]]:
        yield "GET", self.get
        if self.post is not None:
            yield "POST", self.post


# --- the staff pages -------------------------------------------------------------------------------

READERS = {
    "alpha_coordinator": (OK, 404),
    "alpha_sote_coordinator": (OK, 404),
    "beta_coordinator": (OK, 404),
    "alpha_distributor": (OK, 404),
    "alpha_other_distributor": (OK, 404),
    "beta_distributor": (OK, 404),
}
COORDINATORS = ("alpha_coordinator", "alpha_sote_coordinator", "beta_coordinator")
# The two sides (docs/architecture-rules.md): venues' own work is the culture side's; a coordinator
# of the other side in the venue's own region is told whose it is (403), another region's is a 404.
CULTURE_COORDINATORS = ("alpha_coordinator",)
SOTE_COORDINATORS = ("alpha_sote_coordinator", "beta_coordinator")
DISTRIBUTORS = ("alpha_distributor", "alpha_other_distributor", "beta_distributor")
VENUE_STAFF = ("alpha_venue_staff", "beta_venue_staff", "popup_staff")
TO_CARD = Redirect(lambda card: reverse("web:card", args=[card.pk]))
TO_HOME = Redirect("web:home")
TO_LOCKS = Redirect(lambda region: reverse("web:region", args=[region.slug]) + "#locks-heading")
TO_MOBILE_CARD = Redirect(lambda card: reverse("web:card", args=[card.pk]) + "#mobile-card")


def venue_events(role: str, things: dict[str, Any]) -> list[Any]:
    """An event of the role's own venue and one of a venue foreign to them."""
    from kaikukanta.events.models import Event

    return [
        Event.objects.get_or_create(venue=things[which["venue"][role]], title="Matriisi")[0]
        for which in (OWN, FOREIGN)
    ]


def venue_uses(role: str, things: dict[str, Any]) -> list[Any]:
    """A new use at the role's own venue and one at a venue foreign to them, each with a card of the
    venue's region (pop-ups: alpha's)."""
    from kaikukanta.uses.services import record_use

    return [
        record_use(
            actor=things["national"],
            venue=things[which["venue"][role]],
            card_identifier=things[
                "beta_card" if which["venue"][role] == "beta_venue" else "alpha_card"
            ].identifier,
            idempotency_key=f"matrix-{role}-{index}",
        ).use
        for index, which in enumerate((OWN, FOREIGN))
    ]


def venue_group_visits(role: str, things: dict[str, Any]) -> list[Any]:
    """A new group visit (a community card of the venue's region, with a client without a card) at
    the role's own venue and one at a venue foreign to them."""
    from kaikukanta.cards.services import issue_community_card
    from kaikukanta.uses.services import record_group_visit

    if "beta_community_card" not in things:
        things["beta_community_card"] = issue_community_card(
            actor=things["national"], site=things["beta_site"]
        )
    return [
        record_group_visit(
            actor=things["national"],
            venue=things[which["venue"][role]],
            community_card_identifier=things[
                "beta_community_card" if which["venue"][role] == "beta_venue" else "community_card"
            ].identifier,
            members=[],
            covered_client_ages=[10],
            idempotency_key=f"matrix-group-{role}-{index}",
        ).group_visit
        for index, which in enumerate((OWN, FOREIGN))
    ]


TO_USES = Redirect("web:uses")


def feedback_items(role: str, things: dict[str, Any]) -> list[Any]:
    """An item of feedback from the role's own region and one from a foreign region."""
    from kaikukanta.feedback.models import Feedback

    return [
        Feedback.objects.get_or_create(
            region=things[which[role]], rating=4, text="Hyvä kortti.", received_on="2026-06-15"
        )[0]
        for which in (OWN["region"], FOREIGN["region"])
    ]


def NATIONAL_PK() -> int:
    from kaikukanta.accounts.models import Role as AccountRole
    from kaikukanta.accounts.models import RoleAssignment

    return RoleAssignment.objects.filter(role=AccountRole.NATIONAL_ADMIN).values_list(
        "user", flat=True
    )[0]


def alpha_culture_role(role: str, things: dict[str, Any]) -> list[Any]:
    """(alpha's key, its culture coordinator's role's key), kept once the role is removed."""
    if "alpha_culture_role" not in things:
        assignment = things["alpha_coordinator"].role_assignments.get()
        things["alpha_culture_role"] = (things["alpha"].pk, assignment.pk)
    return [things["alpha_culture_role"]]


TO_NETWORK = Redirect(lambda region: reverse("web:network", args=[region.slug]))


def stats_sites(role: str, things: dict[str, Any]) -> list[Any]:
    """A role's own distributor site and one foreign to it (for coordinators, their region's)."""
    own = {
        "alpha_other_distributor": "alpha_other_site",
        "beta_distributor": "beta_site",
        "beta_coordinator": "beta_site",
        "beta_venue_staff": "beta_site",
    }.get(role, "alpha_site")
    foreign = {"alpha_other_distributor": "alpha_site", "alpha_distributor": "alpha_other_site"}
    other = foreign.get(role, "alpha_site" if own == "beta_site" else "beta_site")
    return [things[own], things[other]]


WEB_ROWS = [
    Row(
        "web:home",
        get=staff(
            OK,  # nobody: the page that says they have no role yet
            anonymous=OK,  # the public front page
            national=Redirect("web:national"),
            alpha_coordinator=Redirect("web:region", ("alpha",)),
            alpha_sote_coordinator=Redirect("web:region", ("alpha",)),
            beta_coordinator=Redirect("web:region", ("beta",)),
            **dict.fromkeys(DISTRIBUTORS, Redirect("web:distributor")),
            **dict.fromkeys(VENUE_STAFF, Redirect("web:venue")),
        ),
    ),
    Row("web:national", get=staff(403, national=OK)),
    Row(
        "web:region",
        objects=own_and_foreign("region"),
        args=lambda region: [region.slug],
        # Every signed-in user sees their own region's page; a region outside one's scope is a 404,
        # and the pop-up's staff and the roleless have no region at all.
        get=staff(
            (OK, 404),
            national=OK,
            popup_staff=404,
            nobody=404,
        ),
    ),
    # Lifting a lock of look-ups (cards/lookups.py): the region's coordinators; a lock that is not
    # there (this one) is said to have ended, on the region's page.
    Row(
        "web:lift_lookup_lock",
        objects=own_and_foreign("region"),
        args=lambda region: [region.slug],
        data=lambda region, things: {"subject": "venue:987654"},
        get=by_role(405),
        post=staff(
            (403, 404),
            national=TO_LOCKS,
            popup_staff=404,
            nobody=404,
            **dict.fromkeys(COORDINATORS, (TO_LOCKS, 404)),
        ),
    ),
    Row("web:distributor", get=staff(403, **dict.fromkeys(DISTRIBUTORS, OK))),
    Row(
        "web:venue",
        objects=own_and_foreign("venue"),
        data=lambda venue, things: {
            "venue": venue.pk,
            "identifier": things["alpha_card"].identifier,
        },
        # Venue staff and, typing in paper records, the region's coordinators and national admins.
        get=staff(403, national=OK, **dict.fromkeys(VENUE_STAFF + COORDINATORS, OK)),
        # A user of one venue checks at that venue whatever the form names (test_scopes checks
        # where); one of several venues naming another region's venue is told to choose one of
        # theirs (alpha's coordinators act for two venues, beta's for one).
        post=staff(
            403,
            national=OK,
            beta_coordinator=OK,
            **dict.fromkeys(VENUE_STAFF, OK),
            **dict.fromkeys(("alpha_coordinator", "alpha_sote_coordinator"), (OK, 422)),
        ),
    ),
    # Admitting a checked card: at one's own venue recorded (200), another venue is not one of
    # the form's choices (422); only POST.
    Row(
        "web:venue_admit",
        objects=own_and_foreign("venue"),
        data=lambda venue, things: {
            "venue": venue.pk,
            "identifier": things["alpha_card"].identifier,
            "request_key": "permission-matrix-key",
            "adult_ticket": "on",
            "child_tickets": "0",
            "kind": "entry_ticket",
            "category": venue.category,
        },
        get=by_role(405),
        post=staff(
            403,
            national=OK,
            **dict.fromkeys(COORDINATORS + VENUE_STAFF, (OK, 422)),
        ),
    ),
    # Cancelling a use: a use that is not one of one's venues' is a 404 (tests/uses test the rest).
    Row(
        "web:venue_cancel_use",
        args=lambda obj: [987654],
        get=by_role(405),
        post=staff(403, national=404, **dict.fromkeys(COORDINATORS + VENUE_STAFF, 404)),
    ),
    # A coordinator's correction of a use or a group visit recorded by mistake
    # (uses.services.remove_use / remove_group_visit): one that is not at a venue one acts for is a
    # 404 (tests/web/test_corrections.py tests the rest).
    *(
        Row(
            key,
            args=lambda obj: [987654],
            data=lambda obj, things: {"confirmed": "yes", "reason": "test_entry"},
            get=staff(403, national=404, **dict.fromkeys(COORDINATORS + VENUE_STAFF, 404)),
            post=staff(403, national=404, **dict.fromkeys(COORDINATORS + VENUE_STAFF, 404)),
        )
        for key in ("web:correct_use", "web:correct_group_visit")
    ),
    # A use at the role's own venue and at one foreign to them: removed (back to the Uses page) by
    # the venue region's culture coordinator and national administrators; the social and health
    # coordinators are told whose work it is and the venue's staff whom to ask (403); another
    # region's use is a 404.
    Row(
        "web:correct_use",
        label="existing",
        objects=lambda role, things: venue_uses(role, things),
        args=lambda use: [use.pk],
        data=lambda use, things: {"confirmed": "yes", "reason": "test_entry"},
        get=staff(
            403,
            national=OK,
            alpha_coordinator=(OK, 404),
            **dict.fromkeys(SOTE_COORDINATORS + VENUE_STAFF, (403, 404)),
        ),
        post=staff(
            403,
            national=TO_USES,
            alpha_coordinator=(TO_USES, 404),
            **dict.fromkeys(SOTE_COORDINATORS + VENUE_STAFF, (403, 404)),
        ),
    ),
    Row(
        "web:correct_group_visit",
        label="existing",
        objects=lambda role, things: venue_group_visits(role, things),
        args=lambda visit: [visit.pk],
        data=lambda visit, things: {"confirmed": "yes", "reason": "test_entry"},
        get=staff(
            403,
            national=OK,
            alpha_coordinator=(OK, 404),
            **dict.fromkeys(SOTE_COORDINATORS + VENUE_STAFF, (403, 404)),
        ),
        post=staff(
            403,
            national=TO_USES,
            alpha_coordinator=(TO_USES, 404),
            **dict.fromkeys(SOTE_COORDINATORS + VENUE_STAFF, (403, 404)),
        ),
    ),
    # The group-visit form; an empty POST is answered with the form's errors.
    Row(
        "web:venue_group_visit",
        get=staff(403, national=OK, **dict.fromkeys(VENUE_STAFF + COORDINATORS, OK)),
        post=staff(403, national=422, **dict.fromkeys(VENUE_STAFF + COORDINATORS, 422)),
    ),
    # The venue's events: listed by those who act for a venue, added by its staff and its region's
    # culture coordinator (added: back to the list); the social and health coordinators are told
    # it is the culture side's work (403, naming its coordinator). An event that is not one of
    # their venues' is a 404.
    Row(
        "web:venue_events",
        data=lambda obj, things: {"title": "Konsertti"},
        get=staff(403, national=OK, **dict.fromkeys(VENUE_STAFF + COORDINATORS, OK)),
        post=staff(
            403,
            national=Redirect("web:venue_events"),
            **dict.fromkeys(VENUE_STAFF + CULTURE_COORDINATORS, Redirect("web:venue_events")),
        ),
    ),
    Row(
        "web:venue_event",
        args=lambda obj: [987654],
        get=staff(403, national=404, **dict.fromkeys(VENUE_STAFF + COORDINATORS, 404)),
        post=staff(403, national=404, **dict.fromkeys(VENUE_STAFF + COORDINATORS, 404)),
    ),
    # An event of the venue (own) and of another region's (foreign): its own staff and its
    # region's culture coordinator open it; the social and health coordinator of the region is
    # told whose work it is (403); another region's event is a 404.
    Row(
        "web:venue_event",
        label="existing",
        objects=lambda role, things: venue_events(role, things),
        args=lambda event: [event.pk],
        data=lambda event, things: {"title": "Konsertti"},
        get=staff(
            403,
            national=OK,
            **dict.fromkeys(VENUE_STAFF + CULTURE_COORDINATORS, (OK, 404)),
            **dict.fromkeys(SOTE_COORDINATORS, (403, 404)),
        ),
        post=staff(
            403,
            national=Redirect("web:venue_events"),
            **dict.fromkeys(
                VENUE_STAFF + CULTURE_COORDINATORS, (Redirect("web:venue_events"), 404)
            ),
            **dict.fromkeys(SOTE_COORDINATORS, (403, 404)),
        ),
    ),
    # The venue's history of its own uses (and its CSV).
    Row(
        "web:venue_history",
        get=staff(403, national=OK, **dict.fromkeys(VENUE_STAFF + COORDINATORS, OK)),
    ),
    # API tokens: a token for one's own system is made (201, shown once) by anyone with venues,
    # for venues they act for (another is not among the choices: 422).
    Row(
        "web:venue_api_tokens",
        objects=own_and_foreign("venue"),
        data=lambda obj, things: {"kind": "own", "name": "Kassa 2", "venues": [obj.pk]},
        get=staff(403, national=OK, **dict.fromkeys(VENUE_STAFF + COORDINATORS, OK)),
        post=staff(403, national=201, **dict.fromkeys(VENUE_STAFF + COORDINATORS, (201, 422))),
    ),
    # Authorising a ticket agency's token: the culture side's work. The social and health
    # coordinators are told whose (403); the agency sells for alpha's venue only, so the culture
    # coordinator and the national administrator make it for that venue (201) and get the form
    # back for another (422); others have no such form (422, nothing made).
    Row(
        "web:venue_api_tokens",
        label="agency",
        objects=own_and_foreign("venue"),
        data=lambda venue, things: {
            "kind": "agency",
            "agency": things["network.TicketAgency"].pk,
            "venues": [venue.pk],
            "name": "Lippupalvelu",
        },
        get=staff(403, national=OK, **dict.fromkeys(VENUE_STAFF + COORDINATORS, OK)),
        post=staff(
            403,
            national=(201, 422),
            alpha_coordinator=(201, 422),
            **dict.fromkeys(VENUE_STAFF, 422),
            **dict.fromkeys(SOTE_COORDINATORS, 403),
        ),
    ),
    # Authorising a distributor organisation's client system (the issuance API): the social and
    # health side's work. Alpha's coordinator of that side and the national administrator make it
    # for alpha's site (201); beta's is not offered alpha's site (422); the culture coordinator is
    # told whose work it is (403); venue staff have no such form (422, nothing made).
    Row(
        "web:venue_api_tokens",
        label="site",
        data=lambda obj, things: {
            "kind": "site",
            "sites": [things["alpha_site"].pk],
            "name": "Asiakastietojärjestelmä",
        },
        get=staff(403, national=OK, **dict.fromkeys(VENUE_STAFF + COORDINATORS, OK)),
        post=staff(
            403,
            national=201,
            alpha_sote_coordinator=201,
            beta_coordinator=422,
            **dict.fromkeys(VENUE_STAFF, 422),
            **dict.fromkeys(CULTURE_COORDINATORS, 403),
        ),
    ),
    Row(
        "web:venue_api_token_revoke",
        args=lambda obj: [987654],
        get=staff(403, national=404, **dict.fromkeys(VENUE_STAFF + COORDINATORS, 404)),
        post=staff(403, national=404, **dict.fromkeys(VENUE_STAFF + COORDINATORS, 404)),
    ),
    # The box office's web app manifest and service worker: public (they name only static files).
    Row("web:venue_manifest", get=by_role(OK)),
    Row("web:venue_service_worker", get=by_role(OK)),
    # The box office's list of card states (offline answers): the venue's own staff only.
    Row(
        "web:venue_card_states",
        objects=own_and_foreign("venue"),
        path=lambda venue: reverse("web:venue_card_states") + f"?venue={venue.pk}",
        get=staff(
            403,
            alpha_venue_staff=(OK, 404),
            beta_venue_staff=(OK, 404),
            popup_staff=(OK, 404),
        ),
    ),
    Row(
        "web:cards",
        objects=own_and_foreign("card"),
        data=lambda card, things: {"identifier": card.identifier},
        audits=True,
        get=staff(403, national=OK, **dict.fromkeys(COORDINATORS + DISTRIBUTORS, OK)),
        # The posted number search: one's own card opens its page; a card of another site or region
        # is "registered elsewhere" (403), never shown.
        post=staff(
            403, national=TO_CARD, **dict.fromkeys(COORDINATORS + DISTRIBUTORS, (TO_CARD, 403))
        ),
    ),
    Row(
        "web:card",
        objects=own_and_foreign("card"),
        args=lambda card: [card.pk],
        get=staff(403, national=OK, **READERS),
    ),
    # The distributor workspace (issue 6). Registering: a distributor's own sites only; the empty
    # form posted answers 422 (what to fill in), so that no row registers a card.
    Row(
        "web:register_card",
        get=staff(403, **dict.fromkeys(DISTRIBUTORS, OK)),
        post=staff(403, **dict.fromkeys(DISTRIBUTORS, 422)),
    ),
    Row(
        "web:register_community_card",
        data=lambda obj, things: {"identifier": "X"},
        get=staff(403, **dict.fromkeys(DISTRIBUTORS, OK)),
        post=staff(403, **dict.fromkeys(DISTRIBUTORS, 422)),
    ),
    # A card's actions: its own site and the region's coordinators; a card one does not see is a
    # 404. What is posted is refused by the form or the rule (422), so that no row changes a card;
    # tests/web/test_registration_views.py posts the real thing.
    *[
        Row(
            f"web:card_{action}",
            objects=own_and_foreign("card"),
            args=lambda card: [card.pk],
            data=lambda card, things: {"identifier": "X"},
            get=staff(403, national=OK, **READERS),
            post=staff(403, national=422, **dict.fromkeys(READERS, (422, 404))),
        )
        for action in ("renew", "close", "replace")
    ],
    # A community card has no holder details: its update page is a 404.
    Row(
        "web:card_update",
        objects=own_and_foreign("card"),
        args=lambda card: [card.pk],
        get=staff(403, national=OK, **{**READERS, "alpha_other_distributor": 404}),
        post=staff(
            403,
            national=422,
            **{**dict.fromkeys(READERS, (422, 404)), "alpha_other_distributor": 404},
        ),
    ),
    *[
        Row(
            f"web:card_{action}",
            objects=own_and_foreign("card"),
            args=lambda card: [card.pk],
            get=by_role(405),
            post=staff(
                403, national=TO_MOBILE_CARD, **dict.fromkeys(READERS, (TO_MOBILE_CARD, 404))
            ),
        )
        for action in ("hand_over", "revoke_hand_over")
    ],
    *[
        Row(
            f"web:card_{name}",
            objects=own_and_foreign("card"),
            args=lambda card: [card.pk],
            get=staff(403, national=OK, **READERS),
        )
        for name in ("pdf", "offering_pdf")
    ],
    # Card stock: the region's coordinators and national admins.
    Row(
        "web:card_stock",
        get=staff(403, national=OK, **dict.fromkeys(COORDINATORS, OK)),
        post=staff(403, national=422, **dict.fromkeys(COORDINATORS, 422)),
    ),
    *[
        Row(
            key,
            objects=own_and_foreign("stock"),
            args=lambda batch: [batch.pk],
            get=staff(403, national=OK, **dict.fromkeys(COORDINATORS, (OK, 404))),
        )
        for key in ("web:card_stock_batch", "web:card_stock_pdf")
    ],
    Row("web:uses", get=staff(OK, nobody=403)),
    Row("web:audit", get=staff(403, national=OK, **dict.fromkeys(COORDINATORS, OK))),
    Row(
        "web:login",
        data=lambda obj, things: {"username": "alpha_dist", "password": "not-the-password"},
        get=by_role(TO_HOME, anonymous=OK),
        post=by_role(TO_HOME, anonymous=OK),  # the form again, saying the password is wrong
    ),
    Row("web:logout", get=by_role(405), post=by_role(Redirect("web:login"))),
    # Single sign-on: no provider is configured here, so a provider's name is unknown to everyone; the
    # page after logging out offers a provider's log-out only after a sign-in through one.
    Row("web:sso_start", args=lambda obj: ["tuntematon"], get=by_role(404)),
    Row("web:sso_callback", args=lambda obj: ["tuntematon"], get=by_role(404)),
    Row("web:sso_link", args=lambda obj: ["tuntematon"], get=staff(405), post=staff(404)),
    Row(
        "web:sso_invitation",
        args=lambda obj: ["tuntematon", "not-a-secret"],
        get=by_role(405),
        post=by_role(404),
    ),
    Row("web:signed_out", get=by_role(Redirect("web:login"))),
    Row(
        "set_language",
        data=lambda obj, things: {"language": "en", "next": "/"},
        get=by_role(Redirect(lambda obj: "/")),
        post=by_role(Redirect(lambda obj: "/")),
    ),
    # The catalogue's content: a venue keeps its own entry, coordinators their regions' venues and
    # introductions, the national administrator everything.
    Row(
        "web:catalogue_entries",
        get=staff(403, national=OK, **dict.fromkeys((*COORDINATORS, *VENUE_STAFF), OK)),
    ),
    # A venue's entry: its own staff and its region's culture coordinator; the social and health
    # coordinator of its region is told it is the culture side's work (403), another region's
    # venue is a 404.
    Row(
        "web:catalogue_venue",
        objects=own_and_foreign("venue"),
        args=lambda venue: [venue.pk],
        get=staff(
            403,
            national=OK,
            **dict.fromkeys((*CULTURE_COORDINATORS, *VENUE_STAFF), (OK, 404)),
            **dict.fromkeys(SOTE_COORDINATORS, (403, 404)),
        ),
        post=staff(
            403,
            national=Redirect("web:catalogue_entries"),
            **dict.fromkeys(
                (*CULTURE_COORDINATORS, *VENUE_STAFF), (Redirect("web:catalogue_entries"), 404)
            ),
            **dict.fromkeys(SOTE_COORDINATORS, (403, 404)),
        ),
    ),
    Row(
        "web:catalogue_region",
        objects=own_and_foreign("region"),
        args=lambda region: [region.slug],
        get=staff(403, national=OK, **dict.fromkeys(COORDINATORS, (OK, 404))),
        post=staff(
            403,
            national=Redirect("web:catalogue_entries"),
            **dict.fromkeys(COORDINATORS, (Redirect("web:catalogue_entries"), 404)),
        ),
    ),
    # Feedback: the coordinators of its region read it and mark it publishable.
    Row("web:feedback", get=staff(403, national=OK, **dict.fromkeys(COORDINATORS, OK))),
    Row(
        "web:feedback_publish",
        objects=feedback_items,
        args=lambda item: [item.pk],
        data=lambda obj, things: {"publishable": "yes"},
        get=by_role(405),
        post=staff(
            403,
            national=Redirect("web:feedback"),
            **dict.fromkeys(COORDINATORS, (Redirect("web:feedback"), 404)),
        ),
    ),
    # --- a region's network (issue 9): its coordinators and national admins; a 404 for another
    Row(
        "web:network",
        objects=own_and_foreign("region"),
        args=lambda region: [region.slug],
        get=staff(403, national=OK, **dict.fromkeys(COORDINATORS, (OK, 404))),
    ),
    Row(
        "web:network_invite",
        objects=own_and_foreign("region"),
        args=lambda region: [region.slug],
        # An empty form: shown again with its errors, nothing sent.
        get=staff(403, national=OK, **dict.fromkeys(COORDINATORS, (OK, 404))),
        post=staff(403, national=OK, **dict.fromkeys(COORDINATORS, (OK, 404))),
    ),
    Row(
        "web:network_deactivate",
        objects=own_and_foreign("region"),
        # The national administrator's own account: nobody here may deactivate it (a message).
        args=lambda region: [region.slug, NATIONAL_PK()],
        get=staff(403, national=TO_NETWORK, **dict.fromkeys(COORDINATORS, (TO_NETWORK, 404))),
        post=staff(
            403,
            national=TO_NETWORK,
            **dict.fromkeys(COORDINATORS, (TO_NETWORK, 404)),
        ),
    ),
    *[
        Row(
            key,
            objects=own_and_foreign("region"),
            args=args,
            # Sites are the social and health side's, venues the culture side's: the other side's
            # coordinator of the region is told whose work it is (403); another region is a 404.
            get=staff(403, national=OK, **{**dict.fromkeys(COORDINATORS, (403, 404)), **own_side}),
            post=staff(403, national=OK, **{**dict.fromkeys(COORDINATORS, (403, 404)), **own_side}),
        )
        for key, args, own_side in [
            (
                "web:network_site_new",
                lambda region: [region.slug],
                {"alpha_sote_coordinator": (OK, 404), "beta_coordinator": (OK, 404)},
            ),
            (
                "web:network_site",
                lambda region: [region.slug, region.distributor_sites.order_by("pk")[0].pk],
                {"alpha_sote_coordinator": (OK, 404), "beta_coordinator": (OK, 404)},
            ),
            (
                "web:network_venue_new",
                lambda region: [region.slug],
                {"alpha_coordinator": (OK, 404)},
            ),
            (
                "web:network_venue",
                lambda region: [region.slug, region.venues.order_by("pk")[0].pk],
                {"alpha_coordinator": (OK, 404)},
            ),
        ]
    ],
    # --- the national network (issue 9): regions, responsible persons, pop-ups, ticket agencies;
    # national administrators only. An empty POST shows the form again with its errors.
    *[
        Row(key, objects=objects, args=args, get=staff(403, national=OK), post=post)
        for key, objects, args, post in [
            ("web:national_regions", no_object, lambda obj: [], None),
            ("web:national_region_new", no_object, lambda obj: [], staff(403, national=OK)),
            ("web:national_region", the("alpha"), lambda r: [r.pk], staff(403, national=OK)),
            (
                "web:national_region_people",
                the("alpha"),
                lambda r: [r.pk],
                staff(403, national=OK),
            ),
            ("web:national_popups", no_object, lambda obj: [], None),
            ("web:national_popup_new", no_object, lambda obj: [], staff(403, national=OK)),
            ("web:national_popup", the("popup"), lambda v: [v.pk], staff(403, national=OK)),
            ("web:national_agencies", no_object, lambda obj: [], None),
            ("web:national_agency_new", no_object, lambda obj: [], staff(403, national=OK)),
            ("web:national_organisations", no_object, lambda obj: [], None),
            ("web:national_organisation_new", no_object, lambda obj: [], staff(403, national=OK)),
            (
                "web:national_organisation",
                the("network.Organisation"),
                lambda o: [o.pk],
                staff(403, national=OK),
            ),
            (
                "web:national_agency",
                the("network.TicketAgency"),
                lambda a: [a.pk],
                staff(403, national=OK),
            ),
        ]
    ],
    # The national administrator (first of the roles) removes alpha's culture coordinator's role.
    Row(
        "web:national_region_person_remove",
        objects=alpha_culture_role,
        args=lambda pks: list(pks),
        get=staff(403, national=405),
        post=staff(
            403,
            national=Redirect(lambda pks: reverse("web:national_region_people", args=[pks[0]])),
        ),
    ),
    # The invitation link: the secret is the key; an unknown one is a 404 to everyone.
    Row(
        "web:invitation",
        args=lambda obj: ["not-a-secret"],
        get=by_role(404),
        post=by_role(404),
    ),
    # Sending an invitation again: whoever runs the account (the national administrator's own is
    # nobody's here: a message, then home).
    Row(
        "web:resend_invitation",
        args=lambda obj: [NATIONAL_PK()],
        get=staff(403, national=405, **dict.fromkeys(COORDINATORS, 405)),
        post=staff(403, national=TO_HOME, **dict.fromkeys(COORDINATORS, TO_HOME)),
    ),
    # A forgotten password: for everyone, the same answer whatever the address.
    Row(
        "web:password_reset",
        data=lambda obj, things: {"email": "ei-ole@example.fi"},
        get=by_role(OK),
        post=by_role(Redirect("web:password_reset_sent")),
    ),
    Row("web:password_reset_sent", get=by_role(OK)),
    Row(
        "web:password_reset_confirm",
        args=lambda obj: ["MQ", "not-a-token"],
        get=by_role(OK),  # "this link no longer works"
        post=by_role(OK),
    ),
    Row("web:password_reset_complete", get=by_role(OK)),
    # --- the accessibility statement and the privacy notice: kept by national administrators. An
    # empty POST keeps the default texts and writes nothing.
    Row("web:legal_pages", get=staff(403, national=OK)),
    Row(
        "web:legal_page",
        args=lambda obj: ["privacy"],
        get=staff(403, national=OK),
        post=staff(403, national=Redirect("web:legal_pages")),
    ),
    Row(
        "web:legal_page", label="unknown", args=lambda obj: ["terms"], get=staff(403, national=404)
    ),
    # --- the national guideline (issue 9): read by everyone with a role, published nationally
    Row("web:guideline", get=staff(OK, nobody=403)),
    # With no version published in the world, there is nothing to acknowledge: a 404.
    Row("web:guideline_acknowledge", get=staff(405, nobody=403), post=staff(404, nobody=403)),
    Row("web:guideline_publish", get=staff(403, national=405), post=staff(403, national=OK)),
    # --- statistics (issue 9): each role its own scope; a 404 for another's region, site or venue
    Row(
        "web:stats",
        get=staff(
            302,
            national=Redirect("web:stats_national"),
            alpha_coordinator=Redirect("web:stats_region", ("alpha",)),
            alpha_sote_coordinator=Redirect("web:stats_region", ("alpha",)),
            beta_coordinator=Redirect("web:stats_region", ("beta",)),
            nobody=403,
        ),
    ),
    # The note on how the figures are protected: for everyone with a role.
    Row("web:stats_method", get=staff(OK, nobody=403)),
    Row("web:stats_national", get=staff(403, national=OK)),
    Row("web:stats_national_export", args=lambda obj: ["key", "csv"], get=staff(403, national=OK)),
    *[
        Row(
            key,
            objects=own_and_foreign("region"),
            args=args,
            label=label,
            get=staff(403, national=OK, **dict.fromkeys(COORDINATORS, (OK, 404))),
        )
        for key, args, label in [
            ("web:stats_region", lambda region: [region.slug], ""),
            ("web:stats_region_export", lambda region: [region.slug, "ages", "xlsx"], ""),
            ("web:stats_region_report", lambda region: [region.slug, 2026], ""),
            (
                "web:stats_municipality",
                lambda region: [region.municipalities.get().code],
                "",
            ),
            (
                "web:stats_municipality_export",
                lambda region: [region.municipalities.get().code, "key", "csv"],
                "",
            ),
        ]
    ],
    *[
        Row(
            key,
            objects=stats_sites,
            args=args,
            get=staff(
                (404, 404),
                national=OK,
                nobody=403,
                **dict.fromkeys(COORDINATORS + DISTRIBUTORS, (OK, 404)),
            ),
        )
        for key, args in [
            ("web:stats_site", lambda site: [site.pk]),
            ("web:stats_site_export", lambda site: [site.pk, "key", "csv"]),
        ]
    ],
    *[
        Row(
            key,
            objects=own_and_foreign("venue"),
            args=args,
            get=staff(
                (404, 404),
                national=OK,
                nobody=403,
                **dict.fromkeys(COORDINATORS + VENUE_STAFF, (OK, 404)),
            ),
        )
        for key, args in [
            ("web:stats_venue", lambda venue: [venue.pk]),
            ("web:stats_venue_export", lambda venue: [venue.pk, "categories", "xlsx"]),
        ]
    ],
]

# --- the cardholder's pages (public/) ----------------------------------------------------------------

_SECRETS: dict[int, str] = {}


def as_another_device(data: dict[str, str]) -> dict[str, str]:
    """Each role sends its feedback from a device of its own: the test clients share one address,
    which the feedback limit (a few a day per address, tests/public/) would otherwise stop."""
    from kaikukanta.core.models import RateCounter

    RateCounter.objects.filter(key__contains=":public:feedback:").delete()
    return data


def hand_over(card: Any) -> str:
    """A working mobile-card link of the card, made once per card and test (rows ask for the address
    more than once)."""
    from kaikukanta.accounts.models import User
    from kaikukanta.cards.models import HandOver
    from kaikukanta.cards.services import hand_over_card

    secret = _SECRETS.get(card.pk)
    if secret is None or not HandOver.objects.filter(card=card, revoked_at__isnull=True).exists():
        secret = hand_over_card(actor=User.objects.get(username="national"), card=card)
    _SECRETS[card.pk] = secret
    return secret


PUBLIC_ROWS = [
    # The mobile card opens with a hand-over link's secret, for anyone holding it, signed in or not;
    # a secret that opens nothing is the same neutral 404 for everyone (tests/cards/test_hand_over.py
    # and tests/public/ test the working links).
    Row("public:mobile_card", args=lambda obj: ["2345678923456789"], get=by_role(404)),
    # A working link opens the card for whoever holds it (the holder has no account).
    Row(
        "public:mobile_card",
        label="working link",
        objects=lambda role, things: [things["alpha_card"]],
        args=lambda card: [hand_over(card)],
        get=by_role(OK),
    ),
    Row("public:my_visits", args=lambda obj: ["2345678923456789"], get=by_role(404)),
    Row(
        "public:my_visits",
        label="working link",
        objects=lambda role, things: [things["alpha_card"]],
        args=lambda card: [hand_over(card)],
        get=by_role(OK),
    ),
    Row(
        "public:feedback",
        args=lambda obj: ["2345678923456789"],
        get=by_role(404),
        post=by_role(404),
    ),
    Row(
        "public:feedback",
        label="working link",
        objects=lambda role, things: [things["alpha_card"]],
        args=lambda card: [hand_over(card)],
        data=lambda obj, things: as_another_device({"rating": "4", "text": "Hyvä."}),
        get=by_role(OK),
        post=by_role(
            Redirect(lambda card: reverse("public:feedback", args=[_SECRETS[card.pk]]) + "?sent=1")
        ),
    ),
    # The manifest and the worker look nothing up: the same file for every address.
    Row("public:manifest", args=lambda obj: ["2345678923456789"], get=by_role(OK)),
    Row("public:service_worker", get=by_role(OK)),
    # The catalogue and the legal pages are public.
    Row("public:accessibility", get=by_role(OK)),
    Row("public:privacy", get=by_role(OK)),
    Row("public:catalogue", get=by_role(OK)),
    Row("public:catalogue_spreadsheet", get=by_role(OK)),
    Row("public:catalogue_region", args=lambda obj: ["alpha"], get=by_role(OK)),
    Row("public:brochure", args=lambda obj: ["alpha", "sv"], get=by_role(OK)),
]

# --- the API ---------------------------------------------------------------------------------------

# Who sees a card through the API: as on its pages, but a card one does not see is a 404 for
# everyone (the API does not tell the pages' 403 "not your kind of page" apart).
API_READERS = {**READERS, "national": OK}
SITE_TOKEN_READS = {"site_token": (OK, 404), "venue_token": 404}


def _card_rows() -> list[Row]:
    """The issuance API (api/v1/cards.py): registering needs an Idempotency-Key, which the rows do
    not send (422 for everyone signed in, nothing registered; tests/api/test_cards_api.py
    registers); a card is read, changed and printed by its id, by those who see it (a 404 for the
    others). What is posted is refused by the rules (422), so that no row changes a card."""
    posted = {
        "card_renew": {"birth_year": 3000},
        "card_close": {"reason": "X"},
        "card_replace": {"identifier": "X"},
    }
    return [
        Row(
            "api-v1:create_card",
            json=True,
            data=lambda obj, things: {"site": things["alpha_site"].pk},
            get=staff(405, anonymous=405),
            post=staff(422, anonymous=401),
            tokens=by_token(405, 422),
        ),
        Row(
            "api-v1:card",
            objects=own_and_foreign("card"),
            args=lambda card: [card.pk],
            get=staff(404, anonymous=401, **API_READERS),
            post=by_role(405),
            tokens=by_token(SITE_TOKEN_READS, 405),
        ),
        *[
            Row(
                f"api-v1:{name}",
                objects=own_and_foreign("card"),
                args=lambda card: [card.pk],
                json=True,
                data=lambda card, things, body=body: body,
                get=by_role(405),
                post=staff(
                    404,
                    anonymous=401,
                    national=422,
                    **dict.fromkeys(READERS, (422, 404)),
                ),
                tokens=by_token(405, {"site_token": (422, 404), "venue_token": 404}),
            )
            for name, body in posted.items()
        ],
        # A new mobile-card link: made for one's own card (200), a 404 for another.
        Row(
            "api-v1:card_hand_over",
            objects=own_and_foreign("card"),
            args=lambda card: [card.pk],
            json=True,
            get=by_role(405),
            post=staff(404, anonymous=401, **API_READERS),
            tokens=by_token(405, SITE_TOKEN_READS),
        ),
        *[
            Row(
                f"api-v1:{name}",
                objects=own_and_foreign("card"),
                args=lambda card: [card.pk],
                get=staff(404, anonymous=401, **API_READERS),
                tokens=by_token(SITE_TOKEN_READS),
            )
            for name in ("card_pdf", "card_offering_pdf")
        ],
    ]


API_ROWS = [
    *_card_rows(),
    Row("api-v1:health", get=by_role(OK), tokens=by_token(OK)),
    # The contract is public (it is committed to the repository too).
    Row("api-v1:openapi-json", get=by_role(OK), tokens=by_token(OK)),
    # The catalogue is open data: no login.
    Row("api-v1:catalogue-regions", get=by_role(OK), tokens=by_token(OK)),
    Row("api-v1:catalogue-venues", get=by_role(OK), tokens=by_token(OK)),
    Row("api-v1:catalogue-venues-csv", get=by_role(OK), tokens=by_token(OK)),
    # The venues the caller acts for: a list, empty for those who act for none.
    Row("api-v1:venues", get=staff(OK, anonymous=401), tokens=by_token(OK)),
    # The distributor sites the caller registers cards at: a list, empty for those at none (its
    # contents: tests/api/test_cards_api.py).
    Row("api-v1:sites", get=staff(OK, anonymous=401), tokens=by_token(OK)),
    # The venue's check: at one's own venue a 200 (the card's answer), at another venue a 404
    # (no such venue of theirs); the national administrator acts for every venue.
    Row(
        "api-v1:check",
        objects=own_and_foreign("venue"),
        json=True,
        data=lambda venue, things: {"venue": venue.pk, "card": things["alpha_card"].identifier},
        get=staff(405, anonymous=405),
        post=staff(
            404,
            anonymous=401,
            national=OK,
            **dict.fromkeys(COORDINATORS + VENUE_STAFF, (OK, 404)),
        ),
        # A site's token checks no card: no venue is its.
        tokens=by_token(405, {"site_token": 404, "venue_token": (OK, 404)}),
    ),
    # Recording through the API needs an Idempotency-Key header, which these rows do not send: every
    # signed-in caller is told so (422) before anything is recorded (tests/api/test_uses_api.py
    # records); GET on the same address lists the caller's venues' uses (none for those without).
    Row(
        "api-v1:create_use",
        json=True,
        data=lambda obj, things: {"venue": things["alpha_venue"].pk, "card": "K7M4R-XWP9A"},
        get=staff(OK, anonymous=401),
        post=staff(422, anonymous=401),
        tokens=by_token(OK, 422),
    ),
    Row(
        "api-v1:list_uses",
        json=True,
        get=staff(OK, anonymous=401),
        post=staff(422, anonymous=401),
        tokens=by_token(OK, 422),
    ),
    Row(
        "api-v1:create_group_visit",
        json=True,
        data=lambda obj, things: {"venue": things["alpha_venue"].pk, "community_card": "x"},
        get=staff(405, anonymous=405),
        post=staff(422, anonymous=401),
        tokens=by_token(405, 422),
    ),
    # Cancelling a use that is not one of the caller's venues': 404 for everyone.
    Row(
        "api-v1:cancel",
        args=lambda obj: [987654],
        json=True,
        get=staff(405, anonymous=405),
        post=staff(404, anonymous=401),
        tokens=by_token(405, 404),
    ),
    # The caller's venues' events (an empty list for those who act for none).
    Row("api-v1:events", get=staff(OK, anonymous=401), tokens=by_token(OK)),
    # The API's documentation page, public like the contract.
    Row("api-v1:docs", get=by_role(OK), tokens=by_token(OK)),
    # django-ninja's root, which only names the docs' address.
    Row("api-v1:api-root", get=by_role(404), tokens=by_token(404)),
    # Any other address under /api/: the API's JSON 404 for everyone, signed in or not.
    Row(
        "api-not-found",
        args=lambda obj: ["v1/no-such-operation"],
        json=True,
        get=by_role(404),
        post=by_role(404),
        tokens=by_token(404, 404),
    ),
]

# --- the admin -------------------------------------------------------------------------------------


def admin_prefix() -> str:
    return reverse("admin:index").lstrip("/")


def model_admin_rows(model, model_admin) -> list[Row]:
    """A row for each URL a registered model's admin has, national-only; unknown views fail."""
    opts = model._meta
    label = opts.label
    base = f"{opts.app_label}_{opts.model_name}"
    prefix = f"{admin_prefix()}{opts.app_label}/{opts.model_name}/"
    # What the design withholds even from the national administrator.
    may_add = label not in NEVER_ADDED
    may_delete = label not in NEVER_DELETED
    rows = []
    for pattern in model_admin.urls:
        route = prefix + str(pattern.pattern)
        if pattern.name is None:
            # Django's old object address, sent on to the change page.
            rows.append(
                Row(
                    unnamed_key("admin", route),
                    objects=the(label),
                    path=lambda obj, opts=opts: (
                        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                        + f"{obj.pk}/"
                    ),
                    get=national_only(
                        Redirect(
                            lambda obj, base=base: reverse(f"admin:{base}_change", args=[obj.pk])
                        )
                    ),
                )
            )
            continue
        view = pattern.name.removeprefix(f"{base}_")
        key = f"admin:{pattern.name}"
        if view == "changelist":
            rows.append(Row(key, get=national_only(OK), post=national_only(SERVED)))
        elif view == "add":
            allowed = OK if may_add else 403
            rows.append(
                Row(
                    key,
                    get=national_only(allowed),
                    post=national_only(SERVED if may_add else 403),
                )
            )
        elif view in {"change", "delete", "history"}:
            allowed = OK if view != "delete" or may_delete else 403
            posted = None
            if view != "history":
                posted = national_only(SERVED if allowed == OK else 403)
            rows.append(
                Row(
                    key,
                    objects=the(label),
                    args=lambda obj: [obj.pk],
                    get=national_only(allowed),
                    post=posted,
                )
            )
        elif pattern.name == "auth_user_password_change":  # django.contrib.auth's UserAdmin
            rows.append(
                Row(
                    key,
                    objects=the(label),
                    args=lambda obj: [obj.pk],
                    get=national_only(OK),
                    post=national_only(SERVED),
                )
            )
        # Any other view a ModelAdmin adds has no row: test_every_url_has_a_row names it.
    return rows


# Users are deactivated, never deleted (their history keeps their name); django-axes' login records are
# written by logins only.
NEVER_ADDED = {"axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}
NEVER_DELETED = {"accounts.User"}


def admin_site_rows() -> list[Row]:
    app_labels = sorted({model._meta.app_label for model in admin.site._registry})
    return [
        Row("admin:index", get=national_only(OK)),
        *[
            Row(
                "admin:app_list",
                path=lambda obj, app=app: reverse("admin:app_list", args=[app]),
                label=app,
                get=national_only(OK),
            )
            for app in app_labels
        ],
        # One login page for everyone: the admin's sends the signed-in home, the rest to /login/.
        Row("admin:login", get=by_role(TO_HOME, anonymous=LOGIN)),
        Row("admin:logout", get=national_only(405), post=national_only(Redirect("web:login"))),
        Row("admin:password_change", get=national_only(OK), post=national_only(SERVED)),
        Row("admin:password_change_done", get=national_only(OK)),
        Row(
            "admin:autocomplete",
            query="?app_label=accounts&model_name=roleassignment&field_name=region&term=Alf",
            get=national_only(OK),
        ),
        Row("admin:jsi18n", get=national_only(OK)),
        # No registered model has a page of its own on the site (get_absolute_url), so: 404.
        Row(
            "admin:view_on_site",
            objects=the("network.Region"),
            args=lambda obj: [ContentType.objects.get_for_model(obj).pk, obj.pk],
            get=national_only(404),
        ),
        # Anything else under /admin/: Django's catch-all, behind the same login.
        Row(
            unnamed_key("admin", f"{admin_prefix()}(?P<url>.*)$"),
            path=lambda obj: reverse("admin:index") + "no-such-page/",
            get=national_only(404),
        ),
    ]


def admin_rows() -> list[Row]:
    rows = admin_site_rows()
    for model, model_admin in admin.site._registry.items():
        rows.extend(model_admin_rows(model, model_admin))
    return rows


def unnamed_key(namespace: str, route: str) -> str:
    return f"{namespace}:<unnamed {route}>"


# --- two-factor authentication (issue 9): the sessions here have passed the second step, so its
# pages send everyone on to their own landing page; tests/accounts/test_two_factor.py has the
# unverified session's side.
LANDING = {
    "national": Redirect("web:national"),
    "alpha_coordinator": Redirect("web:region", ("alpha",)),
    "alpha_sote_coordinator": Redirect("web:region", ("alpha",)),
    "beta_coordinator": Redirect("web:region", ("beta",)),
    **dict.fromkeys(DISTRIBUTORS, Redirect("web:distributor")),
    **dict.fromkeys(VENUE_STAFF, Redirect("web:venue")),
}
TO_TWO_FACTOR_ACCOUNT = Redirect("web:two_factor_account")
OVERSEERS = ("national", *COORDINATORS)
TWO_FACTOR_ROWS = [
    Row("web:two_factor", get=staff(TO_HOME, **LANDING), post=staff(TO_HOME, **LANDING)),
    Row(
        "web:two_factor_setup",
        get=staff(TO_HOME, **{**LANDING, **dict.fromkeys(OVERSEERS, TO_TWO_FACTOR_ACCOUNT)}),
        post=staff(TO_HOME, **{**LANDING, **dict.fromkeys(OVERSEERS, TO_TWO_FACTOR_ACCOUNT)}),
    ),
    Row("web:recovery_codes", get=staff(403, **dict.fromkeys(OVERSEERS, OK))),
    # Everyone's own logging in (a link to their organisation's provider); new recovery codes for
    # those with two-factor authentication, a message and the page again for others.
    Row(
        "web:two_factor_account",
        get=staff(OK),
        post=staff(
            OK,
            **dict.fromkeys(
                OVERSEERS,
                Redirect(lambda obj: reverse("web:recovery_codes") + "?next=%2Ftwo-factor%2F"),
            ),
        ),
    ),
    Row(
        "web:two_factor_reset",
        # The national administrator's own: nobody here may reset it (a message, then home).
        args=lambda obj: [NATIONAL_PK()],
        get=staff(403, **dict.fromkeys(OVERSEERS, TO_HOME)),
        post=staff(403, **dict.fromkeys(OVERSEERS, TO_HOME)),
    ),
]

ROWS = [*WEB_ROWS, *TWO_FACTOR_ROWS, *PUBLIC_ROWS, *API_ROWS, *admin_rows()]


# --- the objects -----------------------------------------------------------------------------------


def admin_objects(world) -> dict[str, Any]:
    """A real object of every registered model, by its label."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    attempt = {
        "user_agent": "test",
        "ip_address": "192.0.2.1",
        "username": "nobody",
        "http_accept": "text/html",
        "path_info": "/login/",
    }
    agency = TicketAgency.objects.create(organisation=world.alpha_venue.organisation, name="Lippu")
    agency.venues.add(world.alpha_venue)
    return {
        "accounts.User": world.nobody,
        "network.WellbeingCounty": WellbeingCounty.objects.create(name="Alfalan hva", slug="alfa"),
        "network.Municipality": world.alpha.municipalities.get(),
        "network.Region": world.alpha,
        "network.Organisation": world.alpha_site.organisation,
        "network.DistributorSite": world.alpha_site,
        "network.Venue": world.alpha_venue,
        "network.TicketAgency": agency,
        "axes.AccessAttempt": AccessAttempt.objects.create(
            **attempt, get_data="", post_data="", failures_since_start=1
        ),
        "axes.AccessLog": AccessLog.objects.create(**attempt),
        "axes.AccessFailureLog": AccessFailureLog.objects.create(**attempt),
    }


@pytest.fixture
def things(world, alpha_card, beta_card, community_card) -> dict[str, Any]:
    return {
        **vars(world),
        "alpha_card": alpha_card,
        "beta_card": beta_card,
        "community_card": community_card,
        "alpha_stock": create_card_stock(actor=world.national, region=world.alpha, size=1),
        "beta_stock": create_card_stock(actor=world.national, region=world.beta, size=1),
        **admin_objects(world),
    }


# --- checking an outcome ---------------------------------------------------------------------------


def describe(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} to {response['Location']}"
    return str(response.status_code)


def follow(client, response, limit: int = 10):
    """The redirects, followed with GETs (a POST is sent once): the pages passed and the last one."""
    passed = []
    while response.status_code in (301, 302) and len(passed) < limit:
        passed.append(response["Location"])
        response = client.get(response["Location"])
    return passed, response


def mismatch(client, url: str, response, expected: Outcome, obj: Any) -> str | None:
    """What is wrong with `response` for `expected`, or None."""
    status = response.status_code
    is_admin = url.startswith(reverse("admin:index"))
    login = reverse("web:login")
    if expected == LOGIN:
        if status != 302:
            return describe(response)
        if not is_admin:
            return None if response["Location"].startswith(login) else describe(response)
        _, last = follow(client, response)
        if last.status_code != 200 or last.request["PATH_INFO"] != login:
            return f"{describe(response)}, ends on {last.request['PATH_INFO']} ({last.status_code})"
        return None
    if expected == AWAY:
        if status != 302:
            return describe(response)
        # Followed through the admin's own redirects and the home page's, up to the first address
        # outside them: the user's own page (that every role's landing page answers 200 is
        # test_the_menu_offers_only_pages_that_open; rendering it here for every admin address
        # and role would cost most of this file's time).
        location, hops = response["Location"], 0
        while location.split("?")[0] in {reverse("web:home")} or location.startswith(
            reverse("admin:index")
        ):
            hop = client.get(location)
            if hop.status_code == 200 and not location.startswith(reverse("admin:index")):
                return None  # the home page itself: a user without a role is told so there
            if hop.status_code != 302 or hops > 10:
                return f"{describe(response)}, ends on {location} ({hop.status_code})"
            location, hops = hop["Location"], hops + 1
        if location.split("?")[0] == login:
            return f"{describe(response)}, ends on the login page"
        return None
    if expected == SERVED:
        if status == 200:
            return None
        if status == 302 and response["Location"].startswith(reverse("admin:index")):
            return None
        return describe(response)
    if isinstance(expected, Redirect):
        if status == 302 and response["Location"] == expected.url(obj):
            return None
        return describe(response)
    return None if status == expected else describe(response)


def check_row(row: Row, client_as, things) -> tuple[int, list[str]]:
    cases, failures = 0, []
    for role in ROLES:
        client = client_as(role)
        objects = row.objects(role, things)
        for method, expectations in row.methods():
            expected_for_role = expectations[role]
            for index, obj in enumerate(objects):
                expected = expected_for_role
                if isinstance(expected, tuple):
                    expected = expected[index]
                which = ("own", "foreign")[index] if len(objects) == 2 else ""
                url = row.url(obj)
                if method == "GET" and index and url == row.url(objects[0]):
                    pair = expected_for_role
                    assert not isinstance(pair, tuple) or pair[0] == pair[1], (
                        f"{row.id}, {role}: one address for both objects, two outcomes"
                    )
                    continue  # the object is only in the form: one GET says it
                audited = AuditEvent.objects.count()
                if method == "GET":
                    response = client.get(url)
                else:
                    body = {"content_type": "application/json"} if row.json else {}
                    response = client.post(url, row.data(obj, things), **body)
                cases += 1
                problem = mismatch(client, url, response, expected, obj)
                wrote = AuditEvent.objects.count() != audited
                if problem is None and expected in REFUSED and wrote and not row.audits:
                    problem = "refused, yet it wrote to the audit trail"
                if problem is not None:
                    failures.append(
                        f"{method} {url} as {role}{f' ({which})' if which else ''}: "
                        f"expected {expected!r}, got {problem}"
                    )
    return cases, failures


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_permission_matrix(row, client_as, things):
    cases, failures = check_row(row, client_as, things)
    assert cases
    assert not failures, "\n".join(failures)


@pytest.fixture
def token_client(world):
    """`token_client("site_token")`: a client sending that kind of token (TOKENS)."""
    from django.test import Client

    from kaikukanta.api.services import create_api_token, create_site_token

    _site, site_secret = create_site_token(
        actor=world.alpha_sote_coordinator, sites=[world.alpha_site], name="ATJ", verified=True
    )
    _venue, venue_secret = create_api_token(
        actor=None, user=world.alpha_venue_staff, venues=[world.alpha_venue], name="Kassa"
    )
    secrets = {"site_token": site_secret, "venue_token": venue_secret}

    def make(kind: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {secrets[kind]}", HTTP_ACCEPT_LANGUAGE="en")

    return make


@pytest.mark.parametrize("row", API_ROWS, ids=lambda row: row.id)
def test_token_matrix(row, token_client, things):
    """Each API operation as a client system's site token and a venue's token see it: a site token
    registers and reads its sites' cards only and checks no card; a venue token reads no card."""
    assert row.tokens is not None, f"{row.id}: say what each token gets (by_token)"
    failures = []
    for kind in TOKENS:
        client = token_client(kind)
        objects = row.objects(kind, things)
        for method in ("GET", "POST"):
            expectations = row.tokens[method]
            if expectations is None:
                continue
            for index, obj in enumerate(objects):
                expected = expectations[kind]
                if isinstance(expected, tuple):
                    expected = expected[index]
                url = row.url(obj)
                audited = AuditEvent.objects.count()
                if method == "GET":
                    response = client.get(url)
                else:
                    body = {"content_type": "application/json"} if row.json else {}
                    response = client.post(url, row.data(obj, things), **body)
                problem = mismatch(client, url, response, expected, obj)
                if (
                    problem is None
                    and expected in REFUSED
                    and AuditEvent.objects.count() != audited
                ):
                    problem = "refused, yet it wrote to the audit trail"
                if problem is not None:
                    failures.append(
                        f"{method} {url} as {kind}: expected {expected!r}, got {problem}"
                    )
    assert not failures, "\n".join(failures)


# --- completeness ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str
    route: str
    namespace: str
    callback: Any


def every_pattern(
    resolver=None, namespace: tuple[str, ...] = (), prefix: str = ""
) -> list[Pattern]:
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            found.extend(every_pattern(pattern, inner, route))
        else:
            assert isinstance(pattern, URLPattern)
            space = ":".join(namespace)
            if pattern.name:
                key = f"{space}:{pattern.name}" if space else pattern.name
            else:
                key = unnamed_key(space, route)
            found.append(Pattern(key, route, space, pattern.callback))
    return found


def test_every_url_has_a_row():
    patterns = every_pattern()
    covered = {row.key for row in ROWS}
    missing = sorted({p.key for p in patterns} - covered)
    assert not missing, "URLs without a row in the permission matrix:\n" + "\n".join(missing)
    stale = sorted(covered - {p.key for p in patterns})
    assert not stale, "rows for URLs that no longer exist:\n" + "\n".join(stale)


def test_the_unnamed_urls_are_only_the_admins_own():
    """Django's admin has an unnamed address for each model's objects and a catch-all; every other
    URL has a name."""
    unnamed = [p for p in every_pattern() if "<unnamed " in p.key]
    assert unnamed
    others = [p.key for p in unnamed if p.namespace != "admin"]
    assert not others, f"give these URLs a name: {others}"


def test_every_page_declares_who_may_open_it():
    pages = [p for p in every_pattern() if p.namespace == "web"]
    assert pages
    undeclared = [p.key for p in pages if capability_of(p.callback) is None]
    assert not undeclared, f"pages without @requires or @public: {undeclared}"


def test_every_registered_admin_is_a_national_admin():
    """The admin is for national administrators only, and each of its models answers the same
    question (`scope.national`), not Django's per-model permissions, which no role grants."""
    others = sorted(
        f"{model._meta.label} ({type(model_admin).__module__}.{type(model_admin).__name__})"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, NationalAdmin)
    )
    assert not others, f"admins that are not NationalAdmin: {others}"


def test_the_matrix_knows_every_role_of_the_world(world):
    assert set(WORLD_ROLES) == set(world.users())


def test_the_admin_rows_have_an_object_of_every_registered_model(things):
    missing = [
        model._meta.label for model in admin.site._registry if model._meta.label not in things
    ]
    assert not missing, f"admin_objects() makes no object of {missing}"


# --- object keys in admin addresses ------------------------------------------------------------------

ADMIN_OBJECT_ROWS = [
    row
    for row in ROWS
    if row.key.startswith("admin:")
    and row.objects is not no_object
    and row.key != "admin:view_on_site"
    and "<unnamed" not in row.key
]


@pytest.mark.parametrize("row", ADMIN_OBJECT_ROWS, ids=lambda row: row.key)
def test_admin_object_keys_that_are_not_objects(row, client_as, things):
    """For the national administrator, a malformed key in an admin address is a 404, and the key of
    an object that does not exist is never a server error."""
    client = client_as("national")
    malformed = client.get(reverse(row.key, args=["abc"]))
    assert malformed.status_code == 404, describe(malformed)
    missing = client.get(reverse(row.key, args=["987654"]))
    assert missing.status_code in (302, 403, 404), describe(missing)
    if missing.status_code == 302:  # Django's "does not exist, perhaps it was deleted"
        assert missing["Location"] == reverse("admin:index"), describe(missing)


# --- the menu and the landing page -----------------------------------------------------------------


@pytest.mark.parametrize("role", WORLD_ROLES)
def test_the_menu_offers_only_pages_that_open(role, world, client_as, things):
    user = getattr(world, role)
    client = client_as(role)
    links = menu(user)
    for link in links:
        response = client.get(link.url)
        assert response.status_code == 200, (
            f"{role}: menu link {link.url} gave {describe(response)}"
        )
    landing = landing_url(user)
    if role == "nobody":
        assert landing is None
        assert links == []
    else:
        assert landing is not None
        assert landing in {link.url for link in links}
        response = client.get(landing)
        assert response.status_code == 200, f"{role}: landing {landing} gave {describe(response)}"
