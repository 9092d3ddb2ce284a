from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The cardholder's pages: no staff login, a tiny base template of their own (the mobile card)."""

    name = "kaikukanta.public"
    label = "public"
    verbose_name = "Cardholder pages"
