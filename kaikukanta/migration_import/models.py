"""What the registry import (importer.py) has written, by the earlier registry's own keys.

Regions, organisations, distributor sites and venues have no key of the earlier registry in their own
tables: this one maps each imported row's key to the object it became, so that a second run of the
same files finds it and adds nothing (and an interrupted run resumes). Municipalities are found by
their code, cards by their number, uses by their request key ("import:<id>") at their venue.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportedKey(models.Model):
    kind = models.CharField(_("kind"), max_length=16)
    source_key = models.CharField(_("key in the earlier registry"), max_length=64)
    object_id = models.PositiveBigIntegerField(_("object key"))
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("imported key")
        verbose_name_plural = _("imported keys")
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_key"], name="imported_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.source_key} → {self.object_id}"
