from django.contrib import admin

from kaikukanta.core.admin import AuditedAdmin

from .models import (
    DistributorSite,
    Municipality,
    Organisation,
    Region,
    TicketAgency,
    Venue,
    WellbeingCounty,
)


@admin.register(WellbeingCounty)
class WellbeingCountyAdmin(AuditedAdmin):
    list_display = ["name", "name_sv", "slug"]
    search_fields = ["name", "name_sv"]


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    list_display = ["name", "name_sv", "code", "county"]
    list_filter = ["county"]
    search_fields = ["name", "name_sv", "code"]


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["name", "status", "pilot_starts", "pilot_ends", "county"]
    list_filter = ["status", "county"]
    search_fields = ["name", "name_sv"]
    filter_horizontal = ["municipalities"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "name_sv"]


@admin.register(DistributorSite)
class DistributorSiteAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "region", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation", "region"]


@admin.register(Venue)
class VenueAdmin(AuditedAdmin):
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


@admin.register(TicketAgency)
class TicketAgencyAdmin(AuditedAdmin):
    list_display = ["name", "organisation"]
    search_fields = ["name"]
    filter_horizontal = ["venues"]
