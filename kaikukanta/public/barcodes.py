"""The card's barcodes as the mobile card draws them: inline SVG that takes the screen's width
(cards/printing.py, as the libraries make them; the template gives them their accessible name)."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from kaikukanta.cards import printing


def qr_svg(identifier: str) -> SafeString:
    # segno's SVG of a card number of letters and digits only.
    return mark_safe(printing.qr_code(identifier, scalable=True).decode())  # noqa: S308


def code39_svg(identifier: str) -> SafeString:
    # The Code 39 of a card number of letters and digits only.
    return mark_safe(printing.code39(identifier, scalable=True).decode())  # noqa: S308
