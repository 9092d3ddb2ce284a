"""Django admin for national administrators only: the network (regions, organisations, sites, venues,
pop-ups, ticket agencies) and the staff accounts with their roles.

Every list starts from the model's `visible_to(user)` scope, and every save, deletion and role change
goes through the service function that owns it (`network/services.py`, `accounts/services.py`), which
writes the audit event. Registry data (cards, uses, events, the audit trail) is not here: it has its own
pages, scoped, paginated for national scale, and it changes only through its services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for


class KaikukantaAdminSite(admin.AdminSite):
    site_header = _("Kaikukanta administration")
    site_title = _("Kaikukanta administration")
    index_title = _("National administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and scope_for(request.user).national

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # One login page for everyone; a signed-in user without the right lands on their own page.
        if request.user.is_authenticated:
            return redirect("web:home")
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('web:login')}?{urlencode({'next': next_url})}")


class NationalAdmin(admin.ModelAdmin):
    """Lists what the user's scope allows, for national admins only; a malformed object key in the
    address is a 404, not a server error."""

    # A web page typed without its scheme is taken as https://, as browsers do today.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if hasattr(queryset, "visible_to"):
            return queryset.visible_to(request.user)
        return queryset if scope_for(request.user).national else queryset.none()

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
        try:
            field.to_python(object_id)
        except ValidationError:
            raise Http404(_("No such object.")) from None
        return super().get_object(request, object_id, from_field)

    def _national(self, request: HttpRequest) -> bool:
        return scope_for(request.user).national

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._national(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._national(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._national(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._national(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._national(request)


class ServiceAdmin(NationalAdmin):
    """Saves and deletions through the service function of the model's own app."""

    def save_with_service(self, *, actor: Any, obj: Any, changed: list[str]) -> Any:
        raise NotImplementedError

    def delete_with_service(self, *, actor: Any, obj: Any) -> None:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        self.save_with_service(actor=request.user, obj=obj, changed=list(form.changed_data))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_with_service(actor=request.user, obj=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_with_service(actor=request.user, obj=obj)
