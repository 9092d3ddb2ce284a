"""The staff pages: each area's views module owns its URLs, and this joins them."""

from .views import audit, auth, box_office, cards, dashboards, guidelines, people, stats, uses

app_name = "web"

urlpatterns = [
    *dashboards.urlpatterns,
    *auth.urlpatterns,
    *box_office.urlpatterns,
    *cards.urlpatterns,
    *uses.urlpatterns,
    *audit.urlpatterns,
    *stats.urlpatterns,
    *people.urlpatterns,
    *guidelines.urlpatterns,
]
