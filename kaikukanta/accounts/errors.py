from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from kaikukanta.core.errors import DomainError, NotAllowed


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


class InvitationNotValid(DomainError):
    code = "invitation_not_valid"
    status = 404
    template = _(
        "This invitation link has already been used or has expired. Ask the person who invited you "
        "to send a new one."
    )


class EmailBelongsToActiveUser(DomainError):
    code = "email_in_use"
    field = "email"
    status = 409
    template = _(
        "%(email)s already has an account that is in use. Give the person the role on their "
        "account page instead of inviting them again."
    )


class EmailBelongsToClosedAccount(DomainError):
    code = "email_account_closed"
    field = "email"
    status = 409
    template = _(
        "%(email)s belongs to an account that has been closed, or to one with roles you do not "
        "manage. Ask the national support service to open it again or to invite the person."
    )


class TwoFactorCodeNotValid(DomainError):
    code = "two_factor_code_not_valid"
    field = "code"
    template = _(
        "That code is not right. Type the 6-digit code your authenticator app shows now, or one of "
        "your recovery codes."
    )


class SetupKeyReplaced(DomainError):
    code = "two_factor_setup_key_replaced"
    field = "code"
    template = _(
        "This key no longer works: setting up was started again in another browser. Add the new "
        "key shown below to your app and type the code it shows."
    )


class SetupCodeNotValid(DomainError):
    code = "two_factor_setup_code_not_valid"
    field = "code"
    template = _(
        "That code is not right. Check that the app shows the Kaikukanta account you just added and "
        "type the 6 digits it shows now."
    )


class TwoFactorLocked(DomainError):
    code = "two_factor_locked"
    field = "code"
    status = 429
    template = _("Too many wrong codes. Try again after %(until)s.")


class TwoFactorLockedForAccount(TwoFactorLocked):
    """The person-wide daily limit, over every address: a password known elsewhere."""

    code = "two_factor_locked_account"
    template = _(
        "Too many wrong codes for this account today, from several addresses: someone else may know "
        "your password. Change it now with “Forgotten your password?” on the login page: that also "
        "lifts this lock. Otherwise try again after %(until)s."
    )


class TwoFactorNotSetUp(DomainError):
    code = "two_factor_not_set_up"
    template = _("Two-factor authentication is not set up for this account.")


class OtherSidesWork(NotAllowed):
    """A coordinator asked to do the other side's work in their own region: the answer names that
    side and its coordinators (staff see each other's names), so the reader knows whom to ask."""

    code = "other_sides_work"
    status = 403
    templates: ClassVar[dict[str, Any]] = {
        "culture": _(
            "This is the culture side's work: venues, their staff, catalogue entries, events and "
            "ticket agencies' access. In %(region)s it is done by the region's culture "
            "coordinator: %(people)s."
        ),
        "sote": _(
            "This is the social and health side's work: distributor sites and their staff. In "
            "%(region)s it is done by the region's social and health coordinator: %(people)s."
        ),
    }

    def __init__(self, *, side: str, region: Any) -> None:
        from .models import RoleAssignment
        from .scope import ROLE_OF_SIDE

        self.side = side
        names = sorted(
            a.user.display_name
            for a in RoleAssignment.objects.filter(
                role=ROLE_OF_SIDE[side], region=region, user__is_active=True
            ).select_related("user")
        )
        people = ", ".join(names) if names else _NO_ONE_YET
        super().__init__(region=region, people=people)

    @property
    def message(self) -> str:
        params = {
            "region": self.params["region"].display_name,
            "people": str(self.params["people"]),
        }
        return str(self.templates[self.side]) % params


_NO_ONE_YET = _("no one named yet (the national support service, Kaikukeskus, names them)")


class SignInNotChecked(DomainError):
    """The provider's answer did not pass the checks (signature, issuer, audience, expiry, state,
    nonce), or the provider could not be reached: nobody is signed in."""

    code = "sign_in_not_checked"
    status = 403
    template = _(
        "The sign-in through your organisation's identity provider could not be verified, so you are "
        "not logged in. Try again; if it happens again, tell your organisation's IT support."
    )


class SignInRefusedByProvider(DomainError):
    code = "sign_in_refused_by_provider"
    status = 403
    template = _(
        "%(provider)s did not sign you in: the sign-in was cancelled, or your organisation has not "
        "given you the use of Kaikukanta there. Try again; if it happens again, ask your "
        "organisation's IT support to allow Kaikukanta for you."
    )


class SignInUnknownPerson(DomainError):
    code = "sign_in_unknown_person"
    status = 403
    template = _(
        "Your organisation's identity provider knows you, but Kaikukanta has no account for you yet. "
        "Ask your coordinator for an invitation: once you have opened its link, you can sign in here."
    )


class SignInAccountClosed(DomainError):
    code = "sign_in_account_closed"
    status = 403
    template = _(
        "Your Kaikukanta account has been deactivated, so you cannot log in, not even through your "
        "organisation's identity provider. Ask your coordinator if you need it again."
    )


class PasswordLoginOff(DomainError):
    code = "password_login_off"
    status = 403
    template = _(
        "Your organisation signs you in through its own identity provider: use the button "
        "“%(provider)s” below instead of a password."
    )


class SignInIdentityTaken(DomainError):
    code = "sign_in_identity_taken"
    status = 409
    template = _(
        "This sign-in of your organisation's identity provider is already linked to another "
        "Kaikukanta account, or your account to another of its sign-ins. Ask the national support "
        "service (Kaikukortti's national administrators) to remove the old link."
    )
