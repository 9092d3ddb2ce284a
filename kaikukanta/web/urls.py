"""The staff pages: each area's views module owns its URLs, and this joins them."""

from .views import (
    api_tokens,
    audit,
    auth,
    box_office,
    card_stock,
    cards,
    catalogue,
    dashboards,
    feedback,
    guidelines,
    legal_pages,
    national_network,
    password_reset,
    people,
    registration,
    stats,
    two_factor,
    uses,
    venue_events,
    venue_history,
)

app_name = "web"

urlpatterns = [
    *dashboards.urlpatterns,
    *auth.urlpatterns,
    *password_reset.urlpatterns,
    *two_factor.urlpatterns,
    *box_office.urlpatterns,
    *venue_events.urlpatterns,
    *venue_history.urlpatterns,
    *api_tokens.urlpatterns,
    *cards.urlpatterns,
    *registration.urlpatterns,
    *card_stock.urlpatterns,
    *uses.urlpatterns,
    *audit.urlpatterns,
    *catalogue.urlpatterns,
    *feedback.urlpatterns,
    *stats.urlpatterns,
    *people.urlpatterns,
    *national_network.urlpatterns,
    *guidelines.urlpatterns,
    *legal_pages.urlpatterns,
]
