from django.contrib import admin

from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
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
    search_fields = ["=identifier"]  # the full number, as venues and staff look cards up
    list_select_related = ["region", "issuing_site"]
    date_hierarchy = "issued_on"
    inlines = [WellbeingInline]
    show_full_result_count = False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        card = self.get_queryset(request).filter(pk=object_id).select_related("region").first()
        if card is not None:
            record(actor=request.user, action=Action.CARD_VIEWED, target=card, region=card.region)
        return super().change_view(request, object_id, form_url, extra_context)
