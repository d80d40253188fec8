"""The Funnel page's queries on hand-made warehouses: stages a source does not carry, the
funnel per channel, SLA by tier, backlog age bands at their exact boundaries, and the
bottleneck sentence. Expected numbers are worked out by hand beside each assertion."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dashboard.i18n import set_language
from dashboard.views import funnel as vm
from dashboard.warehouse import append_frame, connect_reader, refresh_facts, write_transaction
from queries import funnel as qf
from queries.api import Filters, fetch_kpis
from tests.fixtures import frame, survey, ticket

NO_CLOSE = ["closed_at", "status"]  # an extract without closed_at and without a status


def build(path: Path, tickets: list[dict[str, Any]], surveys: list[dict[str, Any]] = (),
          status: dict[str, str | None] | None = None) -> Path:
    """A warehouse; with `status`, the tickets frame carries a status column (ticket -> value)."""
    rows = frame("tickets", tickets)
    if status is not None:
        rows = rows.with_columns(pl.Series("status", [status.get(t) for t in rows["ticket_id"]],
                                           dtype=pl.String))
    with write_transaction(path, fresh=True) as con:
        append_frame(con, "tickets", rows)
        if surveys:
            append_frame(con, "surveys", frame("surveys", list(surveys)))
        refresh_facts(con)
    return path


def run(path: Path, fn, **kwargs: Any) -> pl.DataFrame:
    con = connect_reader(path)
    try:
        return fn(con, kwargs.pop("filters", Filters()), **kwargs)
    finally:
        con.close()


def by_stage(frame_: pl.DataFrame) -> dict[str, dict[str, Any]]:
    return {r["stage"]: r for r in frame_.iter_rows(named=True)}


# --- stages a source does not carry ------------------------------------------------

def test_a_stage_no_ticket_carries_is_null_and_so_is_every_conversion_touching_it(tmp_path):
    path = build(tmp_path / "w.duckdb", [
        ticket("T1", "2024-05-01 10:00", assigned_at="2024-05-01 10:10",
               first_response_at="2024-05-01 10:40", resolved_at="2024-05-01 11:40",
               not_carried=NO_CLOSE),
        ticket("T2", "2024-05-01 10:00", assigned_at="2024-05-01 10:20", not_carried=NO_CLOSE),
    ], [survey("S1", "T1", "2024-05-02 10:00", csat=5)])
    f = by_stage(run(path, qf.fetch_funnel))
    # T1 reached satisfied (csat 5), T2 only assigned; nobody carries closed_at or a status
    assert [f[s]["tickets"] for s in qf.STAGES] == [2, 2, 1, 1, None, 1, 1]
    assert f["closed"]["conversion_pct"] is None            # 1 / 1 would be 100: not known
    assert f["closed"]["conversion_from_received_pct"] is None
    assert f["surveyed"]["conversion_pct"] is None          # divides by the unknown closed
    assert f["satisfied"]["conversion_pct"] == pytest.approx(100.0)  # 1 of 1 surveyed
    assert f["resolved"]["conversion_pct"] == pytest.approx(100.0)   # 1 of 1 responded


def test_an_empty_selection_is_one_funnel_of_zeros_and_a_breakdown_of_none(tmp_path):
    # without a breakdown the pass is one plain aggregate (it gives a row even for no
    # tickets): the funnel reads zeros for what the warehouse's sources carry, and null
    # where none does -- here no survey is in the warehouse (spec: surveyed/satisfied null)
    path = build(tmp_path / "w.duckdb", [ticket("T1", "2024-05-01 10:00")])
    nobody = Filters(channel=("fax",))
    f = run(path, qf.fetch_funnel, filters=nobody)
    assert f["stage"].to_list() == list(qf.STAGES)
    assert f["tickets"].to_list() == [0, 0, 0, 0, 0, None, None]
    assert f["conversion_pct"].null_count() == 7
    assert f["group"].null_count() == 7
    assert run(path, qf.fetch_funnel, filters=nobody, by="channel").height == 0
    # and one ticket: received 1 (the plain aggregate's row is kept)
    assert run(path, qf.fetch_funnel)["tickets"].to_list()[0] == 1


def test_an_empty_selection_is_null_for_a_stage_no_source_carries(tmp_path):
    # the warehouse carries no assigned_at, closed_at or status, but has a survey: an empty
    # selection reads received 0, assigned null, responded 0, resolved 0, closed null,
    # surveyed 0, satisfied 0
    path = build(tmp_path / "w.duckdb",
                 [ticket("T1", "2024-05-01 10:00", not_carried=["assigned_at", *NO_CLOSE])],
                 [survey("S1", "T1", "2024-05-02 10:00", csat=5)])
    f = run(path, qf.fetch_funnel, filters=Filters(channel=("fax",)))
    assert f["tickets"].to_list() == [0, None, 0, 0, None, 0, 0]


def test_without_any_survey_in_the_warehouse_surveyed_and_satisfied_are_null(tmp_path):
    path = build(tmp_path / "w.duckdb", [ticket("T1", "2024-05-01 10:00",
                                                resolved_at="2024-05-01 12:00")])
    f = by_stage(run(path, qf.fetch_funnel))
    assert f["surveyed"]["tickets"] is None and f["satisfied"]["tickets"] is None
    assert f["surveyed"]["conversion_pct"] is None and f["satisfied"]["conversion_pct"] is None
    assert f["closed"]["tickets"] == 0   # closed_at is carried (a column with empty cells)


def test_a_status_resolved_or_closed_counts_as_reaching_resolved_or_closed(tmp_path):
    no_times = ["resolved_at", "closed_at"]
    path = build(tmp_path / "w.duckdb", [
        ticket("A", "2024-05-01 10:00", not_carried=no_times),
        ticket("B", "2024-05-01 10:00", not_carried=no_times),
        ticket("C", "2024-05-01 10:00", not_carried=no_times),
    ], [survey("S0", "C", "2024-05-03 10:00", csat=2)],
        status={"A": "resolved", "B": "closed", "C": "open"})
    f = by_stage(run(path, qf.fetch_funnel))
    # B closed (so resolved), A resolved, C open but surveyed (a later marker: reached all)
    assert f["resolved"]["tickets"] == 3
    assert f["closed"]["tickets"] == 2          # B, and C through its survey
    assert f["closed"]["conversion_pct"] == pytest.approx(200 / 3)


def test_the_funnel_per_channel_decides_what_is_carried_group_by_group(tmp_path):
    path = build(tmp_path / "w.duckdb", [
        ticket("P1", "2024-05-01 10:00", channel="phone", closed_at="2024-05-01 12:00"),
        ticket("P2", "2024-05-01 10:00", channel="phone"),
        ticket("W1", "2024-05-01 10:00", channel="web", not_carried=NO_CLOSE,
               resolved_at="2024-05-01 11:00"),
    ], [survey("S1", "P1", "2024-05-02 10:00", csat=4)])
    rows = run(path, qf.fetch_funnel, by="channel")
    phone = by_stage(rows.filter(pl.col("group") == "phone"))
    web = by_stage(rows.filter(pl.col("group") == "web"))
    assert phone["closed"]["tickets"] == 1 and phone["closed"]["conversion_pct"] == 100.0
    assert phone["received"]["tickets"] == 2
    assert web["closed"]["tickets"] is None     # the web extract had no closed_at / status
    assert web["resolved"]["tickets"] == 1
    # the whole funnel: phone carries closed_at, so the stage is known (P1 only)
    whole = by_stage(run(path, qf.fetch_funnel))
    assert whole["closed"]["tickets"] == 1


# --- SLA by tier ------------------------------------------------------------------

AS_OF = datetime(2024, 5, 15, 12, 0)  # a Wednesday


@pytest.fixture
def sla_wh(tmp_path):
    return build(tmp_path / "sla.duckdb", [
        # urgent (60 min): met at 30 min, breached at 2 h, pending (30 min old, no reply)
        ticket("U1", "2024-05-15 08:00", priority="urgent", first_response_at="2024-05-15 08:30"),
        ticket("U2", "2024-05-15 08:00", priority="urgent", first_response_at="2024-05-15 10:00",
               channel="web"),
        ticket("U3", "2024-05-15 11:30", priority="urgent"),
        # high (240 min): no reply after 5 h -> breached
        ticket("H1", "2024-05-15 07:00", priority="high", channel="web"),
        # a source without response times: no state at all
        ticket("N1", "2024-05-15 07:00", not_carried=["first_response_at"]),
    ])


def test_sla_by_tier_counts_met_breached_and_pending_per_tier_and_channel(sla_wh):
    rows = run(sla_wh, qf.fetch_sla_by_tier, filters=Filters(as_of=AS_OF), by="channel")
    cell = {(r["group"], r["priority"], r["all_groups"], r["all_tiers"]): r
            for r in rows.iter_rows(named=True)}
    urgent = cell[(None, "urgent", True, False)]
    assert (urgent["met"], urgent["breached"], urgent["pending"]) == (1, 1, 1)
    assert urgent["met_pct"] == pytest.approx(50.0)          # 1 of (1 met + 1 breached)
    assert cell[("web", "urgent", False, False)]["breached"] == 1
    assert cell[("phone", "urgent", False, False)]["met_pct"] == pytest.approx(100.0)  # U1
    assert cell[(None, "high", True, False)]["met_pct"] == 0.0                         # H1
    total = cell[(None, None, True, True)]
    assert total["not_carried"] == 1 and total["tickets"] == 5                         # N1
    # the total is the KPI: met 1 of 3 due = 33.3 %, as fetch_kpis says
    con = connect_reader(sla_wh)
    assert total["met_pct"] == pytest.approx(
        fetch_kpis(con, Filters(as_of=AS_OF)).row(0, named=True)["sla_met_pct"])
    con.close()
    assert total["met_pct"] == pytest.approx(100 / 3)


def test_sla_weekly_marks_the_week_not_over_at_as_of(sla_wh):
    rows = run(sla_wh, qf.fetch_sla_weekly, filters=Filters(as_of=AS_OF))
    overall = rows.filter(pl.col("priority").is_null()).row(0, named=True)
    assert str(overall["week"]) == "2024-05-13"   # the Monday of 15 May 2024
    assert overall["complete"] is False            # it ends 20 May, after as_of
    assert (overall["met"], overall["breached"], overall["pending"]) == (1, 2, 1)


# --- backlog ----------------------------------------------------------------------

@pytest.fixture
def backlog_wh(tmp_path):
    return build(tmp_path / "b.duckdb", [
        ticket("A0", "2024-05-15 11:59", type="request"),                   # 1 min  -> lt1d
        ticket("A1", "2024-05-14 12:00", type="request"),                   # 1 d    -> 1to3d
        ticket("A2", "2024-05-14 12:01", type="request"),                   # <1 d   -> lt1d
        ticket("A3", "2024-05-12 12:00", type="request",
               assigned_at="2024-05-12 13:00"),                            # 3 d    -> 3to7d
        # complaints: created Wed 8 May 12:00 is due exactly at as_of (5 working days):
        # not overdue; one minute earlier is overdue; a Saturday one counts from Monday.
        ticket("C1", "2024-05-08 12:00", first_response_at="2024-05-08 13:00"),  # 7 d -> 7to30d
        ticket("C2", "2024-05-08 11:59", first_response_at="2024-05-08 13:00"),  # 7to30d
        ticket("C3", "2024-05-11 09:00", first_response_at="2024-05-11 10:00"),  # 3to7d
        ticket("O1", "2024-04-15 12:00", type="request"),                   # 30 d   -> gt30d
        ticket("O2", "2024-04-15 12:01", type="request"),                   # 29.99 d -> 7to30d
        # done by as_of: not in the backlog; resolved after as_of: still open at as_of
        ticket("R1", "2024-05-10 12:00", type="request", resolved_at="2024-05-14 12:00"),
        ticket("R2", "2024-05-10 12:00", type="request", resolved_at="2024-05-16 12:00"),
        # a source without resolution times or status: not known to be open
        ticket("X1", "2024-05-10 12:00", type="request",
               not_carried=["resolved_at", "closed_at", "status"]),
    ])


def test_backlog_bands_are_half_open_at_exact_boundaries(backlog_wh):
    rows = run(backlog_wh, qf.fetch_backlog, filters=Filters(as_of=AS_OF))
    per_band: dict[str | None, int] = {}
    for r in rows.iter_rows(named=True):
        per_band[r["band"]] = per_band.get(r["band"], 0) + r["tickets"]
    # lt1d: A0, A2 · 1to3d: A1 (exactly 1 d) · 3to7d: A3 (exactly 3 d), C3, R2 (5 d)
    # 7to30d: C1 (exactly 7 d), C2 (7 d 1 min), O2 (29 d 23 h 59) · gt30d: O1 (exactly 30 d)
    # unknown: X1
    assert per_band == {"lt1d": 2, "1to3d": 1, "3to7d": 3, "7to30d": 3, "gt30d": 1, None: 1}
    assert [b for b in dict.fromkeys(rows["band"].to_list())] == \
        ["gt30d", "7to30d", "3to7d", "1to3d", "lt1d", None]            # oldest first


def test_backlog_counts_stuck_stage_breaches_and_complaints_past_the_standard(backlog_wh):
    rows = run(backlog_wh, qf.fetch_backlog, filters=Filters(as_of=AS_OF))
    summary = vm.backlog_summary(rows)
    assert summary.open_tickets == 10      # 12 tickets - R1 (resolved before) - X1 (unknown)
    assert summary.unknown == 1
    # C2 only: C1 is due exactly at as_of, C3 (Saturday) counts from Monday 13 May
    assert summary.overdue_complaints == 1
    stuck = {(r["band"], r["stage"]): r["tickets"] for r in rows.iter_rows(named=True)}
    assert stuck[("3to7d", "assigned")] == 1          # A3
    assert stuck[("3to7d", "responded")] == 1         # C3
    assert stuck[("7to30d", "responded")] == 2        # C1, C2
    # breached first-response SLA (normal, 24 h) among open tickets: every ticket without a
    # reply older than 24 h: A1? created exactly 24 h before as_of -> deadline = as_of, not
    # breached; A3, O1, O2, R2 are -> 4 (C1..C3 replied within the hour)
    assert summary.breached == 4


# --- bottleneck -------------------------------------------------------------------

def funnel_frame(tickets: list[int | None], conversion: list[float | None],
                 minutes: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame({
        "group": [None] * 7, "stage": list(qf.STAGES), "tickets": tickets,
        "conversion_pct": conversion, "conversion_from_received_pct": [None] * 7,
        "median_minutes_from_previous": minutes,
    }, schema_overrides={"group": pl.String, "conversion_from_received_pct": pl.Float64})


def test_the_bottleneck_is_the_lowest_conversion_and_the_slowest_step_in_one_sentence():
    set_language("en")
    frame_ = funnel_frame([100, 90, 88, 80, 78, 30, 20],
                          [None, 90.0, 97.8, 90.9, 97.5, 38.5, 66.7],
                          [None, 10.0, 20.0, 1500.0, 600.0, None, None])
    b = vm.bottleneck_of(frame_)
    # lowest conversion: surveyed, 38.5 % of closed -> 61.5 % lost; slowest: resolved 25 h
    assert (b.loss_stage, b.previous_stage) == ("surveyed", "closed")
    assert b.lost_pct == pytest.approx(61.5)
    assert b.sentence() == ("Most cases are lost between closed and surveyed: 61.5% of closed "
                            "tickets are never surveyed; the slowest step is responded → "
                            "resolved (median 1 d 1 h).")


def test_a_stage_not_in_the_data_is_never_the_bottleneck():
    set_language("en")
    frame_ = funnel_frame([10, 10, 5, 5, None, None, None],
                          [None, 100.0, 50.0, 100.0, None, None, None],
                          [None, None, None, None, None, None, None])
    b = vm.bottleneck(vm.funnel_rows(frame_))
    assert b.loss_stage == "responded" and b.slow_stage is None
    assert b.sentence() == ("Most cases are lost between assigned and responded: 50.0% of "
                            "assigned tickets are never answered.")


def test_cxdash_funnel_json_keeps_the_cli_shape_and_says_null_for_an_uncarried_stage(tmp_path):
    import io
    import json
    from contextlib import redirect_stdout

    from dashboard import cli

    path = build(tmp_path / "w.duckdb", [
        ticket("T1", "2024-05-01 10:00", resolved_at="2024-05-01 12:00", not_carried=NO_CLOSE),
    ])
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["funnel", "--json", "--warehouse", str(path)]) == 0
    rows = json.loads(out.getvalue())
    assert [r["stage"] for r in rows] == list(qf.STAGES)
    assert all(list(r) == ["stage", "tickets", "conversion_pct", "median_minutes_from_previous"]
               for r in rows)
    closed = rows[4]
    # the bug of issue 11: "closed 0, conversion 0.0" when no ticket carries closed_at
    assert closed == {"stage": "closed", "tickets": None, "conversion_pct": None,
                      "median_minutes_from_previous": None}
