"""Moving in from the earlier national registry: the files of docs/import.md, checked row by row by the
rules of the services, then written.

`RegistryImport.validate()` reads every file and judges every row without writing anything: a row is
accepted, already imported (by an earlier run, and as it was then: skipped), or refused with its row
number, the column and the reason in the reader's language (a row changed since its import too:
Kaikukanta takes no changes from the files, `_unchanged`). Rows are judged against the rows of the
files before them (a site against the regions and organisations) and against what earlier runs
imported, so a dry run gives the very report a real run would. `RegistryImport.write()` then writes the accepted rows: the
network one object at a time through the network services (each audited), cards and uses in batches
of `batch_size`, each batch one transaction with one audit event per card and per use, and each card
and use recorded in ImportedKey (a use removed in Kaikukanta since is never imported again). A batch
written is never written again: a run that stops (an error, a lost connection, Ctrl-C) is resumed
by running it again, which finds what was written and adds the rest; a second run of the same files
adds nothing. The statistics summaries are rebuilt from the cards and uses at the end
(stats.summaries.rebuild), as `manage.py rebuild_stats` does after any bulk load.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaikukanta.audit.actions import is_registered
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards import identifiers
from kaikukanta.cards.errors import IssueDateTooEarly
from kaikukanta.cards.models import Card, CardStatus, CardType, ClosingReason
from kaikukanta.cards.services import HolderData, check_imported_card
from kaikukanta.core.dates import today
from kaikukanta.core.errors import ChoiceInvalid, DateInFuture, DomainError
from kaikukanta.core.idempotency import RESERVED_PREFIX
from kaikukanta.network.errors import SlugTaken
from kaikukanta.network.models import DistributorSite, Municipality, Organisation, Region, Venue
from kaikukanta.network.rules import check_pilot_period, check_venue_period
from kaikukanta.network.services import (
    save_network_object,
    save_region,
    save_site,
    save_venue,
)
from kaikukanta.stats import summaries
from kaikukanta.uses.models import Use, UseKind
from kaikukanta.uses.services import check_use

from . import reading
from .models import ImportedKey

KINDS = ("regions", "municipalities", "organisations", "sites", "venues", "cards", "uses")

# Each file's columns: the required ones, then the optional ones.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "regions": (
        ("id", "name", "status"),
        ("name_sv", "name_en", "slug", "pilot_starts", "pilot_ends"),
    ),
    "municipalities": (("code", "name"), ("name_sv", "name_en", "regions")),
    "organisations": (("id", "name", "kind"), ("name_sv", "name_en")),
    "sites": (("id", "name", "organisation", "region"), ("name_sv", "name_en", "active")),
    "venues": (
        ("id", "name", "organisation", "category"),
        (
            "name_sv",
            "name_en",
            "region",
            "municipality",
            "accepts_other_regions",
            "popup",
            "active_from",
            "active_until",
        ),
    ),
    "cards": (
        ("identifier", "site", "card_type", "issued_on", "valid_until"),
        (
            "renewed_on",
            "closed_on",
            "closing_reason",
            "birth_year",
            "postcode",
            "children",
            "life_situation",
            "gender",
        ),
    ),
    "uses": (
        ("id", "card", "venue", "occurred_at"),
        ("kind", "adult_ticket", "child_tickets"),
    ),
}

# A card's refusals that say a use falls outside its validity (Card.refusal_on).
OUTSIDE_VALIDITY = {"card_expired", "card_closed", "card_not_yet_valid", "card_pilot_ended"}
# The column a use's refusal concerns, where the rule's error names no form field.
USE_COLUMNS = {
    "venue_not_accepting": "venue",
    "venue_own_region_only": "venue",
    "community_card_needs_group": "card",
    "no_tickets": "adult_ticket",
}
# A use's request key: "import:" and its key in the earlier registry. No client's key begins so
# (core.idempotency refuses it).
USE_KEY_PREFIX = RESERVED_PREFIX
# The choices' values, computed once (an enum's `values` builds its list on every call).
CARD_TYPES = frozenset(CardType.values)
CLOSING_REASONS = frozenset(ClosingReason.values)
USE_KINDS = frozenset(UseKind.values)
CARD_COLUMNS = [field.attname for field in Card._meta.concrete_fields if field.attname != "id"]
USE_COLUMNS_WRITTEN = [
    "card_id",
    "venue_id",
    "card_region_id",
    "occurred_at",
    "category",
    "kind",
    "adult_ticket",
    "child_tickets",
    "clients_without_card",
    "recorded_at",
    "idempotency_key",
]
AUDIT_COLUMNS = [
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "region_id",
    "venue_id",
    "data",
]
YES = {"1", "yes", "y", "true", "x", "kyllä", "k", "ja", "j"}
NO = {"0", "no", "n", "false", "ei", "e", "nej", ""}


class RowError(Exception):
    def __init__(self, column: str, reason: Any):
        super().__init__(str(reason))
        self.column = column
        self.reason = reason


@dataclass
class Refusal:
    row: int
    column: str
    reason: str
    duplicate_of: int | None = None


@dataclass
class FileReport:
    kind: str
    path: Path | None = None
    read: int = 0
    accepted: int = 0
    existing: int = 0
    written: int = 0
    missing_columns: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return len(self.refusals)


@dataclass
class Report:
    files: dict[str, FileReport]
    # card number → the uses rows that fall outside its validity
    outside_validity: dict[str, list[int]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out: list[str] = []
        for report in self.files.values():
            name = report.path.name if report.path else report.kind
            if report.path is None:
                out.append(_("%(file)s: no file.") % {"file": report.kind})
                continue
            if report.missing_columns:
                out.append(
                    _("%(file)s: the file lacks the columns %(columns)s; nothing of it was read.")
                    % {"file": name, "columns": ", ".join(report.missing_columns)}
                )
                continue
            out.append(
                _(
                    "%(file)s: %(read)s rows read, %(accepted)s accepted, %(existing)s already "
                    "imported, %(refused)s refused."
                )
                % {
                    "file": name,
                    "read": report.read,
                    "accepted": report.accepted,
                    "existing": report.existing,
                    "refused": report.refused,
                }
            )
            for refusal in report.refusals:
                out.append("  " + refusal_line(refusal))
        duplicates = [
            (report, refusal)
            for report in self.files.values()
            for refusal in report.refusals
            if refusal.duplicate_of is not None
        ]
        out.append("")
        out.append(_("Duplicates: %(count)s") % {"count": len(duplicates)})
        for report, refusal in duplicates:
            out.append(
                "  "
                + _("%(file)s row %(row)s repeats row %(first)s.")
                % {"file": report.kind, "row": refusal.row, "first": refusal.duplicate_of}
            )
        out.append("")
        out.append(
            _("Cards whose uses fall outside their validity: %(count)s")
            % {"count": len(self.outside_validity)}
        )
        for number, rows in sorted(self.outside_validity.items()):
            out.append(
                "  "
                + _("%(card)s: uses rows %(rows)s")
                % {"card": identifiers.display(number), "rows": ", ".join(map(str, rows))}
            )
        return out

    @property
    def refused(self) -> int:
        return sum(report.refused for report in self.files.values())


def refusal_line(refusal: Refusal) -> str:
    return _("row %(row)s, %(column)s: %(reason)s") % {
        "row": refusal.row,
        "column": refusal.column or "-",
        "reason": refusal.reason,
    }


# --- cells --------------------------------------------------------------------------------------


def text(row: dict[str, Any], column: str, *, required: bool = False) -> str:
    value = row.get(column, "")
    value = value.strip() if isinstance(value, str) else str(value)
    if required and not value:
        raise RowError(column, gettext_lazy("The column is empty: give a value."))
    return value


def names(row: dict[str, Any]) -> dict[str, str]:
    """The name in Finnish (required), Swedish and English."""
    return {
        "name": text(row, "name", required=True),
        "name_sv": text(row, "name_sv"),
        "name_en": text(row, "name_en"),
    }


def date(row: dict[str, Any], column: str, *, required: bool = False) -> dt.date | None:
    value = row.get(column, "")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    value = text(row, column, required=required)
    if not value:
        return None
    try:
        if "." in value:
            day, month, year = value.split(".")
            return dt.date(int(year), int(month), int(day))
        return dt.date.fromisoformat(value)
    except (ValueError, OverflowError):  # a year of twenty digits overflows
        raise RowError(
            column,
            _("%(value)s is not a date: write it as 31.12.2025 or 2025-12-31.") % {"value": value},
        ) from None


FINNISH_TIME = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def moment(row: dict[str, Any], column: str) -> dt.datetime:
    """A date-time in Finnish time (or with its own offset); a date alone is taken as noon."""
    value = row.get(column, "")
    if isinstance(value, dt.datetime):
        found = value
    elif isinstance(value, dt.date):
        found = dt.datetime.combine(value, dt.time(12))
    else:
        value = text(row, column, required=True)
        try:
            found = _parse_moment(value)
        except (ValueError, OverflowError):  # a year of twenty digits overflows
            raise RowError(
                column,
                _("%(value)s is not a time: write it as 31.12.2025 14:30 or 2025-12-31 14:30.")
                % {"value": value},
            ) from None
    if timezone.is_naive(found):
        found = timezone.make_aware(found, FINNISH_TIME)
    return found


def _parse_moment(value: str) -> dt.datetime:
    if "." in value.split(" ")[0]:
        day_part, _space, time_part = value.partition(" ")
        day, month, year = day_part.split(".")
        clock = dt.time.fromisoformat(time_part.replace(".", ":")) if time_part else dt.time(12)
        return dt.datetime.combine(dt.date(int(year), int(month), int(day)), clock)
    if len(value) == 10:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(12))
    return dt.datetime.fromisoformat(value)


def number(row: dict[str, Any], column: str, *, default: int | None = None) -> int:
    value = text(row, column, required=default is None)
    if not value:
        assert default is not None
        return default
    try:
        return int(value)
    except ValueError:
        raise RowError(column, _("%(value)s is not a whole number.") % {"value": value}) from None


def yes_no(row: dict[str, Any], column: str, *, default: bool) -> bool:
    value = text(row, column).lower()
    if not value:
        return default
    if value in YES:
        return True
    if value in NO:
        return False
    raise RowError(column, _("%(value)s is not yes or no: write 1 or 0.") % {"value": value})


def choice(row: dict[str, Any], column: str, choices: Iterable[str], *, default: str = "") -> str:
    value = text(row, column, required=not default) or default
    if value not in choices:
        raise RowError(column, ChoiceInvalid(value=value).message)
    return value


def padded(row: dict[str, Any], column: str, width: int) -> str:
    """A code a spreadsheet may have turned into a number (00100 → 100): its zeros back."""
    value = text(row, column)
    return value.zfill(width) if value.isdigit() else value


def names_of(obj: Any) -> dict[str, str]:
    return {"name": obj.name, "name_sv": obj.name_sv, "name_en": obj.name_en}


def closing(row: dict[str, Any]) -> tuple[dt.date | None, str]:
    """A card's closing day and reason: both or neither."""
    closed_on = date(row, "closed_on")
    reason = text(row, "closing_reason")
    if bool(closed_on) != bool(reason):
        raise RowError(
            "closed_on" if reason else "closing_reason",
            _("A closed card needs both its closing day and its closing reason."),
        )
    if reason and reason not in CLOSING_REASONS:
        raise RowError("closing_reason", ChoiceInvalid(value=reason).message)
    return closed_on, reason


# --- a row as imported, and as read again -------------------------------------------------------
#
# What the import keeps of each row it imports (ImportedKey.row): the cells of the columns below as
# they were, joined by the unit separator, so that a later run tells a row as it was (one string
# compared) from one changed since (then each column read again and compared, so that `1` for `yes`
# is no change). A card's holder's columns are never kept (they are erased from the card in time).

ROW_COLUMNS = {
    "regions": ("name", "name_sv", "name_en", "slug", "status", "pilot_starts", "pilot_ends"),
    "organisations": ("name", "name_sv", "name_en", "kind"),
    "sites": ("name", "name_sv", "name_en", "organisation", "region", "active"),
    "venues": (
        "name",
        "name_sv",
        "name_en",
        "organisation",
        "region",
        "municipality",
        "category",
        "accepts_other_regions",
        "popup",
        "active_from",
        "active_until",
    ),
    "cards": (
        "site",
        "card_type",
        "issued_on",
        "valid_until",
        "renewed_on",
        "closed_on",
        "closing_reason",
    ),
    "uses": ("card", "venue", "occurred_at", "kind", "adult_ticket", "child_tickets"),
}
SEPARATOR = "\x1f"
# An XLSX date or date-time cell, kept marked so that it is read again as one.
DATE_CELL, MOMENT_CELL = "\x1eD", "\x1eT"


def kept_cell(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return MOMENT_CELL + value.isoformat()
    if isinstance(value, dt.date):
        return DATE_CELL + value.isoformat()
    value = value.strip() if isinstance(value, str) else str(value)
    return value.replace(SEPARATOR, "")


def kept(kind: str, row: dict[str, Any]) -> str:
    """The row as the import keeps it: its cells of ROW_COLUMNS[kind] (a separator inside a cell
    dropped)."""
    return SEPARATOR.join(kept_cell(row.get(column, "")) for column in ROW_COLUMNS[kind])


def unkept(kind: str, row: str) -> dict[str, Any]:
    """A row kept by `kept`, as cells again."""
    cells: dict[str, Any] = {}
    for column, cell in zip(ROW_COLUMNS[kind], row.split(SEPARATOR), strict=False):
        if cell.startswith(MOMENT_CELL):
            cells[column] = dt.datetime.fromisoformat(cell[len(MOMENT_CELL) :])
        elif cell.startswith(DATE_CELL):
            cells[column] = dt.date.fromisoformat(cell[len(DATE_CELL) :])
        else:
            cells[column] = cell
    return cells


# Each kind's row read (its values as Kaikukanta keeps them, a reference by the earlier registry's
# key), in the form RegistryImport gives of the object Kaikukanta has, to compare the two.


def region_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **names(row),
        "slug": text(row, "slug") or slugify(text(row, "name")),
        "status": choice(row, "status", Region.Status.values),
        "pilot_starts": date(row, "pilot_starts"),
        "pilot_ends": date(row, "pilot_ends"),
    }


def organisation_values(row: dict[str, Any]) -> dict[str, Any]:
    return {**names(row), "kind": choice(row, "kind", Organisation.Kind.values)}


def site_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **names(row),
        "organisation": text(row, "organisation", required=True),
        "region": text(row, "region", required=True),
        "active": yes_no(row, "active", default=True),
    }


def venue_values(row: dict[str, Any]) -> dict[str, Any]:
    popup = yes_no(row, "popup", default=False)
    return {
        **names(row),
        "organisation": text(row, "organisation", required=True),
        "region": "" if popup else text(row, "region", required=True),
        "municipality": padded(row, "municipality", 3),
        "category": choice(row, "category", Venue.Category.values),
        "accepts_other_regions": yes_no(row, "accepts_other_regions", default=True),
        "popup": popup,
        "active_from": date(row, "active_from"),
        "active_until": date(row, "active_until"),
    }


def card_record(
    site: str,
    card_type: str,
    issued_on: dt.date,
    valid_until: dt.date,
    renewed_on: dt.date | None,
    closed_on: dt.date | None,
    reason: str,
) -> dict[str, Any]:
    return {
        "site": site,
        "card_type": card_type,
        "issued_on": issued_on,
        "valid_until": valid_until,
        "renewed_on": renewed_on,
        "closed_on": closed_on,
        "closing_reason": reason,
    }


def card_values(row: dict[str, Any]) -> dict[str, Any]:
    """A card's row but its holder's columns."""
    issued_on = date(row, "issued_on", required=True)
    valid_until = date(row, "valid_until", required=True)
    assert issued_on is not None
    assert valid_until is not None
    return card_record(
        text(row, "site", required=True),
        choice(row, "card_type", CARD_TYPES),
        issued_on,
        valid_until,
        date(row, "renewed_on"),
        *closing(row),
    )


def holder_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "birth_year": number(row, "birth_year"),
        "postcode": padded(row, "postcode", 5),
        "children": number(row, "children"),
        "life_situation": text(row, "life_situation"),
        "gender": text(row, "gender"),
    }


def use_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "card": identifiers.normalize(text(row, "card", required=True)),
        "venue": text(row, "venue", required=True),
        "occurred_at": moment(row, "occurred_at"),
        "kind": choice(row, "kind", USE_KINDS, default=UseKind.ENTRY_TICKET),
        "adult_ticket": yes_no(row, "adult_ticket", default=True),
        "child_tickets": number(row, "child_tickets", default=0),
    }


# What a row of an object imported earlier that has changed since is told: Kaikukanta never takes a
# change from the files (an earlier run's object may have been worked on in Kaikukanta since).
CHANGED_ROW = gettext_lazy(
    "The row was imported earlier, and it has changed since: %(columns)s. Kaikukanta takes no "
    "changes from the files: make the change in Kaikukanta if it is needed, and give the row as it "
    "was imported; until then the new rows that refer to it are refused too."
)
CHANGED_CARD = gettext_lazy(
    "The card was imported earlier, and its row has changed since: %(columns)s. Kaikukanta takes "
    "no changes from the files: make the change in Kaikukanta if it is needed (close, renew or "
    "correct the card there), and give the row as it was imported; until then the card's new uses "
    "in the files are refused too."
)
CHANGED_USE = gettext_lazy(
    "The use was imported earlier, and its row has changed since: %(columns)s. Kaikukanta takes no "
    "changes from the files: if the use is wrong, the region's culture coordinator removes it in "
    "Kaikukanta (the import never brings a removed use back); otherwise give the row as it was "
    "imported."
)


# --- the import ---------------------------------------------------------------------------------


class Stop(Exception):
    """Raised by the test hook `stop_after_batches`: an interruption, as a lost connection."""


class RunRefused(Exception):
    """The files as a whole cannot be imported (before any row is read): the message says why and
    what to do, in the reader's language."""


class RegistryImport:
    def __init__(
        self,
        directory: Path,
        *,
        actor: Any,
        batch_size: int = 2000,
        progress: TextIO | None = None,
        stop_after_batches: int | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.actor = actor
        self.batch_size = batch_size
        self.progress = progress
        self.stop_after_batches = stop_after_batches
        self.batches = 0
        self.report = Report({kind: FileReport(kind) for kind in KINDS})
        self._fake = 0
        # key → object (saved: found from an earlier run; unsaved, with a negative key: accepted
        # from the files and written by write())
        self.regions: dict[str, Region] = {}
        self.municipalities: dict[str, Municipality] = {}
        self.organisations: dict[str, Organisation] = {}
        self.sites: dict[str, DistributorSite] = {}
        self.venues: dict[str, Venue] = {}
        self.cards: dict[str, Card] = {}
        # What write() writes: accepted rows, by kind.
        self.new: dict[str, list[Any]] = defaultdict(list)
        # key → the row that refused it, so that a row that needs it says why it cannot be imported
        self.refused_keys: dict[str, dict[str, int]] = defaultdict(dict)
        self.region_links: list[tuple[str, str]] = []
        # kind → key → the row as write() keeps it (ImportedKey.row, `kept`), for later runs
        self.values: dict[str, dict[str, str]] = defaultdict(dict)
        # kind → key → the row as an earlier run kept it (empty: imported before rows were kept)
        self.imported: dict[str, dict[str, str]] = defaultdict(dict)
        self._key_maps: dict[str, dict[int, str]] = {}
        # card number → when an earlier run recorded the card it imported (ImportedKey.imported_at)
        self.cards_recorded: dict[str, dt.datetime] = {}
        # The keys of the imported uses still in Kaikukanta (read when first needed).
        self._live_uses: set[int] | None = None

    # --- validation ---------------------------------------------------------------------------

    def validate(self) -> Report:
        paths = self._paths()
        for kind in KINDS:
            path = paths[kind]
            report = self.report.files[kind]
            report.path = path
            if path is None:
                continue
            rows = reading.read(path)
            first = next(rows, None)
            if first is None:
                continue
            required, _optional = COLUMNS[kind]
            report.missing_columns = [name for name in required if name not in first[1]]
            if report.missing_columns:
                continue
            getattr(self, f"_validate_{kind}")(report, self._counted(report, first, rows))
        return self.report

    def _paths(self) -> dict[str, Path | None]:
        """Each kind's file; a kind given in two formats refuses the run at once (which of them is
        the right one is the operator's to say, not the import's to guess)."""
        paths: dict[str, Path | None] = {}
        for kind in KINDS:
            found = reading.files(self.directory, kind)
            if len(found) > 1:
                raise RunRefused(
                    _(
                        "Both %(first)s and %(second)s are in %(directory)s: the import reads one "
                        "file of each kind. Remove the one that is not the export to import, then "
                        "run the import again. Nothing was read or written."
                    )
                    % {"first": found[0].name, "second": found[1].name, "directory": self.directory}
                )
            paths[kind] = found[0] if found else None
        return paths

    def _counted(
        self, report: FileReport, first: reading.Row, rows: Iterator[reading.Row]
    ) -> Iterator[reading.Row]:
        yield first
        report.read += 1
        for row in rows:
            report.read += 1
            yield row

    def _fake_key(self) -> int:
        self._fake -= 1
        return self._fake

    def _judge(
        self,
        report: FileReport,
        rows: Iterable[reading.Row],
        key_column: str,
        key_of: Callable[[dict[str, Any]], str],
        judge: Callable[[int, dict[str, Any], str], bool],
        columns: dict[str, str] | None = None,
    ) -> None:
        """Each row: its key (a repeated key is a duplicate), then `judge`, which returns True for a
        new row, False for one imported earlier, or raises RowError or a DomainError."""
        seen: dict[str, int] = {}
        for line, row in rows:
            key = ""
            try:
                key = key_of(row)
                if key in seen:
                    report.refusals.append(
                        Refusal(
                            line,
                            key_column,
                            _("The same key as row %(row)s: the row is a duplicate.")
                            % {"row": seen[key]},
                            duplicate_of=seen[key],
                        )
                    )
                    continue
                seen[key] = line
                if judge(line, row, key):
                    report.accepted += 1
                else:
                    report.existing += 1
            except RowError as error:
                report.refusals.append(Refusal(line, error.column, str(error.reason)))
                if key:
                    self.refused_keys[report.kind][key] = line
            except DomainError as error:
                column = error.field or (columns or {}).get(error.code, "")
                report.refusals.append(Refusal(line, column, error.message))
                if key:
                    self.refused_keys[report.kind][key] = line

    def _earlier(self, kind: str, model: Any, keys: Iterable[str]) -> dict[str, Any]:
        """The objects earlier runs imported under these keys; each row as it was imported goes to
        `self.imported`, for `_changes`."""
        found = ImportedKey.objects.filter(kind=kind, source_key__in=list(keys)).values_list(
            "source_key", "object_id", "row"
        )
        mapping = {}
        for key, pk, row in found:
            mapping[key] = pk
            self.imported[kind][key] = row
        objects = model.objects.in_bulk(mapping.values())
        return {key: objects[pk] for key, pk in mapping.items() if pk in objects}

    def _keys_of(self, kind: str) -> dict[int, str]:
        """Object key → the earlier registry's key, of every object of `kind` earlier runs imported
        (read once per kind): how a row's reference is compared with what Kaikukanta has."""
        if kind not in self._key_maps:
            self._key_maps[kind] = {
                pk: key
                for pk, key in ImportedKey.objects.filter(kind=kind).values_list(
                    "object_id", "source_key"
                )
                if pk is not None
            }
        return self._key_maps[kind]

    def _key_of(self, kind: str, pk: int | None) -> str:
        """The earlier registry's key of an object Kaikukanta has (one not imported: its own key,
        marked, which no row's key equals)."""
        return self._keys_of(kind).get(pk, f"#{pk}") if pk is not None else ""

    def _as_imported(self, kind: str, key: str, row: dict[str, Any]) -> bool:
        """Whether the row is, cell for cell, the one an earlier run imported under `key`."""
        imported = self.imported[kind].get(key)
        return bool(imported) and kept(kind, row) == imported

    def _changes(
        self,
        kind: str,
        key: str,
        row: dict[str, Any],
        read: Callable[[dict[str, Any]], dict[str, Any]],
        current: dict[str, Any],
    ) -> list[str]:
        """The columns of the row of an object imported earlier that have changed since: those
        whose value (`read` from the row) is neither the one imported first nor the one Kaikukanta
        has now (`current`), so that a card renewed or a venue renamed in Kaikukanta since is no
        change of the row. When what was imported is not known (imported before rows were kept),
        what Kaikukanta has is compared."""
        values = read(row)
        if values == current:
            return []
        imported: dict[str, Any] = {}
        if self.imported[kind].get(key):
            try:
                imported = read(unkept(kind, self.imported[kind][key]))
            except (RowError, DomainError, ValueError):  # read by rules since changed: not known
                imported = {}
        return [
            column
            for column, value in values.items()
            if value != current.get(column) and value != imported.get(column, current.get(column))
        ]

    def _reference(self, kind: str, known: dict[str, Any], row: dict[str, Any], column: str) -> Any:
        """The object a row refers to by its key. A key whose own row was refused in this run is
        refused first, even when Kaikukanta has an object under it: that object is not the row's (a
        card number refused because another holder's card has it), or not as the row has it (a row
        changed since an earlier import)."""
        key = text(row, column, required=True)
        if key in self.refused_keys[kind]:
            raise RowError(
                column,
                _("The row of %(file)s with the key %(key)s was refused (row %(row)s).")
                % {"file": kind, "key": key, "row": self.refused_keys[kind][key]},
            )
        if key in known:
            return known[key]
        raise RowError(
            column,
            _("No row of %(file)s, in these files or an earlier import, has the key %(key)s.")
            % {"file": kind, "key": key},
        )

    @staticmethod
    def _clean(obj: Any, exclude: list[str]) -> None:
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            column, messages = next(iter(error.message_dict.items()))
            raise RowError("" if column == "__all__" else column, " ".join(messages)) from None

    def _accept(
        self, kind: str, key: str, obj: Any, row: dict[str, Any], *, exclude: list[str]
    ) -> bool:
        """A new row that passed its own checks: the model's field checks, then kept for write(),
        and the row as write() keeps it, for later runs to compare theirs with."""
        self._clean(obj, exclude)
        getattr(self, kind)[key] = obj
        self.new[kind].append((key, obj))
        if kind in ROW_COLUMNS:
            self.values[kind][key] = kept(kind, row)
        return True

    def _existing(
        self,
        kind: str,
        key: str,
        obj: Any,
        row: dict[str, Any],
        read: Callable[[dict[str, Any]], dict[str, Any]],
        current: Callable[[], dict[str, Any]],
    ) -> bool:
        """A network row an earlier run imported: known from now on, under its key (the rows after
        it refer to it), and refused if it has changed since."""
        getattr(self, kind)[key] = obj
        if not self._as_imported(kind, key, row):
            changed = self._changes(kind, key, row, read, current())
            if changed:
                raise RowError(changed[0], CHANGED_ROW % {"columns": ", ".join(changed)})
        return False

    def _validate_regions(self, report: FileReport, rows: Iterable[reading.Row]) -> None:
        rows = list(rows)
        earlier = self._earlier("regions", Region, (text(row, "id") for _line, row in rows))
        slugs: dict[str, int] = {}

        def judge(line: int, row: dict[str, Any], key: str) -> bool:
            if key in earlier:
                region = earlier[key]
                return self._existing(
                    "regions",
                    key,
                    region,
                    row,
                    region_values,
                    lambda: {
                        **names_of(region),
                        "slug": region.slug,
                        "status": region.status,
                        "pilot_starts": region.pilot_starts,
                        "pilot_ends": region.pilot_ends,
                    },
                )
            values = region_values(row)
            region = Region(
                id=self._fake_key(),
                **names(row),
                slug=values["slug"],
                status=values["status"],
                pilot_starts=values["pilot_starts"],
                pilot_ends=values["pilot_ends"],
            )
            check_pilot_period(region)
            if region.slug in slugs or Region.objects.filter(slug=region.slug).exists():
                raise SlugTaken(slug=region.slug)
            accepted = self._accept("regions", key, region, row, exclude=["county"])
            slugs[region.slug] = line
            return accepted

        self._judge(report, rows, "id", lambda row: text(row, "id", required=True), judge)

    def _validate_municipalities(self, report: FileReport, rows: Iterable[reading.Row]) -> None:
        rows = list(rows)
        codes = [padded(row, "code", 3) for _line, row in rows]
        earlier = Municipality.objects.in_bulk(codes, field_name="code")

        def key_of(row: dict[str, Any]) -> str:
            code = padded(row, "code", 3)
            if not code:
                raise RowError("code", gettext_lazy("The column is empty: give a value."))
            if len(code) != 3 or not code.isdigit():
                raise RowError("code", _("A municipality code has three digits, for example 837."))
            return code

        def judge(line: int, row: dict[str, Any], code: str) -> bool:
            keys = text(row, "regions").replace(",", " ").split()
            for key in keys:  # each must be a region: raises otherwise
                self._reference("regions", self.regions, {"regions": key}, "regions")
            self.region_links += [(code, key) for key in keys]
            if code in earlier:
                self.municipalities[code] = earlier[code]
                return False
            municipality = Municipality(
                id=self._fake_key(),
                code=code,
                **names(row),
            )
            return self._accept(
                "municipalities", code, municipality, row, exclude=["county", "code"]
            )

        self._judge(report, rows, "code", key_of, judge)

    def _validate_organisations(self, report: FileReport, rows: Iterable[reading.Row]) -> None:
        rows = list(rows)
        earlier = self._earlier(
            "organisations", Organisation, (text(row, "id") for _line, row in rows)
        )

        def judge(line: int, row: dict[str, Any], key: str) -> bool:
            if key in earlier:
                organisation = earlier[key]
                return self._existing(
                    "organisations",
                    key,
                    organisation,
                    row,
                    organisation_values,
                    lambda: {**names_of(organisation), "kind": organisation.kind},
                )
            values = organisation_values(row)
            organisation = Organisation(id=self._fake_key(), **names(row), kind=values["kind"])
            return self._accept("organisations", key, organisation, row, exclude=[])

        self._judge(report, rows, "id", lambda row: text(row, "id", required=True), judge)

    def _validate_sites(self, report: FileReport, rows: Iterable[reading.Row]) -> None:
        rows = list(rows)
        earlier = self._earlier("sites", DistributorSite, (text(row, "id") for _line, row in rows))
        regions_of = {region.pk: region for region in Region.objects.all()}

        def judge(line: int, row: dict[str, Any], key: str) -> bool:
            if key in earlier:
                site = earlier[key]
                site.region = regions_of[site.region_id]
                return self._existing(
                    "sites",
                    key,
                    site,
                    row,
                    site_values,
                    lambda: {
                        **names_of(site),
                        "organisation": self._key_of("organisations", site.organisation_id),
                        "region": self._key_of("regions", site.region_id),
                        "active": site.is_active,
                    },
                )
            values = site_values(row)
            site = DistributorSite(
                id=self._fake_key(),
                **names(row),
                organisation=self._reference(
                    "organisations", self.organisations, row, "organisation"
                ),
                region=self._reference("regions", self.regions, row, "region"),
                is_active=values["active"],
            )
            return self._accept("sites", key, site, row, exclude=["organisation", "region"])

        self._judge(report, rows, "id", lambda row: text(row, "id", required=True), judge)

    def _validate_venues(self, report: FileReport, rows: Iterable[reading.Row]) -> None:
        rows = list(rows)
        earlier = self._earlier("venues", Venue, (text(row, "id") for _line, row in rows))
        regions_of = {region.pk: region for region in Region.objects.all()}
        codes = dict(Municipality.objects.values_list("pk", "code"))

        def judge(line: int, row: dict[str, Any], key: str) -> bool:
            if key in earlier:
                venue = earlier[key]
                venue.region = regions_of.get(venue.region_id) if venue.region_id else None
                return self._existing(
                    "venues",
                    key,
                    venue,
                    row,
                    venue_values,
                    lambda: {
                        **names_of(venue),
                        "organisation": self._key_of("organisations", venue.organisation_id),
                        "region": self._key_of("regions", venue.region_id),
                        "municipality": codes.get(venue.municipality_id, ""),
                        "category": venue.category,
                        "accepts_other_regions": venue.accepts_other_regions,
                        "popup": venue.is_popup,
                        "active_from": venue.active_from,
                        "active_until": venue.active_until,
                    },
                )
            values = venue_values(row)
            region = None
            if not values["popup"]:
                region = self._reference("regions", self.regions, row, "region")
            municipality = None
            if values["municipality"]:
                municipality = self._reference(
                    "municipalities",
                    self.municipalities,
                    {"municipality": values["municipality"]},
                    "municipality",
                )
            venue = Venue(
                id=self._fake_key(),
                **names(row),
                organisation=self._reference(
                    "organisations", self.organisations, row, "organisation"
                ),
                region=region,
                municipality=municipality,
                category=values["category"],
                accepts_other_regions=values["accepts_other_regions"],
                is_popup=values["popup"],
                active_from=values["active_from"],
                active_until=values["active_until"],
            )
            check_venue_period(venue)
            return self._accept(
                "venues", key, venue, row, exclude=["organisation", "region", "municipality"]
            )

        self._judge(report, rows, "id", lambda row: text(row, "id", required=True), judge)

    def _validate_cards(self, report: FileReport, rows: Iterable[reading.Row]) -> None:
        rows = list(rows)
        numbers = [identifiers.normalize(text(row, "identifier")) for _line, row in rows]
        earlier = self._existing_cards(numbers)
        # Each card's row as an earlier run imported it, and when that run recorded the card.
        for start in range(0, len(numbers), 5000):
            found = ImportedKey.objects.filter(
                kind="cards", source_key__in=numbers[start : start + 5000]
            ).values_list("source_key", "object_id", "row", "imported_at")
            for number_, pk, kept_row, imported_at in found:
                card = earlier.get(number_)
                if card is not None and card.pk == pk:
                    self.imported["cards"][number_] = kept_row
                    self.cards_recorded[number_] = imported_at
        current = today()

        def key_of(row: dict[str, Any]) -> str:
            return identifiers.normalize(text(row, "identifier", required=True))

        def judge(line: int, row: dict[str, Any], identifier: str) -> bool:
            found = earlier.get(identifier)
            if found is not None:
                return self._existing_card(found, row, identifier)
            site = self._reference("sites", self.sites, row, "site")
            card_type = choice(row, "card_type", CARD_TYPES)
            issued_on = date(row, "issued_on", required=True)
            valid_until = date(row, "valid_until", required=True)
            renewed_on = date(row, "renewed_on")
            assert issued_on is not None
            assert valid_until is not None
            holder = None
            if card_type == CardType.PERSONAL:
                holder = HolderData(
                    birth_year=number(row, "birth_year"),
                    postcode=padded(row, "postcode", 5),
                    children=number(row, "children"),
                    life_situation=text(row, "life_situation"),
                    gender=text(row, "gender"),
                )
            stored, holder_fields = check_imported_card(
                site=site,
                identifier=identifier,
                issued_on=issued_on,
                valid_until=valid_until,
                holder=holder,
                renewed_on=renewed_on,
            )
            closed_on, reason = closing(row)
            if closed_on is not None:
                if closed_on > current:
                    raise DateInFuture(field="closed_on", date=closed_on)
                if closed_on < issued_on:
                    raise IssueDateTooEarly(
                        field="closed_on",
                        day=closed_on,
                        identifier=identifiers.display(stored),
                        issued_on=issued_on,
                    )
            card = Card(
                identifier=stored,
                imported=not identifiers.is_valid(stored),
                card_type=CardType.PERSONAL if holder is not None else CardType.COMMUNITY,
                issuing_site=site,
                region=site.region,
                issued_on=issued_on,
                renewed_on=renewed_on,
                valid_until=valid_until,
                status=CardStatus.CLOSED if closed_on else CardStatus.ACTIVE,
                closed_on=closed_on,
                closing_reason=reason,
                **holder_fields,
            )
            self.cards[identifier] = card
            self.new["cards"].append((identifier, card))
            self.values["cards"][identifier] = kept("cards", row)
            return True

        self._judge(report, rows, "identifier", key_of, judge)

    def _existing_card(self, found: Card, row: dict[str, Any], identifier: str) -> bool:
        """A card row whose number Kaikukanta has: the card an earlier run imported from it (the
        same site and issue day; already imported, unless the row has changed since), or another
        card, which keeps its number."""
        as_imported = self._as_imported("cards", identifier, row)
        site = self._key_of("sites", found.issuing_site_id)
        if not as_imported and (
            text(row, "site", required=True) != site
            or date(row, "issued_on", required=True) != found.issued_on
        ):
            raise RowError(
                "identifier",
                _(
                    "The number %(identifier)s is already another card's in Kaikukanta (issued at "
                    "another site or on another day): correct the number, or the site or the issue "
                    "day, in the export."
                )
                % {"identifier": identifiers.display(identifier)},
            )
        self.cards[identifier] = found
        changed: list[str] = []
        if not as_imported:
            current = card_record(
                site,
                found.card_type,
                found.issued_on,
                found.valid_until,
                found.renewed_on,
                found.closed_on,
                found.closing_reason,
            )
            changed = self._changes("cards", identifier, row, card_values, current)
        # The holder's columns are not kept apart from the card (they are erased from it in time):
        # compared with the card's own while nothing in Kaikukanta has changed the card since it
        # was written (then it holds what was imported): it was last updated before the import
        # recorded it (in the same transaction), or, imported before cards were recorded, when it
        # was created. Only for a personal card.
        recorded = self.cards_recorded.get(identifier)
        if (
            found.card_type == CardType.PERSONAL
            and text(row, "card_type") == CardType.PERSONAL
            and found.holder_data_erased_on is None
            and (
                found.updated_at <= recorded
                if recorded is not None
                else found.updated_at == found.created_at
            )
        ):
            holder = holder_values(row)
            changed += [
                column for column, value in holder.items() if value != getattr(found, column)
            ]
        if changed:
            raise RowError(changed[0], CHANGED_CARD % {"columns": ", ".join(changed)})
        return False

    def _existing_cards(self, numbers: list[str]) -> dict[str, Card]:
        found: dict[str, Card] = {}
        regions = {region.pk: region for region in Region.objects.all()}
        for start in range(0, len(numbers), 5000):
            for card in Card.objects.filter(identifier__in=numbers[start : start + 5000]):
                card.region = regions[card.region_id]
                found[card.identifier] = card
        return found

    def _validate_uses(self, report: FileReport, rows: Iterable[reading.Row]) -> None:
        rows = list(rows)
        numbers = sorted(
            {identifiers.normalize(text(row, "card")) for _line, row in rows} - set(self.cards)
        )
        self.cards.update(self._existing_cards(numbers))
        # Every use earlier runs imported, by its key in the earlier registry, with its row as
        # imported (kept when the use itself is removed in Kaikukanta since).
        record = {
            key: (pk, kept_row)
            for key, pk, kept_row in ImportedKey.objects.filter(kind="uses")
            .values_list("source_key", "object_id", "row")
            .iterator(chunk_size=10000)
        }
        legacy = self._legacy_uses([pk for pk, kept_row in record.values() if pk and not kept_row])
        current = timezone.now()
        outside = self.report.outside_validity

        def judge(line: int, row: dict[str, Any], key: str) -> bool:
            number_ = identifiers.normalize(text(row, "card", required=True))
            if key in record:
                pk, kept_row = record[key]
                if kept_row:
                    if kept("uses", row) != kept_row:
                        try:
                            imported = use_values(unkept("uses", kept_row))
                        except (RowError, DomainError, ValueError):  # unreadable by rules since
                            return False
                        self._use_changes(pk, row, imported)
                elif pk is not None and pk in legacy:
                    self._use_changes(pk, row, legacy[pk])
                # else removed in Kaikukanta since: never imported again
                return False
            card = self._reference("cards", self.cards, {"card": number_}, "card")
            venue = self._reference("venues", self.venues, row, "venue")
            occurred_at = moment(row, "occurred_at")
            if occurred_at > current:
                raise DateInFuture(field="occurred_at", date=occurred_at)
            kind = choice(row, "kind", USE_KINDS, default=UseKind.ENTRY_TICKET)
            adult_ticket = yes_no(row, "adult_ticket", default=True)
            child_tickets = number(row, "child_tickets", default=0)
            try:
                check_use(card, venue, occurred_at, kind, adult_ticket, child_tickets)
            except DomainError as error:
                if error.code in OUTSIDE_VALIDITY:
                    outside.setdefault(card.identifier, []).append(line)
                    raise RowError("occurred_at", error.message) from None
                raise
            self.new["uses"].append(
                (key, card, venue, occurred_at, kind, adult_ticket, child_tickets)
            )
            self.values["uses"][key] = kept("uses", row)
            return True

        self._judge(
            report,
            rows,
            "id",
            lambda row: text(row, "id", required=True),
            judge,
            columns=USE_COLUMNS,
        )

    def _legacy_uses(self, pks: list[int]) -> dict[int, dict[str, Any]]:
        """The uses imported before their rows were kept (migration 0002) and still in Kaikukanta,
        as use_values reads a row, from the uses themselves (Kaikukanta never changes a use)."""
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(pks), 5000):
            uses = Use.objects.filter(pk__in=pks[start : start + 5000]).values_list(
                "pk",
                "card__identifier",
                "venue_id",
                "occurred_at",
                "kind",
                "adult_ticket",
                "child_tickets",
            )
            for pk, number_, venue_id, occurred_at, kind, adult_ticket, children in uses:
                found[pk] = {
                    "card": number_,
                    "venue": self._key_of("venues", venue_id),
                    "occurred_at": occurred_at,
                    "kind": kind,
                    "adult_ticket": adult_ticket,
                    "child_tickets": children,
                }
        return found

    def _use_changes(self, pk: int | None, row: dict[str, Any], imported: dict[str, Any]) -> None:
        """Raise if the row of a use imported earlier has changed since (`imported`: its values as
        imported), unless the use has been removed in Kaikukanta since: it stays removed, already
        imported. Kaikukanta never changes a use, so what was imported is what it has."""
        values = use_values(row)
        if values == imported:
            return
        if self._live_uses is None:  # read once, at the first changed row
            self._live_uses = set(
                Use.objects.filter(idempotency_key__startswith=USE_KEY_PREFIX).values_list(
                    "pk", flat=True
                )
            )
        if pk not in self._live_uses:
            return
        changed = [column for column, value in values.items() if value != imported.get(column)]
        raise RowError(changed[0], CHANGED_USE % {"columns": ", ".join(changed)})

    # --- writing ------------------------------------------------------------------------------

    def write(self) -> None:
        """Write what validate() accepted: the network, then cards and uses in batches."""
        self._write_network()
        self._write_cards()
        self._write_uses()

    def _mapped(self, kind: str, key: str, obj: Any) -> None:
        ImportedKey.objects.create(
            kind=kind, source_key=key, object_id=obj.pk, row=self.values[kind].get(key, "")
        )
        self.report.files[kind].written += 1

    def _write_network(self) -> None:
        """The network, a few hundred rows, in one transaction (each object through its service,
        with its audit event, and its earlier key): all of it is written, or none."""
        with transaction.atomic():
            self._write_network_objects()

    def _write_network_objects(self) -> None:
        actor = self.actor
        for key, region in self.new["regions"]:
            with transaction.atomic():
                region.pk = None
                save_region(actor=actor, region=region, municipalities=[])
                self._mapped("regions", key, region)
        for _code, municipality in self.new["municipalities"]:
            with transaction.atomic():
                municipality.pk = None
                save_network_object(actor=actor, obj=municipality)
                self.report.files["municipalities"].written += 1
        self._link_municipalities()
        for key, organisation in self.new["organisations"]:
            with transaction.atomic():
                organisation.pk = None
                save_network_object(actor=actor, obj=organisation)
                self._mapped("organisations", key, organisation)
        for key, site in self.new["sites"]:
            with transaction.atomic():
                site.pk = None
                # The related objects were written above: their keys are now real.
                site.organisation = site.organisation
                site.region = site.region
                save_site(actor=actor, site=site)
                self._mapped("sites", key, site)
        for key, venue in self.new["venues"]:
            with transaction.atomic():
                venue.pk = None
                venue.organisation = venue.organisation
                venue.region = venue.region
                venue.municipality = venue.municipality
                save_venue(actor=actor, venue=venue)
                self._mapped("venues", key, venue)

    def _link_municipalities(self) -> None:
        """Each municipality in the regions its row names; a link already there is kept."""
        from kaikukanta.audit.services import record

        by_region: dict[str, list[Municipality]] = defaultdict(list)
        for code, key in self.region_links:
            if code in self.municipalities and key in self.regions:
                by_region[key].append(self.municipalities[code])
        for key, municipalities in by_region.items():
            region = self.regions[key]
            with transaction.atomic():
                have = set(region.municipalities.values_list("pk", flat=True))
                adding = [m for m in municipalities if m.pk not in have]
                if not adding:
                    continue
                region.municipalities.add(*adding)
                record(
                    actor=self.actor,
                    action=Action.OBJECT_CHANGED,
                    target=region,
                    region=region,
                    data={"fields": ["municipalities"]},
                )

    def _batches(self, items: list[Any], label: str) -> Iterator[list[Any]]:
        total = len(items)
        started = time.monotonic()
        for start in range(0, total, self.batch_size):
            if self.stop_after_batches is not None and self.batches >= self.stop_after_batches:
                raise Stop()
            yield items[start : start + self.batch_size]
            self.batches += 1
            self._show(label, min(start + self.batch_size, total), total, started)
        if self.progress is not None and total:
            self.progress.write("\n")

    def _show(self, label: str, done: int, total: int, started: float) -> None:
        if self.progress is None:
            return
        width = 30
        filled = width * done // total
        elapsed = time.monotonic() - started
        self.progress.write(
            f"\r{label:<5} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {elapsed:.0f} s"
        )
        self.progress.flush()

    def _insert(
        self, model: Any, columns: list[str], rows: list[tuple], *, keys: bool = True
    ) -> list[int]:
        """Insert `rows` (values in the order of `columns`, attribute names) into `model`'s table,
        and return their new keys in order (`keys`). On PostgreSQL by COPY, the keys drawn from the
        table's sequence first: Django's bulk insert spends more time preparing each value than the
        database does storing it. Elsewhere (SQLite) by bulk_create."""
        if connection.vendor != "postgresql":
            written = model.objects.bulk_create(
                model(**dict(zip(columns, row, strict=True))) for row in rows
            )
            return [obj.pk for obj in written] if keys else []
        table = model._meta.db_table
        quote = connection.ops.quote_name
        ids: list[int] = []
        with connection.cursor() as cursor:
            if keys:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, len(rows)],
                )
                ids = [row[0] for row in cursor.fetchall()]
                columns = ["id", *columns]
                rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
            names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
            # psycopg's COPY (a public API of the driver), through Django's cursor.
            with cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return ids

    def _audit(self, action: str, model: Any, rows: list[tuple[int, Any, Any, dict]]) -> None:
        """One audit event per written object: (key, region key, venue key, details). Written by COPY,
        not audit.services.record, so the verb is checked here the way record checks it."""
        if not is_registered(action):
            raise ValueError(f"unregistered audit action {action!r}")
        at = timezone.now()
        actor, username = self.actor.pk, self.actor.get_username()
        label = model._meta.label_lower
        postgres = connection.vendor == "postgresql"
        self._insert(
            AuditEvent,
            AUDIT_COLUMNS,
            [
                (
                    at,
                    actor,
                    username,
                    action,
                    label,
                    str(pk),
                    region,
                    venue,
                    json.dumps(data) if postgres else data,
                )
                for pk, region, venue, data in rows
            ],
            keys=False,
        )

    def _record(self, kind: str, rows: list[tuple[str, int]]) -> None:
        """Record imported cards or uses in ImportedKey, in their batch's transaction: (key in the
        earlier registry, object key), with the row as `kept`."""
        at = timezone.now()
        kept_rows = self.values[kind]
        self._insert(
            ImportedKey,
            ["kind", "source_key", "object_id", "imported_at", "row"],
            [(kind, key, pk, at, kept_rows[key]) for key, pk in rows],
            keys=False,
        )

    def _write_cards(self) -> None:
        for items in self._batches(self.new["cards"], "cards"):
            batch = [card for _key, card in items]
            at = timezone.now()
            rows = []
            for card in batch:
                # The site object was written by _write_network (or found): its key is real now.
                card.issuing_site = card.issuing_site
                card.region = card.region
                card.created_at = card.updated_at = at
                rows.append(tuple(getattr(card, name) for name in CARD_COLUMNS))
            with transaction.atomic():
                keys = self._insert(Card, CARD_COLUMNS, rows)
                for card, pk in zip(batch, keys, strict=True):
                    card.pk = pk
                self._audit(
                    Action.CARD_IMPORTED,
                    Card,
                    [(card.pk, card.region_id, None, {}) for card in batch],
                )
                self._record("cards", [(number_, card.pk) for number_, card in items])
            self.report.files["cards"].written += len(batch)

    def _write_uses(self) -> None:
        uses = self.new["uses"]
        for batch in self._batches(uses, "uses"):
            at = timezone.now()
            rows = [
                (
                    card.pk,
                    venue.pk,
                    card.region_id,
                    occurred_at,
                    venue.category,
                    kind,
                    adult_ticket,
                    child_tickets,
                    0,
                    at,
                    USE_KEY_PREFIX + key,
                )
                for key, card, venue, occurred_at, kind, adult_ticket, child_tickets in batch
            ]
            with transaction.atomic():
                keys = self._insert(Use, USE_COLUMNS_WRITTEN, rows)
                self._record("uses", [(use[0], pk) for use, pk in zip(batch, keys, strict=True)])
                self._audit(
                    Action.USE_RECORDED,
                    Use,
                    [
                        (pk, venue.region_id, venue.pk, {"card": card.pk, "imported": True})
                        for pk, (_k, card, venue, *_rest) in zip(keys, batch, strict=True)
                    ],
                )
            self.report.files["uses"].written += len(batch)

    def rebuild_statistics(self) -> None:
        summaries.rebuild()


def yearly_table() -> list[tuple[str, int, int, int]]:
    """(year, cards registered, cards taken into use, uses in all): the statistics pages' yearly
    table for the whole country (stats.figures.years_table), exact."""
    from kaikukanta.stats.figures import NATIONAL, Subject, years_table
    from kaikukanta.stats.queries import Figure

    def count(cell: Any) -> int:
        assert isinstance(cell, Figure)
        return cell.value

    table = years_table(Subject(level=NATIONAL, label="", exact=True))
    return [
        (
            row.label,
            count(row.cells["registered"]),
            count(row.cells["taken"]),
            count(row.cells["uses"]),
        )
        for row in table.rows
    ]
