"""The accounts' verbs in the audit trail: roles, deactivation, API tokens and two-factor
authentication (the event never holds a code, a key or what was typed). Registered with the audit trail by the
app's AppConfig.ready (audit/actions.py); services name them as audit.actions.Action.<NAME>."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountAction(models.TextChoices):
    ROLE_GRANTED = "role.granted", _("role granted")
    ROLE_REVOKED = "role.revoked", _("role revoked")
    USER_DEACTIVATED = "user.deactivated", _("user deactivated")
    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    TWO_FACTOR_ENABLED = "2fa.enabled", _("two-factor authentication set up")
    TWO_FACTOR_FAILED = "2fa.failed", _("wrong two-factor code")
    RECOVERY_CODE_USED = "2fa.recovery_code_used", _("recovery code used")
    RECOVERY_CODES_RENEWED = "2fa.recovery_codes_renewed", _("new recovery codes created")
    TWO_FACTOR_RESET = "2fa.reset", _("two-factor authentication reset")
    TWO_FACTOR_LOCKED = "2fa.locked", _("second step locked after wrong codes")
    # An invitation sent again, a password reset by e-mail (asked for; done).
    INVITATION_RESENT = "invitation.resent", _("invitation sent again")
    PASSWORD_RESET_REQUESTED = "password.reset_requested", _("password reset link sent")
    PASSWORD_RESET_DONE = "password.reset_done", _("password reset by e-mail")
    # Single sign-on (accounts/oidc.py): the data names the provider and a reason code, never the
    # person's e-mail address or what the provider sent.
    SSO_LINKED = "sso.linked", _("single sign-on identity linked")
    SSO_UNLINKED = "sso.unlinked", _("single sign-on identity unlinked")
    SSO_SIGNED_IN = "sso.signed_in", _("signed in through the identity provider")
    SSO_REFUSED = "sso.refused", _("sign-in through the identity provider refused")
    PASSWORD_LOGIN_REFUSED = (
        "password.login_refused",
        _("password login refused (single sign-on only)"),
    )
