from django.contrib.auth import views as auth_views
from django.urls import path

from ..access import public
from ..forms.auth import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


urlpatterns = [
    path("login/", public(LoginView.as_view()), name="login"),
    path("logout/", public(LogoutView.as_view()), name="logout"),
]
