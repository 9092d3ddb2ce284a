from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    """Bulk synthetic data for benchmarks (`manage.py generate_synthetic`). A development tool: in
    INSTALLED_APPS only with KAIKUKANTA_DEBUG=1, in the tests, or with KAIKUKANTA_SYNTHETIC_DATA=1
    (settings.py), so that a production registry does not even have the command."""

    name = "kaikukanta.synthetic"
    label = "synthetic"
    verbose_name = "Synthetic data for benchmarks"
