"""A card number as the printed and mobile card show it: a QR code and a Code 39 barcode."""

from __future__ import annotations

import io
import re
from typing import Literal

import barcode
import segno
from barcode.writer import ImageWriter, SVGWriter

Kind = Literal["svg", "png"]


def qr_code(identifier: str, kind: Kind = "svg", scale: int = 4) -> bytes:
    qr = segno.make_qr(identifier, error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True, border=4)
    else:
        qr.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def code39(identifier: str, kind: Kind = "svg") -> bytes:
    """Code 39 without its optional check digit: the number carries its own check character."""
    writer = SVGWriter() if kind == "svg" else ImageWriter()
    symbol = barcode.get("code39", identifier, writer=writer, options={"add_checksum": False})
    buffer = io.BytesIO()
    symbol.write(
        buffer,
        options={"write_text": False, "module_height": 12.0, "quiet_zone": 6.0},
    )
    if kind == "svg":
        # Colours as SVG attributes, not inline styles: the Content-Security-Policy (style-src
        # 'self') refuses inline styles, and the bars would be drawn in no colour at all.
        return _STYLE_FILL.sub(rb'fill="\1"', buffer.getvalue())
    return buffer.getvalue()


_STYLE_FILL = re.compile(rb'style="fill:\s*([a-z]+);?"')
