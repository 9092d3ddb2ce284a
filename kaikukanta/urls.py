from django.contrib import admin
from django.urls import include, path

from kaikukanta.api.api import api

urlpatterns = [
    path("", include("kaikukanta.web.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
