from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kaikukanta.demo"
    label = "demo"
    verbose_name = "Demo data"
