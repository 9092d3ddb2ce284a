"""manage.py import_registry run again, on files that changed or a registry that did: a card number
refused stays off the card that has it, uses included; a use removed in Kaikukanta is not imported
again; a row changed since its import is refused, never taken as already imported nor applied,
while what Kaikukanta changed itself is no change of the row; a year of twenty digits is refused as
any unreadable date; a kind given both as CSV and as XLSX refuses the run."""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import translation

from kaikukanta.accounts.models import Role
from kaikukanta.cards.models import Card
from kaikukanta.cards.services import HolderData, close_card, update_holder_data
from kaikukanta.migration_import.importer import RegistryImport
from kaikukanta.migration_import.models import ImportedKey
from kaikukanta.network.models import Venue
from kaikukanta.network.services import save_venue
from kaikukanta.uses.models import CancelledRequest, Use
from kaikukanta.uses.services import record_use, remove_use
from tests.conftest import make_user, new_key

from .test_import_registry import SAMPLE, run

NETWORK = ("regions", "municipalities", "organisations", "sites", "venues")
CARDS_HEADER = (SAMPLE / "cards.csv").read_text(encoding="utf-8").splitlines()[0]
USES_HEADER = (SAMPLE / "uses.csv").read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture
def national(db):
    return make_user("national", Role.NATIONAL_ADMIN)


def sample_copy(target: Path) -> Path:
    shutil.copytree(SAMPLE, target)
    return target


def edit(directory: Path, kind: str, old: str, new: str) -> None:
    path = directory / f"{kind}.csv"
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def append(directory: Path, kind: str, *rows: str) -> None:
    with (directory / f"{kind}.csv").open("a", encoding="utf-8") as handle:
        handle.writelines(row + "\n" for row in rows)


def network_with(target: Path, *, cards: list[str], uses: list[str] = ()) -> Path:
    """The sample's network, with these cards and uses only."""
    target.mkdir()
    for kind in NETWORK:
        shutil.copy(SAMPLE / f"{kind}.csv", target)
    (target / "cards.csv").write_text("\n".join([CARDS_HEADER, *cards]) + "\n", encoding="utf-8")
    (target / "uses.csv").write_text("\n".join([USES_HEADER, *uses]) + "\n", encoding="utf-8")
    return target


# --- 1. a refused card number: its uses are refused, not put on the card that has the number ----


def test_the_uses_of_a_refused_card_row_stay_off_the_card_that_has_the_number(national, tmp_path):
    run(
        network_with(
            tmp_path / "first",
            cards=["K1234567,S1,personal,2023-01-10,2024-01-09,,,,1960,33100,0,,"],
        )
    )
    holders_card = Card.objects.get(identifier="K1234567")
    second = network_with(
        tmp_path / "second",
        cards=["K1234567,S2,personal,2023-02-01,2023-12-31,,,,1985,48100,0,,"],
        uses=["U100,K1234567,V1,2023-03-01 12:00,entry_ticket,1,0"],
    )
    text = run(second)
    assert (
        "row 2, identifier: The number K1234567 is already another card's in Kaikukanta (issued at "
        "another site or on another day): correct the number, or the site or the issue day, in the "
        "export." in text
    )
    assert "uses.csv: 1 rows read, 0 accepted, 0 already imported, 1 refused." in text
    assert "row 2, card: The row of cards with the key K1234567 was refused (row 2)." in text
    assert not Use.objects.filter(card=holders_card).exists()
    holders_card.refresh_from_db()
    assert (holders_card.birth_year, holders_card.issuing_site.name) == (
        1960,
        "Sosiaalitoimisto Tampere",
    )


@pytest.mark.parametrize(
    ("language", "piece"),
    [
        ("fi", "K1234567 on Kaikukannassa jo toisen kortin numero"),
        ("sv", "K1234567 är redan ett annat korts nummer i Kaikukanta"),
    ],
)
def test_the_number_taken_is_told_in_the_operators_language(national, tmp_path, language, piece):
    run(
        network_with(
            tmp_path / "first",
            cards=["K1234567,S1,personal,2023-01-10,2024-01-09,,,,1960,33100,0,,"],
        )
    )
    second = network_with(
        tmp_path / "second", cards=["K1234567,S2,personal,2023-02-01,2023-12-31,,,,1985,48100,0,,"]
    )
    with translation.override(language):
        lines = RegistryImport(second, actor=national).validate().lines()
    assert any(piece in line for line in lines), lines


# --- 2. a use removed in Kaikukanta stays removed -------------------------------------------------


def test_a_use_removed_in_kaikukanta_is_not_imported_again(national, tmp_path):
    run(SAMPLE, report=tmp_path / "first.txt")
    remove_use(
        actor=national, use=Use.objects.get(idempotency_key="import:U1"), reason="recorded_twice"
    )
    # The retention policy deletes the removed use's request key in time: the import's own record
    # of what it imported is what keeps the use out.
    CancelledRequest.objects.all().delete()
    text = run(SAMPLE, report=tmp_path / "second.txt")
    assert "uses.csv: 28 rows read, 0 accepted, 9 already imported, 19 refused." in text
    assert not Use.objects.filter(idempotency_key="import:U1").exists()
    assert Use.objects.count() == 8
    # Its row changed in the files since: the use stays removed, not taken for a changed one.
    changed = sample_copy(tmp_path / "changed")
    edit(
        changed,
        "uses",
        "U1,K0001001,V1,2019-02-10 18:00,entry_ticket,1,2",
        "U1,K0001001,V1,2019-02-10 18:00,entry_ticket,1,1",
    )
    text = run(changed, report=tmp_path / "third.txt")
    assert "uses.csv: 28 rows read, 0 accepted, 9 already imported, 19 refused." in text
    assert Use.objects.count() == 8


def test_a_live_use_cannot_take_the_key_of_an_imported_row(national, tmp_path):
    """A client's request key "import:U1" is refused (core.idempotency), so the import's row U1 is
    never taken as already imported because of a use recorded at the box office."""
    from kaikukanta.core.errors import IdempotencyKeyInvalid

    directory = sample_copy(tmp_path / "network-and-cards")
    (directory / "uses.csv").write_text(USES_HEADER + "\n", encoding="utf-8")
    append(directory, "cards", "K0001099,S1,personal,2026-01-01,2026-12-31,,,,1970,33100,0,,")
    run(directory)
    venue = Venue.objects.get(name="Tampere-talo")  # V1, where the row U1 took place
    staff = make_user("staff", Role.VENUE_STAFF, venue=venue)
    with pytest.raises(IdempotencyKeyInvalid):
        record_use(
            actor=staff, venue=venue, card_identifier="K0001099", idempotency_key="import:U1"
        )
    assert record_use(
        actor=staff, venue=venue, card_identifier="K0001099", idempotency_key=new_key()
    ).created
    text = run(SAMPLE, report=tmp_path / "full.txt")
    assert "uses.csv: 28 rows read, 9 accepted, 0 already imported, 19 refused." in text
    assert Use.objects.filter(idempotency_key="import:U1", card__identifier="K0001001").exists()


def test_the_uses_imported_before_their_record_was_kept_are_recorded(world, alpha_card):
    """migration_import.0002: the uses earlier runs wrote, still there ("import:<id>") or removed
    since (their request key kept), are recorded by their key in the earlier registry."""
    migration = importlib.import_module("kaikukanta.migration_import.migrations.0002_imported_rows")
    recorded = record_use(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        card_identifier=alpha_card.identifier,
        idempotency_key=new_key(),
    ).use
    Use.objects.filter(pk=recorded.pk).update(idempotency_key="import:U1")
    CancelledRequest.objects.create(venue=world.alpha_venue, idempotency_key="import:U2")
    CancelledRequest.objects.create(venue=world.alpha_venue, idempotency_key="IMPORT:U3")
    CancelledRequest.objects.create(venue=world.alpha_venue, idempotency_key=new_key())

    migration.record_imported_uses(apps, None)

    assert set(ImportedKey.objects.filter(kind="uses").values_list("source_key", "object_id")) == {
        ("U1", recorded.pk),
        ("U2", None),
    }


# --- 3. a row changed since its import is refused; what Kaikukanta changed is no change ----------


def test_a_changed_card_row_is_refused_and_the_card_kept_as_imported(national, tmp_path):
    run(SAMPLE, report=tmp_path / "first.txt")
    changed = sample_copy(tmp_path / "changed")
    edit(
        changed,
        "cards",
        "K0001006,S1,personal,2023-05-05,2024-05-04,,,,2000,33720,0,,",
        "K0001006,S1,personal,2023-05-05,2024-05-04,,2024-03-01,lost,2000,33720,0,,",
    )
    edit(
        changed,
        "cards",
        "K0001004,S1,personal,2023-01-10,2024-01-09,,,,1950,33100,0,pensioner,female",
        "K0001004,S1,personal,2023-01-10,2024-01-09,,,,1950,33101,0,pensioner,female",
    )
    append(changed, "uses", "U90,K0001006,V1,2023-07-01 12:00,entry_ticket,1,0")
    text = run(changed, report=tmp_path / "changed.txt")
    assert "cards.csv: 26 rows read, 0 accepted, 6 already imported, 20 refused." in text
    assert (
        "row 7, closed_on: The card was imported earlier, and its row has changed since: "
        "closed_on, closing_reason. Kaikukanta takes no changes from the files: make the change in "
        "Kaikukanta if it is needed (close, renew or correct the card there), and give the row as "
        "it was imported; until then the card's new uses in the files are refused too." in text
    )
    assert (
        "row 5, postcode: The card was imported earlier, and its row has changed since: postcode."
        in text
    )
    card = Card.objects.get(identifier="K0001006")
    assert (card.status, card.closed_on, card.closing_reason) == ("active", None, "")
    assert Card.objects.get(identifier="K0001004").postcode == "33100"
    # The card's uses imported earlier stay imported; its new one waits for the card's row.
    assert "uses.csv: 29 rows read, 0 accepted, 9 already imported, 20 refused." in text
    assert "row 30, card: The row of cards with the key K0001006 was refused (row 7)." in text

    # Once Kaikukanta has what the row says, the row is as imported, and the use is judged by it.
    Card.objects.filter(pk=card.pk).update(
        status="closed", closed_on=dt.date(2024, 3, 1), closing_reason="lost"
    )
    text = run(changed, report=tmp_path / "again.txt")
    assert "cards.csv: 26 rows read, 0 accepted, 7 already imported, 19 refused." in text
    assert "uses.csv: 29 rows read, 1 accepted, 9 already imported, 19 refused." in text


def test_what_kaikukanta_changed_since_is_no_change_of_the_row(national, tmp_path):
    run(SAMPLE, report=tmp_path / "first.txt")
    close_card(actor=national, card=Card.objects.get(identifier="K0001001"), reason="on_request")
    update_holder_data(
        actor=national,
        card=Card.objects.get(identifier="K0001002"),
        holder=HolderData(birth_year=1975, postcode="33300", children=1),
    )
    venue = Venue.objects.get(name="Tampere-talo")
    venue.name = "Tampere-talo, iso sali"
    save_venue(actor=national, venue=venue)
    text = run(SAMPLE, report=tmp_path / "second.txt")
    assert "cards.csv: 26 rows read, 0 accepted, 8 already imported, 18 refused." in text
    assert "venues.csv: 7 rows read, 0 accepted, 4 already imported, 3 refused." in text
    assert "uses.csv: 28 rows read, 0 accepted, 9 already imported, 19 refused." in text
    assert "has changed since" not in text


def test_a_row_written_another_way_with_the_same_values_is_no_change(national, tmp_path):
    run(SAMPLE, report=tmp_path / "first.txt")
    other = sample_copy(tmp_path / "other")
    edit(
        other,
        "cards",
        "K0001002,S1,personal,2019-03-15,2021-03-14,2020-03-15",
        "K0001002,S1,personal,15.3.2019,14.3.2021,15.3.2020",
    )
    edit(
        other,
        "uses",
        "U2,K0001001,V1,2019-05-01,entry_ticket,1,0",
        "U2,k0001001,V1,1.5.2019 12:00,,yes,",
    )
    edit(
        other,
        "venues",
        "V1,Tampere-talo,O1,R1,837,culture,1,0,,",
        "V1,Tampere-talo,O1,R1,837,culture,kyllä,ei,,",
    )
    text = run(other, report=tmp_path / "second.txt")
    assert "cards.csv: 26 rows read, 0 accepted, 8 already imported, 18 refused." in text
    assert "venues.csv: 7 rows read, 0 accepted, 4 already imported, 3 refused." in text
    assert "uses.csv: 28 rows read, 0 accepted, 9 already imported, 19 refused." in text
    assert "has changed since" not in text


def _xlsx_with_dates(target: Path) -> None:
    """The sample as XLSX, its dates and times as Excel keeps them: date-time cells."""
    import csv

    from openpyxl import Workbook

    target.mkdir()
    date_columns = {"issued_on", "valid_until", "renewed_on", "closed_on", "occurred_at"}
    for source in SAMPLE.glob("*.csv"):
        with source.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        workbook = Workbook()
        for number, row in enumerate(rows):
            cells: list[object] = list(row)
            for index, column in enumerate(rows[0]):
                value = row[index] if index < len(row) else ""
                if number and column in date_columns:
                    try:
                        found = dt.datetime.fromisoformat(value)
                    except ValueError:
                        continue
                    if column != "occurred_at" or len(value) > 10:  # a date alone is noon
                        cells[index] = found
            workbook.active.append(cells)
        workbook.save(target / f"{source.stem}.xlsx")


def test_a_row_imported_from_xlsx_and_given_again_as_csv_is_no_change(national, tmp_path):
    _xlsx_with_dates(tmp_path / "xlsx")
    run(tmp_path / "xlsx", report=tmp_path / "first.txt")
    changed = sample_copy(tmp_path / "csv")
    edit(
        changed,
        "cards",
        "K0001006,S1,personal,2023-05-05,2024-05-04,,,,2000,33720,0,,",
        "K0001006,S1,personal,2023-05-05,2024-05-04,,2024-03-01,lost,2000,33720,0,,",
    )
    edit(
        changed,
        "uses",
        "U2,K0001001,V1,2019-05-01,entry_ticket,1,0",
        "U2,K0001001,V1,2019-05-01,entry_ticket,1,1",
    )
    # Renewed in Kaikukanta since: its validity as imported (a date cell) is no change of the row.
    Card.objects.filter(identifier="K0001006").update(
        renewed_on=dt.date(2024, 5, 1), valid_until=dt.date(2025, 4, 30)
    )
    text = run(changed, report=tmp_path / "second.txt")
    assert "cards.csv: 26 rows read, 0 accepted, 7 already imported, 19 refused." in text
    assert (
        "row 7, closed_on: The card was imported earlier, and its row has changed since: "
        "closed_on, closing_reason." in text
    )
    assert "uses.csv: 28 rows read, 0 accepted, 8 already imported, 20 refused." in text
    assert (
        "row 3, child_tickets: The use was imported earlier, and its row has changed since: "
        "child_tickets." in text
    )


def test_a_rerun_of_cards_and_uses_alone_finds_them_as_imported(national, tmp_path):
    """The network's files left out of a later run: the cards and uses are still compared with
    what was imported (their sites and venues by their keys), not taken for changed."""
    run(SAMPLE, report=tmp_path / "first.txt")
    directory = sample_copy(tmp_path / "no-network")
    for kind in NETWORK:
        (directory / f"{kind}.csv").unlink()
    text = run(directory, report=tmp_path / "second.txt")
    assert "cards.csv: 26 rows read, 0 accepted, 8 already imported, 18 refused." in text
    assert "uses.csv: 28 rows read, 0 accepted, 9 already imported, 19 refused." in text
    assert "has changed since" not in text


def test_a_changed_venue_row_is_refused_and_its_new_uses_with_it(national, tmp_path):
    run(SAMPLE, report=tmp_path / "first.txt")
    changed = sample_copy(tmp_path / "changed")
    edit(
        changed,
        "venues",
        "V1,Tampere-talo,O1,R1,837,culture,1,0,,",
        "V1,Tampere-talo,O1,R1,837,culture,0,0,,31.12.2022",
    )
    append(changed, "uses", "U90,K0001006,V1,2023-07-01 12:00,entry_ticket,1,0")
    text = run(changed, report=tmp_path / "changed.txt")
    assert (
        "row 2, accepts_other_regions: The row was imported earlier, and it has changed since: "
        "accepts_other_regions, active_until." in text
    )
    venue = Venue.objects.get(name="Tampere-talo")
    assert (venue.accepts_other_regions, venue.active_until) == (True, None)
    assert "uses.csv: 29 rows read, 0 accepted, 9 already imported, 20 refused." in text
    assert "row 30, venue: The row of venues with the key V1 was refused (row 2)." in text


def test_a_changed_use_row_is_refused(national, tmp_path):
    run(SAMPLE, report=tmp_path / "first.txt")
    # U3 as imported before the rows were kept (migration 0002): compared with the use itself.
    ImportedKey.objects.filter(kind="uses", source_key="U3").update(row="")
    changed = sample_copy(tmp_path / "changed")
    edit(
        changed,
        "uses",
        "U2,K0001001,V1,2019-05-01,entry_ticket,1,0",
        "U2,K0001001,V1,2019-05-01,entry_ticket,1,1",
    )
    edit(
        changed,
        "uses",
        "U3,K0001002,V3,12.4.2019 10.30,course_place,1,0",
        "U3,K0001002,V1,12.4.2019 10.45,course_place,1,0",
    )
    text = run(changed, report=tmp_path / "changed.txt")
    assert "uses.csv: 28 rows read, 0 accepted, 7 already imported, 21 refused." in text
    assert (
        "row 3, child_tickets: The use was imported earlier, and its row has changed since: "
        "child_tickets." in text
    )
    assert (
        "row 4, venue: The use was imported earlier, and its row has changed since: "
        "venue, occurred_at." in text
    )
    assert Use.objects.get(idempotency_key="import:U2").child_tickets == 0


# --- 4. a year of twenty digits -------------------------------------------------------------------


def test_a_year_of_twenty_digits_is_refused_as_an_unreadable_date(national, tmp_path):
    directory = sample_copy(tmp_path / "overflow")
    edit(
        directory,
        "regions",
        "pilot,1.1.2023,31.12.2023",
        "pilot,1.1.99999999999999999999,31.12.2023",
    )
    edit(
        directory,
        "cards",
        "K0001002,S1,personal,2019-03-15",
        "K0001002,S1,personal,15.3.99999999999999999999",
    )
    edit(
        directory,
        "uses",
        "U4,K0001003,V4,2019-10-01 12:00",
        "U4,K0001003,V4,1.10.99999999999999999999 12:00",
    )
    report = RegistryImport(directory, actor=national).validate()
    regions = {r.row: (r.column, r.reason) for r in report.files["regions"].refusals}
    assert regions[3] == (
        "pilot_starts",
        "1.1.99999999999999999999 is not a date: write it as 31.12.2025 or 2025-12-31.",
    )
    cards = {r.row: (r.column, r.reason) for r in report.files["cards"].refusals}
    assert cards[3] == (
        "issued_on",
        "15.3.99999999999999999999 is not a date: write it as 31.12.2025 or 2025-12-31.",
    )
    uses = {r.row: (r.column, r.reason) for r in report.files["uses"].refusals}
    assert uses[5] == (
        "occurred_at",
        "1.10.99999999999999999999 12:00 is not a time: write it as 31.12.2025 14:30 or "
        "2025-12-31 14:30.",
    )


# --- 5. one kind in two formats ------------------------------------------------------------------


def _as_xlsx(source: Path, target: Path) -> None:
    import csv

    from openpyxl import Workbook

    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(target)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "Both cards.csv and cards.xlsx are in {dir}: the import reads one file of each kind.",
        ),
        ("fi", "Hakemistossa {dir} ovat sekä cards.csv että cards.xlsx"),
        ("sv", "Både cards.csv och cards.xlsx finns i {dir}"),
    ],
)
def test_a_kind_in_two_formats_refuses_the_run(national, tmp_path, language, message):
    directory = sample_copy(tmp_path / "both")
    _as_xlsx(directory / "cards.csv", directory / "cards.xlsx")
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_registry",
            str(directory),
            "--actor",
            "national",
            "--language",
            language,
            "--no-progress",
        )
    assert message.format(dir=directory) in str(raised.value)
    assert not (directory / "import-report.txt").exists()
    assert not Venue.objects.exists()
