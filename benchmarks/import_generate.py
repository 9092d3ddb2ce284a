"""Write a full-size set of import files (docs/import.md) for `manage.py import_registry`: by default
20 regions, 120 municipalities, 100 organisations, 420 distributor sites, 460 venues, 100,000 cards
and 300,000 uses from 2019 to 2025, every row valid, as the national registry held them in October
2025 (about 98,000 cards and 268,000 uses). Deterministic for a seed.

    .venv/bin/python benchmarks/import_generate.py /tmp/import-full --cards 100000 --uses 300000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

FIRST = dt.date(2019, 1, 1)
LAST = dt.date(2025, 10, 31)
LIFE = ["", "employed", "unemployed", "student", "pensioner", "ill", "family", "other"]
GENDERS = ["", "female", "male", "other"]
CATEGORIES = ["culture", "culture", "culture", "sports", "education", "science"]


def write(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def add_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def generate(directory: Path, *, cards: int, uses: int, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    directory.mkdir(parents=True, exist_ok=True)
    regions = [f"R{i}" for i in range(1, 21)]
    write(
        directory / "regions.csv",
        ["id", "name", "slug", "status"],
        ([key, f"Alue {key}", f"alue-{key.lower()}", "permanent"] for key in regions),
    )
    write(
        directory / "municipalities.csv",
        ["code", "name", "regions"],
        ([f"{500 + i:03d}", f"Kunta {i}", regions[i % 20]] for i in range(120)),
    )
    write(
        directory / "organisations.csv",
        ["id", "name", "kind"],
        ([f"O{i}", f"Organisaatio {i}", "public" if i % 3 else "third_sector"] for i in range(100)),
    )
    sites = [(f"S{i}", regions[i % 20]) for i in range(420)]
    write(
        directory / "sites.csv",
        ["id", "name", "organisation", "region"],
        (
            [key, f"Toimipiste {key}", f"O{i % 100}", region]
            for i, (key, region) in enumerate(sites)
        ),
    )
    venues = [(f"V{i}", regions[i % 20], CATEGORIES[i % len(CATEGORIES)]) for i in range(460)]
    write(
        directory / "venues.csv",
        ["id", "name", "organisation", "region", "municipality", "category"],
        (
            [key, f"Kohde {key}", f"O{i % 100}", region, f"{500 + i % 120:03d}", category]
            for i, (key, region, category) in enumerate(venues)
        ),
    )
    span = (LAST - FIRST).days
    card_rows = []
    for i in range(cards):
        issued = FIRST + dt.timedelta(days=int(span * (rng.random() ** 0.7)))
        until = add_year(issued)
        renewed = ""
        if until < LAST and rng.random() < 0.3:
            renewed_on = until - dt.timedelta(days=rng.randrange(0, 30))
            until = add_year(renewed_on)
            renewed = renewed_on.isoformat()
        site, _region = sites[rng.randrange(len(sites))]
        card_rows.append(
            (
                f"KK{i:08d}",
                site,
                issued,
                until,
                renewed,
                rng.randrange(1930, 2003),
                f"{rng.randrange(100, 99999):05d}",
                rng.choice([0, 0, 0, 1, 2, 3]),
                rng.choice(LIFE),
                rng.choice(GENDERS),
            )
        )
    write(
        directory / "cards.csv",
        [
            "identifier",
            "site",
            "card_type",
            "issued_on",
            "valid_until",
            "renewed_on",
            "birth_year",
            "postcode",
            "children",
            "life_situation",
            "gender",
        ],
        (
            [n, s, "personal", i.isoformat(), u.isoformat(), r, b, p, c, life, g]
            for n, s, i, u, r, b, p, c, life, g in card_rows
        ),
    )
    with (directory / "uses.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["id", "card", "venue", "occurred_at", "kind", "adult_ticket", "child_tickets"]
        )
        for i in range(uses):
            number, _site, issued, until, _r, _b, _p, children, _l, _g = card_rows[
                rng.randrange(len(card_rows))
            ]
            last = min(until, LAST)
            day = issued + dt.timedelta(days=rng.randrange((last - issued).days + 1))
            at = dt.datetime.combine(day, dt.time(rng.randrange(9, 21), rng.randrange(60)))
            venue = venues[rng.randrange(len(venues))][0]
            kind = "entry_ticket" if rng.random() < 0.85 else "course_place"
            child = rng.randrange(children + 1) if kind == "entry_ticket" else 0
            writer.writerow([f"U{i}", number, venue, at.isoformat(sep=" "), kind, 1, child])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--uses", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    generate(arguments.directory, cards=arguments.cards, uses=arguments.uses, seed=arguments.seed)


if __name__ == "__main__":
    main()
