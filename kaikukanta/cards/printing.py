"""A card number as the printed and mobile card show it: a QR code and a Code 39 barcode.

One generator for each symbology, and nothing rewrites what it makes:
- QR codes: segno, its own SVG and PNG, and its matrix of modules for the PDF (cards/pdf.py);
- Code 39: python-barcode, its own PNG, and its modules (`code39_modules`: a row of bars and
  spaces) drawn as SVG here and on the PDF's canvas (cards/pdf.py).
"""

from __future__ import annotations

import io
from typing import Literal

import barcode
import segno
from barcode.writer import ImageWriter

Kind = Literal["svg", "png"]

# Code 39 as drawn: quiet zones of ten narrow bars (the standard's minimum), bars 40 narrow bars
# high (0.3 mm bars: 12 mm).
QUIET = 10
BAR_HEIGHT = 40
MODULE_MM = 0.3


def qr(identifier: str) -> segno.QRCode:
    return segno.make_qr(identifier, error="m")


def qr_code(identifier: str, kind: Kind = "svg", scale: int = 4, scalable: bool = False) -> bytes:
    """segno's QR code. `scalable`: an SVG with a viewBox and no size of its own, which takes the
    width its box gives it (the mobile card)."""
    buffer = io.BytesIO()
    if kind == "svg":
        qr(identifier).save(
            buffer,
            kind="svg",
            scale=scale,
            xmldecl=False,
            svgns=True,
            border=4,
            omitsize=scalable,
        )
    else:
        qr(identifier).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def code39_modules(identifier: str) -> str:
    """python-barcode's Code 39 of the number as a row of narrow modules, "1" a bar and "0" a space,
    without the optional check digit (the number carries its own check character)."""
    symbol = barcode.get("code39", identifier, options={"add_checksum": False})
    return str(symbol.build()[0])


def bar_runs(modules: str) -> list[tuple[int, int]]:
    """The bars of a row of modules: (first module, width) each."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, module in enumerate(modules + "0"):
        if module == "1" and start is None:
            start = index
        elif module != "1" and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


def code39(identifier: str, kind: Kind = "svg", scalable: bool = False) -> bytes:
    """The Code 39 barcode: python-barcode's own PNG, or an SVG of its modules (black bars on white,
    as attributes: the Content-Security-Policy allows no inline style). `scalable`: no size of its
    own (the mobile card); otherwise 0.3 mm a module."""
    if kind == "png":
        buffer = io.BytesIO()
        barcode.get(
            "code39", identifier, writer=ImageWriter(), options={"add_checksum": False}
        ).write(buffer, options={"write_text": False, "module_height": 12.0, "quiet_zone": 6.0})
        return buffer.getvalue()
    modules = code39_modules(identifier)
    width = len(modules) + 2 * QUIET
    bars = "".join(
        f"M{QUIET + start} 0h{run}v{BAR_HEIGHT}h-{run}z" for start, run in bar_runs(modules)
    )
    size = (
        ""
        if scalable
        else f' width="{width * MODULE_MM:g}mm" height="{BAR_HEIGHT * MODULE_MM:g}mm"'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {BAR_HEIGHT}"{size} '
        f'shape-rendering="crispEdges"><rect width="{width}" height="{BAR_HEIGHT}" fill="#fff"/>'
        f'<path fill="#000" d="{bars}"/></svg>'
    ).encode()
