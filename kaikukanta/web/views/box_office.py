"""The venue's box office: check a card, admit the holder and their children, a community card's group
visit, cancel a use recorded by mistake, and the venue's own figures of today and this month.

The page answers in place with htmx (the whole working area is swapped, so that the verdict lands at
the top, the number field comes back empty and focused: static/kaikukanta/box-office.js); without
JavaScript the same forms post and the page is rendered again. An expected refusal (no such card, a
closed card, a sold-out event, too many look-ups) answers htmx with 200 and the refusal in the
fragment: the page shows it in place, with django-htmx's debug script too (which replaces the whole
page with any 400, 403, 404 or 500 answer); without JavaScript the answer keeps its status. The
venue chosen on a multi-venue site is remembered in the session. Checking and recording are the services' (cards.services.check_card,
uses.services.record_use / record_group_visit / cancel_use): the verdict shown is the refusal the
recording would give."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from kaikukanta.cards import identifiers
from kaikukanta.cards.models import MAX_CHILDREN
from kaikukanta.cards.services import CardCheck, check_card
from kaikukanta.core.dates import today
from kaikukanta.core.errors import DomainError
from kaikukanta.events.models import Event
from kaikukanta.network.models import Venue
from kaikukanta.uses.errors import MemberCardNotPersonal, MemberListedTwice
from kaikukanta.uses.models import Use, UseKind
from kaikukanta.uses.services import (
    GroupMember,
    admitted_today_at,
    cancel_use,
    cancellable,
    card_states_at,
    record_group_visit,
    record_use,
)

from ..access import ACTS_FOR_VENUE, VENUE, public, requires
from ..forms import add_domain_error, field_for
from ..forms.box_office import (
    AdmitForm,
    CardCheckForm,
    GroupVisitForm,
    MemberLine,
    new_request_key,
)
from ..templatetags.kaikukanta import verdict_title

SESSION_VENUE = "box_office_venue"
SESSION_ADMIT_NOW = "box_office_admit_now"


def _venues(request: HttpRequest) -> QuerySet[Venue]:
    """The venues the user acts for: their own, and a coordinator's region's (paper records)."""
    return Venue.objects.acted_for_by(request.user).select_related("region").order_by("name")


def _chosen_venue(request: HttpRequest, venues: QuerySet[Venue]) -> Venue | None:
    """The venue chosen last (remembered in the session), or the first of the user's."""
    chosen = request.session.get(SESSION_VENUE)
    listed = list(venues)
    for venue in listed:
        if venue.pk == chosen:
            return venue
    return listed[0] if listed else None


def _remember(request: HttpRequest, venue: Venue) -> None:
    if request.session.get(SESSION_VENUE) != venue.pk:
        request.session[SESSION_VENUE] = venue.pk


def upcoming_events(venue: Venue, *, sold_out: bool = False) -> QuerySet[Event]:
    """The venue's events to admit to, not begun before today, each with its cardholder tickets
    taken (Event.tickets_left reads them); those marked sold out only with `sold_out` (the list
    shows them, marked; the Admit form's choice does not)."""
    events = (
        Event.objects.filter(venue=venue)
        if sold_out
        else Event.objects.filter(venue=venue, sold_out=False)
    )
    return (
        events.upcoming(today())
        .with_tickets_taken()
        .select_related("venue")
        .order_by("starts_at", "title")
    )


def figures(venue: Venue) -> dict[str, dict[str, int]]:
    """The venue's uses and child tickets today and this month (one query)."""
    day = today()
    tz = timezone.get_current_timezone()
    midnight = timezone.make_aware(dt.datetime.combine(day, dt.time()), tz)
    month_start = timezone.make_aware(dt.datetime.combine(day.replace(day=1), dt.time()), tz)
    today_q = Q(occurred_at__gte=midnight)
    counts = Use.objects.filter(venue=venue, occurred_at__gte=month_start).aggregate(
        today_uses=Count("pk", filter=today_q),
        today_children=Sum("child_tickets", filter=today_q),
        month_uses=Count("pk"),
        month_children=Sum("child_tickets"),
    )
    return {
        "today": {"uses": counts["today_uses"], "children": counts["today_children"] or 0},
        "month": {"uses": counts["month_uses"], "children": counts["month_children"] or 0},
    }


def _recent_uses(request: HttpRequest, venue: Venue) -> list[Use]:
    uses = list(
        Use.objects.filter(venue=venue)
        .select_related("card", "event")
        .order_by("-recorded_at", "-pk")[:8]
    )
    moment = timezone.now()
    for use in uses:
        use.can_cancel = cancellable(use, at=moment)  # type: ignore[attr-defined]
    return uses


def _admit_form(
    venues: QuerySet[Venue], venue: Venue, result: CardCheck, data: Any = None
) -> AdmitForm:
    return AdmitForm(
        venues,
        data,
        venue=venue,
        children=result.children or 0,
        events=upcoming_events(venue),
        initial={
            "venue": venue.pk,
            "identifier": result.identifier,
            "request_key": new_request_key(),
            "category": venue.category,
        },
    )


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    venues: QuerySet[Venue] = context["venues"]
    venue: Venue | None = context.get("venue")
    if venue is not None:
        context.setdefault(
            "form",
            CardCheckForm(
                venues,
                initial={
                    "venue": venue.pk,
                    "admit_now": request.session.get(SESSION_ADMIT_NOW),
                    "request_key": new_request_key(),
                },
            ),
        )
        context["figures"] = figures(venue)
        context["recent_uses"] = _recent_uses(request, venue)
        context["events"] = upcoming_events(venue, sold_out=True)[:10]
        context["cancel_minutes"] = settings.KAIKUKANTA_USE_CANCEL_MINUTES
        context["today"] = today()
    if request.htmx:  # type: ignore[attr-defined]
        # 200 with the refusal in the fragment: shown in place, debug script or not (module doc).
        return render(request, "web/box_office/_work.html", context)
    context["offline_options"] = _offline_options(venues)
    context["keeps_card_states"] = VENUE.allows(request.user)
    return render(request, "web/box_office/venue.html", context, status=status)


def _offline_options(venues: QuerySet[Venue]) -> dict[str, Any]:
    """What the page offers for an admission made offline (box-office.js): the kinds, and per venue
    whether it gives child tickets and its coming events. The server applies every rule on sync."""
    return {
        "kinds": [{"value": value, "label": str(label)} for value, label in UseKind.choices],
        "max_children": MAX_CHILDREN,
        "verdicts": {
            verdict: str(verdict_title(verdict))
            for verdict in (
                "accepted",
                "expired",
                "closed",
                "not_yet_valid",
                "not_here",
                "group_only",
            )
        },
        "venues": {
            str(venue.pk): {
                "child_tickets": venue.child_tickets,
                "events": [
                    {"id": event.pk, "title": event.title} for event in upcoming_events(venue)[:20]
                ],
            }
            for venue in venues
        },
    }


@requires(ACTS_FOR_VENUE)
def venue_home(request: HttpRequest) -> HttpResponse:
    """The box office: GET shows the empty number field; POST checks a card (and with "admit at
    once" records the holder's own ticket when the card is accepted)."""
    venues = _venues(request)
    venue = _chosen_venue(request, venues)
    context: dict[str, Any] = {"venues": venues, "venue": venue}
    if request.method != "POST":
        return _render(request, context)
    form = CardCheckForm(venues, request.POST)
    if not form.is_valid():
        context["form"] = form
        return _render(request, context, status=422)
    venue = form.cleaned_data["venue"]
    context["venue"] = venue
    _remember(request, venue)
    admit_now = form.cleaned_data["admit_now"]
    request.session[SESSION_ADMIT_NOW] = admit_now
    try:
        result = check_card(
            actor=request.user, venue=venue, identifier=form.cleaned_data["identifier"]
        )
    except DomainError as error:
        add_domain_error(form, error)
        context["form"] = form
        context["failed"] = error
        return _render(request, context, status=error.status)
    context["result"] = result
    # Told before the clerk acts: the clerk decides (a second event the same day is allowed).
    context["admitted_today_at"] = admitted_today_at(venue=venue, card_identifier=result.identifier)
    if result.accepted and admit_now and context["admitted_today_at"] is None:
        try:
            outcome = record_use(
                actor=request.user,
                venue=venue,
                card_identifier=result.identifier,
                idempotency_key=form.cleaned_data["request_key"] or new_request_key(),
            )
        except DomainError as error:
            context["refused"] = error
            return _render(request, context, status=error.status)
        context["admitted"] = outcome.use
        return _render(request, context)
    if result.accepted and not result.is_community:
        context["admit_form"] = _admit_form(venues, venue, result)
    return _render(request, context)


@require_POST
@requires(ACTS_FOR_VENUE)
def admit(request: HttpRequest) -> HttpResponse:
    """Record the tickets chosen for a checked card (its number and the request key in the body)."""
    venues = _venues(request)
    venue = _chosen_venue(request, venues)
    context: dict[str, Any] = {"venues": venues, "venue": venue}
    posted_venue = AdmitForm.posted_venue(venues, request.POST) or venue
    form = AdmitForm(
        venues,
        request.POST,
        venue=posted_venue,
        events=upcoming_events(posted_venue) if posted_venue else None,
    )
    if not form.is_valid():
        context["admit_errors"] = form
        return _render(request, context, status=422)
    data = form.cleaned_data
    venue = data["venue"]
    context["venue"] = venue
    _remember(request, venue)
    try:
        outcome = record_use(
            actor=request.user,
            venue=venue,
            card_identifier=data["identifier"],
            idempotency_key=data["request_key"],
            kind=data["kind"],
            adult_ticket=data["adult_ticket"],
            child_tickets=data["child_tickets"],
            event=data.get("event"),
            category=data["category"],
        )
    except DomainError as error:
        context["refused"] = error
        if field_for(form, error) is not None:
            # A refusal about a field of the form (more child tickets than the card gives now): the
            # form comes back as it was sent, the refusal beside the field, with a new request key.
            again = cast(QueryDict, form.data).copy()
            again["request_key"] = new_request_key()
            context["admit_form"] = AdmitForm(
                venues, again, venue=venue, events=upcoming_events(venue)
            )
            context["admit_form"].is_valid()
            add_domain_error(context["admit_form"], error)
        return _render(request, context, status=error.status)
    context["admitted"] = outcome.use
    return _render(request, context)


@require_POST
@requires(ACTS_FOR_VENUE)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a use recorded by mistake at one's own venue, within the cancel window."""
    venues = _venues(request)
    use = get_object_or_404(Use.objects.filter(venue__in=venues).select_related("venue"), pk=pk)
    context: dict[str, Any] = {"venues": venues, "venue": use.venue}
    try:
        cancel_use(actor=request.user, use=use)
    except DomainError as error:
        context["refused"] = error
        return _render(request, context, status=error.status)
    context["cancelled"] = True
    return _render(request, context)


def _finnish_date(day: dt.date | None) -> str:
    return f"{day.day}.{day.month}.{day.year}" if day else ""


@requires(VENUE)
def card_states(request: HttpRequest) -> JsonResponse:
    """The box office's list of card states for offline answers (box-office.js), as JSON: the cards
    used at the venue lately with their state today (uses.services.card_states_at). The venue by its
    key in the address, the card numbers only in the body; never cached; audited per fetch. The
    list is dropped by the page at log-out and when the session ends (`session_ends`)."""
    venue = Venue.objects.acted_for_by(request.user).filter(pk=request.GET.get("venue") or 0)
    chosen = venue.select_related("region").first()
    if chosen is None:
        return JsonResponse({"code": "venue_unknown"}, status=404)
    try:
        states = card_states_at(actor=request.user, venue=chosen)
    except DomainError as error:
        return JsonResponse({"code": error.code, "message": error.message}, status=error.status)
    return JsonResponse(  # never cached: staff pages answer with Cache-Control no-store
        {
            "venue": chosen.pk,
            "as_of": timezone.now().isoformat(),
            "days": states.days,
            "session_ends": request.session.get_expiry_date().isoformat(),
            "cards": {
                check.identifier: {
                    "verdict": check.verdict,
                    "type": check.card_type,
                    "until": _finnish_date(check.valid_until),
                    "children": check.children or 0,
                }
                for check in states.cards
            },
        }
    )


def _fresh_group_form(venues: QuerySet[Venue], venue: Venue | None) -> GroupVisitForm:
    return GroupVisitForm(
        venues,
        initial={"venue": venue.pk if venue else None, "request_key": new_request_key()},
    )


def _render_group(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context["age_limit"] = settings.KAIKUKANTA_COMMUNITY_CARD_CLIENT_AGE_LIMIT
    if request.htmx:  # type: ignore[attr-defined]
        # 200 with the refusal in the fragment, as the box office answers (module doc).
        return render(request, "web/box_office/_group_visit.html", context)
    return render(request, "web/box_office/group_visit.html", context, status=status)


@requires(ACTS_FOR_VENUE)
def group_visit(request: HttpRequest) -> HttpResponse:
    """A community card's group visit from a scanner: the worker's community card, then each
    member's own card, checked as it is scanned and listed with its own verdict (a bad one named, and
    removable without losing the others), with their child tickets; and the clients under the age
    limit who come without a card. "Record" records it all as one visit (record_group_visit checks
    every card again); Enter (a scanner's) only ever adds the member scanned."""
    venues = _venues(request)
    venue = _chosen_venue(request, venues)
    context: dict[str, Any] = {"venues": venues, "venue": venue, "lines": []}
    if request.method != "POST":
        context["form"] = _fresh_group_form(venues, venue)
        return _render_group(request, context)
    form = GroupVisitForm(venues, request.POST)
    lines = form.lines()
    context.update(form=form, lines=lines)
    if not form.is_valid():
        return _render_group(request, context, status=422)
    venue = form.cleaned_data["venue"]
    context["venue"] = venue
    _remember(request, venue)
    remove = request.POST.get("remove")
    status = 200
    if remove is not None:
        if remove.isdigit() and int(remove) < len(lines):
            del lines[int(remove)]
    elif request.POST.get("action") == "record":
        status = _record_group(request, form, venue, context)
    else:
        _add_member(request, venue, form.cleaned_data["member_number"], context)
    # The member's field comes back empty for the next scan.
    data = cast(QueryDict, form.data).copy()
    data["member_number"] = ""
    form.data = data
    return _render_group(request, context, status)


def _add_member(request: HttpRequest, venue: Venue, raw: str, context: dict[str, Any]) -> None:
    """Check the member's card just scanned and list it with its verdict (not recorded yet)."""
    lines: list[MemberLine] = context["lines"]
    number = identifiers.normalize(raw)
    if not number:
        return
    if any(line.identifier == number for line in lines):
        context["notice"] = MemberListedTwice(identifier=identifiers.display(number)).message
        return
    try:
        result = check_card(actor=request.user, venue=venue, identifier=number)
    except DomainError as error:
        if error.code != "card_not_found":
            context["notice"] = error.message  # too many look-ups, say: no line for it
            return
        lines.append(MemberLine(number, "unknown", reason=error.message))
        return
    at = admitted_today_at(venue=venue, card_identifier=result.identifier)
    if result.is_community:
        line = MemberLine(
            result.identifier,
            "community_member",
            reason=MemberCardNotPersonal(identifier=result.display_identifier).message,
        )
    else:
        line = MemberLine(
            result.identifier,
            result.verdict,
            most_children=(result.children or 0) if result.accepted else 0,
            reason=result.refusal.message if result.refusal else "",
        )
    if at is not None:
        line.admitted_today = timezone.localtime(at).strftime("%H.%M")
    lines.append(line)


def _record_group(
    request: HttpRequest, form: GroupVisitForm, venue: Venue, context: dict[str, Any]
) -> int:
    """Record the visit; on a refusal, the card it concerns is named (a member's line is marked),
    and nothing is lost from the form."""
    data = form.cleaned_data
    lines: list[MemberLine] = context["lines"]
    if not data["community_card"]:
        form.add_error("community_card", gettext("Type the card number."))
        return 422
    limit = settings.KAIKUKANTA_COMMUNITY_CARD_CLIENT_AGE_LIMIT
    try:
        outcome = record_group_visit(
            actor=request.user,
            venue=venue,
            community_card_identifier=data["community_card"],
            members=[GroupMember(line.identifier, line.child_tickets) for line in lines],
            # The clerk counts the clients under the age limit; their exact ages are not kept.
            covered_client_ages=[limit - 1] * data["covered_clients"],
            idempotency_key=data["request_key"],
        )
    except DomainError as error:
        context["refused"] = error
        bad = identifiers.normalize(error.card_number or "")
        member = next((line for line in lines if line.identifier == bad), None)
        if member is not None:
            member.verdict = "refused"
            member.reason = error.message
        elif error.field == "community_card" or (
            bad and bad == identifiers.normalize(data["community_card"])
        ):
            form.add_error("community_card", error.message)
        return error.status
    context["visit"] = outcome.group_visit
    context["visit_tickets"] = sum(use.tickets for use in outcome.uses)
    context["form"] = _fresh_group_form(context["venues"], venue)
    context["lines"] = []
    return 200


urlpatterns = [
    path("venue/", venue_home, name="venue"),
    path("venue/admit/", admit, name="venue_admit"),
    path("venue/uses/<int:pk>/cancel/", cancel, name="venue_cancel_use"),
    path("venue/group-visit/", group_visit, name="venue_group_visit"),
    path("venue/card-states/", card_states, name="venue_card_states"),
]


# --- the installable web app: its manifest and its service worker ----------------------------------

BOX_OFFICE_ASSETS = [
    "kaikukanta/site.css",
    "kaikukanta/card-number.js",
    "kaikukanta/camera.js",
    "kaikukanta/box-office.js",
    "kaikukanta/group-visit.js",
    "kaikukanta/forms.js",
    "vendor/zxing-library.min.js",
    "django_htmx/htmx-2.min.js",
    "django_htmx/django-htmx.js",
    "kaikukanta/icons/box-office-192.png",
]


@public
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the box office's own address so that its scope covers it.
    Public: it names only static files (a worker fetched without a session must not be a redirect)."""
    assets = [static(name) for name in BOX_OFFICE_ASSETS]
    version = hashlib.sha256("".join(assets).encode()).hexdigest()[:12]
    response = render(
        request,
        "web/box_office/service-worker.js",
        {"scope": reverse("web:venue"), "assets": json.dumps(assets), "version": version},
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


@public
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the box office installs as an app of its own on a phone or a till."""
    return JsonResponse(
        {
            "name": "Kaikukanta: " + gettext("Box office"),
            "short_name": gettext("Box office"),
            "start_url": reverse("web:venue"),
            "scope": reverse("web:venue"),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#123b63",
            "icons": [
                {
                    "src": static(f"kaikukanta/icons/box-office-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                }
                for size in (192, 512)
            ],
        },
        content_type="application/manifest+json",
    )


urlpatterns += [
    path("venue/sw.js", service_worker, name="venue_service_worker"),
    path("venue/manifest.webmanifest", manifest, name="venue_manifest"),
]
