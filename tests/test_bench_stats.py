"""benchmarks/stats.py on a tiny synthetic database, so that the benchmark keeps working as the
statistics pages change: every page and export it requests answers 200. (The times mean nothing.)"""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from kaikukanta.stats import summaries

pytestmark = pytest.mark.django_db


def load_benchmark():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "stats.py"
    spec = importlib.util.spec_from_file_location("bench_stats", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_stats"] = module
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_requests_every_statistics_page_and_export(capsys):
    call_command(
        "generate_synthetic",
        cards=150,
        uses=900,
        regions=2,
        seed=9,
        force=True,
        quiet=True,
        stdout=io.StringIO(),
    )
    # generate_synthetic recomputes the summary tables after its bulk load.
    assert summaries.differences() == []
    bench = load_benchmark()
    assert bench.main(["--runs", "1", "--allow-sqlite", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "/stats/national/years.xlsx" in out
    assert "report-2026.pdf" in out
    assert "status" not in out  # every page answered 200
    assert "Number cells shown, national 2026:" in out
