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


SAFETY_NET_SECONDS = 900  # only so that a broken test cannot hang; never a pass condition


def _wait_for(paths: list[Path], procs: list[subprocess.Popen]) -> None:
    """Until every file exists (a reader's first query is done); fail if a reader died."""
    deadline = time.monotonic() + SAFETY_NET_SECONDS
    while not all(p.exists() for p in paths):
        assert all(p.poll() is None for p in procs), "a reader stopped before querying"
        assert time.monotonic() < deadline, "safety net: a reader never answered"
        time.sleep(0.01)


def _answers(out: Path) -> int:
    """How many queries the reader writing `out` has answered so far."""
    return int(Path(f"{out}.count").read_text())


def _wait_for_answers(outs: list[Path], procs: list[subprocess.Popen], more: int) -> None:
    """Until every reader has answered `more` further queries; fail if a reader died."""
    goal = {out: _answers(out) + more for out in outs}
    deadline = time.monotonic() + SAFETY_NET_SECONDS
    while not all(_answers(out) >= goal[out] for out in outs):
        assert all(p.poll() is None for p in procs), "a reader stopped during the load"
        assert time.monotonic() < deadline, "safety net: readers blocked during the load"
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
    # While the load holds its write transaction -- when it starts writing (step 0.5) and
    # when its copy is complete but not yet published (0.95) -- it waits until every reader
    # has answered 3 more queries: readers that were blocked would never get there (the
    # safety net would fail the test), and the load cannot land before they have answered.
    held: list[float] = []

    def step(what: str, frac: float) -> None:
        if frac in (0.5, 0.95):
            _wait_for_answers(outs, readers, 3)
            held.append(frac)

    try:
        result = load_file(seeded, big, step=step)
        landed.write_text("1")
        assert result.status == "loaded", result.message
        assert held == [0.5, 0.95], "the load no longer reports these two moments"
        for r in readers:
            assert r.wait(SAFETY_NET_SECONDS) == 0
    finally:
        for r in readers:  # only when the test failed: no reader is left behind
            if r.poll() is None:
                r.kill()
                r.wait()
    new = old + 400_000
    for out in outs:
        report = json.loads(out.read_text())
        assert report["errors"] == []
        assert set(report["seen"]) <= {old, new}, "a reader saw a half-loaded state"
        assert report["seen"][0] == old
        assert report["seen"][-1] == new, "after the load lands the next query sees it"
        # at least the 1 + 3 + 3 answers before landing counted above saw the old data
        assert report["seen"].count(old) >= 7
