"""manage.py import_registry on the sample set shipped in the repository (kaikukanta/migration_import/
sample, documented in docs/import.md): the report names every refused row, its column and reason;
the accepted rows are written with their audit events and counted in the statistics; a second run
adds nothing; an interrupted run resumes; a dry run writes nothing; XLSX and Excel's semicolon CSV
read the same."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kaikukanta.accounts.models import Role
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.models import Card
from kaikukanta.migration_import.importer import RegistryImport, Stop, yearly_table
from kaikukanta.migration_import.models import ImportedKey
from kaikukanta.network.models import DistributorSite, Municipality, Organisation, Region, Venue
from kaikukanta.stats import summaries
from kaikukanta.uses.models import Use
from tests.conftest import make_user

SAMPLE = Path(__file__).resolve().parents[2] / "kaikukanta" / "migration_import" / "sample"

# The sample's own figures (docs/import.md): year, cards registered, taken into use, uses in all.
SAMPLE_YEARS = [("2019", 4, 4, 7), ("2020", 0, 0, 1), ("2023", 3, 2, 6)]

# Every refusal of the sample: file, row, column, and a piece of the reason (English).
REFUSED = {
    "regions": [
        (4, "pilot_starts", "A pilot needs its first and last day"),
        (5, "status", "temporary is not one of the options"),
        (6, "id", "The same key as row 2"),
        (7, "pilot_ends", "The pilot ends (1.1.2023) before it starts (31.12.2023)"),
        (8, "slug", "Another region already has the address name “pirkanmaa”"),
    ],
    "municipalities": [
        (5, "code", "A municipality code has three digits"),
        (6, "regions", "No row of regions, in these files or an earlier import, has the key R9"),
        (7, "code", "The column is empty"),
        (8, "regions", "The row of regions with the key R3 was refused (row 4)"),
    ],
    "organisations": [
        (4, "kind", "church is not one of the options"),
        (5, "id", "The column is empty"),
    ],
    "sites": [
        (4, "region", "has the key R9"),
        (5, "organisation", "The row of organisations with the key O3 was refused (row 4)"),
        (6, "active", "ehkä is not yes or no"),
    ],
    "venues": [
        (6, "active_from", "A pop-up venue accepts cards for a fixed period"),
        (7, "category", "library is not one of the options"),
        (8, "municipality", "has the key 999"),
    ],
    "cards": [
        (9, "identifier", "An imported card number may contain only the letters A-Z"),
        (10, "issued_on", "The date 1.1.2027 is in the future"),
        (11, "valid_until", "The date 1.4.2023 is before card K0001009 was issued on 1.5.2023"),
        (12, "renewed_on", "The date of the extension, 1.2.2023, is after the validity"),
        (13, "valid_until", "the pilot of Kaakko ends on 31.12.2023"),
        (14, "birth_year", "19x0 is not a whole number"),
        (15, "birth_year", "Give the birth year as four digits"),
        (16, "birth_year", "must be born in 2007 or earlier"),
        (17, "postcode", "A Finnish postcode has exactly five digits"),
        (18, "children", "as a whole number from 0 to 20"),
        (19, "closing_reason", "A closed card needs both its closing day and its closing reason"),
        (20, "site", "has the key S9"),
        (21, "site", "The row of sites with the key S4 was refused (row 5)"),
        (22, "identifier", "The same key as row 2"),
        (23, "card_type", "gift is not one of the options"),
        (24, "issued_on", "31.2.2023 is not a date"),
        (25, "life_situation", "retired is not one of the options"),
        (26, "closed_on", "The date 1.5.2023 is before card K0001023 was issued on 1.6.2023"),
    ],
    "uses": [
        (10, "venue", "Kotkan uimahalli accepts only cards issued in Kaakko"),
        (11, "occurred_at", "Card K0001001 expired on 31.1.2020"),
        (12, "occurred_at", "Card K0001003 was closed on 15.1.2020"),
        (13, "occurred_at", "Card K0001004 was issued on 10.1.2023 and was not valid on 1.12.2022"),
        (14, "occurred_at", "the end of the pilot of Kaakko"),
        (15, "venue", "Kangasalan museo does not accept cards on 1.9.2020"),
        (16, "card", "Card K0001007 is a community card, for group visits only"),
        (17, "child_tickets", "so it gives at most 0 child tickets"),
        (18, "child_tickets", "Child tickets come only with entry tickets"),
        (19, "adult_ticket", "Record at least one ticket"),
        (20, "occurred_at", "is in the future"),
        (21, "card", "has the key K9999999"),
        (22, "card", "The row of cards with the key ÄÄ12 was refused (row 9)"),
        (23, "venue", "has the key V9"),
        (24, "occurred_at", "eilen is not a time"),
        (25, "kind", "ticket is not one of the options"),
        (26, "adult_ticket", "ehkä is not yes or no"),
        (27, "child_tickets", "kaksi is not a whole number"),
        (28, "id", "The same key as row 2"),
    ],
}
ACCEPTED = {
    "regions": 2,
    "municipalities": 3,
    "organisations": 2,
    "sites": 3,
    "venues": 4,
    "cards": 8,
    "uses": 9,
}
MODELS = (Region, Municipality, Organisation, DistributorSite, Venue, Card, Use, AuditEvent)


@pytest.fixture
def national(db):
    return make_user("national", Role.NATIONAL_ADMIN)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def run(directory: Path, *extra: str, report: Path | None = None) -> str:
    report = report or directory.parent / f"{directory.name}-report.txt"
    call_command(
        "import_registry",
        str(directory),
        "--actor",
        "national",
        "--language",
        "en",
        "--no-progress",
        "--report",
        str(report),
        *extra,
    )
    return report.read_text(encoding="utf-8")


def test_the_sample_gives_the_documented_report(national, tmp_path):
    importer = RegistryImport(SAMPLE, actor=national)
    report = importer.validate()
    for kind, refused in REFUSED.items():
        file = report.files[kind]
        found = [(r.row, r.column, r.reason) for r in file.refusals]
        assert [(row, column) for row, column, _reason in found] == [
            (row, column) for row, column, _piece in refused
        ], kind
        for (_row, _column, reason), (_r, _c, piece) in zip(found, refused, strict=True):
            assert piece in reason
        assert file.accepted == ACCEPTED[kind], kind
        assert file.read == file.accepted + file.refused
    assert report.outside_validity == {
        "K0001001": [11],
        "K0001003": [12],
        "K0001004": [13],
        "K0001005": [14],
    }
    text = run(SAMPLE, "--dry-run", report=tmp_path / "report.txt")
    assert "cards.csv: 26 rows read, 8 accepted, 0 already imported, 18 refused." in text
    assert "row 17, postcode: A Finnish postcode has exactly five digits" in text
    assert "Duplicates: 3" in text
    assert "cards row 22 repeats row 2." in text
    assert "Cards whose uses fall outside their validity: 4" in text
    assert "K0001005: uses rows 14" in text


def test_the_import_writes_the_accepted_rows_audited_and_counted(national, tmp_path):
    text = run(SAMPLE, report=tmp_path / "report.txt")
    assert Card.objects.count() == 8
    assert Use.objects.count() == 9
    assert set(Region.objects.values_list("slug", flat=True)) == {"pirkanmaa", "kaakko"}
    assert sorted(
        Region.objects.get(slug="pirkanmaa").municipalities.values_list("code", flat=True)
    ) == [
        "211",
        "837",
    ]
    assert Venue.objects.get(name="Kiertävä teatteri").region is None
    closed = Card.objects.get(identifier="K0001003")
    assert (closed.status, closed.closing_reason) == ("closed", "lost")
    assert Card.objects.get(identifier="K0001007").card_type == "community"
    assert all(card.imported for card in Card.objects.all())
    # Every write leaves an audit event: each card, each use, each network object.
    for model, action in ((Card, Action.CARD_IMPORTED), (Use, Action.USE_RECORDED)):
        audited = set(
            AuditEvent.objects.filter(action=action, actor=national).values_list(
                "object_id", flat=True
            )
        )
        assert audited == {str(pk) for pk in model.objects.values_list("pk", flat=True)}
    created = AuditEvent.objects.filter(action=Action.OBJECT_CREATED).count()
    assert created == 2 + 3 + 2 + 3 + 4
    # The statistics are those a rebuild gives, and the yearly table is the sample's own.
    assert summaries.differences() == []
    assert yearly_table() == SAMPLE_YEARS
    assert "2019                   4                     4             7" in text


def test_a_second_run_adds_nothing(national, tmp_path):
    run(SAMPLE, report=tmp_path / "first.txt")
    before = counts()
    text = run(SAMPLE, report=tmp_path / "second.txt")
    assert counts() == before
    assert "cards.csv: 26 rows read, 0 accepted, 8 already imported, 18 refused." in text
    assert "uses.csv: 28 rows read, 0 accepted, 9 already imported, 19 refused." in text
    assert "venues.csv: 7 rows read, 0 accepted, 4 already imported, 3 refused." in text
    assert yearly_table() == SAMPLE_YEARS


def test_an_interrupted_run_resumes(national, tmp_path):
    importer = RegistryImport(SAMPLE, actor=national, batch_size=3, stop_after_batches=2)
    importer.validate()
    with pytest.raises(Stop):
        importer.write()
    assert Card.objects.count() == 6  # two batches of three
    assert Use.objects.count() == 0
    text = run(SAMPLE, "--batch-size", "3", report=tmp_path / "resumed.txt")
    assert "cards.csv: 26 rows read, 2 accepted, 6 already imported, 18 refused." in text
    assert Card.objects.count() == 8
    assert Use.objects.count() == 9
    assert ImportedKey.objects.exclude(kind__in=["cards", "uses"]).count() == 2 + 2 + 3 + 4
    # Each card and use written is recorded once, the interrupted run's too.
    assert ImportedKey.objects.filter(kind="cards").count() == 8
    assert ImportedKey.objects.filter(kind="uses").count() == 9
    assert yearly_table() == SAMPLE_YEARS
    assert AuditEvent.objects.filter(action=Action.CARD_IMPORTED).count() == 8


def test_a_truncated_file_then_the_full_one(national, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(SAMPLE, partial)
    with (partial / "uses.csv").open(encoding="utf-8") as handle:
        rows = handle.readlines()
    (partial / "uses.csv").write_text("".join(rows[:4]), encoding="utf-8")
    run(partial)
    assert Use.objects.count() == 3
    text = run(SAMPLE, report=tmp_path / "full.txt")
    assert "uses.csv: 28 rows read, 6 accepted, 3 already imported, 19 refused." in text
    assert yearly_table() == SAMPLE_YEARS


def test_a_dry_run_writes_nothing(national, tmp_path):
    before = counts()
    text = run(SAMPLE, "--dry-run", report=tmp_path / "report.txt")
    assert counts() == before
    assert ImportedKey.objects.count() == 0
    assert "Dry run: nothing was written." in text


def test_the_report_is_in_the_operators_language(national, tmp_path):
    report = tmp_path / "raportti.txt"
    call_command(
        "import_registry",
        str(SAMPLE),
        "--actor",
        "national",
        "--dry-run",
        "--no-progress",
        "--language",
        "fi",
        "--report",
        str(report),
    )
    text = report.read_text(encoding="utf-8")
    assert "rivi 17, postcode: Suomalaisessa postinumerossa on tasan viisi numeroa" in text
    assert "Kuivaharjoitus: mitään ei kirjoitettu." in text


def _semicolon_copy(target: Path) -> None:
    """The sample as Excel's "CSV (semicolon separated)" saves it: a byte-order mark, semicolons."""
    target.mkdir()
    for source in SAMPLE.glob("*.csv"):
        with source.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        with (target / source.name).open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)


def _xlsx_copy(target: Path) -> None:
    from openpyxl import Workbook

    target.mkdir()
    for source in SAMPLE.glob("*.csv"):
        with source.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        workbook = Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append(row)
        workbook.save(target / f"{source.stem}.xlsx")


def _lines(directory: Path, national) -> list[str]:
    lines = RegistryImport(directory, actor=national).validate().lines()
    return [line.replace(".xlsx", ".csv") for line in lines]


def test_xlsx_and_semicolon_csv_read_the_same(national, tmp_path):
    _semicolon_copy(tmp_path / "semicolon")
    _xlsx_copy(tmp_path / "xlsx")
    expected = _lines(SAMPLE, national)
    assert _lines(tmp_path / "semicolon", national) == expected
    assert _lines(tmp_path / "xlsx", national) == expected
    run(tmp_path / "xlsx")
    assert yearly_table() == SAMPLE_YEARS


def test_a_number_already_registered_elsewhere_is_refused(world, tmp_path):
    from kaikukanta.cards.services import HolderData, import_card

    import_card(
        actor=world.national,
        site=world.alpha_site,
        identifier="K0001004",
        issued_on=world_day(),
        valid_until=world_day(),
        holder=HolderData(birth_year=1970, postcode="33100", children=0),
    )
    report = RegistryImport(SAMPLE, actor=world.national).validate()
    refusals = {r.row: r for r in report.files["cards"].refusals}
    assert refusals[5].column == "identifier"
    assert refusals[5].reason == (
        "The number K0001004 is already another card's in Kaikukanta (issued at another site or "
        "on another day): correct the number, or the site or the issue day, in the export."
    )
    # Its uses are refused with it, not recorded on the card that has the number.
    uses = {r.row: r for r in report.files["uses"].refusals}
    assert uses[8].column == "card"
    assert uses[8].reason == "The row of cards with the key K0001004 was refused (row 5)."


def world_day():
    import datetime as dt

    return dt.date(2024, 1, 1)


def test_a_file_without_a_required_column_is_not_read(national, tmp_path):
    directory = tmp_path / "missing"
    shutil.copytree(SAMPLE, directory)
    (directory / "organisations.csv").write_text("id,name\nO1,Kaupunki\n", encoding="utf-8")
    text = run(directory, "--dry-run")
    assert "organisations.csv: the file lacks the columns kind; nothing of it was read." in text
    assert "The row of organisations" not in text
    assert "sites.csv: 6 rows read, 0 accepted" in text


def test_only_a_national_administrator_imports(world, tmp_path):
    with pytest.raises(CommandError, match="not an active national administrator"):
        call_command(
            "import_registry",
            str(SAMPLE),
            "--actor",
            world.alpha_coordinator.username,
            "--no-progress",
            "--language",
            "en",
            "--report",
            str(tmp_path / "r.txt"),
        )


def test_the_screen_shows_counts_and_no_card_number(national, tmp_path, capsys):
    text = run(SAMPLE, report=tmp_path / "report.txt")
    out = capsys.readouterr().out
    assert "cards.csv: 26 rows read, 8 accepted, 0 already imported, 18 refused." in out
    assert "Cards whose uses fall outside their validity: 4" in out
    assert "2023                   3                     2             6" in out
    assert "K000" not in out
    assert "K0001005: uses rows 14" in text  # the report file has them


def test_the_imports_audit_rows_take_registered_verbs_only(national, tmp_path):
    """The import writes its audit events by COPY, not through audit.services.record: a verb no
    app registered is refused there too, and nothing is written."""
    run = RegistryImport(tmp_path, actor=national)
    with pytest.raises(ValueError, match="unregistered audit action"):
        run._audit("card.teleported", Card, [(1, None, None, {})])
    assert not AuditEvent.objects.filter(action="card.teleported").exists()
