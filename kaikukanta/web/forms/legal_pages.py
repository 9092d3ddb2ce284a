from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

HELP = _(
    "Plain text. A blank line starts a new paragraph, a line that starts with ## is a heading and "
    "lines that start with a hyphen make a list. Web addresses become links. Leave the text empty "
    "to show the default text."
)


def _text(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=20000,
        strip=False,
        help_text=HELP,
        widget=forms.Textarea(attrs={"rows": 16}),
    )


class LegalPageForm(forms.Form):
    text = _text(_("Text in Finnish"))
    text_sv = _text(_("Text in Swedish"))
    text_en = _text(_("Text in English"))
