from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for
from kaikukanta.network.models import Region


def navigation(request):
    """The links of the page header: one per role the user has, and the lists they may read."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    scope = scope_for(user)
    links = []
    if scope.national:
        links.append((reverse("web:national"), _("National")))
    if scope.coordinator_regions:
        for region in Region.objects.filter(pk__in=scope.coordinator_regions).order_by("name"):
            links.append((reverse("web:region", args=[region.slug]), region.display_name))
    if scope.distributor_sites:
        links.append((reverse("web:distributor"), _("Distributor")))
    if scope.venues:
        links.append((reverse("web:venue"), _("Venue")))
    if scope.national or scope.coordinator_regions or scope.distributor_sites:
        links.append((reverse("web:cards"), _("Cards")))
    if scope.has_any_role:
        links.append((reverse("web:uses"), _("Uses")))
    if scope.national:
        links.append((reverse("admin:index"), _("Administration")))
    current = request.path
    return {
        "nav_links": [
            {"url": url, "label": label, "current": current == url or current.startswith(url + "?")}
            for url, label in links
        ]
    }
