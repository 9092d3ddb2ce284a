"""The card's barcodes as the mobile card draws them: inline SVG that scales to the screen's width."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kaikukanta.cards import printing

_SIZE = re.compile(r'<svg([^>]*?) width="([\d.]+)(?:mm)?" height="([\d.]+)(?:mm)?"')
_MM = re.compile(r'="([\d.]+)mm"')
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_GAPS = re.compile(r">\s+<")


def _scalable(svg: str, label: str) -> SafeString:
    """The SVG from its <svg> on, with a viewBox in place of its fixed size (millimetres become user
    units), an accessible name and no comments or indentation."""
    svg = svg[svg.index("<svg") :]
    svg = _COMMENT.sub("", svg)
    svg = _MM.sub(r'="\1"', svg)
    svg = _SIZE.sub(
        lambda m: f'<svg{m[1]} viewBox="0 0 {m[2]} {m[3]}" preserveAspectRatio="xMidYMid meet"',
        svg,
        count=1,
    )
    svg = _GAPS.sub("><", svg).strip()
    # Drawn by segno and python-barcode from a card number of letters and digits only.
    return mark_safe(svg.replace("<svg", f'<svg role="img" aria-label="{escape(label)}"', 1))  # noqa: S308


def qr_svg(identifier: str, label: str) -> SafeString:
    return _scalable(printing.qr_code(identifier).decode(), label)


def code39_svg(identifier: str, label: str) -> SafeString:
    return _scalable(printing.code39(identifier).decode(), label)
