from django.contrib import admin
from django.urls import include, path, re_path

from kaikukanta.api.errors import not_found as api_not_found
from kaikukanta.api.v1 import api as api_v1
from kaikukanta.web.views.auth import set_language

urlpatterns = [
    # First: a box office's check and use are resolved before the hundred-odd staff pages are tried.
    path("api/v1/", api_v1.urls),
    # Any other address under /api/: the API's JSON 404, not the staff pages' HTML one.
    re_path(r"^api/(?P<rest>.*)$", api_not_found, name="api-not-found"),
    path("", include("kaikukanta.web.urls")),
    path("", include("kaikukanta.public.views")),
    # The language switch (Django's, remembering a signed-in person's choice).
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
