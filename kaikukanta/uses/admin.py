from django.contrib import admin

from kaikukanta.core.admin import ReadOnlyAdmin

from .models import GroupVisit, Use


@admin.register(Use)
class UseAdmin(ReadOnlyAdmin):
    list_display = [
        "occurred_at",
        "card",
        "venue",
        "kind",
        "category",
        "adult_ticket",
        "child_tickets",
        "group_visit",
    ]
    list_filter = ["kind", "category", "venue__region"]
    search_fields = ["card__identifier"]
    list_select_related = ["card", "venue"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(GroupVisit)
class GroupVisitAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "community_card", "venue"]
    list_select_related = ["community_card", "venue"]
    search_fields = ["community_card__identifier"]
