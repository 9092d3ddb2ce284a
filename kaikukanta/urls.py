from django.contrib import admin
from django.urls import include, path

from kaikukanta.api.v1 import api as api_v1

urlpatterns = [
    path("", include("kaikukanta.web.urls")),
    path("", include("kaikukanta.public.views")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api_v1.urls),
    path("admin/", admin.site.urls),
]
