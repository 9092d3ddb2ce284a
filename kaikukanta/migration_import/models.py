"""What the registry import (importer.py) has written, by the earlier registry's own keys.

Regions, organisations, distributor sites and venues have no key of the earlier registry in their own
tables: this one maps each imported row's key to the object it became, so that a second run of the
same files finds it and adds nothing (and an interrupted run resumes). Municipalities are found by
their code, cards by their number; each card and use imported is recorded here too: a card with what
its row held (to tell a row changed since from one Kaikukanta changed), a use by its key in the
earlier registry with its row, kept when the use itself is removed in Kaikukanta so that no later
run brings it back.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportedKey(models.Model):
    kind = models.CharField(_("kind"), max_length=16)
    source_key = models.CharField(_("key in the earlier registry"), max_length=64)
    # Empty only for a use removed in Kaikukanta before uses were recorded here (migration 0002).
    object_id = models.PositiveBigIntegerField(_("object key"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    # The row as imported: the cells of importer.ROW_COLUMNS[kind], joined by the unit separator
    # (a card's holder's columns never), so that a later run refuses a row that has changed since.
    # Empty for rows imported before migration 0002.
    row = models.TextField(_("the row as imported"), blank=True, default="")

    class Meta:
        verbose_name = _("imported key")
        verbose_name_plural = _("imported keys")
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_key"], name="imported_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.source_key} → {self.object_id}"
