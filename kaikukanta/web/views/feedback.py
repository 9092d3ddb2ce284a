"""Cardholders' feedback for the coordinators of their region: read it, mark items publishable (the
public catalogue quotes those). An item shows its day, rating and text only: nothing links it to a
card."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaikukanta.feedback.models import Feedback
from kaikukanta.feedback.services import set_publishable
from kaikukanta.network.models import Region

from ..access import OVERSEER, requires
from ..pagination import KeysetPaginator


@requires(OVERSEER)
def feedback_list(request: HttpRequest) -> HttpResponse:
    items = Feedback.objects.visible_to(request.user).select_related("region")
    regions = Region.objects.filter(pk__in=items.values("region")).order_by("name")
    region = request.GET.get("region", "")
    if region:
        items = items.filter(region__slug=region)
    page = KeysetPaginator(items, "-id").page(request.GET)
    context = {"page": page, "regions": regions, "chosen_region": region}
    return render(request, "web/feedback/list.html", context)


@require_POST
@requires(OVERSEER)
def feedback_publish(request: HttpRequest, feedback_id: uuid.UUID) -> HttpResponse:
    item = get_object_or_404(Feedback.objects.visible_to(request.user), pk=feedback_id)
    publishable = request.POST.get("publishable") == "yes"
    set_publishable(actor=request.user, feedback=item, publishable=publishable)
    if publishable:
        messages.success(request, _("The feedback is now quoted in the public catalogue."))
    else:
        messages.success(request, _("The feedback is no longer quoted in the public catalogue."))
    return redirect("web:feedback")


urlpatterns = [
    path("feedback/", feedback_list, name="feedback"),
    path("feedback/<uuid:feedback_id>/publish/", feedback_publish, name="feedback_publish"),
]
