"""`make bench`: load speed and memory at 10 million tickets, side by side with plain DuckDB
and pandas loads of the same file, the weekly incremental load, and warm query latency.

Nothing here asserts a time (machines differ); the figures are printed and written to
test-artifacts/bench.json. Size with CXDASH_BENCH_ROWS (default 10,000,000).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bigdata import big_tickets_csv
from tests.conftest import ARTIFACTS, REPO

pytestmark = pytest.mark.bench

ROWS = int(os.environ.get("CXDASH_BENCH_ROWS", "10000000"))
CACHE = Path(os.environ.get("CXDASH_BENCH_DIR", "/tmp/cxdash-bench"))


def measure(mode: str, file: Path, warehouse: Path) -> dict:
    out = subprocess.run([sys.executable, str(REPO / "tests" / "bench" / "runner.py"), mode,
                          str(file), str(warehouse)], cwd=REPO, capture_output=True, text=True,
                         check=True, env={k: v for k, v in os.environ.items()
                                          if not k.startswith("CXDASH_")} | {"PYTHONPATH": str(REPO)})
    result = {}
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            result.update(json.loads(line))
    return result


def test_load_speed_memory_incremental_and_query_latency():
    CACHE.mkdir(parents=True, exist_ok=True)
    big = CACHE / f"tickets-{ROWS}.csv"
    if not big.exists():
        big_tickets_csv(big, ROWS, customers=ROWS // 4)
    week = CACHE / f"tickets-week-{ROWS}.csv"
    if not week.exists():  # 100,000 new tickets, many from customers already known
        big_tickets_csv(week, 100_000, first_id=ROWS, seed=9, customers=ROWS // 4)
    results = {}
    for mode in ("duckdb_plain", "pandas", "cxdash_load"):
        warehouse = CACHE / f"{mode}.duckdb"
        for stale in CACHE.glob(f"{mode}.duckdb*"):
            stale.unlink()
        results[mode] = measure(mode, big, warehouse)
        assert results[mode]["rows"] == ROWS
    warehouse = CACHE / "cxdash_load.duckdb"
    results["incremental_100k"] = measure("cxdash_load", week, warehouse)
    results["queries_warm"] = measure("queries", week, warehouse)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "bench.json").write_text(json.dumps(results, indent=1))
    print("\n" + json.dumps(results, indent=1))
