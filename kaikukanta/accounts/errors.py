from django.utils.translation import gettext_lazy as _

from kaikukanta.core.errors import DomainError


class RoleTargetInvalid(DomainError):
    code = "role_target_invalid"
    field = "role"
    template = _(
        "A national administrator's role names nothing else; a coordinator's names a region; "
        "distributor staff name a distributor site; venue staff name a venue. Choose the role and "
        "exactly the one place it is for."
    )


class RoleAlreadyGranted(DomainError):
    code = "role_already_granted"
    field = "role"
    status = 409
    template = _("%(user)s already has this role.")


class CannotDeactivateSelf(DomainError):
    code = "cannot_deactivate_self"
    template = _("You cannot deactivate your own account. Ask another administrator.")
