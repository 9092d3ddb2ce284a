"""Who may open which staff page: one decorator, naming the capability a page needs.

A capability is a question about the user's scope (`accounts/scope.py`). A page that a user's roles do
not cover answers 403; a page for the signed-in only sends the anonymous to the login page. Which
*objects* a page shows is decided by `visible_to(user)` inside the page, not here. The menu and the
landing page (`navigation.py`) read the same capabilities, so that the menu never offers a page that
would answer 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from kaikukanta.accounts.errors import OtherSidesWork
from kaikukanta.accounts.middleware import OPEN_TO_UNVERIFIED
from kaikukanta.accounts.scope import Scope, scope_for


@dataclass(frozen=True)
class Capability:
    name: str
    test: Callable[[Scope], bool]

    def allows(self, user: Any) -> bool:
        return self.test(scope_for(user))


PUBLIC = Capability("anyone", lambda scope: True)
SIGNED_IN = Capability("signed in", lambda scope: True)
ANY_ROLE = Capability("any role", lambda scope: scope.has_any_role)
NATIONAL = Capability("national administrator", lambda scope: scope.national)
COORDINATOR = Capability("regional coordinator", lambda scope: bool(scope.coordinator_regions))
DISTRIBUTOR = Capability("distributor staff", lambda scope: bool(scope.distributor_sites))
VENUE = Capability("venue staff", lambda scope: bool(scope.venues))
ACTS_FOR_VENUE = Capability("acts for a venue", lambda scope: scope.acts_for_venues)
CARD_READER = Capability("reads cards", lambda scope: scope.reads_cards)
OVERSEER = Capability(
    "national administrator or coordinator",
    lambda scope: scope.national or bool(scope.coordinator_regions),
)
# The public catalogue's content (web/views/catalogue.py): a venue's own entry, a region's venues.
KEEPS_CATALOGUE = Capability(
    "keeps catalogue entries",
    lambda scope: scope.national or bool(scope.coordinator_regions) or bool(scope.venues),
)

View = Callable[..., HttpResponse]
# Any view: a class-based one's as_view() is typed to answer any HttpResponseBase.
AnyView = TypeVar("AnyView", bound=Callable[..., HttpResponseBase])


def requires(capability: Capability) -> Callable[[View], View]:
    """The page needs a login and `capability`; the view function remembers which, for the menu and
    the permission tests."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not capability.allows(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded = login_required(wrapped)
        guarded.capability = capability  # type: ignore[attr-defined]
        return guarded

    return decorator


def public(view: AnyView) -> AnyView:
    """A page for everyone, signed in or not (the login page)."""
    view.capability = PUBLIC  # type: ignore[attr-defined]
    # Open before the second step too (accounts.middleware reads the mark, not this module).
    setattr(view, OPEN_TO_UNVERIFIED, True)
    return view


def capability_of(view: Any) -> Capability | None:
    """The capability a view was decorated with (class-based views: on their `as_view()`)."""
    return getattr(view, "capability", None)


def other_side_page(request: HttpRequest, error: OtherSidesWork) -> HttpResponse:
    """The answer (403) to a coordinator opening the other side's page or sending its form in their
    own region: whose work it is and who does it (accounts.errors.OtherSidesWork), and what they
    can do. Another region's objects stay a 404 (their existence is not told across regions)."""
    region = error.params["region"]
    return render(
        request,
        "web/other_side.html",
        {"reason": error.message, "region": region},
        status=403,
    )
