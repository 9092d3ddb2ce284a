"""Printed cards, card-stock sheets and the offering list, as PDF (reportlab).

A printed personal card carries the number (QR code, Code 39 and in letters), until when it is valid,
for how many children, the region's name and a line where the holder writes their own name by hand:
nothing else about the holder. A community card carries, as in the network's own template, the
organisation's name, the registration date, the last validity date and the renewal date.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from . import identifiers, printing

if TYPE_CHECKING:
    from kaikukanta.network.models import Region, Venue

    from .models import Card

# ISO/IEC 7810 ID-1, the size of a bank card.
CARD_WIDTH = 85.6 * mm
CARD_HEIGHT = 54 * mm
# An A4 sheet to cut: two columns of five cards, with cutting marks.
SHEET_COLUMNS = 2
SHEET_ROWS = 5
SHEET_MARGIN_X = (A4[0] - SHEET_COLUMNS * CARD_WIDTH) / 2
SHEET_MARGIN_Y = (A4[1] - SHEET_ROWS * CARD_HEIGHT) / 2

FONT = "Helvetica"
BOLD = "Helvetica-Bold"


def _date(day: dt.date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def _qr(canvas: Canvas, number: str, x: float, y: float, size: float) -> None:
    """segno's QR code of the number (cards/printing.py), its modules drawn on the canvas in a
    square of `size` with a quiet zone of four modules."""
    matrix = printing.qr(number).matrix
    module = size / (len(matrix) + 8)
    canvas.setFillColor(colors.black)
    for row_number, row in enumerate(matrix):
        top = y + size - (row_number + 4) * module
        for start, run in printing.bar_runs("".join("1" if dark else "0" for dark in row)):
            canvas.rect(x + (start + 4) * module, top - module, run * module, module, 0, 1)


def _code39(canvas: Canvas, number: str, x: float, y: float, width: float) -> None:
    """python-barcode's Code 39 of the number (cards/printing.py), its bars 0.3 mm a module or
    narrower to fit `width` (no narrower than 0.19 mm), 9 mm high, centred there with quiet zones
    of ten modules."""
    modules = printing.code39_modules(number)
    total = len(modules) + 2 * printing.QUIET
    module = max(min(0.3 * mm, width / total), 0.19 * mm)
    left = x + (width - total * module) / 2 + printing.QUIET * module
    canvas.setFillColor(colors.black)
    for start, run in printing.bar_runs(modules):
        canvas.rect(left + start * module, y, run * module, 9 * mm, 0, 1)


def _frame(canvas: Canvas, x: float, y: float) -> None:
    canvas.setStrokeColor(colors.lightgrey)
    canvas.setLineWidth(0.3)
    canvas.roundRect(x, y, CARD_WIDTH, CARD_HEIGHT, 3 * mm)
    canvas.setStrokeColor(colors.black)


def _draw_number(canvas: Canvas, number: str, x: float, y: float) -> None:
    """The barcodes and the number in letters, along the bottom of the card at (x, y)."""
    pad = 4 * mm
    _qr(canvas, number, x + CARD_WIDTH - pad - 24 * mm, y + CARD_HEIGHT - pad - 24 * mm, 24 * mm)
    _code39(canvas, number, x + pad, y + 8 * mm, CARD_WIDTH - 2 * pad)
    canvas.setFont(BOLD, 10)
    canvas.drawCentredString(x + CARD_WIDTH / 2, y + 3.5 * mm, identifiers.display(number))


def _draw_personal(canvas: Canvas, card: Card, x: float, y: float) -> None:
    pad = 4 * mm
    top = y + CARD_HEIGHT - pad
    canvas.setFont(BOLD, 13)
    canvas.drawString(x + pad, top - 4 * mm, "Kaikukortti")
    canvas.setFont(FONT, 8)
    canvas.drawString(x + pad, top - 9 * mm, card.region.display_name)
    canvas.drawString(
        x + pad,
        top - 13.5 * mm,
        _("Valid until %(date)s") % {"date": _date(card.effective_valid_until)},
    )
    canvas.drawString(
        x + pad,
        top - 17.5 * mm,
        _("Children and grandchildren under 18: %(count)s") % {"count": card.children},
    )
    canvas.drawString(x + pad, top - 23.5 * mm, _("Name:"))
    canvas.setLineWidth(0.5)
    canvas.line(x + pad + 10 * mm, top - 24 * mm, x + CARD_WIDTH - pad - 26 * mm, top - 24 * mm)
    _draw_number(canvas, card.identifier, x, y)


def _draw_community(canvas: Canvas, card: Card, x: float, y: float) -> None:
    pad = 4 * mm
    top = y + CARD_HEIGHT - pad
    canvas.setFont(BOLD, 11)
    canvas.drawString(x + pad, top - 4 * mm, _("Community Kaikukortti"))
    canvas.setFont(FONT, 7.5)
    lines = [
        _("Community: %(name)s") % {"name": card.issuing_site.organisation.display_name},
        card.region.display_name,
        _("Registered: %(date)s") % {"date": _date(card.issued_on)},
        _("Renewed: %(date)s") % {"date": _date(card.renewed_on)},
        _("Last valid: %(date)s") % {"date": _date(card.effective_valid_until)},
    ]
    for index, line in enumerate(lines):
        canvas.drawString(x + pad, top - (8.5 + 3.6 * index) * mm, line[:48])
    _draw_number(canvas, card.identifier, x, y)


def _draw_blank(canvas: Canvas, number: str, region: Region, x: float, y: float) -> None:
    """A card of stock: the number and region; the rest is written in when it is registered."""
    pad = 4 * mm
    top = y + CARD_HEIGHT - pad
    canvas.setFont(BOLD, 13)
    canvas.drawString(x + pad, top - 4 * mm, "Kaikukortti")
    canvas.setFont(FONT, 8)
    canvas.drawString(x + pad, top - 9 * mm, region.display_name)
    canvas.setLineWidth(0.5)
    for index, label in enumerate((_("Valid until"), _("Children"), _("Name:"))):
        line_y = top - (14 + 5 * index) * mm
        canvas.drawString(x + pad, line_y, label)
        canvas.line(
            x + pad + 18 * mm, line_y - 0.5 * mm, x + CARD_WIDTH - pad - 26 * mm, line_y - 0.5 * mm
        )
    _draw_number(canvas, number, x, y)


def _draw(canvas: Canvas, card: Card, x: float, y: float) -> None:
    if card.is_community:
        _draw_community(canvas, card, x, y)
    else:
        _draw_personal(canvas, card, x, y)


def _cut_marks(canvas: Canvas) -> None:
    canvas.setStrokeColor(colors.grey)
    canvas.setLineWidth(0.3)
    for column in range(SHEET_COLUMNS + 1):
        x = SHEET_MARGIN_X + column * CARD_WIDTH
        canvas.line(x, 0, x, SHEET_MARGIN_Y - 2 * mm)
        canvas.line(x, A4[1], x, A4[1] - SHEET_MARGIN_Y + 2 * mm)
    for row in range(SHEET_ROWS + 1):
        y = SHEET_MARGIN_Y + row * CARD_HEIGHT
        canvas.line(0, y, SHEET_MARGIN_X - 2 * mm, y)
        canvas.line(A4[0], y, A4[0] - SHEET_MARGIN_X + 2 * mm, y)
    canvas.setStrokeColor(colors.black)


def _sheet_position(index: int) -> tuple[float, float]:
    slot = index % (SHEET_COLUMNS * SHEET_ROWS)
    row, column = divmod(slot, SHEET_COLUMNS)
    return (
        SHEET_MARGIN_X + column * CARD_WIDTH,
        A4[1] - SHEET_MARGIN_Y - (row + 1) * CARD_HEIGHT,
    )


def _new_canvas(buffer: io.BytesIO, size: tuple[float, float], title: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=size, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Kaikukanta")
    canvas.setCreator("Kaikukanta")
    return canvas


def card_pdf(card: Card, *, sheet: bool = False) -> bytes:
    """The card at card size (a card printer), or on an A4 sheet with cutting marks."""
    buffer = io.BytesIO()
    title = f"Kaikukortti {card.display_identifier}"
    if sheet:
        canvas = _new_canvas(buffer, A4, title)
        _cut_marks(canvas)
        x, y = _sheet_position(0)
    else:
        canvas = _new_canvas(buffer, (CARD_WIDTH, CARD_HEIGHT), title)
        x = y = 0
        _frame(canvas, x, y)
    _draw(canvas, card, x, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def stock_pdf(region: Region, numbers: Iterable[str], *, sheet: bool = False) -> bytes:
    """A batch of card stock: a page per card for a card printer, or A4 sheets of ten to cut."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, A4 if sheet else (CARD_WIDTH, CARD_HEIGHT), "Kaikukortti")
    index = -1
    for index, number in enumerate(numbers):
        if sheet:
            if index % (SHEET_COLUMNS * SHEET_ROWS) == 0:
                if index:
                    canvas.showPage()
                _cut_marks(canvas)
            x, y = _sheet_position(index)
        else:
            if index:
                canvas.showPage()
            x = y = 0
        _draw_blank(canvas, number, region, x, y)
    if index >= 0:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def offering_pdf(region: Region, venues: Iterable[Venue], day: dt.date) -> bytes:
    """Where the card can be used: the region's venues and the national pop-up venues, grouped by
    category, in the active language (the view chooses the client's)."""
    from kaikukanta.network.models import Venue

    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    title = _("Where to use your Kaikukortti")
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Kaikukanta",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    story = [
        Paragraph(_escape(title), styles["Title"]),
        Paragraph(
            _("%(region)s, as of %(date)s. Show your card when you get your free ticket.")
            % {"region": _escape(region.display_name), "date": _date(day)},
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    labels = dict(Venue.Category.choices)
    ordered = sorted(venues, key=lambda venue: (venue.category, venue.display_name.lower()))
    if not ordered:
        story.append(Paragraph(_("No venues are taking part yet."), styles["Normal"]))
    for category, group in groupby(ordered, key=lambda venue: venue.category):
        story.append(
            Paragraph(str(labels.get(category, category)).capitalize(), styles["Heading2"])
        )
        for venue in group:
            where = venue.municipality.display_name if venue.municipality is not None else ""
            if venue.is_popup:
                where = _("pop-up venue until %(date)s") % {"date": _date(venue.active_until)}
            text = venue.display_name + (f", {where}" if where else "")
            story.append(Paragraph(_escape(text), styles["Normal"]))
    document.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
