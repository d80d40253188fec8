"""Guarantees that need real processes: a killed load changes nothing, readers are
never blocked or shown half a load."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.load.run import load_file
from dashboard.warehouse import TMP_MARK, connect_reader
from queries.api import Filters, fetch_kpis
from tests.bigdata import big_tickets_csv
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ticket_count(warehouse: Path) -> int:
    con = connect_reader(warehouse)
    try:
        return fetch_kpis(con, Filters()).row(0, named=True)["tickets"]
    finally:
        con.close()


@pytest.fixture
def seeded(tmp_path) -> Path:
    warehouse = tmp_path / "wh.duckdb"
    load_file(warehouse, big_tickets_csv(tmp_path / "seed.csv", 20_000, seed=3))
    return warehouse


def test_a_load_killed_mid_write_leaves_the_warehouse_unchanged_and_usable(tmp_path, seeded):
    big = big_tickets_csv(tmp_path / "big.csv", 600_000, first_id=1_000_000)
    before_hash, before_kpis = sha(seeded), ticket_count(seeded)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "load", str(big), "--warehouse", str(seeded),
         "--quiet"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait until it is writing its copy of the warehouse, then kill it without warning
    deadline = time.monotonic() + 120
    while not list(seeded.parent.glob(f"{seeded.name}{TMP_MARK}*")):
        assert proc.poll() is None, "the load finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert sha(seeded) == before_hash                 # byte for byte
    assert ticket_count(seeded) == before_kpis
    # the next load works, and cleans up what the killed one left behind
    result = load_file(seeded, big)
    assert result.status == "loaded" and result.new == 600_000
    assert ticket_count(seeded) == before_kpis + 600_000
    assert not list(seeded.parent.glob(f"{seeded.name}{TMP_MARK}*"))


def _wait_for(paths: list[Path], procs: list[subprocess.Popen]) -> None:
    """Until every file exists (a reader's first query is done); fail if a reader died."""
    while not all(p.exists() for p in paths):
        assert all(p.poll() is None for p in procs), "a reader stopped before querying"
        time.sleep(0.01)


def test_readers_in_other_processes_are_never_blocked_during_a_load(tmp_path, seeded):
    big = big_tickets_csv(tmp_path / "big.csv", 400_000, first_id=2_000_000)
    old = ticket_count(seeded)
    landed = tmp_path / "landed"
    outs = [tmp_path / f"reader{i}.json" for i in range(2)]
    readers = [subprocess.Popen([sys.executable, str(REPO / "tests" / "reader_process.py"),
                                 str(seeded), str(landed), str(out)], cwd=REPO) for out in outs]
    # the readers are querying before the load starts, and keep going until it has landed
    # (however long it takes on a busy machine) plus a few queries
    _wait_for([Path(f"{out}.ready") for out in outs], readers)
    result = load_file(seeded, big)
    landed.write_text("1")
    assert result.status == "loaded"
    for r in readers:
        assert r.wait(120) == 0
    new = old + 400_000
    for out in outs:
        report = json.loads(out.read_text())
        assert report["errors"] == []
        assert set(report["seen"]) <= {old, new}, "a reader saw a half-loaded state"
        assert report["seen"][0] == old
        assert report["seen"][-1] == new, "after the load lands the next query sees it"
        # readers kept answering while the load ran: more than the 5 queries after landing
        assert report["seen"].count(old) > 5
