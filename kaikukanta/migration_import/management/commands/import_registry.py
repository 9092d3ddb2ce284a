"""Import the earlier national registry from a directory of files (docs/import.md)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kaikukanta.accounts.models import User
from kaikukanta.accounts.scope import scope_for
from kaikukanta.migration_import.importer import RegistryImport, RunRefused, yearly_table


class Command(BaseCommand):
    help = (
        "Import regions, municipalities, organisations, distributor sites, venues, cards and uses "
        "of the earlier registry from DIR (CSV or XLSX files, docs/import.md): every row is "
        "checked first and the report written; then the accepted rows are written in batches, "
        "the statistics rebuilt and the yearly table printed. A second run adds nothing; a run "
        "that stopped resumes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory")
        parser.add_argument(
            "--actor", required=True, help="User name of the national administrator importing."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report only; write nothing."
        )
        parser.add_argument(
            "--report", help="Where to write the report (default: DIR/import-report.txt)."
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of the report (default: the LANGUAGE_CODE setting).",
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--no-progress", action="store_true")
        # For tests: stop as an interruption would, after this many batches.
        parser.add_argument("--stop-after-batches", type=int, help=argparse_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(_("%(path)s is not a directory.") % {"path": directory})
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None or not scope_for(actor).national:
            raise CommandError(
                _("%(user)s is not an active national administrator.") % {"user": options["actor"]}
            )
        started = time.monotonic()
        run = RegistryImport(
            directory,
            actor=actor,
            batch_size=options["batch_size"],
            progress=None if options["no_progress"] else sys.stderr,
            stop_after_batches=options.get("stop_after_batches"),
        )
        try:
            report = run.validate()
        except RunRefused as refused:
            raise CommandError(str(refused)) from None
        path = Path(options["report"] or directory / "import-report.txt")
        heading = _("Import report, %(time)s") % {
            "time": timezone.localtime().strftime("%-d.%-m.%Y %H:%M")
        }
        lines = [heading, "", *report.lines()]
        if options["dry_run"]:
            lines += ["", _("Dry run: nothing was written.")]
        # The refused rows name card numbers: the report is readable by its owner only.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as report_file:
            report_file.write("\n".join(lines) + "\n")
        path.chmod(0o600)
        # On the screen (which may end up in a log), the counts only: the refused rows, which name
        # card numbers, are in the report file.
        self.stdout.write("\n".join(line for line in lines[2:] if not line.startswith("  ")))
        self.stdout.write(_("The report is in %(path)s.") % {"path": path})
        if options["dry_run"]:
            return
        run.write()
        run.rebuild_statistics()
        written = [
            _("%(file)s: %(count)s written.") % {"file": kind, "count": file.written}
            for kind, file in report.files.items()
            if file.path is not None
        ]
        table = [
            "",
            _("Year by year"),
            "{:<6}{:>18}{:>22}{:>14}".format(
                _("Year"), _("Cards registered"), _("Cards taken into use"), _("Uses in all")
            ),
            *(
                f"{year:<6}{registered:>18}{taken:>22}{uses:>14}"
                for year, registered, taken, uses in yearly_table()
            ),
        ]
        elapsed = _("Done in %(seconds)s s.") % {"seconds": round(time.monotonic() - started)}
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join([*written, *table, "", elapsed]) + "\n")
        self.stdout.write("\n".join([*written, *table, "", elapsed]))


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS
