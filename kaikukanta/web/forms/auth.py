from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.errors import PasswordLoginOff
from kaikukanta.accounts.models import User
from kaikukanta.accounts.oidc import password_login_provider, refuse_password_login


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        # Django's form sets the user name's max_length without its validator: a longer name would
        # reach the login records (django-axes), whose column it overflows. No account has such a
        # name, so it is answered as any wrong name and password is.
        username = self.cleaned_data.get("username") or ""
        if len(username) > (self.username_field.max_length or 150):
            raise self.get_invalid_login_error()
        # An organisation that signs its staff in through its identity provider: no password login,
        # and the password is not even checked, so that the answer never tells a guesser whether it
        # was right (people reuse passwords, their provider's too).
        user = User.objects.filter(username=username, is_active=True).first()
        found = password_login_provider(user) if user is not None else None
        if user is not None and found is not None:
            refuse_password_login(user=user, found=found)
            raise forms.ValidationError(
                PasswordLoginOff(provider=found.label).message, code=PasswordLoginOff.code
            )
        return super().clean()


class SecondStepForm(forms.Form):
    """The second step of logging in: the authenticator's code, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        error_messages={"required": _("Type the 6-digit code from your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                # Recovery codes have letters: a keyboard with letters, not a number pad.
                "inputmode": "text",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class SetupCodeForm(forms.Form):
    """Confirming a new authenticator with the code it shows."""

    code = forms.CharField(
        label=_("6-digit code from the app"),
        max_length=16,
        error_messages={"required": _("Type the 6-digit code the app shows for Kaikukanta.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "spellcheck": "false",
            }
        ),
    )
