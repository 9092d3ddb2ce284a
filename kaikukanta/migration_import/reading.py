"""Reading the import files: CSV (UTF-8 with or without a byte-order mark, or Windows-1252 as older
Excel writes it; comma, semicolon or tab separated, told apart by the header line) and XLSX.

Every file gives its rows as dictionaries of column name to cell, numbered as a spreadsheet numbers
them (the header is row 1), blank rows left out. A cell is a string, or a date or date-time when an
XLSX cell holds one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SUFFIXES = (".csv", ".xlsx")


def files(directory: Path, kind: str) -> list[Path]:
    """The files of `kind` in `directory`: kind.csv, kind.xlsx, both or neither. The import reads
    one; given both, it refuses to run rather than choose (importer.RegistryImport.validate)."""
    return [
        directory / f"{kind}{suffix}"
        for suffix in SUFFIXES
        if (directory / f"{kind}{suffix}").exists()
    ]


Row = tuple[int, dict[str, Any]]


def read(path: Path) -> Iterator[Row]:
    if path.suffix.lower() == ".xlsx":
        yield from _read_xlsx(path)
    else:
        yield from _read_csv(path)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def delimiter_of(header: str) -> str:
    """The separator of a header line: the most frequent of semicolon, comma and tab."""
    return max((";", ",", "\t"), key=header.count)


def _read_csv(path: Path) -> Iterator[Row]:
    text = _decode(path.read_bytes())
    header = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(header))
    names: list[str] | None = None
    for number, cells in enumerate(reader, start=1):
        if names is None:
            names = [_column(name) for name in cells]
            continue
        if not any(cell.strip() for cell in cells):
            continue
        yield number, dict(zip(names, cells, strict=False))


def _read_xlsx(path: Path) -> Iterator[Row]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        names: list[str] | None = None
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if names is None:
                names = [_column(str(name or "")) for name in cells]
                continue
            values = [_cell(cell) for cell in cells]
            if not any(value != "" for value in values):
                continue
            yield number, dict(zip(names, values, strict=False))
    finally:
        workbook.close()


def _column(name: str) -> str:
    return name.strip().lower()


def _cell(value: Any) -> Any:
    """An XLSX cell as the CSV would have it: a string, except dates and date-times."""
    if value is None:
        return ""
    if isinstance(value, dt.date):  # a date-time too
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
