"""The demo's story, checked on the demo warehouse `cxdash demo` builds (300,000 first
contacts, seed 7): the fix aimed at the branch that looked worst (F-10) is flagged for
regression to the mean, and the placebo (F-09, new hold music) shows no effect."""

from __future__ import annotations

import pytest

from dashboard.warehouse import connect_reader
from queries.effects import fetch_effects


@pytest.fixture(scope="module")
def demo_effects(tmp_path_factory):
    from dashboard.demo import build_demo

    path = tmp_path_factory.mktemp("demo300k") / "warehouse.duckdb"
    build_demo(path, tickets=300_000, seed=7)
    con = connect_reader(path)
    try:
        frame = fetch_effects(con)
    finally:
        con.close()
    return {(r["fix_id"], r["metric"]): r for r in frame.iter_rows(named=True)}


def test_the_fix_aimed_at_the_worst_branch_warns_of_regression_to_the_mean(demo_effects):
    row = demo_effects[("F-10", "repeat_complaint_pct")]
    assert row["rtm_warning"] is True
    # its repeat rate rose from its own history to the quarter before launch
    assert row["treated_pre"] > row["treated_hist"]


def test_the_placebo_fix_shows_no_effect_on_any_metric(demo_effects):
    for metric in ("repeat_complaint_pct", "csat_avg", "churn_pct", "complaints"):
        row = demo_effects[("F-09", metric)]
        assert row["ci_low"] is not None and row["ci_low"] <= 0 <= row["ci_high"], metric


def test_a_fix_with_a_real_effect_is_found(demo_effects):
    # F-02 prevents 85 % of would-be repeats in its scope: lower beyond noise
    assert demo_effects[("F-02", "repeat_complaint_pct")]["ci_high"] < 0
