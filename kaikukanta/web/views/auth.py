from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views import i18n

from kaikukanta.accounts import oidc
from kaikukanta.accounts.services import remember_language

from ..access import public
from ..forms.auth import LoginForm
from .sso import LOGOUT_SESSION_KEY


class LoginView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The buttons of the organisations' identity providers (accounts/oidc.py).
        context["sso_providers"] = list(oidc.providers().values())
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        # A password login is no sign-in through a provider: its multi-factor does not carry over.
        self.request.session.pop(oidc.SESSION_KEY, None)
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        signed_in = request.session.get(oidc.SESSION_KEY) or {}
        found = oidc.provider(signed_in.get("provider", ""))
        response = super().post(request, *args, **kwargs)
        if found is None or response.status_code != 302:
            return response
        # Kaikukanta's session has ended; the provider's may go on: offer its log-out.
        url = oidc.logout_url(
            found,
            signed_in.get("id_token", ""),
            request.build_absolute_uri(reverse("web:login")),
        )
        if url is None:
            return response
        request.session[LOGOUT_SESSION_KEY] = {"label": found.label, "url": url}
        return redirect("web:signed_out")


@public
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers a signed-in person's choice for the mail the
    registry sends them later (the expiry reminders)."""
    response = i18n.set_language(request)
    if request.method == "POST" and response.status_code == 302:
        remember_language(user=request.user, language=request.POST.get("language", ""))
    return response


urlpatterns = [
    path("login/", public(LoginView.as_view()), name="login"),
    path("logout/", public(LogoutView.as_view()), name="logout"),
]
