"""Synthetic benchmark data: N cards and M uses in bulk, with realistic distributions.

This is *not* a way to register cards. It bypasses the service layer on purpose: issuing a million
cards through `issue_card` (one transaction, permission check and audit event each) would take
hours, and the point is to measure queries, statistics and pages on a registry of national size.
Instead the rows are generated here, already obeying the model's check constraints and the
services' rules (holders at least 16 in the issue year, validity of one year from issue or last
renewal and never past a pilot's end, issue only inside a pilot, uses only while the card is valid
and not after its closing, child tickets only with entry tickets and never more than the card's
children, ...), and written with PostgreSQL's COPY (or batched INSERTs on SQLite). No per-card
audit events are written: a single `data.loaded` event with ``{"what": "synthetic", ...counts}``
records the run. For benchmarks of the audit trail, ``audit_events`` adds that many synthetic events
of their own (see `AUDIT_MIX`): staff actions spread over the history, by synthetic user names and with
no actor account, naming random card and use keys; they describe no real change.

If the database has no region that could take cards (one with a distributor site and a venue), or
if ``regions`` is given, a synthetic national network is created first, through the ORM: regions
named "Synteettinen alue NN", each with one municipality, distributor sites and venues, and a few
national pop-up venues.

Primary keys are assigned here (the tables are locked against concurrent writes while loading, and
their identity sequences are moved past the new rows afterwards). Rows are generated in chunks, so
that memory stays bounded: what the uses need of each card is kept in compact arrays, and the
planned uses as one 4-byte card index per use, bucketed by day, so that uses are written in time
order like real ones.

On PostgreSQL, a load that at least doubles a table (of 100,000 rows or more) drops the table's
secondary indexes, unique constraints and foreign keys first and recreates them afterwards, from the
exact definitions the catalog gave before (see `IndexRebuild`): building an index once is many times
faster than maintaining ten of them row by row. The tables are then locked (ACCESS EXCLUSIVE) until
the load commits; a failed load rolls everything back, drops included. The whole run is one
transaction; ANALYZE follows it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import time
import zoneinfo
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.audit.services import record
from kaikukanta.cards import identifiers
from kaikukanta.cards.models import (
    RECORD_KEYS,
    Card,
    CardStatus,
    CardType,
    ClosingReason,
    Gender,
    LifeSituation,
)
from kaikukanta.core.dates import add_years, today
from kaikukanta.demo import seed as demo_seed
from kaikukanta.network.models import (
    DistributorSite,
    Municipality,
    Organisation,
    Region,
    Venue,
    WellbeingCounty,
)
from kaikukanta.uses.models import Use, UseKind

DEFAULT_REGIONS = 20
DEFAULT_BATCH = 100_000
HISTORY_YEARS = 3
SLUG_PREFIX = "synteettinen-"
INDEX_MODES = ("auto", "keep", "rebuild")
# With indexes=auto, a table's indexes are rebuilt when at least this many rows are loaded, and at
# least as many as the table had.
AUTO_REBUILD_MIN_ROWS = 100_000
POPUP_PREFIX = "Synteettinen pop-up"

# --- distributions -------------------------------------------------------------------------------

COMMUNITY_SHARE = 0.01
RENEWED_SHARE = 0.40  # of the cards whose first year is over
CLOSED_SHARE = 0.05
# Cards left unused on purpose; cards issued lately that happen to get no use add about as many
# more, for some 20% never used in all.
NEVER_USED_SHARE = 0.12
HOME_REGION_SHARE = 0.80
OTHER_REGION_SHARE = 0.10  # the rest goes to pop-up venues where one is open that day
CHILD_TICKET_SHARE = 0.30  # of the entry tickets of holders with children
NO_ADULT_TICKET_SHARE = 0.05  # of the uses with child tickets: the holder only brings the children
NOT_ACCEPTING_OTHERS_SHARE = 0.08  # venues that accept their own region's cards only
VENUE_CATEGORY_WEIGHTS = {"culture": 60, "education": 20, "science": 5, "sports": 15}


def _table(weights: dict) -> list:
    """An expanded choice table: `table[int(random() * len(table))]` is a weighted choice."""
    return [value for value, weight in weights.items() for _ in range(weight)]


CHILDREN_TABLE = _table({0: 600, 1: 170, 2: 130, 3: 70, 4: 18, 5: 8, 6: 4})
GENDER_TABLE = _table(
    {Gender.FEMALE.value: 49, Gender.MALE.value: 34, Gender.OTHER.value: 2, "": 15}
)
LIFE_SITUATION_TABLES = {
    # (age band) -> table; 15% leave it unanswered.
    "young": _table(
        {"student": 34, "unemployed": 25, "employed": 10, "ill": 8, "family": 5, "other": 3, "": 15}
    ),
    "adult": _table(
        {
            "unemployed": 28,
            "ill": 18,
            "employed": 15,
            "family": 8,
            "student": 4,
            "pensioner": 6,
            "other": 6,
            "": 15,
        }
    ),
    "old": _table({"pensioner": 75, "ill": 3, "other": 7, "": 15}),
}
assert set(itertools.chain(*LIFE_SITUATION_TABLES.values())) <= {*LifeSituation.values, ""}
CLOSING_REASON_TABLE = _table(
    {
        ClosingReason.LOST.value: 30,
        ClosingReason.MOVED_AWAY.value: 30,
        ClosingReason.NOT_ELIGIBLE.value: 15,
        ClosingReason.ON_REQUEST.value: 25,
    }
)
KIND_TABLES = {
    "education": _table(
        {
            UseKind.COURSE_PLACE.value: 15,
            UseKind.SEASON_PASS.value: 2,
            UseKind.ENTRY_TICKET.value: 3,
        }
    ),
    "sports": _table({UseKind.ENTRY_TICKET.value: 17, UseKind.SEASON_PASS.value: 3}),
    "culture": [UseKind.ENTRY_TICKET.value],
    "science": [UseKind.ENTRY_TICKET.value],
}
# Synthetic audit events: (action, who does it, object type, weight). "venue" events name a venue and
# its region, "site" events the region of a distributor site, "region" events a coordinator's region.
AUDIT_MIX = [
    (Action.USE_RECORDED, "venue", "uses.use", 400),
    (Action.CARD_CHECKED, "venue", "cards.card", 300),
    (Action.CARD_VIEWED, "site", "cards.card", 120),
    (Action.CARD_ISSUED, "site", "cards.card", 80),
    (Action.CARD_RENEWED, "site", "cards.card", 40),
    (Action.USE_REJECTED, "venue", "", 25),
    (Action.CARD_CLOSED, "site", "cards.card", 15),
    (Action.GROUP_VISIT_RECORDED, "venue", "uses.groupvisit", 8),
    (Action.EVENT_CREATED, "venue", "events.event", 5),
    (Action.EVENT_CHANGED, "venue", "events.event", 3),
    (Action.CARD_REPLACED, "site", "cards.card", 2),
    (Action.ROLE_GRANTED, "region", "accounts.roleassignment", 1),
    (Action.LOOKUPS_FLAGGED, "venue", "audit.flag", 1),
]
AUDIT_REJECTION_CODES = ["card_expired", "card_closed", "card_unknown", "venue_not_accepting"]

# Uses happen between 10:00 and 20:00, more in the afternoon and early evening.
HOUR_TABLE = _table({10: 8, 11: 10, 12: 12, 13: 13, 14: 13, 15: 12, 16: 11, 17: 13, 18: 14, 19: 10})


def _age_weight(age: int) -> float:
    if age < 25:
        return 0.9 + 0.05 * (age - 16)
    if age < 70:
        return 1.8 + 0.4 * (1 - abs(age - 50) / 25)
    return max(0.1, 1.6 - 0.075 * (age - 70))


AGE_TABLE = _table({age: round(10 * _age_weight(age)) for age in range(16, 91)})

# Seasons: cards are issued on weekdays, less in summer; uses peak at weekends and in autumn.
ISSUE_MONTH = [1.0, 1.0, 1.0, 0.95, 0.9, 0.7, 0.4, 0.85, 1.1, 1.1, 1.05, 0.7]
ISSUE_WEEKDAY = [1.0, 1.0, 1.0, 1.0, 0.9, 0.08, 0.04]
USE_MONTH = [0.9, 1.0, 1.05, 1.0, 0.95, 0.8, 0.7, 0.85, 1.05, 1.1, 1.1, 0.85]
USE_WEEKDAY = [0.75, 0.85, 0.9, 0.95, 0.95, 1.0, 0.9]

SITE_NAMES = [
    ("Aikuissosiaalityö", "public"),
    ("Mielenterveys- ja päihdepalvelut", "public"),
    ("Työllisyyspalvelut", "public"),
    ("Vammaispalvelut", "public"),
    ("Kotihoito", "public"),
    ("Maahanmuuttajapalvelut", "public"),
    ("Ohjaamo", "public"),
    ("Etsivä nuorisotyö", "public"),
    ("Diakoniatyö", "parish"),
    ("Kohtaamispaikka", "third_sector"),
    ("Mielenterveysyhdistys", "third_sector"),
    ("Työttömien yhdistys", "third_sector"),
]
VENUE_NAMES = {
    "culture": [
        "Kaupunginmuseo",
        "Taidemuseo",
        "Kaupunginteatteri",
        "Konserttitalo",
        "Kulttuuritalo",
        "Elokuvateatteri",
        "Kesäteatteri",
        "Galleria",
        "Tanssiteatteri",
        "Kaupunginorkesteri",
        "Nukketeatteri",
        "Rockklubi",
    ],
    "education": ["Kansalaisopisto", "Musiikkiopisto", "Kuvataidekoulu", "Tanssikoulu"],
    "science": ["Tiedekeskus", "Luontokeskus", "Tähtitorni"],
    "sports": [
        "Uimahalli",
        "Jäähalli",
        "Kuntosali",
        "Keilahalli",
        "Kiipeilykeskus",
        "Palloiluhalli",
    ],
}
POPUP_VENUES = [
    ("Kansallismuseo", "culture"),
    ("Taidehalli", "culture"),
    ("Tiedekeskuksen kiertonäyttely", "science"),
    ("Kansallisbaletti", "culture"),
    ("Kansallisteatterin kiertue", "culture"),
    ("Sirkusfestivaali", "culture"),
]

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


# --- the network, as the generator sees it ------------------------------------------------------


@dataclass
class RegionPlan:
    pk: int
    issue_first: int  # day numbers (see Calendar); issue_last < issue_first: no cards
    issue_last: int
    cap: int  # last day of validity (end of a pilot), or a day far in the future
    sites: list[int]
    postcodes: list[str]
    weight: float = 1.0


@dataclass
class VenuePlan:
    pk: int
    region: int  # index into the regions list, -1 for pop-ups and regions that issue no cards
    region_pk: int | None
    category: str
    accepts_other_regions: bool
    is_popup: bool
    first: int  # first and last day it accepts cards (day numbers)
    last: int
    popularity: int


@dataclass
class Result:
    cards: int = 0
    uses: int = 0
    audit_events: int = 0
    community_cards: int = 0
    renewed_cards: int = 0
    closed_cards: int = 0
    cards_never_used: int = 0
    regions_created: int = 0
    regions: int = 0
    venues: int = 0
    seed: int = 0
    seconds_network: float = 0.0
    seconds_cards: float = 0.0
    seconds_uses: float = 0.0
    seconds_audit: float = 0.0
    seconds_total: float = 0.0
    details: dict = field(default_factory=dict)


def _utc_offset_seconds(day: dt.date) -> int:
    offset = dt.datetime.combine(day, dt.time(12), HELSINKI).utcoffset()
    if offset is None:  # never for an aware time in Helsinki
        raise ValueError(f"no UTC offset for {day}")
    return int(offset.total_seconds())


class Calendar:
    """Days as small integers (0 = the first day of the history) with precomputed text forms."""

    def __init__(self, first: dt.date, last: dt.date, *, utc: bool):
        self.first = first
        self.days = (last - first).days + 1
        self.dates = [first + dt.timedelta(days=n) for n in range(self.days)]
        self.iso = [day.isoformat() for day in self.dates]
        offsets = [_utc_offset_seconds(day) for day in self.dates]
        if utc:
            # SQLite stores aware datetimes as naive UTC text: shift the local time back.
            self.shift = offsets
            self.suffix = [""] * self.days
        else:
            self.shift = [0] * self.days
            self.suffix = [f"+{offset // 3600:02d}" for offset in offsets]
        self.plus_year = [self.number(add_years(day, 1)) for day in self.dates]

    def number(self, day: dt.date) -> int:
        return (day - self.first).days

    def timestamp(self, day: int, second: int) -> str:
        """Local time `second` seconds after midnight of `day`, as the database takes it."""
        second -= self.shift[day]
        while second < 0:
            day, second = day - 1, second + 86400
        return f"{self.iso[day]} {HMS[second]}{self.suffix[day]}"


class Progress:
    def __init__(self, label: str, total: int, write: Callable[[str], None] | None):
        self.label, self.total, self.write = label, total, write
        self.started = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def show(self, done: int) -> None:
        if self.write is None:
            return
        elapsed = self.elapsed
        share = done / self.total if self.total else 1.0
        rate = done / elapsed if elapsed > 0 else 0.0
        self.write(
            f"{self.label}: {done:,} / {self.total:,} ({share:.0%}) "
            f"{elapsed:.1f} s, {rate:,.0f} rows/s"
        )


# --- writing rows -------------------------------------------------------------------------------


def _columns(model, names: Sequence[str]) -> list[str]:
    """The columns for `names`, after checking that every other column can be left out."""
    missing = [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in names and not f.null and not f.has_db_default()
    ]
    if missing:
        raise RuntimeError(
            f"generate_synthetic does not fill {model._meta.label}.{', '.join(missing)}: "
            "teach kaikukanta/synthetic/generator.py about the new field(s)."
        )
    return [model._meta.get_field(name).column for name in names]


CARD_FIELDS = [
    "id",
    "identifier",
    "imported",
    "card_type",
    "issued_on",
    "renewed_on",
    "valid_until",
    "status",
    "closed_on",
    "closing_reason",
    "birth_year",
    "postcode",
    "children",
    "life_situation",
    "gender",
    "created_at",
    "updated_at",
    "issuing_site",
    "region",
    "record_key",
]
USE_FIELDS = [
    "id",
    "occurred_at",
    "category",
    "kind",
    "adult_ticket",
    "child_tickets",
    "recorded_at",
    "idempotency_key",
    "card",
    "card_region",
    "venue",
]
AUDIT_FIELDS = [
    "id",
    "occurred_at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "region",
    "venue",
    "data",
]


class Writer:
    """Streams rows into a table: COPY on PostgreSQL, batched INSERTs elsewhere."""

    def __init__(self, model, names: Sequence[str], batch: int):
        self.table = model._meta.db_table
        self.quoted_table = connection.ops.quote_name(self.table)
        self.columns = _columns(model, names)
        self.batch = batch
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        self.copy_sql = f"COPY {self.quoted_table} ({quoted}) FROM STDIN"
        placeholders = ", ".join(["%s"] * len(self.columns))
        into = f"INSERT INTO {self.quoted_table}"
        self.insert_sql = f"{into} ({quoted}) VALUES ({placeholders})"

    def load(self, rows: Iterator[tuple], progress: Progress) -> int:
        """Write every row, `batch` rows per statement, showing progress after each."""
        done = 0
        while True:
            if connection.vendor == "postgresql":
                # Rows go to the server while the next ones are generated: one COPY per batch.
                count = 0
                with connection.connection.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                    write_row = copy.write_row
                    for row in itertools.islice(rows, self.batch):
                        write_row(row)
                        count += 1
            else:
                chunk = list(itertools.islice(rows, self.batch))
                count = len(chunk)
                if chunk:
                    with connection.cursor() as cursor:
                        cursor.executemany(self.insert_sql, chunk)
            done += count
            if count or not done:
                progress.show(done)
            if count < self.batch:
                return done

    def max_id(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {self.quoted_table}")  # noqa: S608
            return cursor.fetchone()[0] or 0

    def estimated_rows(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [self.table])
            estimate = cursor.fetchone()[0]
            if estimate >= 0:
                return int(estimate)
            cursor.execute(f"SELECT COUNT(*) FROM {self.quoted_table}")  # noqa: S608
            return cursor.fetchone()[0]

    def reset_sequence(self) -> None:
        if connection.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT follows the largest key by itself
        value = "pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL"
        sql = f"SELECT setval({value}) FROM {self.quoted_table}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.table])


class IndexRebuild:
    """Drops a PostgreSQL table's secondary indexes, unique constraints and foreign keys before a
    bulk load, and recreates them afterwards from the definitions the catalog gave before the drop,
    so that names and definitions end up exactly as they were (as the migrations made them).

    Building an index once over all rows is many times faster than updating ten indexes row by
    row, and validating a foreign key with one query faster than a trigger per row. The primary key
    stays (it is appended to, and other tables' foreign keys depend on it), and so do the check
    constraints (cheap). Everything happens inside the load's transaction: if the load fails, the
    drops are rolled back too."""

    def __init__(self, table: str):
        self.table = table
        quoted = connection.ops.quote_name(table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), conindid FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, "
                "conname",
                [table],
            )
            self.constraints = [(name, definition) for name, definition, _ in cursor.fetchall()]
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid "
                "AND c.conrelid = x.indrelid) ORDER BY i.relname",
                [table],
            )
            self.indexes = cursor.fetchall()
        self.quoted = quoted

    def drop(self) -> None:
        name = connection.ops.quote_name
        with connection.cursor() as cursor:
            for constraint, _definition in self.constraints:
                cursor.execute(f"ALTER TABLE {self.quoted} DROP CONSTRAINT {name(constraint)}")
            for index, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name(index)}")

    def restore(self) -> None:
        name = connection.ops.quote_name
        with connection.cursor() as cursor:
            for _index, definition in self.indexes:
                cursor.execute(definition)
            for constraint, definition in self.constraints:
                cursor.execute(
                    f"ALTER TABLE {self.quoted} ADD CONSTRAINT {name(constraint)} {definition}"
                )


# --- the generator ------------------------------------------------------------------------------


class SyntheticGenerator:
    def __init__(
        self,
        *,
        cards: int,
        uses: int,
        audit_events: int = 0,
        regions: int | None = None,
        seed: int | None = None,
        batch: int = DEFAULT_BATCH,
        indexes: str = "auto",
        write: Callable[[str], None] | None = None,
    ):
        if cards < 0 or uses < 0 or audit_events < 0:
            raise ValueError("The numbers of cards, uses and audit events cannot be negative.")
        if regions is not None and regions < 1:
            raise ValueError("--regions must be at least 1.")
        if batch < 1:
            raise ValueError("--batch must be at least 1.")
        if indexes not in INDEX_MODES:
            raise ValueError(f"indexes must be one of {', '.join(INDEX_MODES)}.")
        self.indexes = indexes
        if uses and not cards:
            raise ValueError("Uses need cards: give --cards too.")
        self.n_cards, self.n_uses, self.n_regions, self.batch = cards, uses, regions, batch
        self.n_audit = audit_events
        self.seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
        self.rng = random.Random(self.seed)
        self.record_keys = random.Random(f"record keys {self.seed}")
        self.write = write
        self.today = today()
        self.result = Result(seed=self.seed)

    def say(self, message: str) -> None:
        if self.write is not None:
            self.write(message)

    # --- network ---------------------------------------------------------------------------------

    def usable_regions(self):
        return Region.objects.annotate(
            n_sites=Count(
                "distributor_sites", filter=Q(distributor_sites__is_active=True), distinct=True
            ),
            n_venues=Count("venues", distinct=True),
        ).filter(n_sites__gt=0, n_venues__gt=0)

    def ensure_network(self) -> None:
        started = time.perf_counter()
        if self.n_regions is not None or not self.usable_regions().exists():
            self.create_network(self.n_regions or DEFAULT_REGIONS)
        self.result.seconds_network = time.perf_counter() - started

    def create_network(self, count: int) -> None:
        rng, year = self.rng, self.today.year
        history_start = self.history_start()
        # Codes in use, and the demo's (real) codes, so that load_demo still works afterwards.
        taken_codes = set(Municipality.objects.values_list("code", flat=True)) | set(
            demo_seed.MUNICIPALITIES
        )
        codes = (
            f"{n:03d}"
            for n in itertools.chain(range(900, 1000), range(899, 0, -1))
            if f"{n:03d}" not in taken_codes
        )
        taken_slugs = set(
            Region.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True)
        )
        numbers = (n for n in itertools.count(1) if f"{SLUG_PREFIX}{n:02d}" not in taken_slugs)
        county, _ = WellbeingCounty.objects.get_or_create(
            slug="synteettinen", defaults={"name": "Synteettinen hyvinvointialue"}
        )
        first_municipality = None
        for position in range(count):
            number = next(numbers)
            try:
                code = next(codes)
            except StopIteration:
                raise ValueError("No free municipality codes left for synthetic regions.") from None
            label = f"{number:02d}"
            municipality = Municipality.objects.create(
                code=code, name=f"Synteettinen kunta {label}", county=county
            )
            first_municipality = first_municipality or municipality
            pilot = position % 4 == 3
            region = Region.objects.create(
                slug=f"{SLUG_PREFIX}{label}",
                name=f"Synteettinen alue {label}",
                county=county,
                status=Region.Status.PILOT if pilot else Region.Status.PERMANENT,
                pilot_starts=dt.date(year - 1, 9, 1) if pilot else None,
                pilot_ends=dt.date(year, 12, 31) if pilot else None,
            )
            region.municipalities.add(municipality)
            organisations = {
                "public": Organisation.objects.create(
                    name=f"Synteettinen hyvinvointialue {label}", kind=Organisation.Kind.PUBLIC
                ),
                "city": Organisation.objects.create(
                    name=f"Synteettinen kaupunki {label}", kind=Organisation.Kind.PUBLIC
                ),
                "third_sector": Organisation.objects.create(
                    name=f"Synteettinen yhdistys {label} ry", kind=Organisation.Kind.THIRD_SECTOR
                ),
                "parish": Organisation.objects.create(
                    name=f"Synteettinen seurakunta {label}", kind=Organisation.Kind.PARISH
                ),
                "company": Organisation.objects.create(
                    name=f"Synteettinen liikunta {label} Oy", kind=Organisation.Kind.COMPANY
                ),
            }
            n_sites = 8 + rng.randint(0, 4)
            DistributorSite.objects.bulk_create(
                DistributorSite(
                    organisation=organisations[kind],
                    region=region,
                    name=f"{name}, {region.name}",
                )
                for name, kind in (SITE_NAMES * 2)[:n_sites]
            )
            n_venues = 10 + rng.randint(0, 4)
            categories = [
                "culture",
                *rng.choices(
                    list(VENUE_CATEGORY_WEIGHTS),
                    list(VENUE_CATEGORY_WEIGHTS.values()),
                    k=n_venues - 1,
                ),
            ]
            seen: dict[str, int] = {}
            venues = []
            for category in categories:
                names = VENUE_NAMES[category]
                index = seen.get(category, 0)
                seen[category] = index + 1
                name = names[index % len(names)]
                if index >= len(names):
                    name = f"{name} {index // len(names) + 1}"
                venues.append(
                    Venue(
                        organisation=organisations["company" if category == "sports" else "city"],
                        region=region,
                        municipality=municipality,
                        name=f"{name}, {region.name}",
                        category=category,
                        accepts_other_regions=rng.random() >= NOT_ACCEPTING_OTHERS_SHARE,
                    )
                )
            Venue.objects.bulk_create(venues)
            self.result.regions_created += 1
        if not Venue.objects.filter(is_popup=True, name__startswith=POPUP_PREFIX).exists():
            organisation = Organisation.objects.create(
                name="Synteettinen kansallinen kulttuurisäätiö", kind=Organisation.Kind.THIRD_SECTOR
            )
            periods = [
                (history_start, dt.date(year, 12, 31)),
                (history_start, dt.date(year, 12, 31)),
                (history_start, dt.date(year, 12, 31)),
                (dt.date(year - 2, 1, 1), dt.date(year - 2, 12, 31)),
                (dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31)),
                (dt.date(year, 1, 1), dt.date(year, 12, 31)),
            ]
            Venue.objects.bulk_create(
                Venue(
                    organisation=organisation,
                    municipality=first_municipality,
                    name=f"{POPUP_PREFIX}: {name}",
                    category=category,
                    is_popup=True,
                    active_from=starts,
                    active_until=ends,
                )
                for (name, category), (starts, ends) in zip(POPUP_VENUES, periods, strict=True)
            )

    def history_start(self) -> dt.date:
        return add_years(self.today, -HISTORY_YEARS) + dt.timedelta(days=1)

    def plan_network(self, calendar: Calendar) -> None:
        """Read the network into plain lists: regions that can issue cards, and every venue."""
        cal, last_issue = calendar, calendar.number(self.today)
        far = calendar.days - 1
        usable = {r.pk for r in self.usable_regions()}
        self.regions: list[RegionPlan] = []
        index_of: dict[int | None, int] = {}
        for region in Region.objects.filter(pk__in=usable).order_by("pk"):
            first, last, cap = 0, last_issue, far
            if region.is_pilot and region.pilot_starts and region.pilot_ends:
                first = max(first, cal.number(region.pilot_starts))
                last = min(last, cal.number(region.pilot_ends))
                cap = min(far, cal.number(region.pilot_ends))
            if last < first:
                continue  # a pilot over before the history starts, or not yet started
            sites = list(
                DistributorSite.objects.filter(region=region, is_active=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            base = self.rng.randrange(100, 990) * 100
            postcodes = [f"{base + 10 * n:05d}" for n in range(self.rng.randint(4, 20))]
            index_of[region.pk] = len(self.regions)
            self.regions.append(RegionPlan(region.pk, first, last, cap, sites, postcodes))
        if self.n_cards and not self.regions:
            raise ValueError(
                "No region could issue cards in the last three years (pilots over?): "
                "add synthetic regions with --regions."
            )
        # Zipf-like sizes: the n-th region issues about 1/n**1.1 of the first's cards per day.
        for rank, plan in enumerate(self.regions, start=1):
            plan.weight = (plan.issue_last - plan.issue_first + 1) / rank**1.1

        self.venues: list[VenuePlan] = []
        rank_in_region: dict[int | None, int] = {}
        for venue in Venue.objects.select_related("region").order_by("pk"):
            starts, ends = venue.active_period()
            first = max(0, cal.number(starts)) if starts else 0
            last = min(far, cal.number(ends)) if ends else far
            if last < first:
                continue
            rank = rank_in_region.get(venue.region_id, 0)
            rank_in_region[venue.region_id] = rank + 1
            self.venues.append(
                VenuePlan(
                    pk=venue.pk,
                    region=index_of.get(venue.region_id, -1),
                    region_pk=venue.region_id,
                    category=venue.category,
                    accepts_other_regions=venue.accepts_other_regions,
                    is_popup=venue.is_popup,
                    first=first,
                    last=last,
                    popularity=max(1, round(12 / (rank + 1))),
                )
            )
        self.result.regions = len(self.regions)
        self.result.venues = len(self.venues)

    # --- cards -----------------------------------------------------------------------------------

    def issue_days(self, calendar: Calendar) -> list[list[int]]:
        """How many cards each region issues on each day: counts[day][region]."""
        rng = self.rng
        span = max(calendar.number(self.today), 1)
        day_weight = [
            (0.5 + n / span) * ISSUE_MONTH[day.month - 1] * ISSUE_WEEKDAY[day.weekday()]
            for n, day in enumerate(calendar.dates)
        ]
        per_region = rng.choices(
            range(len(self.regions)), [r.weight for r in self.regions], k=self.n_cards
        )
        region_counts = [0] * len(self.regions)
        for index in per_region:
            region_counts[index] += 1
        del per_region
        counts = [[0] * len(self.regions) for _ in range(calendar.number(self.today) + 1)]
        for index, (region, count) in enumerate(zip(self.regions, region_counts, strict=True)):
            if not count:
                continue
            days = range(region.issue_first, region.issue_last + 1)
            for day in rng.choices(days, [day_weight[d] for d in days], k=count):
                counts[day][index] += 1
        return counts

    def generate_cards(self, calendar: Calendar, writer: Writer) -> None:
        self.first_card_id = writer.max_id() + 1
        taken = self.existing_identifiers()
        progress = Progress("cards", self.n_cards, self.write)
        self.result.cards = writer.load(self.card_rows(calendar, taken), progress)
        assert self.result.cards == self.n_cards

    def card_rows(self, calendar: Calendar, taken: set[str]) -> Iterator[tuple]:
        rng, rnd, cal = self.rng, self.rng.random, calendar
        record_keys = self.record_keys
        today_n = cal.number(self.today)
        yesterday = today_n - 1
        now_local = dt.datetime.now(HELSINKI)
        now_second = now_local.hour * 3600 + now_local.minute * 60 + now_local.second
        alphabet, body_length = identifiers.ALPHABET, identifiers.BODY_LENGTH
        check_character = identifiers.check_character
        first_id = self.first_card_id
        # What the uses need of every card (index = card id - first id).
        self.card_region = array("H")
        self.card_children = array("B")
        # Per card four day numbers side by side: start and end of the first and second window.
        self.windows = array("i")
        # Cumulative use weights for random.choices; an array bisects faster than a list of floats.
        self.cumulative = array("d")
        windows, cumulative, total_weight = self.windows, self.cumulative, 0.0

        def office_time(day: int) -> str:
            second = 28800 + int(rnd() * 28800)  # 08:00-16:00
            if day == today_n:
                second = max(0, min(second, now_second - 1))
            return cal.timestamp(day, second)

        personal, community = CardType.PERSONAL.value, CardType.COMMUNITY.value
        active, closed_status = CardStatus.ACTIVE.value, CardStatus.CLOSED.value
        ages, children_table, genders = AGE_TABLE, CHILDREN_TABLE, GENDER_TABLE
        life_young, life_adult, life_old = (
            LIFE_SITUATION_TABLES["young"],
            LIFE_SITUATION_TABLES["adult"],
            LIFE_SITUATION_TABLES["old"],
        )
        card_id = first_id - 1
        regions = self.regions
        counts = self.issue_days(cal)
        for day, per_region in enumerate(counts):
            if not any(per_region):
                continue
            todays = [index for index, count in enumerate(per_region) for _ in range(count)]
            rng.shuffle(todays)
            year = cal.dates[day].year
            for index in todays:
                region = regions[index]
                card_id += 1
                while True:
                    # identifiers.generate() with the seeded generator instead of `secrets`, so
                    # that --seed reproduces the numbers too: the same alphabet, length and check.
                    body = "".join(rng.choices(alphabet, k=body_length))
                    identifier = body + check_character(body)
                    if identifier not in taken:
                        taken.add(identifier)
                        break
                site = region.sites[int(rnd() * len(region.sites))]
                cap = region.cap
                first_end = min(cal.plus_year[day], cap)
                until, renewed = first_end, None
                if cal.plus_year[day] <= today_n and rnd() < RENEWED_SHARE:
                    # Renewed around the end of the first year: a little early, or after a lapse.
                    on = first_end - 30 + int(rnd() * 121)
                    on = min(max(on, day + 1), today_n, cap)
                    if on > day:
                        new_until = max(min(cal.plus_year[on], cap), first_end)
                        if new_until > first_end:
                            renewed, until = on, new_until
                closed = None
                if rnd() < CLOSED_SHARE:
                    earliest = max(day + 1, renewed or 0)
                    latest = min(until, today_n)
                    if earliest <= latest:
                        closed = earliest + int(rnd() * (latest - earliest + 1))
                created = office_time(day)
                changed = closed if closed is not None else renewed
                updated = office_time(changed) if changed is not None else created
                if rnd() < COMMUNITY_SHARE:
                    card_type, birth_year, postcode, children = community, None, "", None
                    life_situation = gender = ""
                    self.result.community_cards += 1
                else:
                    card_type = personal
                    age = ages[int(rnd() * len(ages))]
                    birth_year = year - age
                    postcode = region.postcodes[int(rnd() * len(region.postcodes))]
                    children = children_table[int(rnd() * len(children_table))]
                    life = life_young if age < 25 else (life_adult if age < 65 else life_old)
                    life_situation = life[int(rnd() * len(life))]
                    gender = genders[int(rnd() * len(genders))]
                if renewed is not None:
                    self.result.renewed_cards += 1
                if closed is not None:
                    self.result.closed_cards += 1
                yield (
                    card_id,
                    identifier,
                    False,
                    card_type,
                    cal.iso[day],
                    cal.iso[renewed] if renewed is not None else None,
                    cal.iso[until],
                    active if closed is None else closed_status,
                    cal.iso[closed] if closed is not None else None,
                    ""
                    if closed is None
                    else CLOSING_REASON_TABLE[int(rnd() * len(CLOSING_REASON_TABLE))],
                    birth_year,
                    postcode,
                    children,
                    life_situation,
                    gender,
                    created,
                    updated,
                    site,
                    region.pk,
                    # From a generator of its own: the other draws stay as they were for a seed.
                    record_keys.randrange(RECORD_KEYS),
                )
                # Usable days: the first year, and the renewed validity (a gap if it had lapsed),
                # up to yesterday and up to the day before closing.
                last = yesterday if closed is None else min(yesterday, closed - 1)
                if renewed is None:
                    s1, e1, s2, e2 = day, min(first_end, last), 0, -1
                elif renewed <= first_end + 1:
                    s1, e1, s2, e2 = day, min(until, last), 0, -1
                else:
                    s1, e1, s2, e2 = day, min(first_end, last), renewed, min(until, last)
                windows.extend((s1, e1, s2, e2))
                self.card_region.append(index)
                self.card_children.append(children or 0)
                usable_days = max(0, e1 - s1 + 1) + max(0, e2 - s2 + 1)
                if card_type == community or not usable_days or rnd() < NEVER_USED_SHARE:
                    weight = 0.0
                else:
                    # Heavy-tailed activity: most holders use the card now and then, a few weekly.
                    weight = min(rng.lognormvariate(0.0, 1.0), 25.0) * usable_days
                total_weight += weight
                cumulative.append(total_weight)

    def existing_identifiers(self) -> set[str]:
        if not Card.objects.exists():
            return set()
        return set(Card.objects.values_list("identifier", flat=True).iterator(chunk_size=100_000))

    # --- uses ------------------------------------------------------------------------------------

    def venue_tables(
        self, day: int
    ) -> tuple[list[list[tuple]], list[tuple[int, list[tuple]]], list[tuple]]:
        """Choice tables of the venues open on `day`: per home region, national, pop-ups."""
        home: list[list[tuple]] = [[] for _ in self.regions]
        national: list[tuple] = []
        popups: list[tuple] = []
        for venue in self.venues:
            if not venue.first <= day <= venue.last:
                continue
            entry = (venue.pk, venue.category, KIND_TABLES[venue.category])
            weighted = [entry] * venue.popularity
            if venue.is_popup:
                popups += weighted
                continue
            if venue.region >= 0:
                home[venue.region] += weighted
            if venue.accepts_other_regions:
                national.append((venue.region, weighted))
        return home, national, popups

    def open_days(self, calendar: Calendar) -> list[bytearray]:
        """For each region, the days on which some venue would take its cards."""
        days = calendar.days
        result = []
        for index in range(len(self.regions)):
            ok = bytearray(days)
            for venue in self.venues:
                if venue.region == index or venue.is_popup or venue.accepts_other_regions:
                    ok[venue.first : venue.last + 1] = b"\x01" * (venue.last - venue.first + 1)
            result.append(ok)
        return result

    def plan_uses(self, calendar: Calendar) -> list[array | None]:
        """Pick the card and the day of every use; return the card indexes of each day's uses."""
        rng, rnd = self.rng, self.rng.random
        m, total = self.n_uses, (self.cumulative[-1] if self.cumulative else 0.0)
        if m and total <= 0:
            raise ValueError("None of the generated cards can have uses (all too new or closed).")
        season = [USE_MONTH[day.month - 1] * USE_WEEKDAY[day.weekday()] for day in calendar.dates]
        top = max(season)
        open_days = self.open_days(calendar)
        accept = [
            [season[d] / top if ok[d] else 0.0 for d in range(calendar.days)] for ok in open_days
        ]
        windows = self.windows
        region_of = self.card_region
        buckets: list[array | None] = [None] * calendar.days
        progress = Progress("uses (planning)", m, self.write)
        planned = 0
        population = range(len(self.cumulative))
        used = bytearray(len(self.cumulative))
        while planned < m:
            before = planned
            picks = rng.choices(
                population, cum_weights=self.cumulative, k=min(self.batch, m - planned)
            )
            for card in picks:
                at = 4 * card
                s1, e1, s2, e2 = windows[at : at + 4]
                length1 = e1 - s1 + 1
                span = length1 + max(0, e2 - s2 + 1)
                weights = accept[region_of[card]]
                for _ in range(50):
                    r = int(rnd() * span)
                    day = s1 + r if r < length1 else s2 + r - length1
                    if rnd() < weights[day]:
                        break
                else:  # no venue open in the whole window: impossible with a sane network
                    continue
                bucket = buckets[day]
                if bucket is None:
                    bucket = buckets[day] = array("i")
                bucket.append(card)
                used[card] = 1
                planned += 1
            if planned == before:
                raise ValueError("No venue is open while the generated cards are valid.")
            progress.show(planned)
        self.result.cards_never_used = len(used) - sum(used)
        return buckets

    def generate_uses(self, calendar: Calendar, writer: Writer) -> None:
        buckets = self.plan_uses(calendar)
        self.cumulative, self.windows = array("d"), array("i")  # no longer needed
        progress = Progress("uses", self.n_uses, self.write)
        rows = self.use_rows(calendar, buckets, writer.max_id() + 1)
        self.result.uses = writer.load(rows, progress)
        assert self.result.uses == self.n_uses

    def use_rows(self, calendar: Calendar, buckets: list, first_id: int) -> Iterator[tuple]:
        rnd, cal = self.rng.random, calendar
        yesterday = cal.number(self.today) - 1
        use_id = first_id - 1
        first_card_id = self.first_card_id
        region_of, children_of = self.card_region, self.card_children
        region_pks = [region.pk for region in self.regions]
        entry_ticket = UseKind.ENTRY_TICKET.value
        hours, n_hours = HOUR_TABLE, len(HOUR_TABLE)
        iso, shift, suffix = cal.iso, cal.shift, cal.suffix
        home_share, popup_from = HOME_REGION_SHARE, HOME_REGION_SHARE + OTHER_REGION_SHARE
        signature = None
        # Replaced by the day's tables before the first card is placed.
        home: list[list[tuple]] = []
        popups: list[tuple] = []
        national_all: list[tuple] = []
        for day in range(cal.days):
            cards = buckets[day]
            if cards is None:
                continue
            buckets[day] = None
            today_signature = tuple(v.first <= day <= v.last for v in self.venues)
            if today_signature != signature:
                signature = today_signature
                home, national, popups = self.venue_tables(day)
                national_all = [entry for _region, weighted in national for entry in weighted]
            seconds = sorted(hours[int(rnd() * n_hours)] * 3600 + int(rnd() * 3600) for _ in cards)
            prefix, day_shift, day_suffix = iso[day] + " ", shift[day], suffix[day]
            for card, second in zip(cards, seconds, strict=True):
                region = region_of[card]
                roll = rnd()
                if roll < home_share:
                    table = home[region] or national_all or popups
                elif roll < popup_from:
                    table = national_all or home[region] or popups
                else:
                    table = popups or home[region] or national_all
                venue_id, category, kinds = table[int(rnd() * len(table))]
                kind = kinds[int(rnd() * len(kinds))]
                child_tickets, adult = 0, True
                children = children_of[card]
                if children and kind == entry_ticket and rnd() < CHILD_TICKET_SHARE:
                    child_tickets = 1 + int(rnd() * children)
                    adult = rnd() >= NO_ADULT_TICKET_SHARE
                occurred = prefix + HMS[second - day_shift] + day_suffix
                late = rnd()
                if late < 0.92:  # recorded at the box office right away
                    recorded = prefix + HMS[second + 5 + int(rnd() * 115) - day_shift] + day_suffix
                elif late < 0.98 or day >= yesterday:  # typed in later that day
                    recorded = (
                        prefix + HMS[second + 300 + int(rnd() * 7200) - day_shift] + day_suffix
                    )
                else:  # typed in from a paper list one to three days later, in office hours
                    later = min(day + 1 + int(rnd() * 3), yesterday)
                    recorded = cal.timestamp(later, 32400 + int(rnd() * 25200))
                use_id += 1
                yield (
                    use_id,
                    occurred,
                    category,
                    kind,
                    adult,
                    child_tickets,
                    recorded,
                    f"syn-{use_id:012d}",
                    first_card_id + card,
                    region_pks[region],
                    venue_id,
                )

    # --- audit events ----------------------------------------------------------------------------

    def generate_audit_events(self, calendar: Calendar, writer: Writer) -> None:
        progress = Progress("audit events", self.n_audit, self.write)
        # Read before the rows are generated: the COPY holds the connection while they are.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MIN(id), MAX(id) FROM {connection.ops.quote_name(Card._meta.db_table)}"  # noqa: S608
            )
            first_card, last_card = cursor.fetchone()
            cursor.execute(
                f"SELECT MAX(id) FROM {connection.ops.quote_name(Use._meta.db_table)}"  # noqa: S608
            )
            last_use = cursor.fetchone()[0]
        rows = self.audit_rows(
            calendar, writer.max_id() + 1, (first_card or 0, last_card or 0), last_use or 0
        )
        self.result.audit_events = writer.load(rows, progress)
        assert self.result.audit_events == self.n_audit

    def audit_rows(
        self, calendar: Calendar, first_id: int, card_ids: tuple[int, int], last_use: int
    ) -> Iterator[tuple]:
        """`n_audit` events over the history, in time order, weighted by season like the uses and
        by region like the cards; between 08:00 and 20:00. They name random keys between the
        first and last card (`card_ids`) and up to the last use."""
        rng, rnd, cal = self.rng, self.rng.random, calendar
        last_day = cal.number(self.today) - 1
        season = [USE_MONTH[day.month - 1] * USE_WEEKDAY[day.weekday()] for day in cal.dates]
        per_day = [0] * (last_day + 1)
        for day in rng.choices(range(last_day + 1), season[: last_day + 1], k=self.n_audit):
            per_day[day] += 1
        actions = _table({index: weight for index, (*_, weight) in enumerate(AUDIT_MIX)})
        region_weights = [region.weight for region in self.regions]
        venues_of: dict[int | None, list[VenuePlan]] = {}
        for venue in self.venues:
            venues_of.setdefault(venue.region_pk, []).append(venue)
        popups = venues_of.get(None, [])
        first_card, last_card = card_ids
        event_id = first_id - 1
        for day, count in enumerate(per_day):
            if not count:
                continue
            regions = rng.choices(self.regions, region_weights, k=count)
            seconds = sorted(28800 + int(rnd() * 43200) for _ in range(count))
            for region, second in zip(regions, seconds, strict=True):
                action, side, object_type, _weight = AUDIT_MIX[actions[int(rnd() * len(actions))]]
                venue_id = None
                region_id: int | None = region.pk
                if side == "venue":
                    # One in ten at a pop-up venue (which belongs to no region).
                    choices = popups if popups and rnd() < 0.1 else venues_of.get(region.pk, popups)
                    if choices:
                        venue = choices[int(rnd() * len(choices))]
                        venue_id, region_id = venue.pk, venue.region_pk
                        username = f"syn.kohde.{venue.pk}"
                    else:  # no venue open in the whole history: the region's own event
                        username = f"syn.alue.{region.pk}"
                elif side == "site":
                    site = region.sites[int(rnd() * len(region.sites))]
                    username = f"syn.jakaja.{site}"
                else:
                    username = f"syn.alue.{region.pk}"
                object_id = ""
                data: dict = {}
                if object_type == "cards.card" and last_card:
                    object_id = str(first_card + int(rnd() * (last_card - first_card + 1)))
                    if action == Action.CARD_CHECKED:
                        data = {"found": True, "refusal": None}
                    elif action == Action.CARD_VIEWED:
                        data = {"found": True}
                elif object_type == "uses.use" and last_use:
                    object_id = str(1 + int(rnd() * last_use))
                    data = {"card": first_card + int(rnd() * max(last_card - first_card + 1, 1))}
                elif object_type:
                    object_id = str(1 + int(rnd() * 1000))
                if action == Action.USE_REJECTED:
                    code = AUDIT_REJECTION_CODES[int(rnd() * len(AUDIT_REJECTION_CODES))]
                    data = {"code": code}
                event_id += 1
                yield (
                    event_id,
                    cal.timestamp(day, second),
                    username,
                    action.value,
                    object_type if object_id else "",
                    object_id,
                    region_id,
                    venue_id,
                    json.dumps(data),
                )

    # --- the run ---------------------------------------------------------------------------------

    def rebuild_indexes(self, writer: Writer, rows: int) -> IndexRebuild | None:
        """Whether to drop the table's indexes for the load: `indexes` says, or by default when the
        load is big and at least doubles the table (only on PostgreSQL)."""
        if connection.vendor != "postgresql" or self.indexes == "keep" or not rows:
            return None
        if self.indexes == "auto" and (
            rows < AUTO_REBUILD_MIN_ROWS or rows < writer.estimated_rows()
        ):
            return None
        return IndexRebuild(writer.table)

    def load(self, label: str, writer: Writer, rows: int, generate: Callable) -> None:
        rebuild = self.rebuild_indexes(writer, rows)
        phase = time.perf_counter()
        if rebuild is not None:
            rebuild.drop()
        generate()
        loaded = time.perf_counter()
        setattr(self.result, f"seconds_{label}", loaded - phase)
        if rebuild is not None:
            self.say(
                f"{label}: rebuilding {len(rebuild.indexes)} indexes and "
                f"{len(rebuild.constraints)} constraints..."
            )
            rebuild.restore()
            seconds = time.perf_counter() - loaded
            self.result.details[f"seconds_{label}_indexes"] = seconds
            self.say(f"{label}: indexes and constraints rebuilt in {seconds:.1f} s")

    def run(self) -> Result:
        started = time.perf_counter()
        calendar_first = self.history_start()
        # Validity runs up to a year past today (and a pilot's end can be later still).
        calendar_last = add_years(self.today, 1) + dt.timedelta(days=366)
        calendar = Calendar(calendar_first, calendar_last, utc=connection.vendor != "postgresql")
        card_writer = Writer(Card, CARD_FIELDS, self.batch)
        use_writer = Writer(Use, USE_FIELDS, self.batch)
        audit_writer = Writer(AuditEvent, AUDIT_FIELDS, self.batch)
        postgres = connection.vendor == "postgresql"
        with transaction.atomic():
            self.ensure_network()
            self.plan_network(calendar)
            if postgres:
                with connection.cursor() as cursor:
                    # Keys are assigned here: keep other writers out until the sequences are moved.
                    cursor.execute(
                        f"LOCK TABLE {card_writer.quoted_table}, {use_writer.quoted_table}, "
                        f"{audit_writer.quoted_table} IN EXCLUSIVE MODE"
                    )
                    # Where foreign keys stay in place, they are checked at the end of each COPY
                    # instead of at commit, so that PostgreSQL need not queue millions of checks.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    # For rebuilding indexes; LOCAL: only until this transaction ends.
                    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            if self.n_cards:
                self.load(
                    "cards",
                    card_writer,
                    self.n_cards,
                    lambda: self.generate_cards(calendar, card_writer),
                )
            if self.n_uses:
                self.load(
                    "uses",
                    use_writer,
                    self.n_uses,
                    lambda: self.generate_uses(calendar, use_writer),
                )
            if self.n_audit:
                if not self.regions:
                    raise ValueError("Audit events need a region that issues cards.")
                self.load(
                    "audit",
                    audit_writer,
                    self.n_audit,
                    lambda: self.generate_audit_events(calendar, audit_writer),
                )
            card_writer.reset_sequence()
            use_writer.reset_sequence()
            audit_writer.reset_sequence()
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            counts = {
                "cards": self.result.cards,
                "uses": self.result.uses,
                "audit_events": self.result.audit_events,
                "community_cards": self.result.community_cards,
                "renewed_cards": self.result.renewed_cards,
                "closed_cards": self.result.closed_cards,
                "cards_never_used": self.result.cards_never_used,
                "regions_created": self.result.regions_created,
            }
            record(
                actor=None,
                action=Action.DATA_LOADED,
                data={"what": "synthetic", "seed": self.seed, **counts},
            )
        if postgres:
            phase = time.perf_counter()
            with connection.cursor() as cursor:
                for model in (Card, Use, AuditEvent, Region, DistributorSite, Venue):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            self.result.details["seconds_analyze"] = time.perf_counter() - phase
        self.result.seconds_total = time.perf_counter() - started
        return self.result


def generate(**options) -> Result:
    return SyntheticGenerator(**options).run()


def is_allowed() -> bool:
    """Synthetic cards would spoil a real registry's statistics: only in development, by default."""
    return bool(settings.DEBUG)
