"""Keeping the public catalogue: a venue edits its own entry, coordinators their region's venues and
the region's introduction (network/catalogue.py decides who may)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from kaikukanta.accounts.errors import OtherSidesWork
from kaikukanta.accounts.permissions import side_refused
from kaikukanta.accounts.scope import CULTURE, scope_for
from kaikukanta.core.errors import DomainError
from kaikukanta.network.catalogue import (
    editable_venues,
    update_region_description,
    update_venue_entry,
)
from kaikukanta.network.models import Region, Venue

from ..access import KEEPS_CATALOGUE, OVERSEER, other_side_page, requires
from ..forms import add_domain_error
from ..forms.catalogue import RegionDescriptionForm, VenueEntryForm


@requires(KEEPS_CATALOGUE)
def entries(request: HttpRequest) -> HttpResponse:
    venues = editable_venues(request.user).select_related("region").order_by("region__name", "name")
    scope = scope_for(request.user)
    regions = Region.objects.order_by("name")
    if not scope.national:
        regions = regions.filter(pk__in=scope.coordinator_regions)
    # A coordinator of the social and health side keeps their regions' introductions; the venues'
    # entries are the culture side's, and the page says whose instead of "no venues".
    other_side = next(
        (
            OtherSidesWork(side=CULTURE, region=region)
            for region in regions
            if side_refused(request.user, CULTURE, region.pk)
        ),
        None,
    )
    return render(
        request,
        "web/catalogue/entries.html",
        {"venues": venues, "regions": regions, "other_side": other_side},
    )


@requires(KEEPS_CATALOGUE)
def venue_entry(request: HttpRequest, venue_id: int) -> HttpResponse:
    venue = editable_venues(request.user).filter(pk=venue_id).first()
    if venue is None:
        # A venue of the coordinator's own region is the culture side's: say whose, not "not
        # found"; one of another region stays a 404.
        other = Venue.objects.filter(pk=venue_id).select_related("region").first()
        if other is not None and side_refused(request.user, CULTURE, other.region_id):
            return other_side_page(request, OtherSidesWork(side=CULTURE, region=other.region))
        raise Http404
    form = VenueEntryForm(request.POST if request.method == "POST" else None, instance=venue)
    if request.method == "POST" and form.is_valid():
        try:
            update_venue_entry(actor=request.user, venue=venue, values=form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The catalogue entry was saved."))
            return redirect("web:catalogue_entries")
    return render(request, "web/catalogue/venue_entry.html", {"venue": venue, "form": form})


@requires(OVERSEER)
def region_entry(request: HttpRequest, slug: str) -> HttpResponse:
    region = get_object_or_404(Region, slug=slug)
    if not scope_for(request.user).coordinates(region.pk):
        raise Http404
    form = RegionDescriptionForm(
        request.POST if request.method == "POST" else None, instance=region
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_region_description(actor=request.user, region=region, values=form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The region's introduction was saved."))
            return redirect("web:catalogue_entries")
    return render(request, "web/catalogue/region_entry.html", {"region": region, "form": form})


urlpatterns = [
    path("catalogue-entries/", entries, name="catalogue_entries"),
    path("catalogue-entries/venue/<int:venue_id>/", venue_entry, name="catalogue_venue"),
    path("catalogue-entries/region/<slug:slug>/", region_entry, name="catalogue_region"),
]
