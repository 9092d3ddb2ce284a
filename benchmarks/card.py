#!/usr/bin/env python3
"""The mobile card's budget: what its first load transfers and how fast it renders on a slow phone
network, in headless Chromium.

    make bench-card
    KAIKUKANTA_CHROMIUM=/usr/bin/chromium .venv/bin/python benchmarks/card.py --runs 5

It sets up a throw-away SQLite database (a region, a venue, a card with a few visits and its hand-over
link), collects the static files as production does (WhiteNoise, compressed), and serves the
production WSGI application on 127.0.0.1 (no debug, no HTTPS). Chromium then opens the card's link in
a fresh browser context (empty cache, no service worker) under DevTools' "Slow 3G" profile (400 ms
latency, 500 kbit/s each way, through the DevTools protocol) and reports, the median of `--runs`:

- bytes: every byte the server wrote on its sockets for that first visit (status lines, headers and
  bodies of the page, its stylesheet, script, icon, manifest and the service worker, and the
  worker's own first fetches), and the bytes Chromium counted for the page's own requests;
- first contentful paint and the load event, from the page's Performance API;
- a second visit to the same link with the network cut off: the worker serves the page and its files
  from the device;
- a bare baseline in the same run: /api/v1/health opened the same way (one small JSON response), so
  that figures from a slower machine can still be compared (the ratio).

The budget (tests do not time anything; this prints): at most 30 KB transferred, rendered in under
one second. Nothing fails for being slow; the exit status is 1 only when the page did not open.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_BYTES = 30 * 1024
BUDGET_MS = 1000
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 500 * 1024 / 8,
    "uploadThroughput": 500 * 1024 / 8,
}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.total = 0
        self.requests: list[str] = []

    def reset(self) -> None:
        with self.lock:
            self.total = 0
            self.requests = []


COUNTER = Counter()


class CountingFile:
    def __init__(self, wrapped):
        self.wrapped = wrapped

    def write(self, data):
        with COUNTER.lock:
            COUNTER.total += len(data)
        return self.wrapped.write(data)

    def __getattr__(self, name):
        return getattr(self.wrapped, name)


class CountingHandler(WSGIRequestHandler):
    def setup(self) -> None:
        super().setup()
        self.wfile = CountingFile(self.wfile)

    def log_message(self, format, *args) -> None:
        with COUNTER.lock:
            COUNTER.requests.append(self.path)


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def configure(workdir: Path) -> None:
    os.environ.pop("KAIKUKANTA_DEBUG", None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "kaikukanta.settings",
            "KAIKUKANTA_SECRET_KEY": secrets.token_urlsafe(50),
            "KAIKUKANTA_HTTPS": "0",
            "KAIKUKANTA_ALLOWED_HOSTS": "127.0.0.1",
            "KAIKUKANTA_STATIC_ROOT": str(workdir / "static"),
            "KAIKUKANTA_LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        }
    )
    import django

    django.setup()


def prepare() -> str:
    """The database and static files; the path of a card's mobile link."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    from kaikukanta.accounts.models import User
    from kaikukanta.cards.services import HolderData, hand_over_card, issue_card
    from kaikukanta.network.models import (
        DistributorSite,
        Municipality,
        Organisation,
        Region,
        Venue,
    )
    from kaikukanta.uses.services import record_use

    admin = User.objects.create_superuser("bench.national", password=secrets.token_urlsafe(20))
    region = Region.objects.create(slug="tampere", name="Tampere", status="permanent")
    municipality = Municipality.objects.create(code="837", name="Tampere")
    region.municipalities.add(municipality)
    city = Organisation.objects.create(name="Tampereen kaupunki", kind="public")
    site = DistributorSite.objects.create(organisation=city, region=region, name="Sosiaalityö")
    venue = Venue.objects.create(
        organisation=city,
        region=region,
        municipality=municipality,
        name="Vapriikki",
        category="culture",
    )
    card = issue_card(
        actor=admin,
        site=site,
        holder=HolderData(birth_year=1970, postcode="33100", children=2),
    )
    for _visit in range(1):
        record_use(
            actor=admin,
            venue=venue,
            card_identifier=card.identifier,
            idempotency_key=secrets.token_hex(8),
            child_tickets=1,
        )
    return f"/m/{hand_over_card(actor=admin, card=card)}/"


def measure(browser, base: str, path: str, *, second_load: bool) -> dict[str, float]:
    context = browser.new_context(base_url=base, locale="fi-FI")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    seen: list[int] = []
    cdp.on("Network.loadingFinished", lambda event: seen.append(event["encodedDataLength"]))
    COUNTER.reset()
    page.goto(path, wait_until="load")
    timing = page.evaluate(
        """() => {
        const nav = performance.getEntriesByType("navigation")[0];
        const paint = performance.getEntriesByName("first-contentful-paint")[0];
        return {fcp: paint ? paint.startTime : NaN, load: nav.loadEventEnd};
    }"""
    )
    if second_load:
        # Let the worker install (it fetches its few files once) before the bytes are read.
        page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.ready.then(() => 1) : 1")
        page.wait_for_timeout(1500)
    result = {
        "server_bytes": COUNTER.total,
        "page_bytes": sum(seen),
        "requests": len(COUNTER.requests),
        "fcp": timing["fcp"],
        "load": timing["load"],
    }
    if second_load:
        page.reload(wait_until="load")  # the worker controls the page now
        context.set_offline(True)  # the second visit entirely from the device
        page.goto(path, wait_until="load")
        result["again_load"] = page.evaluate(
            '() => performance.getEntriesByType("navigation")[0].loadEventEnd'
        )
    context.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--chromium", default=os.environ.get("KAIKUKANTA_CHROMIUM", "/usr/bin/chromium")
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kaikukanta-bench-card-") as tmp:
        configure(Path(tmp))
        path = prepare()
        from django.core.wsgi import get_wsgi_application

        server = make_server(
            "127.0.0.1", 0, get_wsgi_application(), ThreadingServer, CountingHandler
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"

        from playwright.sync_api import sync_playwright

        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            measure(browser, base, path, second_load=False)  # warm up the server
            cards = [measure(browser, base, path, second_load=True) for _ in range(args.runs)]
            bare = [
                measure(browser, base, "/api/v1/health", second_load=False)
                for _ in range(args.runs)
            ]
            browser.close()
        server.shutdown()

    def median(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    card_bytes, card_fcp = median(cards, "server_bytes"), median(cards, "fcp")
    bare_load = median(bare, "load")
    print(f"Mobile card, first visit on Slow 3G (median of {args.runs}, headless Chromium):")
    print(
        f"  transferred, everything (server sockets): {card_bytes / 1024:6.1f} KB "
        f"in {median(cards, 'requests'):.0f} requests   budget {BUDGET_BYTES / 1024:.0f} KB  "
        f"{'OK' if card_bytes <= BUDGET_BYTES else 'OVER'}"
    )
    print(
        f"  transferred, the page's own (Chromium):   {median(cards, 'page_bytes') / 1024:6.1f} KB"
    )
    print(
        f"  first contentful paint:                   {card_fcp:6.0f} ms   "
        f"budget {BUDGET_MS} ms  {'OK' if card_fcp < BUDGET_MS else 'OVER'}"
    )
    print(f"  load event:                               {median(cards, 'load'):6.0f} ms")
    print(f"  second visit, offline (from the device):  {median(cards, 'again_load'):6.0f} ms")
    print(
        f"Baseline /api/v1/health the same way:       {bare_load:6.0f} ms load, "
        f"{median(bare, 'server_bytes') / 1024:.1f} KB"
    )
    print(f"  card load / baseline load:                {median(cards, 'load') / bare_load:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
