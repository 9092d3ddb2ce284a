"""Django admin for national administrators only.

Every list starts from the model's `visible_to(user)` scope, every change made here leaves an audit
event, and registry data (cards, uses, audit events) is read-only: it changes only through the service
functions that enforce the Kaikukortti rules.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for
from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record


class KaikukantaAdminSite(admin.AdminSite):
    site_header = _("Kaikukanta administration")
    site_title = _("Kaikukanta administration")
    index_title = _("National administration")

    def has_permission(self, request) -> bool:
        return request.user.is_active and scope_for(request.user).national

    def login(self, request, extra_context=None):
        # One login page for everyone; a signed-in user without the right lands on their own page.
        if request.user.is_authenticated:
            return redirect("web:home")
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('web:login')}?{urlencode({'next': next_url})}")


def _region_of(obj):
    """The region an administrative change concerns, so that its coordinators see it in the trail."""
    if obj._meta.label == "network.Region":
        return obj
    if getattr(obj, "region_id", None) is not None:
        return obj.region
    for related in ("venue", "distributor_site"):
        target = getattr(obj, related, None) if hasattr(obj, f"{related}_id") else None
        if target is not None:
            return target.region
    return None


class ScopedAdmin(admin.ModelAdmin):
    """Lists what the user's scope allows, for national admins only."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "visible_to"):
            return queryset.visible_to(request.user)
        return queryset if scope_for(request.user).national else queryset.none()

    def _national(self, request) -> bool:
        return scope_for(request.user).national

    def has_module_permission(self, request) -> bool:
        return self._national(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._national(request)

    def has_add_permission(self, request) -> bool:
        return self._national(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._national(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._national(request)


class NationalInline(admin.TabularInline):
    """An inline that national admins may edit (Django's model permissions are not used here)."""

    def _national(self, request) -> bool:
        return scope_for(request.user).national

    def has_view_permission(self, request, obj=None) -> bool:
        return self._national(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._national(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._national(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._national(request)


class AuditedAdmin(ScopedAdmin):
    """Network and account data edited here: every save and deletion leaves an audit event."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                actor=request.user,
                action=Action.OBJECT_CHANGED if change else Action.OBJECT_CREATED,
                target=obj,
                region=_region_of(obj),
                data={"fields": sorted(form.changed_data)},
            )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                # A granted role is worth its own action in the trail.
                created = (
                    Action.ROLE_GRANTED
                    if obj._meta.label == "accounts.RoleAssignment"
                    else Action.OBJECT_CREATED
                )
                record(actor=request.user, action=created, target=obj, region=_region_of(obj))
            for obj, fields in formset.changed_objects:
                record(
                    actor=request.user,
                    action=Action.OBJECT_CHANGED,
                    target=obj,
                    data={"fields": sorted(fields)},
                )
            for obj in formset.deleted_objects:
                record(actor=request.user, action=Action.OBJECT_DELETED, target=obj)

    def delete_model(self, request, obj):
        with transaction.atomic():
            record(
                actor=request.user,
                action=Action.OBJECT_DELETED,
                target=obj,
                data={"name": str(obj)[:200]},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record(
                    actor=request.user,
                    action=Action.OBJECT_DELETED,
                    target=obj,
                    data={"name": str(obj)[:200]},
                )
            super().delete_queryset(request, queryset)


class ReadOnlyAdmin(ScopedAdmin):
    """Registry data: visible to national admins, changed only through the services."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
