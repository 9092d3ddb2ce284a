"""A forgotten password, reset by e-mail: Django's own password reset views (PasswordResetView and
the three after it), with the registry's rules around them.

- The answer is the same whether the address belongs to an account or not, and whether a link was
  sent or not (no account enumeration): "if the address is ours, a link is on its way".
- Rate-limited per address (KAIKUKANTA_PASSWORD_RESET_PER_ADDRESS an hour: further requests are
  answered alike and send nothing) and per client address (KAIKUKANTA_PASSWORD_RESET_PER_IP an hour:
  the form says when to try again).
- Only an active account with a password of its own gets a link (Django's PasswordResetForm): a
  deactivated one never does, and an invited person who has not set a password uses their
  invitation.
- The e-mail is in the person's own language (User.language), plain text and HTML; the link works
  for PASSWORD_RESET_TIMEOUT and once (Django's token changes with the password).
- The new password does not log the person in: they log in with it, through the second step where
  their role needs it. Both the request and the reset are audited (never the address typed).
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import path, reverse_lazy
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.services import record_password_reset, record_password_reset_asked
from kaikukanta.core.clients import client_ip
from kaikukanta.core.digests import keyed_digest
from kaikukanta.core.ratelimit import Window

from ..access import public
from ..forms.people import SetPasswordForm as OwnSetPasswordForm

logger = logging.getLogger(__name__)

PER_ADDRESS = Window("password-reset-address", settings.KAIKUKANTA_PASSWORD_RESET_PER_ADDRESS, 3600)
PER_IP = Window("password-reset-ip", settings.KAIKUKANTA_PASSWORD_RESET_PER_IP, 3600)


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The address your Kaikukanta account was made with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, ip: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ip = ip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.is_bound
            and not self.errors
            and PER_IP.hit(keyed_digest(self.ip or "-", "password-reset-ip")) > PER_IP.limit
        ):
            until = timezone.localtime(PER_IP.reopens_at())
            raise forms.ValidationError(
                _("Too many requests from this address. Try again after %(until)s.")
                % {"until": formats.date_format(until, "SHORT_DATETIME_FORMAT")}
            )
        return data

    def save(self, *args: Any, **kwargs: Any) -> None:
        email = self.cleaned_data["email"].strip().lower()
        digest = keyed_digest(email, "password-reset-address")
        if PER_ADDRESS.hit(digest) > PER_ADDRESS.limit:
            return  # answered as any other request: nothing tells whether the address is known
        super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Django's message, in the person's own language, with an HTML part; audited."""
        user = context["user"]
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {
                **context,
                "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            }
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
            message = EmailMultiAlternatives(subject, body, from_email, [to_email])
            if html_email_template_name:
                message.attach_alternative(
                    loader.render_to_string(html_email_template_name, context), "text/html"
                )
        try:
            message.send()
        except (OSError, smtplib.SMTPException) as error:
            # Answered as any other request (a 500 here would tell that the address is known);
            # logged without the address. The person can ask again.
            logger.error(
                "password reset e-mail to user %s not sent: %s", user.pk, type(error).__name__
            )
            return
        record_password_reset_asked(user=user)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/auth/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "accounts/password_reset_email.txt"
    html_email_template_name = "accounts/password_reset_email.html"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_sent")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "ip": client_ip(self.request) or ""}


class SetPasswordForm(OwnSetPasswordForm):
    """The same new-password form as an invitation's, in the shape Django's view calls."""

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)

    def save(self, commit: bool = True) -> Any:
        record_password_reset(user=self.user, password=self.cleaned_data["password1"])
        return self.user


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/auth/password_reset_confirm.html"
    form_class = SetPasswordForm  # type: ignore[assignment]
    success_url = reverse_lazy("web:password_reset_complete")
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        """A link sent before the account was deactivated no longer works (the token does not
        cover `is_active`)."""
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


urlpatterns = [
    path("password-reset/", public(PasswordResetView.as_view()), name="password_reset"),
    path(
        "password-reset/sent/",
        public(
            auth_views.PasswordResetDoneView.as_view(
                template_name="web/auth/password_reset_sent.html"
            )
        ),
        name="password_reset_sent",
    ),
    path(
        "password-reset/link/<uidb64>/<token>/",
        public(PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        public(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="web/auth/password_reset_complete.html"
            )
        ),
        name="password_reset_complete",
    ),
]
