from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.admin_site import ServiceAdmin
from kaikukanta.core.errors import DomainError
from kaikukanta.core.forms import add_domain_error

from . import services
from .errors import RoleAlreadyGranted
from .models import RoleAssignment, User

admin.site.unregister(Group)  # roles, not Django groups, decide what a user sees

# django-otp's admin pages would show authenticator keys and recovery codes: two-factor
# authentication is set up by the person and reset through accounts/services.py only. Imported
# here first, so that the admin's autodiscovery finds them registered already and leaves them.
import django_otp.plugins.otp_static.admin  # noqa: E402
import django_otp.plugins.otp_totp.admin  # noqa: E402, F401
from django_otp.plugins.otp_static.models import StaticDevice  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

TARGETS = ("region", "distributor_site", "venue")


class RoleFormSet(BaseInlineFormSet):
    """Roles are granted and revoked through accounts/services.py; its checks show beside the row."""

    actor = None

    def clean(self):
        super().clean()
        kept: set[tuple] = set()
        for form in self.forms:
            # A row marked for deletion: its DELETE field (formsets' can_delete).
            if form.errors or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            role = data.get("role", "")  # none: RoleTargetInvalid, as before
            targets = {name: data.get(name) for name in TARGETS}
            key = (role, *(getattr(value, "pk", None) for value in targets.values()))
            user = self.instance
            try:
                if key in kept:  # the same role twice in one save
                    raise RoleAlreadyGranted(user=user.get_username())
                kept.add(key)
                if form.has_changed() and user.pk is not None:  # a new user: checked when granted
                    services.check_grant(actor=self.actor, user=user, role=role, **targets)
            except DomainError as error:
                add_domain_error(form, error)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    formset = RoleFormSet
    extra = 0
    autocomplete_fields = ["region", "distributor_site", "venue"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type("ActorRoleFormSet", (formset,), {"actor": request.user})

    def _national(self, request):
        from kaikukanta.accounts.scope import scope_for

        return scope_for(request.user).national

    def has_view_permission(self, request, obj=None):
        return self._national(request)

    def has_add_permission(self, request, obj=None):
        return self._national(request)

    def has_change_permission(self, request, obj=None):
        return self._national(request)

    def has_delete_permission(self, request, obj=None):
        return self._national(request)


@admin.register(User)
class UserAdmin(ServiceAdmin, DjangoUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "last_login"]
    list_filter = ["is_active", "role_assignments__role"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("", {"fields": ["first_name", "last_name", "email"]}),
        ("", {"fields": ["is_active", "is_superuser", "last_login", "date_joined"]}),
    ]
    # Deactivation has its own action (and audit event); an account is never deleted, so that its
    # history keeps its name. National rights come from a role granted through the services, never
    # from the superuser flag (which only `createsuperuser` sets, for the very first administrator).
    readonly_fields = ["is_active", "is_superuser", "last_login", "date_joined"]
    actions = ["deactivate", "reset_two_factor", "unlink_sign_in"]

    def save_with_service(self, *, actor, obj, changed):
        return services.save_user(actor=actor, user=obj, changed=changed)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        formset.save(commit=False)
        for assignment in formset.deleted_objects:
            services.revoke_role(actor=request.user, assignment=assignment)
        for assignment, _fields in formset.changed_objects:
            original = RoleAssignment.objects.get(pk=assignment.pk)
            services.revoke_role(actor=request.user, assignment=original)
            self._grant(request, user, assignment)
        for assignment in formset.new_objects:
            self._grant(request, user, assignment)

    def _grant(self, request, user, assignment):
        services.grant_role(
            actor=request.user,
            user=user,
            role=assignment.role,
            **{name: getattr(assignment, name) for name in TARGETS},
        )

    @admin.action(description=_("Deactivate the selected users"))
    def deactivate(self, request, queryset):
        for user in queryset:
            try:
                services.deactivate_user(actor=request.user, user=user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)

    @admin.action(description=_("Reset the two-factor authentication of the selected users"))
    def reset_two_factor(self, request, queryset):
        """A lost phone (a national administrator's too): set up again at the next login."""
        for user in queryset:
            try:
                services.reset_two_factor(actor=request.user, user=user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)

    @admin.action(description=_("Remove the single sign-on links of the selected users"))
    def unlink_sign_in(self, request, queryset):
        """A link to the wrong identity, or a new one at the provider: linked again afterwards."""
        for user in queryset:
            try:
                services.unlink_sign_in_identities(actor=request.user, user=user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                services.record_password_set(actor=request.user, user=self.get_object(request, id))
        return response
