from django.contrib import admin

from kaikukanta.core.admin import AuditedAdmin

from .models import Event


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    list_display = ["title", "venue", "starts_at", "cardholder_quota", "sold_out"]
    list_filter = ["sold_out", "venue__region"]
    search_fields = ["title", "venue__name"]
    list_select_related = ["venue"]
    autocomplete_fields = ["venue"]
