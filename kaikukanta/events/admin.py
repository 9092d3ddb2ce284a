from django.contrib import admin

from kaikukanta.core.admin import ReadOnlyAdmin

from .models import Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Events are the venues' own: they change through events/services.py (quota, sold out)."""

    list_display = ["title", "venue", "starts_at", "cardholder_quota", "sold_out"]
    list_filter = ["sold_out", "venue__region"]
    search_fields = ["title", "venue__name"]
    list_select_related = ["venue"]
