"""Import cards from the earlier registry, numbers as they are, all or nothing."""

import csv
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kaikukanta.accounts.models import User
from kaikukanta.cards.services import HolderData, import_card
from kaikukanta.core.errors import DomainError, refusals_of
from kaikukanta.network.models import DistributorSite

COLUMNS = ["identifier", "site", "card_type", "issued_on", "valid_until"]
HOLDER_COLUMNS = ["birth_year", "postcode", "children"]


class Command(BaseCommand):
    help = (
        "Import cards from a UTF-8 CSV file with the columns identifier, site (the distributor "
        "site's id), card_type (personal or community), issued_on and valid_until (YYYY-MM-DD), "
        "renewed_on (optional), and for personal cards birth_year, postcode and children, with "
        "life_situation and gender optional. Either every row is imported or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file")
        parser.add_argument(
            "--actor", required=True, help="User name of the national administrator importing."
        )

    def handle(self, *args, csv_file, actor, **options):
        try:
            user = User.objects.get(username=actor, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {actor!r}.") from None
        with open(csv_file, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        if not rows:
            raise CommandError(f"{csv_file} has no rows.")
        missing = [column for column in COLUMNS if column not in rows[0]]
        if missing:
            raise CommandError(f"{csv_file} lacks the columns: {', '.join(missing)}.")
        sites = {str(site.pk): site for site in DistributorSite.objects.select_related("region")}
        try:
            with transaction.atomic():
                for line, row in enumerate(rows, start=2):
                    self._import(user, sites, line, row)
        except _RowError as error:
            raise CommandError(
                f"{csv_file}, line {error.line}: {error.message} Nothing was imported."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {len(rows)} cards."))

    def _import(self, user, sites, line, row):
        def date(name, required=True):
            value = (row.get(name) or "").strip()
            if not value and not required:
                return None
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise _RowError(
                    line, f"{name} must be a date like 2025-03-31, not {value!r}."
                ) from None

        def number(name):
            value = (row.get(name) or "").strip()
            try:
                return int(value)
            except ValueError:
                raise _RowError(line, f"{name} must be a whole number, not {value!r}.") from None

        site = sites.get((row.get("site") or "").strip())
        if site is None:
            raise _RowError(line, f"no distributor site has the id {row.get('site')!r}.")
        card_type = (row.get("card_type") or "").strip()
        if card_type not in {"personal", "community"}:
            raise _RowError(line, f"card_type must be personal or community, not {card_type!r}.")
        holder = None
        if card_type == "personal":
            holder = HolderData(
                birth_year=number("birth_year"),
                postcode=(row.get("postcode") or "").strip(),
                children=number("children"),
                life_situation=(row.get("life_situation") or "").strip(),
                gender=(row.get("gender") or "").strip(),
            )
        try:
            import_card(
                actor=user,
                site=site,
                identifier=row["identifier"],
                issued_on=date("issued_on"),
                valid_until=date("valid_until"),
                renewed_on=date("renewed_on", required=False),
                holder=holder,
            )
        except DomainError as error:
            # Every fault of the row at once (Refusals), so that one round of fixing the file does.
            message = " ".join(refusal.message for refusal in refusals_of(error))
            raise _RowError(line, message) from None


class _RowError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message
