"""The texts of the service's legal pages: the accessibility statement and the privacy notice.

Each page has a default text in Finnish, Swedish and English (legal.py); the national administrator
replaces any of them with their own (an empty text shows the default again)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalPage(models.Model):
    class Kind(models.TextChoices):
        ACCESSIBILITY = "accessibility", _("accessibility statement")
        PRIVACY = "privacy", _("privacy notice")

    TEXT_FIELDS = ("text", "text_sv", "text_en")

    kind = models.CharField(_("page"), max_length=16, choices=Kind.choices, unique=True)
    text = models.TextField(_("text in Finnish"), blank=True, max_length=20000)
    text_sv = models.TextField(_("text in Swedish"), blank=True, max_length=20000)
    text_en = models.TextField(_("text in English"), blank=True, max_length=20000)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")

    def __str__(self) -> str:
        return str(self.get_kind_display())
