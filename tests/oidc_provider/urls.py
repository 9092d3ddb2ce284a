from django.urls import include, path

from . import views

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("control", views.control_view),
]
