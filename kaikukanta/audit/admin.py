from django.contrib import admin

from kaikukanta.core.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "actor_username", "action", "object_type", "object_id", "region"]
    list_filter = ["action", "region"]
    search_fields = ["actor_username", "object_id"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False
