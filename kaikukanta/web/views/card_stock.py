"""Card stock: coordinators and national admins generate batches of new numbers for a region and
print them for a card printer (a page per card) or on A4 sheets to cut. A batch shows how many of
its cards are registered, never which."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from kaikukanta.accounts.scope import scope_for
from kaikukanta.cards import pdf
from kaikukanta.cards.models import CardStock
from kaikukanta.cards.services import card_stock_numbers, create_card_stock
from kaikukanta.core.errors import DomainError
from kaikukanta.network.models import Region

from ..access import OVERSEER, requires
from ..forms import add_domain_error
from ..forms.registration import CardStockForm
from ..pagination import KeysetPaginator
from .registration import _posted


def _regions(user: Any) -> QuerySet[Region]:
    """The regions whose stock the user generates: a coordinator's own, every one for national
    admins."""
    scope = scope_for(user)
    regions = Region.objects.visible_to(user).order_by("name")
    if not scope.national:
        regions = regions.filter(pk__in=scope.coordinator_regions)
    return regions


@requires(OVERSEER)
def stock_list(request: HttpRequest) -> HttpResponse:
    form = CardStockForm(_regions(request.user), _posted(request))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                batch = create_card_stock(
                    actor=request.user,
                    region=form.cleaned_data["region"],
                    size=form.cleaned_data["size"],
                )
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("The batch is ready to print."))
                return redirect("web:card_stock_batch", batch_id=batch.pk)
    batches = CardStock.objects.visible_to(request.user).select_related("region", "created_by")
    page = KeysetPaginator(batches, "-created_at").page(request.GET)
    context = {"form": form, "page": page}
    return render(request, "web/card_stock/list.html", context, status=status)


@requires(OVERSEER)
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(
        CardStock.objects.visible_to(request.user).select_related("region", "created_by"),
        pk=batch_id,
    )
    context = {"batch": batch, "registered": batch.registered_count()}
    return render(request, "web/card_stock/detail.html", context)


@requires(OVERSEER)
def batch_pdf(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(
        CardStock.objects.visible_to(request.user).select_related("region"), pk=batch_id
    )
    numbers = card_stock_numbers(actor=request.user, batch=batch)
    data = pdf.stock_pdf(batch.region, numbers, sheet=request.GET.get("sheet") == "a4")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="kaikukortti-stock.pdf"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("card-stock/", stock_list, name="card_stock"),
    path("card-stock/<int:batch_id>/", batch_detail, name="card_stock_batch"),
    path("card-stock/<int:batch_id>/cards.pdf", batch_pdf, name="card_stock_pdf"),
]
