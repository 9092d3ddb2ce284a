"""Uses as the reader's scope lets them see: a venue its own, a coordinator their region's; and the
coordinator's correction of a use or a group visit recorded by mistake (uses.services.remove_use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kaikukanta.accounts.errors import OtherSidesWork
from kaikukanta.core.errors import DomainError
from kaikukanta.network.models import Region, Venue
from kaikukanta.uses.models import GroupVisit, Use
from kaikukanta.uses.services import (
    check_remove_uses,
    may_remove_uses,
    remove_group_visit,
    remove_use,
)

from ..access import ACTS_FOR_VENUE, ANY_ROLE, other_side_page, requires
from ..confirm import confirmation, confirmed
from ..forms import add_domain_error, field_for
from ..forms.uses import RemovalForm, UseFilterForm
from ..pagination import KeysetPaginator


def day_starts(day: dt.date) -> dt.datetime:
    """The first moment of a day in Finland: a time range, not a date cast, so the index serves it."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def day_ends(day: dt.date) -> dt.datetime:
    return day_starts(day + dt.timedelta(days=1))


def filtered_uses(user, params: QueryDict) -> tuple[UseFilterForm, QuerySet[Use], str]:
    """The use list's filter form, its uses and their ordering, for `user` and the request's GET
    parameters (benchmarks/lists.py builds the same query to find a cursor in the middle)."""
    venues = Venue.objects.visible_to(user).order_by("name")
    regions = Region.objects.visible_to(user).order_by("name")
    filters = UseFilterForm(venues, regions, params or None)
    uses = (
        Use.objects.visible_to(user).in_scope_period(user).select_related("card", "venue", "event")
    )
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("venue"):
            uses = uses.filter(venue=data["venue"])
        if data.get("region"):
            uses = uses.filter(venue__in=Venue.objects.filter(region=data["region"]))
        if data.get("since"):
            uses = uses.filter(occurred_at__gte=day_starts(data["since"]))
        if data.get("until"):
            uses = uses.filter(occurred_at__lt=day_ends(data["until"]))
        if data.get("category"):
            uses = uses.filter(category=data["category"])
        if data.get("kind"):
            uses = uses.filter(kind=data["kind"])
    return filters, uses, "-occurred_at"


@requires(ANY_ROLE)
def use_list(request: HttpRequest) -> HttpResponse:
    filters, uses, ordering = filtered_uses(request.user, request.GET)
    page = KeysetPaginator(uses, ordering).page(request.GET)
    corrects = mark_correctable(request.user, page.items)
    return render(
        request, "web/uses/list.html", {"page": page, "filters": filters, "corrects": corrects}
    )


# --- a coordinator's correction: removing a use or a group visit recorded by mistake ---------------


def mark_correctable(user: Any, uses: list[Use]) -> bool:
    """Marks each listed use the user may correct (`may_correct`: uses.services.may_remove_uses,
    asked once per venue), for its Correct link; whether any is."""
    allowed: dict[int, bool] = {}
    for use in uses:
        if use.venue_id not in allowed:
            allowed[use.venue_id] = may_remove_uses(user, use.venue)
        use.may_correct = allowed[use.venue_id]  # type: ignore[attr-defined]
    return any(allowed.values())


def _back(request: HttpRequest) -> str:
    """Where the list was (its filters and page kept): the Uses page or the venue's history."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    for name in ("web:uses", "web:venue_history"):
        if wanted.startswith(reverse(name)):
            return wanted
    return reverse("web:uses")


def _refusal_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    """Why the user may not remove it, and what they can do: the other side's coordinator is told
    whose work it is; the venue's own staff when to cancel at the box office and whom to ask."""
    if isinstance(error, OtherSidesWork):
        return other_side_page(request, error)
    return render(
        request,
        "web/uses/correct_refused.html",
        {"reason": error.message, "back": _back(request)},
        status=error.status,
    )


def _correction(
    request: HttpRequest,
    *,
    venue: Venue,
    title: str,
    removed: str,
    audited: str,
    button: str,
    remove: Callable[[str], None],
) -> HttpResponse:
    """The confirmation page with the reasons (web/confirm.py), then the removal: `removed` says what
    goes, `audited` what the audit trail keeps; what it does to the statistics is the same for both."""
    try:
        check_remove_uses(request.user, venue)
    except DomainError as error:
        return _refusal_page(request, error)
    back = _back(request)
    form = RemovalForm(request.POST if confirmed(request) else None)
    status = 200
    if confirmed(request):
        status = 422
        if form.is_valid():
            try:
                remove(form.cleaned_data["reason"])
            except DomainError as error:
                if field_for(form, error) is None:
                    messages.error(request, error.message)
                    return redirect(back)
                add_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Removed. The statistics no longer count it."))
                return redirect(back)
    return confirmation(
        request,
        title=title,
        happens=[
            removed,
            _(
                "The statistics of its month no longer count it, at once. Figures already "
                "downloaded or sent on keep their old values."
            ),
            audited,
        ],
        undo=_(
            "No: a removed use is not brought back. If it was a real visit after all, the venue "
            "records it again as a new admission (with today's date, or the day of the visit "
            "within the backdating limit)."
        ),
        button=button,
        cancel_url=back,
        next_url=back,
        form=form,
        status=status,
    )


def _acted_for_uses(request: HttpRequest) -> QuerySet[Use]:
    """The uses at the venues the user acts for; anything else is a 404 (never told it exists)."""
    return Use.objects.filter(venue__in=Venue.objects.acted_for_by(request.user))


@requires(ACTS_FOR_VENUE)  # whose: uses.services.may_remove_uses
def correct_use(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a holder's own use recorded by mistake (uses.services.remove_use), at any time: the
    venue region's culture coordinator and national administrators. A member of a group visit is
    corrected with its whole visit."""
    use = get_object_or_404(
        _acted_for_uses(request).select_related("card", "venue__region", "event"), pk=pk
    )
    if use.group_visit_id is not None:
        return redirect(
            reverse("web:correct_group_visit", args=[use.group_visit_id])
            + "?"
            + urlencode({"next": _back(request)})
        )
    moment = timezone.localtime(use.occurred_at)
    what = {
        "card": use.card.display_identifier,
        "venue": use.venue.display_name,
        "time": formats.date_format(moment, "SHORT_DATETIME_FORMAT"),
    }
    tickets = int(use.adult_ticket) + use.child_tickets
    return _correction(
        request,
        venue=use.venue,
        title=_("Remove the use of card %(card)s at %(venue)s, %(time)s?") % what,
        removed=ngettext(
            "The use and its %(count)s ticket are removed from the registry.",
            "The use and its %(count)s tickets are removed from the registry.",
            tickets,
        )
        % {"count": tickets},
        audited=_("The audit trail keeps what the use was, who removed it and the reason chosen."),
        button=_("Remove the use"),
        remove=lambda reason: remove_use(actor=request.user, use=use, reason=reason),
    )


@requires(ACTS_FOR_VENUE)  # whose: uses.services.may_remove_uses
def correct_group_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a group visit recorded by mistake, all its uses at once (remove_group_visit)."""
    visit = get_object_or_404(
        GroupVisit.objects.filter(
            venue__in=Venue.objects.acted_for_by(request.user)
        ).select_related("community_card", "venue__region"),
        pk=pk,
    )
    uses = list(visit.uses.all())
    moment = timezone.localtime(visit.occurred_at)
    what = {
        "card": visit.community_card.display_identifier,
        "venue": visit.venue.display_name,
        "time": formats.date_format(moment, "SHORT_DATETIME_FORMAT"),
    }
    tickets = sum(use.tickets for use in uses)
    return _correction(
        request,
        venue=visit.venue,
        title=_("Remove the group visit of community card %(card)s at %(venue)s, %(time)s?") % what,
        removed=_("The group visit is removed with all its uses: %(uses)s, %(tickets)s.")
        % {
            "uses": ngettext("%(count)s use", "%(count)s uses", len(uses)) % {"count": len(uses)},
            "tickets": ngettext("%(count)s ticket", "%(count)s tickets", tickets)
            % {"count": tickets},
        },
        audited=_(
            "The audit trail keeps what the visit was, who removed it and the reason chosen."
        ),
        button=_("Remove the group visit"),
        remove=lambda reason: remove_group_visit(actor=request.user, visit=visit, reason=reason),
    )


urlpatterns = [
    path("uses/", use_list, name="uses"),
    path("uses/<int:pk>/correct/", correct_use, name="correct_use"),
    path("group-visits/<int:pk>/correct/", correct_group_visit, name="correct_group_visit"),
]
