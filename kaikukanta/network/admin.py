from django.contrib import admin

from kaikukanta.accounts.admin_site import ServiceAdmin

from . import services
from .models import (
    DistributorSite,
    Municipality,
    Organisation,
    Region,
    TicketAgency,
    Venue,
    WellbeingCounty,
)


class NetworkAdmin(ServiceAdmin):
    def save_with_service(self, *, actor, obj, changed):
        return services.save_network_object(actor=actor, obj=obj, changed=changed)

    def delete_with_service(self, *, actor, obj):
        services.delete_network_object(actor=actor, obj=obj)


@admin.register(WellbeingCounty)
class WellbeingCountyAdmin(NetworkAdmin):
    list_display = ["name", "name_sv", "slug"]
    search_fields = ["name", "name_sv"]


@admin.register(Municipality)
class MunicipalityAdmin(NetworkAdmin):
    list_display = ["name", "name_sv", "code", "county"]
    list_filter = ["county"]
    search_fields = ["name", "name_sv", "code"]


@admin.register(Region)
class RegionAdmin(NetworkAdmin):
    list_display = ["name", "status", "pilot_starts", "pilot_ends", "county"]
    list_filter = ["status", "county"]
    search_fields = ["name", "name_sv"]
    filter_horizontal = ["municipalities"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(NetworkAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "name_sv"]


@admin.register(DistributorSite)
class DistributorSiteAdmin(NetworkAdmin):
    list_display = ["name", "organisation", "region", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation", "region"]

    def save_with_service(self, *, actor, obj, changed):
        return services.save_site(actor=actor, site=obj, changed=changed)


@admin.register(Venue)
class VenueAdmin(NetworkAdmin):
    list_display = [
        "name",
        "organisation",
        "region",
        "category",
        "is_popup",
        "accepts_other_regions",
        "active_from",
        "active_until",
    ]
    list_filter = ["region", "category", "is_popup", "accepts_other_regions"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation", "region"]

    def save_with_service(self, *, actor, obj, changed):
        return services.save_venue(actor=actor, venue=obj, changed=changed)


@admin.register(TicketAgency)
class TicketAgencyAdmin(NetworkAdmin):
    list_display = ["name", "organisation"]
    search_fields = ["name"]
    filter_horizontal = ["venues"]

    def save_model(self, request, obj, form, change):
        """The agency and its venues in one service call (audited, and the API tokens' cached
        look-ups made stale): not the admin's own many-to-many save after it."""
        services.save_ticket_agency(
            actor=request.user,
            agency=obj,
            venues=form.cleaned_data.get("venues") or [],
            changed=list(form.changed_data),
        )

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # none today; the venues were saved by save_model
            self.save_formset(request, form, formset, change=change)
