from django.contrib import admin

from kaikukanta.core.admin import NationalInline, ReadOnlyAdmin

from .models import Card, WellbeingMeasurement


class WellbeingInline(NationalInline):
    model = WellbeingMeasurement
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = [
        "display_identifier",
        "card_type",
        "region",
        "issuing_site",
        "issued_on",
        "valid_until",
        "status",
    ]
    list_filter = ["card_type", "status", "region"]
    search_fields = ["identifier"]
    list_select_related = ["region", "issuing_site"]
    date_hierarchy = "issued_on"
    inlines = [WellbeingInline]
    show_full_result_count = False
