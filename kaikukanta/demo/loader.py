"""Loads the seed's network, fictional users for every role, and a few hundred cards with a few thousand
uses over the last two years. Cards and uses go through the same service functions as real ones, so the
demo data obeys every rule (ages, pilot caps, child tickets, quotas)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kaikukanta.accounts import token_cache
from kaikukanta.accounts.models import Role, RoleAssignment, User
from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
from kaikukanta.cards.models import Card, ClosingReason, Gender, LifeSituation
from kaikukanta.cards.services import (
    HolderData,
    Wellbeing,
    close_card,
    issue_card,
    issue_community_card,
    renew_card,
    replace_card,
)
from kaikukanta.core.dates import add_years, as_of, today
from kaikukanta.core.errors import DomainError
from kaikukanta.events.models import Event
from kaikukanta.events.services import create_event, set_sold_out
from kaikukanta.network.models import (
    DistributorSite,
    Municipality,
    Organisation,
    Region,
    Venue,
    WellbeingCounty,
)
from kaikukanta.uses.models import UseKind
from kaikukanta.uses.services import GroupMember, record_group_visit, record_use

from . import seed

DEMO_PASSWORD = "kaikukortti-demo"  # noqa: S105 - printed for everyone on purpose; demo only

CARDS_PER_REGION = {"tampere": 240, "valkeakoski": 60, "nokia": 70, "orivesi": 30}
POSTCODES = {
    "tampere": [
        "33100",
        "33200",
        "33210",
        "33230",
        "33270",
        "33400",
        "33500",
        "33540",
        "33560",
        "33580",
        "33610",
        "33700",
        "33710",
        "33720",
        "33800",
        "33900",
        "34240",
    ],
    "valkeakoski": ["37600", "37630", "37700", "37720"],
    "nokia": ["37100", "37120", "37130", "37150"],
    "orivesi": ["35300", "35320"],
}
COMMUNITY_CARD_SITES = [
    "Nauha ry",
    "Setlementti Tampere ry",
    "Mielen ry",
    "Sääksmäen seurakunta",
    "Nokian seurakunnan diakoniatyö",
    "Oriveden työllisyyspalvelut",
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    role: str
    region: str = ""
    sites: tuple[str, ...] = ()
    venues: tuple[str, ...] = ()


def demo_users() -> list[DemoUser]:
    users = [DemoUser("kaikukeskus", "Kaisa", Role.NATIONAL_ADMIN)]
    first_names = {
        "tampere": ("Aino", "Eero"),
        "valkeakoski": ("Helmi", "Lauri"),
        "nokia": ("Venla", "Onni"),
        "orivesi": ("Iida", "Aleksi"),
    }
    for slug, (culture, sote) in first_names.items():
        users.append(DemoUser(f"{slug}.kulttuuri", culture, Role.COORDINATOR_CULTURE, region=slug))
        users.append(DemoUser(f"{slug}.sote", sote, Role.COORDINATOR_SOTE, region=slug))
    users += [
        DemoUser(
            "jakaja.tampere",
            "Sanna",
            Role.DISTRIBUTOR_STAFF,
            sites=("Hyvinvointialueen sosiaalityö", "Nauha ry"),
        ),
        DemoUser(
            "jakaja.valkeakoski", "Mikko", Role.DISTRIBUTOR_STAFF, sites=("Valkeakosken Ohjaamo",)
        ),
        DemoUser(
            "jakaja.nokia", "Laura", Role.DISTRIBUTOR_STAFF, sites=("Etsivä nuorisotyö, Nokia",)
        ),
        DemoUser(
            "jakaja.orivesi",
            "Antti",
            Role.DISTRIBUTOR_STAFF,
            sites=("Oriveden työllisyyspalvelut",),
        ),
        DemoUser(
            "kohde.tampere",
            "Emma",
            Role.VENUE_STAFF,
            venues=("Vapriikki", "Tampereen taidemuseo"),
        ),
        DemoUser("kohde.valkeakoski", "Juho", Role.VENUE_STAFF, venues=("Valkeakosken uimahalli",)),
        DemoUser("kohde.nokia", "Sofia", Role.VENUE_STAFF, venues=("Nokian Työväen Teatteri",)),
        DemoUser(
            "kohde.orivesi", "Ville", Role.VENUE_STAFF, venues=("Oriveden seudun kansalaisopisto",)
        ),
        DemoUser("kohde.popup", "Olivia", Role.VENUE_STAFF, venues=("Ateneumin taidemuseo",)),
    ]
    return users


def is_loaded() -> bool:
    return Region.objects.filter(slug="tampere").exists()


class DemoLoader:
    def __init__(self, *, shift_years: bool = True, seed_value: int = 2025, stdout=None):
        self.today = today()
        self.shift = self.today.year - seed.SEED_YEAR if shift_years else 0
        self.random = random.Random(seed_value)
        self.stdout = stdout
        self.key_counter = 0
        self.counts = {"cards": 0, "uses": 0, "group_visits": 0, "refused": 0}

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def shifted(self, day: dt.date) -> dt.date:
        return add_years(day, self.shift)

    # --- network ------------------------------------------------------------------------------------

    def load_network(self) -> None:
        county = WellbeingCounty.objects.create(**seed.COUNTY)
        self.municipalities = {}
        for code, (name, name_sv, in_county) in seed.MUNICIPALITIES.items():
            self.municipalities[code] = Municipality.objects.create(
                code=code, name=name, name_sv=name_sv, county=county if in_county else None
            )
        self.organisations: dict[str, Organisation] = {}
        self.regions: dict[str, Region] = {}
        self.sites: dict[str, DistributorSite] = {}
        self.venues: dict[str, Venue] = {}
        for spec in seed.REGIONS:
            starts, ends = spec["pilot"]
            region = Region.objects.create(
                slug=spec["slug"],
                name=spec["name"],
                name_sv=spec["name_sv"],
                county=county,
                status=spec["status"],
                pilot_starts=self.shifted(starts),
                pilot_ends=self.shifted(ends),
            )
            region.municipalities.set([self.municipalities[c] for c in spec["municipalities"]])
            self.regions[spec["slug"]] = region
            municipality = self.municipalities[spec["municipalities"][0]]
            for organisation, site in spec["distributors"]:
                self.sites[site] = DistributorSite.objects.create(
                    organisation=self.organisation(organisation), region=region, name=site
                )
            for organisation, name, category in spec["venues"]:
                self.venues[name] = Venue.objects.create(
                    organisation=self.organisation(organisation),
                    region=region,
                    municipality=municipality,
                    name=name,
                    category=category,
                )
        starts, ends = seed.POPUP_PERIOD
        for organisation, name, name_sv, name_en, category, code in seed.POPUP_VENUES:
            self.venues[name] = Venue.objects.create(
                organisation=self.organisation(organisation),
                municipality=self.municipalities[code],
                name=name,
                name_sv=name_sv,
                name_en=name_en,
                category=category,
                is_popup=True,
                active_from=self.shifted(starts),
                active_until=self.shifted(ends),
            )

    def organisation(self, name: str) -> Organisation:
        if name not in self.organisations:
            kind, name_sv, name_en = seed.ORGANISATIONS.get(name, (None, "", ""))
            if kind is None:
                kind = "company" if name.endswith(" Oy") else "third_sector"
            self.organisations[name] = Organisation.objects.create(
                name=name, name_sv=name_sv, name_en=name_en, kind=kind
            )
        return self.organisations[name]

    # --- users --------------------------------------------------------------------------------------

    def load_users(self) -> None:
        self.users: dict[str, User] = {}
        self.site_staff: dict[int, User] = {}
        self.venue_staff: dict[int, User] = {}
        self.coordinators: dict[tuple[str, str], User] = {}
        # Hashing is slow on purpose (PBKDF2, a million rounds) and every demo user has the same,
        # public password: hash it once. The users share the salt too, which hides nothing here.
        password = make_password(DEMO_PASSWORD)
        for spec in demo_users():
            user = User(
                username=spec.username,
                first_name=spec.first_name,
                last_name="Demo",
                password=password,
            )
            user.save()
            self.users[spec.username] = user
            if spec.role == Role.NATIONAL_ADMIN:
                RoleAssignment.objects.create(user=user, role=spec.role)
                self.national = user
            elif spec.region:
                RoleAssignment.objects.create(
                    user=user, role=spec.role, region=self.regions[spec.region]
                )
                self.coordinators[(spec.region, spec.role)] = user
            for name in spec.sites:
                site = self.sites[name]
                RoleAssignment.objects.create(user=user, role=spec.role, distributor_site=site)
                self.site_staff[site.pk] = user
            for name in spec.venues:
                venue = self.venues[name]
                RoleAssignment.objects.create(user=user, role=spec.role, venue=venue)
                self.venue_staff[venue.pk] = user

    def issuer(self, site: DistributorSite) -> User:
        return (
            self.site_staff.get(site.pk)
            or self.coordinators[(site.region.slug, Role.COORDINATOR_SOTE)]
        )

    def recorder(self, venue: Venue) -> User:
        if venue.pk in self.venue_staff:
            return self.venue_staff[venue.pk]
        if venue.region is None:
            return self.national
        return self.coordinators[(venue.region.slug, Role.COORDINATOR_CULTURE)]

    # --- cards and uses -----------------------------------------------------------------------------

    def random_day(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.random.randint(0, max((last - first).days, 0)))

    def noon(self, day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))

    def random_moment(self, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(
            day, dt.time(self.random.randint(10, 19), self.random.choice([0, 15, 30, 45]))
        )
        return timezone.make_aware(moment)

    def holder(self, slug: str, on: dt.date) -> HolderData:
        pick = self.random
        age = pick.choices(
            [
                pick.randint(16, 24),
                pick.randint(25, 39),
                pick.randint(40, 64),
                pick.randint(65, 88),
            ],
            weights=[15, 30, 40, 15],
        )[0]
        return HolderData(
            birth_year=on.year - age,
            postcode=pick.choice(POSTCODES[slug]),
            children=pick.choices([0, 1, 2, 3, 4], weights=[60, 17, 13, 7, 3])[0],
            life_situation=pick.choice(["", *LifeSituation.values]) if pick.random() < 0.85 else "",
            gender=pick.choice(Gender.values) if pick.random() < 0.85 else "",
        )

    def wellbeing(self) -> Wellbeing | None:
        if self.random.random() > 0.4:
            return None
        roll = self.random.randint
        return Wellbeing(
            who5=(roll(0, 5), roll(0, 5), roll(0, 5), roll(0, 5), roll(0, 5)),
            mood=roll(1, 5),
        )

    def next_key(self) -> str:
        self.key_counter += 1
        return f"demo-{self.key_counter:08d}"

    def load_events(self) -> None:
        self.standing_events: dict[int, Event] = {}
        upcoming = [
            ("Vapriikki", "Perusnäyttelyt", None, None),
            ("Vapriikki", "Pelimuseon perhepäivä", 10, 20),
            ("Tampereen taidemuseo", "Vuoden nuori taiteilija", None, None),
            ("Tampereen taidemuseo", "Taiteilijatapaaminen", 6, 40),
            ("Valkeakosken uimahalli", "Yleisövuorot", None, None),
            ("Nokian Työväen Teatteri", "Kesäteatteri: ensi-ilta", 8, 30),
            ("Nokian Työväen Teatteri", "Syyskauden näytökset", None, None),
            ("Oriveden seudun kansalaisopisto", "Kevään kurssit", None, None),
            ("Ateneumin taidemuseo", "Kokoelmanäyttely", None, None),
        ]
        for venue_name, title, quota, days_ahead in upcoming:
            venue = self.venues[venue_name]
            starts_at = None
            if days_ahead is not None:
                starts_at = self.random_moment(self.today + dt.timedelta(days=days_ahead))
            event = create_event(
                actor=self.recorder(venue),
                venue=venue,
                title=title,
                starts_at=starts_at,
                cardholder_quota=quota,
            )
            if starts_at is None:
                self.standing_events[venue.pk] = event
        sold_out = create_event(
            actor=self.recorder(self.venues["Nokian Työväen Teatteri"]),
            venue=self.venues["Nokian Työväen Teatteri"],
            title="Joulunäytös",
            starts_at=self.random_moment(self.today + dt.timedelta(days=14)),
            cardholder_quota=10,
        )
        set_sold_out(actor=self.recorder(sold_out.venue), event=sold_out)

    def load_cards(self) -> None:
        window_start = self.today - dt.timedelta(days=730)
        self.cards_by_region: dict[str, list[tuple[Card, list[tuple[dt.date, dt.date]]]]] = {}
        for slug, count in CARDS_PER_REGION.items():
            region = self.regions[slug]
            sites = [site for site in self.sites.values() if site.region_id == region.pk]
            first = window_start
            if region.is_pilot and region.pilot_starts is not None:
                first = max(first, region.pilot_starts)
            stories = []
            for _ in range(count):
                site = self.random.choice(sites)
                issued_on = self.random_day(first, self.today)
                # History is replayed through the services, each step on its own day.
                with as_of(self.noon(issued_on)):
                    card = issue_card(
                        actor=self.issuer(site),
                        site=site,
                        holder=self.holder(slug, issued_on),
                        wellbeing=self.wellbeing(),
                        issued_on=issued_on,
                    )
                windows = [(card.issued_on, card.valid_until)]
                if card.valid_until < self.today and self.random.random() < 0.6:
                    renewed_on = min(
                        self.random_day(
                            card.valid_until - dt.timedelta(days=20),
                            card.valid_until + dt.timedelta(days=60),
                        ),
                        self.today,
                    )
                    try:
                        with as_of(self.noon(renewed_on)):
                            card = renew_card(
                                actor=self.issuer(site),
                                card=card,
                                wellbeing=self.wellbeing(),
                                renewed_on=renewed_on,
                            )
                        windows.append((renewed_on, card.valid_until))
                    except DomainError:
                        pass
                stories.append((card, windows))
                self.counts["cards"] += 1
            self.cards_by_region[slug] = stories

    def usable_days(self, windows, closed_on: dt.date | None) -> tuple[dt.date, dt.date] | None:
        first = windows[0][0]
        last = min(windows[-1][1], self.today - dt.timedelta(days=1))
        if closed_on is not None:
            last = min(last, closed_on - dt.timedelta(days=1))
        return (first, last) if first <= last else None

    def choose_venue(self, slug: str, day: dt.date) -> Venue:
        home = [v for v in self.venues.values() if v.region_id == self.regions[slug].pk]
        roll = self.random.random()
        if roll < 0.12:
            candidates = [v for v in self.venues.values() if v.is_popup]
        elif roll < 0.22:
            candidates = [
                v for v in self.venues.values() if v.region_id not in (None, self.regions[slug].pk)
            ]
        else:
            candidates = home
        candidates = [v for v in candidates if v.is_active_on(day)] or home
        return self.random.choice(candidates)

    def record_uses(self) -> None:
        for slug, stories in self.cards_by_region.items():
            for card, windows in stories:
                if self.random.random() < 0.2:
                    continue
                span = self.usable_days(windows, None)
                if span is None:
                    continue
                for _ in range(min(int(self.random.expovariate(1 / 9)) + 1, 40)):
                    day = self.random_day(*span)
                    if not any(start <= day <= end for start, end in windows):
                        continue
                    self.record_one(card, slug, day)

    def record_one(self, card: Card, slug: str, day: dt.date) -> None:
        venue = self.choose_venue(slug, day)
        kind = UseKind.ENTRY_TICKET
        if venue.category == "education":
            kind = self.random.choices(
                [UseKind.COURSE_PLACE, UseKind.SEASON_PASS, UseKind.ENTRY_TICKET], [70, 10, 20]
            )[0]
        elif venue.category == "sports":
            kind = self.random.choices([UseKind.ENTRY_TICKET, UseKind.SEASON_PASS], [85, 15])[0]
        children = 0
        if kind == UseKind.ENTRY_TICKET and card.children and self.random.random() < 0.4:
            children = self.random.randint(1, card.children)
        event = self.standing_events.get(venue.pk) if self.random.random() < 0.5 else None
        moment = self.random_moment(day)
        try:
            with as_of(moment):
                record_use(
                    actor=self.recorder(venue),
                    venue=venue,
                    card_identifier=card.identifier,
                    idempotency_key=self.next_key(),
                    kind=kind,
                    child_tickets=children,
                    event=event,
                    occurred_at=moment,
                )
            self.counts["uses"] += 1
        except DomainError:
            self.counts["refused"] += 1

    def load_community_cards(self) -> None:
        window_start = self.today - dt.timedelta(days=300)
        for name in COMMUNITY_CARD_SITES:
            site = self.sites[name]
            region = site.region
            first = window_start
            if region.is_pilot and region.pilot_starts is not None:
                first = max(window_start, region.pilot_starts)
            issued_on = self.random_day(first, first + dt.timedelta(days=30))
            with as_of(self.noon(issued_on)):
                community = issue_community_card(
                    actor=self.issuer(site), site=site, issued_on=issued_on
                )
            self.counts["cards"] += 1
            members_pool = self.cards_by_region[region.slug]
            for _ in range(self.random.randint(4, 7)):
                day = self.random_day(
                    community.issued_on,
                    min(community.valid_until, self.today - dt.timedelta(days=1)),
                )
                valid = [c for c, _w in members_pool if c.was_valid_on(day)]
                members = self.random.sample(valid, k=min(len(valid), self.random.randint(1, 4)))
                ages = [
                    self.random.randint(10, 15) for _ in range(self.random.choice([0, 0, 0, 1, 2]))
                ]
                if not members and not ages:
                    continue
                venue = self.choose_venue(region.slug, day)
                moment = self.random_moment(day)
                try:
                    with as_of(moment):
                        record_group_visit(
                            actor=self.recorder(venue),
                            venue=venue,
                            community_card_identifier=community.identifier,
                            members=[GroupMember(card.identifier) for card in members],
                            covered_client_ages=ages,
                            idempotency_key=self.next_key(),
                            occurred_at=moment,
                        )
                    self.counts["group_visits"] += 1
                except DomainError:
                    self.counts["refused"] += 1

    def close_some_cards(self) -> None:
        """Close a few cards, and replace a few lost ones, after their uses."""
        for stories in self.cards_by_region.values():
            for card, _windows in stories:
                roll = self.random.random()
                if roll > 0.08:
                    continue
                card.refresh_from_db()
                if card.is_closed or card.valid_until < self.today:
                    continue
                actor = self.issuer(card.issuing_site)
                if roll < 0.03:
                    replace_card(actor=actor, card=card)
                else:
                    close_card(
                        actor=actor,
                        card=card,
                        reason=self.random.choice(
                            [
                                ClosingReason.MOVED_AWAY,
                                ClosingReason.NOT_ELIGIBLE,
                                ClosingReason.ON_REQUEST,
                            ]
                        ),
                    )

    def load_catalogue(self) -> None:
        """The public catalogue's content: what each venue offers, and some venues' full entries."""
        for slug, (text, text_sv, text_en) in seed.REGION_DESCRIPTIONS.items():
            Region.objects.filter(slug=slug).update(
                description=text, description_sv=text_sv, description_en=text_en
            )
        for name, venue in self.venues.items():
            entry = seed.VENUE_CATALOGUE.get(name)
            offers = seed.CATEGORY_OFFERS[venue.category]
            if entry is not None:
                location, link, text, text_sv, text_en, access, access_en, own, children = entry
                offers = own or offers
                venue.location, venue.web_link = location, link
                venue.description, venue.description_sv = text, text_sv
                venue.description_en = text_en
                venue.accessibility, venue.accessibility_en = access, access_en
                venue.child_tickets = children
            for key in ("entry", "courses", "sports", "events"):
                setattr(venue, f"offers_{key}", key in offers)
            venue.save()

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            # Venues and roles written directly, not through their services: the API tokens'
            # cached look-ups are made stale here (accounts/token_cache.py).
            token_cache.invalidate()
            self.load_network()
            self.load_catalogue()
            self.load_users()
            self.load_events()
            self.load_cards()
            self.record_uses()
            self.load_community_cards()
            self.close_some_cards()
            record(
                actor=self.national,
                action=Action.DATA_LOADED,
                data={"what": "demo", "shift_years": self.shift, **self.counts},
            )
        return self.counts


def logins_table() -> str:
    lines = [f"Demo logins (the password of every user is {DEMO_PASSWORD}):", ""]
    width = max(len(user.username) for user in demo_users()) + 2
    for spec in demo_users():
        where = spec.region.capitalize() or ", ".join(spec.sites or spec.venues) or "-"
        role = Role(spec.role).label
        lines.append(f"  {spec.username:<{width}} {role!s:<52} {where}")
    return "\n".join(lines)
