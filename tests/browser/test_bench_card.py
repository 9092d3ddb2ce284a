"""`make bench-card` keeps working, and the mobile card's first load stays within its byte budget (a
size, not a time: the script's timings are printed, never asserted)."""

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]


def test_bench_card_prints_its_figures_and_the_bytes_fit_the_budget():
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DATABASE_URL"}}
    env["KAIKUKANTA_CHROMIUM"] = str(CHROMIUM)
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "card.py"), "--runs", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    for label in ["first contentful paint", "load event", "second visit, offline", "Baseline"]:
        assert label in out, out
    transferred = re.search(r"transferred, everything \(server sockets\):\s+([\d.]+) KB", out)
    assert transferred, out
    assert float(transferred[1]) <= 30, out
