from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kaikukanta.core"
    label = "core"
    verbose_name = "Kaikukanta core"

    def ready(self) -> None:
        from kaikukanta.core.sentry import setup

        setup()  # error reports, when SENTRY_DSN is set
