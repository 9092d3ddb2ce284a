"""Recompute the statistics summary tables from the uses (after a bulk load), or check them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaikukanta.stats import summaries


class Command(BaseCommand):
    help = (
        "Recompute the statistics summary tables from the uses and cards, in one transaction "
        "(recording waits for it); --check only compares them, without blocking recording."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help=(
                "Compare only; exit 1 if they disagree. The tables and the uses and cards are read "
                "in one snapshot (PostgreSQL: one REPEATABLE READ transaction) and rebuilt into "
                "temporary tables, so uses recorded meanwhile are neither blocked nor reported as "
                "drift."
            ),
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if check:
            found = summaries.differences()
            if found:
                raise CommandError("The summaries disagree with the uses: " + ", ".join(found))
            self.stdout.write("The summaries agree with the uses.")
            return
        summaries.rebuild()
        self.stdout.write("The summaries were rebuilt from the uses.")
