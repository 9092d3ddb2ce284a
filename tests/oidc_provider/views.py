"""The provider's own pages besides django-oauth-toolkit's: the sign-in page (Django's LoginView; the
test names the person, and the provider keeps them as one of its users) and POST /control."""

from __future__ import annotations

import json
import time
from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import get_application_model

from . import control


class SignInForm(forms.Form):
    """Who signs in at the provider: a test stands in for the provider's own password check and
    second factor."""

    login_sub = forms.CharField(label="Subject", max_length=150)
    login_email = forms.EmailField(label="E-mail", required=False)
    login_email_verified = forms.BooleanField(label="E-mail verified", required=False, initial=True)
    login_mfa = forms.BooleanField(label="Multi-factor", required=False)

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, label_suffix="", **kwargs)

    def get_user(self) -> User:
        data = self.cleaned_data
        user, _ = User.objects.get_or_create(username=data["login_sub"])
        user.email = data["login_email"]
        user.save(update_fields=["email"])
        with control.lock:
            control.state["accounts"][user.username] = {
                "email_verified": data["login_email_verified"],
                "mfa": data["login_mfa"],
            }
        return user


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "login.html"


@csrf_exempt
def control_view(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        with control.lock:
            return JsonResponse(
                {"issued": control.state["issued"], "id_token": control.state["id_token"]}
            )
    change = json.loads(request.body or b"{}")
    if "client_id" in change:
        Application = get_application_model()
        Application.objects.filter(client_id=change["client_id"]).delete()
        Application.objects.create(
            name="Kaikukanta (tests)",
            client_id=change["client_id"],
            client_secret=change["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(change["redirect_uris"]),
            post_logout_redirect_uris=" ".join(change.get("post_logout_redirect_uris", [])),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    with control.lock:
        if "id_token" in change:
            control.state["id_token"] = change["id_token"]
        if "now" in change:
            control.state["offset"] = float(change["now"]) - time.time()
    return JsonResponse({"ok": True})
