"""Every CSV and XLSX file the service hands a person is written here, so that each opens right in a
Finnish spreadsheet (docs/exports.md):

- CSV: semicolon-separated, UTF-8 with a byte order mark, numbers with a decimal comma, dates
  d.m.yyyy (and times H.MM), yes/no in the reader's language.
- XLSX: numbers (years too) as numbers, dates as dates, column widths from the content, the heading
  row frozen, and for statistics a legend row that explains "<5" and "..".
- Formula injection (OWASP, "CSV injection"): a text cell that begins with =, +, -, @, a tab or a
  carriage return is neutralised: in CSV a leading apostrophe is written before it; in XLSX the cell
  is written as text with Excel's quote prefix, never as a formula. A number, negative or not, stays
  a number.

The views say what to write (headings and rows of Python values, in the reader's language); this
module decides how. The open data of the public catalogue (api/v1/catalogue.py) is a machine format
of its own, comma-separated with ISO dates, and also neutralises its text cells here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

Value = str | int | float | Decimal | bool | dt.date | dt.datetime | None

# The characters a spreadsheet reads as the start of a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralised(text: str) -> str:
    """A text as a CSV cell: with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if is_formula_like(text) else text


def _decimal_comma(number: float | Decimal) -> str:
    if isinstance(number, Decimal):
        text = format(number, "f")
    else:
        text = f"{number:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def finnish_date(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def finnish_datetime(moment: dt.datetime) -> str:
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{finnish_date(moment.date())} {moment.hour}.{moment.minute:02d}"


def csv_cell(value: Value) -> str:
    """One value as a Finnish spreadsheet reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _decimal_comma(value)
    if isinstance(value, dt.datetime):
        return finnish_datetime(value)
    if isinstance(value, dt.date):
        return finnish_date(value)
    return neutralised(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[Value]]) -> Iterator[str]:
    """The file's text a line at a time, the byte order mark first (Excel reads UTF-8 then)."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'


def csv_response(filename: str, rows: Iterable[Sequence[Value]]) -> HttpResponse:
    response = HttpResponse("".join(csv_lines(rows)), content_type=CSV_TYPE)
    _attachment(response, filename)
    return response


def csv_streaming_response(filename: str, rows: Iterable[Sequence[Value]]) -> HttpResponse:
    """A long file (a venue's history) written as it is read, never whole in memory."""
    response = StreamingHttpResponse(csv_lines(rows), content_type=CSV_TYPE)
    _attachment(response, filename)
    # Served the same way as an HttpResponse; the views are typed as answering one.
    return cast(HttpResponse, response)


def statistics_legend() -> str:
    """What the two marks of a statistics table mean (docs/statistics-method.md)."""
    limit = settings.KAIKUKANTA_STATS_SMALL_COUNT
    return _(
        "“<%(limit)s”: holder data of fewer than %(limit)s cards in a region or at a site, not "
        "shown to protect the holders. “..”: a figure that cannot be shown, to protect the "
        "holders. Other figures are perturbed for privacy by up to a few units."
    ) % {"limit": limit}


@dataclass
class Sheet:
    """A table to export: a title line (what and which period), the column headings, the rows, and
    optionally a legend written after the rows."""

    title: str
    headings: list[str]
    rows: list[list[Value]]
    legend: str = ""
    name: str = "Kaikukanta"
    notes: list[str] = field(default_factory=list)

    def csv_rows(self) -> Iterator[Sequence[Value]]:
        yield [self.title]
        yield self.headings
        yield from self.rows
        if self.legend:
            yield []
            yield [self.legend]


def sheet_csv_response(sheet: Sheet, filename: str) -> HttpResponse:
    return csv_response(filename, sheet.csv_rows())


def _xlsx_value(cell: Any, value: Value) -> int:
    """Writes one value into an openpyxl cell; gives its width in characters."""
    if value is None:
        return 0
    if isinstance(value, bool):
        value = _("yes") if value else _("no")
    if isinstance(value, int | float | Decimal):
        cell.value = float(value) if isinstance(value, Decimal) else value
        if isinstance(value, float | Decimal):
            cell.number_format = "0.0"
        return len(str(value))
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell.value = value
        cell.number_format = "d.m.yyyy h.mm"
        return 16
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "d.m.yyyy"
        return 10
    text = str(value)
    cell.value = text
    # Text, never a formula: openpyxl reads a string beginning with "=" as one unless told.
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited, too
    return len(text)


def xlsx_bytes(sheet: Sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = re.sub(r"[\\/*?:\[\]]", " ", sheet.name or "Kaikukanta")[:31]
    bold = Font(bold=True)
    _xlsx_value(ws.cell(row=1, column=1), sheet.title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    widths = [0] * max(len(sheet.headings), 1)
    for column, heading in enumerate(sheet.headings, start=1):
        cell = ws.cell(row=2, column=column)
        widths[column - 1] = max(widths[column - 1], _xlsx_value(cell, heading))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(sheet.rows, start=3):
        for column, value in enumerate(row, start=1):
            width = _xlsx_value(ws.cell(row=row_number, column=column), value)
            if column > len(widths):
                widths.append(0)
            widths[column - 1] = max(widths[column - 1], width)
    if sheet.legend:
        legend_row = len(sheet.rows) + 4  # after an empty row
        _xlsx_value(ws.cell(row=legend_row, column=1), sheet.legend)
        ws.cell(row=legend_row, column=1).font = Font(italic=True)
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A3"  # the title and the headings stay in view
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_xlsx_response(sheet: Sheet, filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheet), content_type=XLSX_TYPE)
    _attachment(response, filename)
    return response
