"""Registering a card at a client meeting, and everything done to a card afterwards: update, renew,
close, replace as lost, print, the mobile-card hand-over and the offering list.

Register: one form (holder data, the optional questionnaire, paper or mobile card, the number) and
then the card's own page, which is also the after-registration page: print, hand over, offering.
Every change is one service function; a refusal is shown on the field it concerns. Cards are
addressed by their internal key: card numbers never appear in an address."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaikukanta.accounts.permissions import can_manage_card
from kaikukanta.accounts.scope import scope_for
from kaikukanta.cards import pdf
from kaikukanta.cards.models import Card, CardType
from kaikukanta.cards.services import (
    HolderData,
    card_to_change,
    close_card,
    hand_over_card,
    holder_refusals,
    issue_card,
    issue_community_card,
    last_registration_site,
    open_card,
    registration_refusals,
    renew_card,
    replace_card,
    revoke_hand_over,
    update_holder_data,
    wellbeing_refusals,
)
from kaikukanta.core.dates import today
from kaikukanta.core.errors import DomainError
from kaikukanta.network.models import DistributorSite, Venue

from ..access import CARD_READER, DISTRIBUTOR, requires
from ..forms import add_domain_error
from ..forms.registration import (
    CloseCardForm,
    Delivery,
    HolderForm,
    OfferingForm,
    RegisterCardForm,
    RegisterCommunityCardForm,
    RenewForm,
    ReplaceCardForm,
    UpdateHolderForm,
    WellbeingForm,
)

# The session key under which a new mobile-card link waits to be shown, once, on the card's page.
HAND_OVER_SESSION_KEY = "hand_over_secret"


def _posted(request: HttpRequest) -> QueryDict | None:
    """The posted data, even when empty (so that an empty form says what it misses)."""
    return request.POST if request.method == "POST" else None


def _own_sites(user: Any) -> QuerySet[DistributorSite]:
    return (
        DistributorSite.objects.visible_to(user)
        .filter(pk__in=scope_for(user).distributor_sites, is_active=True)
        .select_related("region", "organisation")
        .order_by("name")
    )


def _give_link(request: HttpRequest, card: Card) -> None:
    secret = hand_over_card(actor=request.user, card=card)
    request.session[HAND_OVER_SESSION_KEY] = {"card": card.pk, "secret": secret}


def _pop_link(request: HttpRequest, card: Card) -> str | None:
    """The link just given for this card, shown once: the registry keeps only its hash."""
    waiting = request.session.get(HAND_OVER_SESSION_KEY)
    if waiting and waiting.get("card") == card.pk:
        del request.session[HAND_OVER_SESSION_KEY]
        return request.build_absolute_uri(reverse("public:mobile_card", args=[waiting["secret"]]))
    return None


@requires(DISTRIBUTOR)
def register(request: HttpRequest) -> HttpResponse:
    """One submit shows every fault at once: what the form could not read, and every refusal of the
    service (registration_refusals) for what it could, each beside its field and in the summary."""
    sites = _own_sites(request.user)
    form = RegisterCardForm(_posted(request))
    wellbeing = WellbeingForm(_posted(request), prefix="wellbeing")
    # A sent form shows what was sent; a new one the site of the worker's latest registration.
    last = last_registration_site(request.user, sites) if not form.is_bound else None
    form.offer_sites(sites, last=last)
    status = 200
    if request.method == "POST":
        status = 422
        judged = [form.is_valid(), wellbeing.is_valid()]  # both, so that both show their faults
        if all(judged):
            try:
                card = issue_card(
                    actor=request.user,
                    site=form.cleaned_data["site"],
                    holder=form.holder(),
                    identifier=form.cleaned_data["identifier"] or None,
                    wellbeing=wellbeing.wellbeing(),
                    key=form.cleaned_data["key"],
                )
            except DomainError as error:
                add_domain_error(form, error, wellbeing)
                status = error.status
            else:
                delivery = form.cleaned_data["delivery"]
                if delivery != Delivery.PAPER and not card.hand_overs.active().exists():
                    _give_link(request, card)
                messages.success(request, _("The card is registered."))
                url = reverse("web:card", args=[card.pk])
                if delivery != Delivery.MOBILE:
                    url += "?print=1"
                return redirect(url)
        else:
            refusals = registration_refusals(
                site=form.cleaned_data.get("site"),
                holder=form.holder(),
                identifier=form.cleaned_data.get("identifier") or None,
                wellbeing=wellbeing.wellbeing() if wellbeing.is_valid() else None,
            )
            for refusal in refusals:
                add_domain_error(form, refusal, wellbeing)
    context = {"form": form, "wellbeing": wellbeing, "sites": sites}
    return render(request, "web/cards/register.html", context, status=status)


@requires(DISTRIBUTOR)
def register_community(request: HttpRequest) -> HttpResponse:
    sites = _own_sites(request.user)
    form = RegisterCommunityCardForm(_posted(request))
    last = last_registration_site(request.user, sites) if not form.is_bound else None
    form.offer_sites(sites, last=last)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                card = issue_community_card(
                    actor=request.user,
                    site=form.cleaned_data["site"],
                    identifier=form.cleaned_data["identifier"] or None,
                    key=form.cleaned_data["key"],
                )
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("The community card is registered."))
                return redirect(reverse("web:card", args=[card.pk]) + "?print=1")
    return render(
        request, "web/cards/register_community.html", {"form": form, "sites": sites}, status=status
    )


def _managed_card(request: HttpRequest, card_id: int) -> Card:
    """The card, if the user sees it (a 404 otherwise); the services refuse those who see it but do
    not manage it (another site of the organisation, for a community card)."""
    if request.method == "GET":
        # A page that shows the card: a look-up like its own page, audited.
        card = open_card(actor=request.user, card_id=card_id)
    else:
        # A change: the service's own audit event records it.
        card = card_to_change(actor=request.user, card_id=card_id)
    if card is None:
        raise Http404(_("No such card, or it is not yours to see."))
    return card


def _action_page(
    request: HttpRequest,
    card: Card,
    template: str,
    context: dict[str, Any],
    status: int,
) -> HttpResponse:
    return render(
        request,
        template,
        {"card": card, "today": today(), "manages": can_manage_card(request.user, card), **context},
        status=status,
    )


@requires(CARD_READER)
def update(request: HttpRequest, card_id: int) -> HttpResponse:
    if Card.objects.filter(pk=card_id, card_type=CardType.COMMUNITY).exists():
        # Before the look-up: a page that does not exist shows no card and audits nothing.
        raise Http404(_("A community card has no holder details to update."))
    card = _managed_card(request, card_id)
    form = UpdateHolderForm(_posted(request), initial=HolderForm.initial_from(card))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                update_holder_data(actor=request.user, card=card, holder=form.holder())
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("The card's details are updated."))
                return redirect("web:card", card_id=card.pk)
        else:
            for refusal in holder_refusals(form.holder()):
                add_domain_error(form, refusal)
    return _action_page(request, card, "web/cards/update.html", {"form": form}, status)


def _changed_holder(form: forms.Form, card: Card) -> HolderData | None:
    """The holder data of the renewal form when it differs from the card's, else None: a renewal
    that would change neither the validity nor the details is refused as changing nothing."""
    if not isinstance(form, RenewForm):
        return None
    holder = form.holder()
    if HolderForm.initial_from(card) == holder.as_fields():
        return None
    return holder


@requires(CARD_READER)
def renew(request: HttpRequest, card_id: int) -> HttpResponse:
    card = _managed_card(request, card_id)
    form: forms.Form
    if card.is_community:
        form = forms.Form(_posted(request))
    else:
        form = RenewForm(_posted(request), initial=HolderForm.initial_from(card))
    wellbeing = WellbeingForm(_posted(request), prefix="wellbeing")
    status = 200
    if request.method == "POST":
        status = 422
        judged = [form.is_valid(), card.is_community or wellbeing.is_valid()]
        if not all(judged) and isinstance(form, RenewForm):
            refusals = holder_refusals(form.holder()) + (
                wellbeing_refusals(wellbeing.wellbeing()) if wellbeing.is_valid() else []
            )
            for refusal in refusals:
                add_domain_error(form, refusal, wellbeing)
        if all(judged):
            try:
                renew_card(
                    actor=request.user,
                    card=card,
                    holder=_changed_holder(form, card),
                    wellbeing=None if card.is_community else wellbeing.wellbeing(),
                )
            except DomainError as error:
                add_domain_error(form, error, wellbeing)
                status = error.status
            else:
                messages.success(request, _("The card's validity is extended."))
                return redirect(reverse("web:card", args=[card.pk]) + "?print=1")
    context = {"form": form, "wellbeing": wellbeing}
    return _action_page(request, card, "web/cards/renew.html", context, status)


@requires(CARD_READER)
def close(request: HttpRequest, card_id: int) -> HttpResponse:
    card = _managed_card(request, card_id)
    form = CloseCardForm(_posted(request))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                close_card(actor=request.user, card=card, reason=form.cleaned_data["reason"])
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("The card is closed."))
                return redirect("web:card", card_id=card.pk)
    return _action_page(request, card, "web/cards/close.html", {"form": form}, status)


@requires(CARD_READER)
def replace(request: HttpRequest, card_id: int) -> HttpResponse:
    card = _managed_card(request, card_id)
    form = ReplaceCardForm(_posted(request))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                new = replace_card(
                    actor=request.user,
                    card=card,
                    identifier=form.cleaned_data["identifier"] or None,
                )
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("The lost card is closed and the new card carries on its details."),
                )
                return redirect(reverse("web:card", args=[new.pk]) + "?print=1")
    return _action_page(request, card, "web/cards/replace.html", {"form": form}, status)


@require_POST
@requires(CARD_READER)
def hand_over(request: HttpRequest, card_id: int) -> HttpResponse:
    card = _managed_card(request, card_id)
    try:
        _give_link(request, card)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("web:card", args=[card.pk]) + "#mobile-card")


@require_POST
@requires(CARD_READER)
def revoke(request: HttpRequest, card_id: int) -> HttpResponse:
    card = _managed_card(request, card_id)
    try:
        revoked = revoke_hand_over(actor=request.user, card=card)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if revoked:
            messages.success(request, _("The mobile-card link no longer works."))
    return redirect(reverse("web:card", args=[card.pk]) + "#mobile-card")


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@requires(CARD_READER)
def card_pdf(request: HttpRequest, card_id: int) -> HttpResponse:
    card = open_card(actor=request.user, card_id=card_id)  # audited
    if card is None:
        raise Http404(_("No such card, or it is not yours to see."))
    data = pdf.card_pdf(card, sheet=request.GET.get("sheet") == "a4")
    return _pdf(data, "kaikukortti.pdf")


@requires(CARD_READER)
def offering_pdf(request: HttpRequest, card_id: int) -> HttpResponse:
    card = _managed_card(request, card_id)
    form = OfferingForm(request.GET)
    language = form.cleaned_data.get("language") if form.is_valid() else None
    day = today()
    with translation.override(language or translation.get_language()):
        venues = Venue.objects.offered_to(card.region, day).select_related("municipality")
        data = pdf.offering_pdf(card.region, venues, day)
    return _pdf(data, "kaikukortti-kohteet.pdf")


def card_page_context(request: HttpRequest, card: Card) -> dict[str, Any]:
    """What the card's page adds for its managers: the actions, the link just given, the
    offering's languages."""
    manages = can_manage_card(request.user, card)
    return {
        "manages": manages,
        "hand_over_link": _pop_link(request, card) if manages else None,
        "active_hand_over": card.hand_overs.active().first() if manages else None,
        "offering_form": OfferingForm(initial={"language": translation.get_language()}),
        "just_registered": request.GET.get("print") == "1",
    }


urlpatterns = [
    path("cards/register/", register, name="register_card"),
    path("cards/register/community/", register_community, name="register_community_card"),
    path("cards/<int:card_id>/update/", update, name="card_update"),
    path("cards/<int:card_id>/renew/", renew, name="card_renew"),
    path("cards/<int:card_id>/close/", close, name="card_close"),
    path("cards/<int:card_id>/replace/", replace, name="card_replace"),
    path("cards/<int:card_id>/hand-over/", hand_over, name="card_hand_over"),
    path("cards/<int:card_id>/hand-over/revoke/", revoke, name="card_revoke_hand_over"),
    path("cards/<int:card_id>/card.pdf", card_pdf, name="card_pdf"),
    path("cards/<int:card_id>/offering.pdf", offering_pdf, name="card_offering_pdf"),
]
