"""Cards as their own staff see them: the list with its filters and number search, and a card's page.

A card's page is addressed by the card's internal key, and the number search is posted: card numbers
never appear in an address, a browser history or a server log."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kaikukanta.cards import printing
from kaikukanta.cards.models import Card
from kaikukanta.cards.services import look_up_card, open_card
from kaikukanta.core.dates import today
from kaikukanta.core.errors import DomainError
from kaikukanta.network.models import DistributorSite, Region
from kaikukanta.uses.models import Use

from ..access import CARD_READER, DISTRIBUTOR, requires
from ..forms import add_domain_error
from ..forms.cards import CardFilterForm, CardSearchForm
from ..pagination import KeysetPaginator
from .registration import card_page_context


def filtered_cards(user, params: QueryDict) -> tuple[CardFilterForm, QuerySet[Card], str]:
    """The card list's filter form, its cards and their ordering, for `user` and the request's GET
    parameters (benchmarks/lists.py builds the same query to find a cursor in the middle)."""
    filters = CardFilterForm(
        Region.objects.visible_to(user).order_by("name"),
        DistributorSite.objects.visible_to(user).order_by("name"),
        params or None,
    )
    cards = Card.objects.visible_to(user).select_related("issuing_site", "region")
    ordering = "-issued_on"
    if filters.is_valid():
        wanted = filters.cleaned_data.get("status")
        if wanted == "expiring":
            cards = cards.expiring()
            ordering = "valid_until"  # the soonest first
        elif wanted:
            cards = cards.with_status(wanted)
        if filters.cleaned_data.get("card_type"):
            cards = cards.filter(card_type=filters.cleaned_data["card_type"])
        if filters.cleaned_data.get("region"):
            cards = cards.filter(region=filters.cleaned_data["region"])
        if filters.cleaned_data.get("site"):
            cards = cards.filter(issuing_site=filters.cleaned_data["site"])
    return filters, cards, ordering


@requires(CARD_READER)
def card_list(request: HttpRequest) -> HttpResponse:
    search = CardSearchForm(request.POST if request.method == "POST" else None)
    status = 422 if search.is_bound else 200
    if search.is_bound and search.is_valid():
        try:
            card = look_up_card(actor=request.user, identifier=search.cleaned_data["identifier"])
        except DomainError as error:
            add_domain_error(search, error)
            status = error.status
        else:
            return redirect("web:card", card_id=card.pk)
    filters, cards, ordering = filtered_cards(request.user, request.GET)
    page = KeysetPaginator(cards, ordering).page(request.GET)
    context = {
        "page": page,
        "search": search,
        "filters": filters,
        "today": today(),
        "can_register": DISTRIBUTOR.allows(request.user),
    }
    return render(request, "web/cards/list.html", context, status=status)


def _inline_svg(data: bytes) -> SafeString:
    # As cards/printing.py makes it, from a card number of letters and digits only (or the mobile
    # card's link): the template hides it from screen readers, the caption names it.
    return mark_safe(data.decode())  # noqa: S308


@requires(CARD_READER)
def card_detail(request: HttpRequest, card_id: int) -> HttpResponse:
    card = open_card(actor=request.user, card_id=card_id)
    if card is None:
        raise Http404(_("No such card, or it is not yours to see."))
    uses = (
        Use.objects.visible_to(request.user)
        .filter(card=card)
        .select_related("venue", "event")
        .order_by("-occurred_at", "-pk")[:100]
    )
    context = {
        "card": card,
        "uses": uses,
        "wellbeing": card.wellbeing.all(),
        "replaces": Card.objects.visible_to(request.user).filter(replaced_by=card).first(),
        "replaced_by": (
            Card.objects.visible_to(request.user).filter(pk=card.replaced_by_id).first()
            if card.replaced_by_id is not None
            else None
        ),
        "qr_svg": _inline_svg(printing.qr_code(card.identifier)),
        "code39_svg": _inline_svg(printing.code39(card.identifier)),
        "today": today(),
        **card_page_context(request, card),
    }
    if context["hand_over_link"]:
        context["hand_over_qr"] = _inline_svg(printing.qr_code(context["hand_over_link"], scale=5))
    return render(request, "web/cards/detail.html", context)


urlpatterns = [
    path("cards/", card_list, name="cards"),
    path("cards/<int:card_id>/", card_detail, name="card"),
]
