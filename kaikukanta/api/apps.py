from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kaikukanta.api"
    label = "api"
    verbose_name = "API"
