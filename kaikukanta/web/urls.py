from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("national/", views.national, name="national"),
    path("regions/<slug:slug>/", views.region_detail, name="region"),
    path("distributor/", views.distributor_home, name="distributor"),
    path("venue/", views.venue_home, name="venue"),
    path("cards/", views.card_list, name="cards"),
    path("cards/<str:identifier>/", views.card_detail, name="card"),
    path("uses/", views.use_list, name="uses"),
]
