"""Stored facts (queries/facts.sql) after many small loads equal those of one load.

A load refreshes the facts of the tickets it touches and of every ticket of their
customers (dashboard.warehouse.refresh_facts_for): a neighbour's prev/next contact can
change when a ticket arrives later, in another file. Narrowing that scope (only the new
tickets, or fewer customers) would leave earlier tickets with stale facts; this test
loads the same rows in small shuffled batches into a growing warehouse and compares
every fact with a single load of all rows.
"""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.load.run import load_file
from dashboard.warehouse import connect_reader
from tests.bigdata import big_tickets_frame

pytestmark = pytest.mark.slow

FACTS_SQL = ("select ticket_id, prev_complaint_at, next_contact_at, has_survey, latest_csat, "
             "latest_nps, funnel_depth, region, segment from fact_tickets order by ticket_id")


def _facts(path) -> pl.DataFrame:
    con = connect_reader(path)
    try:
        cur = con.cursor()
        cur.execute("use wh")
        return cur.sql(FACTS_SQL).pl()
    finally:
        con.close()


def test_facts_after_small_batches_into_a_larger_warehouse_equal_a_single_load(tmp_path):
    # 2,000 tickets of only 60 customers in 4 categories: most tickets have neighbours
    rows = big_tickets_frame(2_000, seed=5, customers=60).sample(fraction=1.0, shuffle=True,
                                                                 seed=9)
    whole = tmp_path / "all.csv"
    rows.write_csv(whole, datetime_format="%Y-%m-%d %H:%M:%S")
    single = tmp_path / "single.duckdb"
    assert load_file(single, whole).status == "loaded"

    batched = tmp_path / "batched.duckdb"
    first = tmp_path / "first.csv"
    rows.head(1_200).write_csv(first, datetime_format="%Y-%m-%d %H:%M:%S")
    assert load_file(batched, first).status == "loaded"   # the larger warehouse
    for i, start in enumerate(range(1_200, 2_000, 100)):  # then eight batches of 100
        part = tmp_path / f"part{i}.csv"
        rows.slice(start, 100).write_csv(part, datetime_format="%Y-%m-%d %H:%M:%S")
        assert load_file(batched, part).status == "loaded"

    expected, got = _facts(single), _facts(batched)
    assert got.height == expected.height == 2_000
    # every batch mixes old and new dates of the same customers, so earlier tickets' next
    # contacts and later tickets' previous complaints change with each batch
    assert got.equals(expected)
    assert expected["next_contact_at"].null_count() < 1_000  # neighbours are common here
