from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidelinesConfig(AppConfig):
    name = "kaikukanta.guidelines"
    label = "guidelines"
    verbose_name = _("National guideline")
