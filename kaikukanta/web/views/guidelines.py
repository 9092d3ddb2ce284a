"""The national guideline: its current version for every staff member, acknowledging it for one's
own site or venue, and publishing a new version (national admins)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaikukanta.accounts.scope import scope_for
from kaikukanta.core.errors import DomainError
from kaikukanta.guidelines.models import Acknowledgement, GuidelineVersion
from kaikukanta.guidelines.services import acknowledge, publish_version
from kaikukanta.network.models import DistributorSite, Venue

from ..access import ANY_ROLE, NATIONAL, requires
from ..forms import add_domain_error


class PublishForm(forms.ModelForm):
    url = forms.URLField(
        label=gettext_lazy("address of the guideline"),
        assume_scheme="https",
        help_text=gettext_lazy("Where the guideline's text is published (PDF or page)."),
    )

    class Meta:
        model = GuidelineVersion
        fields = ["version", "title", "url"]


def _own_places(request: HttpRequest) -> list[tuple[str, str, DistributorSite | Venue]]:
    scope = scope_for(request.user)
    places: list[tuple[str, str, DistributorSite | Venue]] = [
        (f"site:{site.pk}", site.display_name, site)
        for site in DistributorSite.objects.filter(pk__in=scope.distributor_sites).order_by("name")
    ]
    places += [
        (f"venue:{venue.pk}", venue.display_name, venue)
        for venue in Venue.objects.filter(pk__in=scope.venues).order_by("name")
    ]
    return places


@requires(ANY_ROLE)
def guideline(request: HttpRequest, form: PublishForm | None = None) -> HttpResponse:
    current = GuidelineVersion.objects.visible_to(request.user).current()
    rows = []
    if current is not None:
        done = {
            (a.distributor_site_id, a.venue_id): a
            for a in Acknowledgement.objects.filter(version=current).select_related(
                "acknowledged_by"
            )
        }
        for key, label, place in _own_places(request):
            is_site = isinstance(place, DistributorSite)
            found = done.get((place.pk, None) if is_site else (None, place.pk))
            rows.append((key, label, found))
    national = scope_for(request.user).national
    context = {
        "current": current,
        "rows": rows,
        "national": national,
        "form": form or (PublishForm() if national else None),
        "versions": GuidelineVersion.objects.visible_to(request.user)[:10] if national else [],
    }
    return render(request, "web/guidelines/guideline.html", context)


@requires(ANY_ROLE)
@require_POST
def acknowledge_view(request: HttpRequest) -> HttpResponse:
    current = GuidelineVersion.objects.visible_to(request.user).current()
    places = {key: place for key, _label, place in _own_places(request)}
    place = places.get(request.POST.get("place", ""))
    if current is None or place is None:
        raise Http404
    try:
        if isinstance(place, DistributorSite):
            acknowledge(actor=request.user, version=current, distributor_site=place)
        else:
            acknowledge(actor=request.user, version=current, venue=place)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(place)s has acknowledged version %(version)s.")
            % {"place": place.display_name, "version": current.version},
        )
    return redirect("web:guideline")


@requires(NATIONAL)
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            publish_version(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The new version is published."))
            return redirect("web:guideline")
    return guideline.__wrapped__(request, form=form)  # type: ignore[attr-defined]


urlpatterns = [
    path("guideline/", guideline, name="guideline"),
    path("guideline/acknowledge/", acknowledge_view, name="guideline_acknowledge"),
    path("guideline/publish/", publish, name="guideline_publish"),
]
