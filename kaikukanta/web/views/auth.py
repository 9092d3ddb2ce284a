from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views import i18n

from kaikukanta.accounts.services import remember_language

from ..access import public
from ..forms.auth import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


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
