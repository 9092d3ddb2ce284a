from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction

from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
from kaikukanta.core.admin import AuditedAdmin, NationalInline

from .models import RoleAssignment, User

admin.site.unregister(Group)  # roles, not Django groups, decide what a user sees


class RoleAssignmentInline(NationalInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["region", "distributor_site", "venue"]


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "last_login"]
    list_filter = ["is_active", "role_assignments__role"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("", {"fields": ["first_name", "last_name", "email"]}),
        ("", {"fields": ["is_active", "is_superuser", "last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                record(
                    actor=request.user,
                    action=Action.OBJECT_CHANGED,
                    target=User.objects.get(pk=id),
                    data={"fields": ["password"]},
                )
        return response
