"""`make bench`: warm query speed of this version beside an earlier one (issue 7 §6: no query
slower than before), each on a demo warehouse built by its own `cxdash demo`.

Nothing here asserts a time (machines differ, and this VM is shared); the table is printed
and the figures go to test-artifacts/bench-compare.json. CXDASH_BENCH_BEFORE (default
133cd18, the start of the metrics-layer session) and CXDASH_BENCH_AFTER (default HEAD) pick
the revisions; CXDASH_BENCH_ROWS the demo size (default 10,000,000: about 11 GB peak per
build, the two builds run one after the other).
"""

from __future__ import annotations

import json
import os

import pytest

from tests.bench.compare_versions import QUERIES, compare, markdown
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.bench

# read at import: tests/conftest.py clears every CXDASH_* variable before each test
BEFORE = os.environ.get("CXDASH_BENCH_BEFORE", "133cd18")
AFTER = os.environ.get("CXDASH_BENCH_AFTER", "HEAD")
ROWS = int(os.environ.get("CXDASH_BENCH_ROWS", "10000000"))


def test_queries_of_this_version_beside_an_earlier_one():
    results = compare(BEFORE, AFTER, ROWS, runs=5, keep=False)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "bench-compare.json").write_text(json.dumps(results, indent=1))
    print("\n" + markdown(results))
    # every query of the earlier version was timed in both
    assert all("before" not in row or "after" in row for row in results["queries"].values())
    assert set(results["queries"]) <= set(QUERIES)
