from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedName(models.Model):
    """A name in Finnish, with optional Swedish and English forms (Tampere / Tammerfors)."""

    name = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        language = (get_language() or "fi")[:2]
        if language == "sv" and self.name_sv:
            return self.name_sv
        if language == "en" and self.name_en:
            return self.name_en
        return self.name


class RateCounter(models.Model):
    """A rate-limit counter in the database, when there is no Redis (core/ratelimit.py). The key
    names a limit, a subject (a user or venue key) and a time window; never a card number."""

    key = models.CharField(max_length=200, unique=True)
    count = models.IntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class JobRun(models.Model):
    """When a scheduled job (core/jobs.py) last ended without an error, one row per job: ``/metrics``
    shows the seconds since, so a timer that stopped firing (or a job that keeps failing) raises an
    alert. Counts only, never data."""

    job = models.CharField(max_length=100, unique=True)
    succeeded_at = models.DateTimeField()
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")

    def __str__(self) -> str:
        return f"{self.job} {self.succeeded_at:%Y-%m-%d %H:%M}"
