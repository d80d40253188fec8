"""Weekly review (spec/kpis.md "Weekly review"): weeks, change intervals, flags and the
mix/rate decomposition, each against numbers worked out by hand in the comments."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from dashboard.warehouse import connect_reader
from queries.api import Filters
from queries.weekly import (
    GroupValue,
    IsoWeek,
    band_flagged,
    change_interval,
    churn_week,
    count_band,
    decompose,
    fetch_decomposition,
    fetch_weekly,
    interval_flagged,
    latest_complete_week,
    mean_variance,
    nps_variance,
    proportion_variance,
)
from tests.fixtures import survey, ticket

# --- weeks ---------------------------------------------------------------------------


def test_an_iso_week_runs_from_monday_to_the_next_monday():
    week = IsoWeek.parse("2026-W12")
    assert week.monday == date(2026, 3, 16)  # ISO 2026-W01 starts Mon 29 Dec 2025
    assert week.sunday == date(2026, 3, 22)
    assert week.end == datetime(2026, 3, 23)
    assert week.label == "2026-W12"
    assert IsoWeek.parse("2026w12") == week


def test_a_bad_week_is_refused_with_the_expected_form():
    with pytest.raises(ValueError, match="like 2026-W12"):
        IsoWeek.parse("2026-12")
    with pytest.raises(ValueError, match="no ISO week 54"):
        IsoWeek.parse("2026-W54")


def test_a_week_is_complete_only_once_its_end_is_reached():
    week = IsoWeek.parse("2026-W12")
    assert week.complete(datetime(2026, 3, 23, 0, 0))  # end == as_of counts as complete
    assert not week.complete(datetime(2026, 3, 22, 23, 59, 59))
    assert not week.complete(None)


def test_the_default_week_is_the_latest_complete_one():
    # as_of on Monday 00:00 of W13: W12 has just ended
    assert latest_complete_week(datetime(2026, 3, 23, 0, 0)).label == "2026-W12"
    # one second before, W12 is still running: W11 is the latest complete one
    assert latest_complete_week(datetime(2026, 3, 22, 23, 59, 59)).label == "2026-W11"
    # mid-week (Friday of W47): the week before
    assert latest_complete_week(datetime(2026, 11, 20, 17, 54)).label == "2026-W46"


def test_churn_is_reported_for_the_latest_week_whose_complaints_have_all_matured():
    # as_of Fri 20 Nov 2026, 90 days: a complaint of day t is matured when t + 90 <= 20 Nov,
    # i.e. t <= 22 Aug (a Saturday). W34 (17-23 Aug) has a Sunday 23 Aug: not all matured.
    # W33 (10-16 Aug): 16 Aug + 90 = 14 Nov <= 20 Nov.
    assert churn_week(IsoWeek.parse("2026-W46"), datetime(2026, 11, 20, 17, 54), 90).label \
        == "2026-W33"
    # as_of Sat 21 Nov: 23 Aug + 90 = 21 Nov, so W34 has matured
    assert churn_week(IsoWeek.parse("2026-W46"), datetime(2026, 11, 21), 90).label == "2026-W34"
    # an old week that has matured is its own churn week
    assert churn_week(IsoWeek.parse("2026-W10"), datetime(2026, 11, 21), 90).label == "2026-W10"


# --- intervals ------------------------------------------------------------------------


def test_a_proportion_uses_the_agresti_caffo_variance():
    # 1 of 8 (12.5 %): p~ = (1+1)/(8+2) = 0.2; 0.2 × 0.8 / 10 = 0.016 -> 160 pts²
    assert proportion_variance(12.5, 8) == pytest.approx(160.0)
    # 0 of 7 is not certain: p~ = 1/9; (1/9)(8/9)/9 = 0.0109739 -> 109.739 pts²
    assert proportion_variance(0.0, 7) == pytest.approx(109.7393, rel=1e-5)
    assert proportion_variance(None, 8) is None


def test_a_mean_uses_the_sample_variance_over_n():
    # s² = 2.0 over 4 answers -> 0.5
    assert mean_variance(2.0, 4) == pytest.approx(0.5)


def test_nps_variance_uses_promoter_and_detractor_shares():
    # 2 promoters, 1 detractor of 5: p 0.4, d 0.2; (0.6 - 0.2²)/5 = 0.112 -> 1120
    assert nps_variance(2, 1, 5) == pytest.approx(1120.0)


def test_a_change_interval_is_change_plus_minus_1_96_root_of_both_variances():
    # change 2.0, variances 0.5 + 0.5 -> ±1.96 × 1 -> 0.04 .. 3.96, excludes 0: flagged
    low, high = change_interval(2.0, 0.5, 0.5, 10, 10)
    assert (low, high) == (pytest.approx(0.04), pytest.approx(3.96))
    assert interval_flagged(low, high)
    # change 1.9 -> -0.06 .. 3.86 includes 0: not flagged
    assert not interval_flagged(*change_interval(1.9, 0.5, 0.5, 10, 10))


def test_a_week_with_fewer_than_2_cases_gives_no_interval():
    assert change_interval(2.0, 0.5, 0.5, 1, 10) == (None, None)
    assert change_interval(2.0, 0.5, 0.5, 10, 1) == (None, None)
    assert not interval_flagged(None, None)


def test_a_count_is_flagged_outside_two_standard_deviations_of_8_weeks():
    # 10, 12, 8, 10 and four weeks without tickets (0): mean 5, squares 25+49+9+25+4×25 = 208,
    # sd = √(208/7) = 5.4511 -> band -5.902 .. 15.902
    low, high = count_band([10, 12, 8, 10, 0, 0, 0, 0], weeks_with_tickets=4)
    assert low == pytest.approx(-5.9022, abs=1e-3)
    assert high == pytest.approx(15.9022, abs=1e-3)
    assert band_flagged(16, low, high)
    assert not band_flagged(15, low, high)


def test_a_count_needs_4_of_the_8_weeks_with_tickets_to_be_flagged():
    assert count_band([10, 12, 8, 0, 0, 0, 0, 0], weeks_with_tickets=3) == (None, None)
    assert not band_flagged(1000, None, None)


# --- decomposition --------------------------------------------------------------------


def test_a_pure_mix_shift_has_zero_rate_effects_and_contributions_sum_to_the_change():
    # A keeps 10 %, B keeps 20 %; A's share of the denominator moves 50 % -> 80 %.
    # r0 = 0.5×10 + 0.5×20 = 15; r1 = 0.8×10 + 0.2×20 = 12; change -3.
    # mix A = (0.8-0.5)×10 = +3; mix B = (0.2-0.5)×20 = -6; rates 0.
    rows = decompose({"A": GroupValue(10.0, 50), "B": GroupValue(20.0, 50)},
                     {"A": GroupValue(10.0, 80), "B": GroupValue(20.0, 20)}, 15.0)
    by = {r["group"]: r for r in rows}
    assert by["A"]["mix"] == pytest.approx(3.0)
    assert by["B"]["mix"] == pytest.approx(-6.0)
    assert by["A"]["rate"] == pytest.approx(0.0)
    assert by["B"]["rate"] == pytest.approx(0.0)
    assert sum(r["contribution"] for r in rows) == pytest.approx(12.0 - 15.0)
    assert [r["group"] for r in rows] == ["B", "A"]  # largest |contribution| first


def test_a_pure_rate_change_has_zero_mix_effects():
    # same weights 50/50; A 10 -> 14: rate A = 0.5 × 4 = 2; r0 15, r1 17
    rows = decompose({"A": GroupValue(10.0, 50), "B": GroupValue(20.0, 50)},
                     {"A": GroupValue(14.0, 50), "B": GroupValue(20.0, 50)}, 15.0)
    by = {r["group"]: r for r in rows}
    assert by["A"]["mix"] == pytest.approx(0.0) and by["B"]["mix"] == pytest.approx(0.0)
    assert by["A"]["rate"] == pytest.approx(2.0)
    assert sum(r["contribution"] for r in rows) == pytest.approx(2.0)


def test_a_group_new_this_week_uses_last_weeks_overall_value():
    # last week only A (10 of weight, 50 %); this week A 50 % and B 80 %, half each.
    # r0 = 50, r1 = 65. B: w0 0, r0 := 50, w1 0.5: mix 0.5×50 = 25, rate 0.5×(80-50) = 15.
    # A: w 1 -> 0.5: mix -0.5×50 = -25, rate 0. Sum 15 = 65 - 50.
    rows = decompose({"A": GroupValue(50.0, 10)},
                     {"A": GroupValue(50.0, 10), "B": GroupValue(80.0, 10)}, 50.0)
    by = {r["group"]: r for r in rows}
    assert by["B"]["value_previous"] is None
    assert by["B"]["w_previous"] == 0.0
    assert by["B"]["mix"] == pytest.approx(25.0) and by["B"]["rate"] == pytest.approx(15.0)
    assert by["A"]["mix"] == pytest.approx(-25.0)
    assert sum(r["contribution"] for r in rows) == pytest.approx(15.0)


def test_a_group_gone_this_week_counts_as_zero_with_weight_zero():
    # last week A 20 % and B 40 % (n 10 each): r0 30; this week only A at 20 %: r1 20.
    # B: w 0.5 -> 0, r1 := 0: mix -0.5×40 = -20, rate 0. A: w 0.5 -> 1: mix 0.5×20 = 10.
    rows = decompose({"A": GroupValue(20.0, 10), "B": GroupValue(40.0, 10)},
                     {"A": GroupValue(20.0, 10)}, 30.0)
    by = {r["group"]: r for r in rows}
    assert by["B"]["value"] is None and by["B"]["w"] == 0.0
    assert by["B"]["contribution"] == pytest.approx(-20.0)
    assert by["A"]["contribution"] == pytest.approx(10.0)


def test_the_mix_term_is_the_change_of_share_times_last_weeks_own_value():
    """spec "Where did it come from?": mix_g = (w1_g - w0_g) × r0_g and rate_g = w1_g ×
    (r1_g - r0_g), with the group's own r0 (not its distance from the overall r0)."""
    # last week  A n 50 at 80 %, B n 30 at 60 %, C n 20 at 90 %: r0 = 40+18+18 = 76
    # this week  A n 40 at 85 %, B n 40 at 60 %, C n 20 at 80 %: r1 = 34+24+16 = 74
    # A: mix (0.4-0.5)×80 = -8,  rate 0.4×(85-80) = +2  -> -6
    # B: mix (0.4-0.3)×60 = +6,  rate 0.4×(60-60) =  0  -> +6
    # C: mix (0.2-0.2)×90 =  0,  rate 0.2×(80-90) = -2  -> -2;  sum -2 = 74 - 76
    rows = decompose({"A": GroupValue(80.0, 50), "B": GroupValue(60.0, 30),
                      "C": GroupValue(90.0, 20)},
                     {"A": GroupValue(85.0, 40), "B": GroupValue(60.0, 40),
                      "C": GroupValue(80.0, 20)}, 76.0)
    by = {r["group"]: r for r in rows}
    assert [by[g]["mix"] for g in "ABC"] == pytest.approx([-8.0, 6.0, 0.0])
    assert [by[g]["rate"] for g in "ABC"] == pytest.approx([2.0, 0.0, -2.0])
    assert [by[g]["contribution"] for g in "ABC"] == pytest.approx([-6.0, 6.0, -2.0])
    assert sum(r["contribution"] for r in rows) == pytest.approx(74.0 - 76.0)


def test_a_group_with_cases_but_no_value_adds_nothing_and_the_contributions_still_add_up():
    """Repeat complaints by segment: the complaints of no known customer (segment null) are
    in the denominator but can never be repeats, so their repeat rate is null. Taking the
    overall r0 for them credited them with repeats: the demo's W46 by segment summed to
    -1.61 pts for a change of -0.57."""
    # last week  retail n 10 at 20 %, anonymous n 10 (no value): r0 = 2/20 = 10 %
    # this week  retail n 10 at 30 %, anonymous n 30 (no value): r1 = 3/40 = 7.5 %
    # retail: mix (0.25-0.5)×20 = -5, rate 0.25×(30-20) = +2.5 -> -2.5
    # anonymous: r 0 both weeks: mix (0.75-0.5)×0 = 0, rate 0 -> 0; sum -2.5 = 7.5 - 10
    rows = decompose({"retail": GroupValue(20.0, 10), None: GroupValue(None, 10)},
                     {"retail": GroupValue(30.0, 10), None: GroupValue(None, 30)}, 10.0)
    by = {r["group"]: r for r in rows}
    assert by["retail"]["mix"] == pytest.approx(-5.0)
    assert by["retail"]["rate"] == pytest.approx(2.5)
    assert by[None]["contribution"] == pytest.approx(0.0)
    assert by[None]["value_previous"] is None and by[None]["value"] is None
    assert sum(r["contribution"] for r in rows) == pytest.approx(7.5 - 10.0)


def test_repeat_complaints_by_segment_add_up_with_anonymous_complaints(make_warehouse):
    # W09: C1 (retail) complains 24 and 25 Feb (the second a repeat), 2 anonymous ones:
    #      retail 1 of 2 = 50 %, overall 1 of 4 = 25 %.
    # W10: C1 again 3 March (a repeat of 25 Feb), C2 (retail) once, 6 anonymous ones:
    #      retail 1 of 2 = 50 %, overall 1 of 8 = 12.5 %; change -12.5.
    # retail: w 0.5 -> 0.25: mix -0.25×50 = -12.5, rate 0.25×0 = 0; anonymous: 0.
    tickets = [ticket("a1", "2026-02-24 10:00", customer_id="C1"),
               ticket("a2", "2026-02-25 10:00", customer_id="C1"),
               ticket("b1", "2026-03-03 10:00", customer_id="C1"),
               ticket("b2", "2026-03-03 11:00", customer_id="C2")]
    tickets += [ticket(f"x{i}", "2026-02-26 10:00") for i in range(2)]
    tickets += [ticket(f"y{i}", "2026-03-04 10:00") for i in range(6)]
    customers = [{"customer_id": c, "segment": "retail"} for c in ("C1", "C2")]
    wh = make_warehouse(tickets=tickets, customers=customers)
    con = connect_reader(wh.path)
    try:
        out = fetch_decomposition(con, Filters(as_of=AS_OF), "repeat_complaint_pct", "segment",
                                  IsoWeek.parse("2026-W10"))
    finally:
        con.close()
    by = {r["group"]: r for r in out["groups"]}
    assert (out["previous"], out["value"]) == (pytest.approx(25.0), pytest.approx(12.5))
    assert by["retail"]["contribution"] == pytest.approx(-12.5)
    assert by[None]["contribution"] == pytest.approx(0.0)
    assert sum(r["contribution"] for r in out["groups"]) == pytest.approx(out["change"])


# --- the scorecard over a tiny warehouse ----------------------------------------------

W06, W07, W08, W09, W10 = "2026-02-03", "2026-02-10", "2026-02-17", "2026-02-24", "2026-03-03"
AS_OF = datetime(2026, 3, 10)  # Tuesday of W11: W10 (2-8 March) is the latest complete week


def _weekly_warehouse(make_warehouse, w10_tickets: int = 4, weeks_before: tuple[str, ...] = (
        W06, W07, W08, W09)):
    tickets, surveys = [], []
    for day in weeks_before:  # two tickets a week before W10, resolved only in W07
        for i in range(2):
            tid = f"{day}-{i}"
            resolved = f"{day} 12:00" if day == W07 else None
            tickets.append(ticket(tid, f"{day} 10:00", resolved_at=resolved,
                                  first_response_at=f"{day} 10:30"))
    # W09: two surveys, csat 2 and 4 (mean 3, s² 2), nps 0 and 10 (NPS 0)
    surveys += [survey("S9a", f"{W09}-0", "2026-02-25 09:00", csat=2, nps=0),
                survey("S9b", f"{W09}-1", "2026-02-25 09:00", csat=4, nps=10)]
    for i in range(w10_tickets):  # W10: every ticket resolved; half phone, half email
        tickets.append(ticket(f"W10-{i}", f"{W10} 10:00", resolved_at=f"{W10} 11:00",
                              first_response_at=f"{W10} 10:20",
                              channel="phone" if i % 2 == 0 else "email"))
    for i, (csat, nps) in enumerate([(5, 10), (5, 10), (4, 9), (4, 3)][:w10_tickets]):
        surveys.append(survey(f"S10{i}", f"W10-{i}", "2026-03-04 09:00", csat=csat, nps=nps))
    return make_warehouse(tickets=tickets, surveys=surveys)


def _weekly(wh, **kwargs):
    con = connect_reader(wh.path)
    try:
        return fetch_weekly(con, Filters(as_of=AS_OF), **kwargs)
    finally:
        con.close()


def test_the_scorecard_gives_value_previous_average_interval_and_flag(make_warehouse):
    review = _weekly(_weekly_warehouse(make_warehouse))
    assert review["week"] == "2026-W10" and review["complete"] is True
    rows = {r["kpi"]: r for r in review["rows"]}

    # resolved: 4 of 4 (100 %) vs 0 of 2 (0 %): change +100.
    # v1 = (5/6)(1/6)/6 × 100² = 231.48; v0 = (1/4)(3/4)/4 × 100² = 468.75;
    # 1.96 × √700.23 = 51.866 -> 48.13 .. 151.87: flagged.
    # avg_4w of W06..W09 = (0 + 100 + 0 + 0)/4 = 25.
    r = rows["resolved_pct"]
    assert (r["value"], r["previous"], r["change"]) == (100.0, 0.0, 100.0)
    assert r["avg_4w"] == pytest.approx(25.0)
    assert r["ci_low"] == pytest.approx(48.134, abs=1e-2)
    assert r["ci_high"] == pytest.approx(151.866, abs=1e-2)
    assert r["flagged"] is True
    assert r["thin"] is True  # n = 4 tickets < 10

    # csat: 5,5,4,4 mean 4.5, s² 1/3 -> v1 = 1/12; W09 2,4 mean 3, s² 2 -> v0 = 1;
    # change 1.5 ± 1.96 × √(13/12) = ±2.0400 -> -0.540 .. 3.540: not flagged.
    # avg_4w: only W09 has surveys -> nulls skipped -> 3.0
    c = rows["csat_avg"]
    assert c["change"] == pytest.approx(1.5)
    assert c["ci_low"] == pytest.approx(-0.5400, abs=1e-3)
    assert c["ci_high"] == pytest.approx(3.5400, abs=1e-3)
    assert c["flagged"] is False and c["avg_4w"] == pytest.approx(3.0)

    # nps: 10,10,9,3 -> p .75, d .25, NPS 50, v1 = (1 - .25)/4 × 100² = 1875;
    # W09 0,10 -> NPS 0, v0 = (1 - 0)/2 × 100² = 5000; 1.96 × √6875 = 162.51
    n = rows["nps"]
    assert (n["value"], n["previous"]) == (50.0, 0.0)
    assert n["ci_low"] == pytest.approx(50 - 162.512, abs=1e-2)
    assert n["ci_high"] == pytest.approx(50 + 162.512, abs=1e-2)
    assert n["flagged"] is False

    # medians are never flagged and have no interval
    f = rows["frt_median_min"]
    assert f["value"] == pytest.approx(20.0) and f["ci_low"] is None and f["flagged"] is False


def test_a_count_above_its_8_week_band_is_flagged(make_warehouse):
    # history: W06..W09 two tickets each, W02..W05 none -> mean 1, sd √(8/7) = 1.069;
    # band -1.138 .. 3.138: 4 tickets are outside.
    rows = {r["kpi"]: r for r in _weekly(_weekly_warehouse(make_warehouse))["rows"]}
    assert rows["tickets"]["value"] == 4
    assert rows["tickets"]["avg_4w"] == pytest.approx(2.0)
    assert rows["tickets"]["expected_high"] == pytest.approx(3.138, abs=1e-3)
    assert rows["tickets"]["flagged"] is True


def test_a_count_inside_its_band_is_not_flagged(make_warehouse):
    rows = {r["kpi"]: r for r in _weekly(_weekly_warehouse(make_warehouse, w10_tickets=3))["rows"]}
    assert rows["tickets"]["value"] == 3 and rows["tickets"]["flagged"] is False


def test_a_count_with_only_3_earlier_weeks_of_tickets_is_never_flagged(make_warehouse):
    wh = _weekly_warehouse(make_warehouse, weeks_before=(W07, W08, W09))
    rows = {r["kpi"]: r for r in _weekly(wh)["rows"]}
    assert rows["tickets"]["value"] == 4 and rows["tickets"]["flagged"] is False
    assert rows["tickets"]["expected_low"] is None


def test_an_incomplete_week_is_reported_as_incomplete(make_warehouse):
    review = _weekly(_weekly_warehouse(make_warehouse), week=IsoWeek.parse("2026-W11"))
    assert review["week"] == "2026-W11" and review["complete"] is False


def test_the_decomposition_of_the_warehouse_change_sums_to_the_change(make_warehouse):
    # resolved: W09 2 phone tickets, none resolved (0 %); W10 2 phone + 2 email, all resolved.
    # phone: w 1 -> 0.5, r 0 -> 100: mix -0.5×0 = 0, rate 0.5×100 = 50.
    # email: new, r0 := 0 overall: mix 0.5×0 = 0, rate 0.5×100 = 50. Sum 100.
    wh = _weekly_warehouse(make_warehouse)
    con = connect_reader(wh.path)
    try:
        out = fetch_decomposition(con, Filters(as_of=AS_OF), "resolved_pct", "channel")
    finally:
        con.close()
    by = {r["group"]: r for r in out["groups"]}
    assert out["change"] == pytest.approx(100.0)
    assert by["phone"]["rate"] == pytest.approx(50.0) and by["phone"]["mix"] == pytest.approx(0)
    assert by["email"]["value_previous"] is None
    assert by["email"]["contribution"] == pytest.approx(50.0)


def test_phrases_of_unhappy_comments_grow_against_their_4_week_average(make_warehouse):
    pytest.importorskip("queries.phrases")
    from queries.weekly import fetch_phrase_growth

    # "waited forever" in 3 low-score comments of W10 and 1 of W08: 3 against 1/4 = 0.25
    tickets, surveys = [], []
    for i, day in enumerate([W10, W10, W10, W08]):
        tickets.append(ticket(f"T{i}", f"{day} 10:00", resolved_at=f"{day} 11:00"))
        surveys.append(survey(f"S{i}", f"T{i}", f"{day} 12:00", csat=1)
                       | {"comment": "waited forever"})
    wh = make_warehouse(tickets=tickets, surveys=surveys)
    con = connect_reader(wh.path)
    try:
        rows = fetch_phrase_growth(con, Filters(as_of=AS_OF), IsoWeek.parse("2026-W10"))
    finally:
        con.close()
    by = {r["phrase"]: r for r in rows}
    assert by["waited forever"]["value"] == 3
    assert by["waited forever"]["avg_4w"] == pytest.approx(0.25)
    assert rows[0]["phrase"] == "waited forever"  # ties on growth: the longer phrase first


def test_cxdash_weekly_json_has_the_spec_shape_and_the_decomposition_sums_to_the_change(
        make_warehouse):
    import io
    import json
    from contextlib import redirect_stdout

    from dashboard import cli

    wh = _weekly_warehouse(make_warehouse)
    common = ["--warehouse", str(wh.path), "--as-of", "2026-03-10 00:00", "--json"]
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["weekly", *common]) == 0
    review = json.loads(out.getvalue())
    assert (review["week"], review["complete"]) == ("2026-W10", True)
    assert [r["kpi"] for r in review["rows"]] == [
        "tickets", "complaints", "resolved_pct", "frt_median_min", "sla_met_pct", "fcr_pct",
        "repeat_complaint_pct", "csat_avg", "nps", "post_complaint_churn_pct"]
    for row in review["rows"]:
        assert {"kpi", "value", "n", "previous", "n_previous", "avg_4w", "target", "change",
                "ci_low", "ci_high", "flagged"} <= row.keys()
    assert review["rows"][-1]["week"]  # churn names the week it is reported for
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["weekly", *common, "--decompose", "resolved_pct", "--by",
                         "channel"]) == 0
    groups = json.loads(out.getvalue())
    assert [g["group"] for g in groups] == ["email", "phone"]  # 50 each; ties by name
    # resolved 0 % -> 100 %: the contributions add up to +100 pts
    assert sum(g["contribution"] for g in groups) == pytest.approx(100.0)


def test_a_flagged_change_with_undecided_cases_says_part_of_it_may_be_timing():
    from dashboard.i18n import set_language
    from dashboard.views.weekly import card, change_sentence

    set_language("en")
    row = {"kpi": "resolved_pct", "value": 94.1, "previous": 96.8, "change": -2.7, "n": 559,
           "avg_4w": 96.0, "target": None, "ci_low": -5.1, "ci_high": -0.3, "flagged": True,
           "thin": False, "pending": 12}
    assert "12 cases of the week are still too young" in change_sentence(row)
    assert any("12 cases still too young" in n for n in card(row, 10).notes)
    assert "a real change" in change_sentence(row | {"pending": 0})


def test_concentration_picks_the_dimension_where_one_group_explains_most():
    from dashboard.views.weekly import by_concentration, concentration

    # change +4: region Coast gives +3 (75 %), the largest channel only +2 (50 %)
    region = {"by": "region", "change": 4.0, "groups": [
        {"group": "Coast", "contribution": 3.0}, {"group": "West", "contribution": 1.0}]}
    channel = {"by": "channel", "change": 4.0, "groups": [
        {"group": "phone", "contribution": 2.0}, {"group": "app", "contribution": 2.0}]}
    assert concentration(region) == pytest.approx(0.75)
    assert [r["by"] for r in by_concentration([channel, region])] == ["region", "channel"]


def test_the_week_in_one_line_counts_targets_changes_and_alerts():
    from dashboard.i18n import set_language
    from dashboard.views.weekly import summary_sentence

    set_language("en")
    rows = [  # FCR 86 >= 85 met; repeat 10.8 > 8 missed; CSAT has no value: not judged
        {"kpi": "fcr_pct", "value": 86.0, "target": 85.0, "flagged": True},
        {"kpi": "repeat_complaint_pct", "value": 10.8, "target": 8.0, "flagged": False},
        {"kpi": "csat_avg", "value": None, "target": 4.2, "flagged": False},
        {"kpi": "tickets", "value": 10, "target": None, "flagged": True},
    ]
    assert summary_sentence(rows, [{"rule": "x"}]) == \
        "On target: 1 of 2 · 2 changes beyond noise · 1 alert fires"


def test_a_count_of_a_week_not_over_yet_is_never_flagged(make_warehouse):
    """A part-week's count against whole weeks is the calendar, not a change: the demo's
    current week read "Tickets fell from 2,897 to 1,865, beyond noise" on a Friday."""
    wh = _weekly_warehouse(make_warehouse)
    con = connect_reader(wh.path)
    try:
        # as_of Thursday 5 March of W10 (its tickets and surveys are in): 4 tickets lie
        # above the band -1.138 .. 3.138 (as in the complete-week test above), but the
        # week has not ended
        review = fetch_weekly(con, Filters(as_of=datetime(2026, 3, 5, 0, 0)),
                              week=IsoWeek.parse("2026-W10"))
    finally:
        con.close()
    assert review["complete"] is False
    rows = {r["kpi"]: r for r in review["rows"]}
    assert rows["tickets"]["value"] == 4
    assert rows["tickets"]["expected_high"] == pytest.approx(3.138, abs=1e-3)
    assert rows["tickets"]["flagged"] is False


def test_a_week_not_over_yet_flags_no_change_even_one_beyond_its_interval(make_warehouse):
    """The demo's current week read "Resolved -21.9 pts: beyond noise", "CSAT: a real
    change" on a Friday: shares of the cases decided so far against a whole week."""
    wh = _weekly_warehouse(make_warehouse)
    con = connect_reader(wh.path)
    try:
        # as_of Thursday 5 March, inside W10: resolved 4 of 4 against 0 of 2 in W09, whose
        # interval 48.13 .. 151.87 excludes 0 (the complete-week test above flags it)
        review = fetch_weekly(con, Filters(as_of=datetime(2026, 3, 5, 0, 0)),
                              week=IsoWeek.parse("2026-W10"))
    finally:
        con.close()
    rows = {r["kpi"]: r for r in review["rows"]}
    resolved = rows["resolved_pct"]
    assert resolved["ci_low"] == pytest.approx(48.134, abs=1e-2)  # the interval stays
    assert resolved["flagged"] is False and resolved["complete"] is False
    assert not any(r["flagged"] for r in review["rows"])
    # churn reports its latest matured week, which is over: that row is complete
    assert rows["post_complaint_churn_pct"]["complete"] is True


def test_cxdash_weekly_json_of_a_week_not_over_keeps_complete_false_and_flags_nothing(
        make_warehouse):
    from tests.fixtures import run_cli

    wh = _weekly_warehouse(make_warehouse)
    code, out, _err = run_cli("weekly", "--warehouse", str(wh.path), "--as-of",
                              "2026-03-05 00:00", "--week", "2026-W10", "--json")
    assert code == 0
    review = json.loads(out)
    assert review["complete"] is False
    rows = {r["kpi"]: r for r in review["rows"]}
    assert rows["resolved_pct"]["ci_low"] > 0  # beyond noise by its interval, but not over
    assert [r["kpi"] for r in review["rows"] if r["flagged"]] == []
    assert review["decompositions"] == {}  # nothing flagged, nothing decomposed


def test_a_week_not_over_reads_so_far_without_colour_interval_verdict_or_target_mark():
    from dashboard.i18n import set_language
    from dashboard.views.weekly import NEUTRAL, card, change_sentence, summary_sentence

    set_language("en")
    resolved = {"kpi": "resolved_pct", "value": 72.0, "previous": 93.9, "change": -21.9,
                "n": 1865, "avg_4w": 96.2, "target": 90.0, "ci_low": -24.2, "ci_high": -19.7,
                "flagged": False, "complete": False, "thin": False, "pending": 523}
    c = card(resolved, 10)
    assert c.so_far and c.colour == NEUTRAL and not c.flagged
    assert c.interval is None and c.interval_range is None and c.on_target is None
    assert c.delta == "-21.9 pts"  # shown, grey
    assert any("not judged until the week is over" in n for n in c.notes)
    text = change_sentence(resolved)
    assert text.startswith("Resolved so far: 72.0% (last week 93.9%, -21.9 pts)")
    assert "523 cases are still too young" in text
    assert "noise" not in text and "real change" not in text and "interval" not in text

    # 1,865 lies outside 2,758 .. 2,968 only because the week is not over: no range, no
    # change beside the value, no "within the noise"
    tickets = {"kpi": "tickets", "value": 1865, "previous": 2897, "change": -1032, "n": 1865,
               "avg_4w": 2865.0, "target": None, "ci_low": None, "ci_high": None,
               "flagged": False, "complete": False, "thin": False,
               "expected_low": 2757.6, "expected_high": 2967.9}
    c = card(tickets, 10)
    assert c.delta is None and c.change == "–" and not c.arrow
    assert not any("usual range" in n for n in c.notes)
    assert change_sentence(tickets) == ("Tickets so far: 1,865 (last week 2,897 in all): the "
                                        "week is not over, so it is not compared with whole "
                                        "weeks.")
    assert summary_sentence([tickets, resolved], []) == \
        "The week is not over: values so far, not judged · 0 alerts fire"


def test_fcr_with_every_case_pending_is_na_for_that_reason_not_thin_or_no_data():
    """W47's FCR read "thin week: n = 0" and "no data this week" while 1,342 resolutions
    were only younger than the 7-day window."""
    from dashboard.i18n import set_language
    from dashboard.views.weekly import card, change_sentence

    set_language("en")
    row = {"kpi": "fcr_pct", "value": None, "n": 0, "previous": 86.0, "n_previous": 1354,
           "avg_4w": 85.1, "target": 85.0, "change": None, "ci_low": None, "ci_high": None,
           "flagged": False, "complete": False, "thin": True, "pending": 1342,
           "na_facts": {"tickets": 1865, "carries_fcr": True, "n_fcr_pending": 1342,
                        "n_fcr": 0}}
    c = card(row, 10)
    assert c.value == "n/a" and c.thin_note is None
    assert ("n/a: every resolution is younger than the FCR window; 1,342 cases pending: "
            "not decided yet") in c.notes
    assert not any("no data" in n or "too young" in n for n in c.notes)
    assert change_sentence(row) == ("First-contact resolution so far: n/a (every resolution "
                                    "is younger than the FCR window; 1,342 cases pending: "
                                    "not decided yet).")
    # a source without what FCR needs says that instead, in a complete week too
    lacking = row | {"complete": True, "pending": 0,
                     "na_facts": {"tickets": 10, "carries_fcr": False, "n_fcr_pending": 0,
                                  "n_fcr": 0}}
    assert "the data lacks what first-contact resolution needs" in change_sentence(lacking)


def test_the_scorecard_of_a_null_kpi_carries_why_it_is_null(make_warehouse):
    # W10 of the tiny warehouse: every ticket resolved on 3 March, as_of 10 March: the 7-day
    # FCR window ends 10 March 11:00 > as_of, so all 4 are pending and FCR is null
    rows = {r["kpi"]: r for r in _weekly(_weekly_warehouse(make_warehouse))["rows"]}
    fcr = rows["fcr_pct"]
    assert fcr["value"] is None and fcr["pending"] == 4
    assert fcr["na_facts"] == {"tickets": 4, "carries_fcr": True, "n_fcr_pending": 4,
                               "n_fcr": 0}


def test_the_growth_chart_shows_every_category_or_says_how_many_it_leaves_out():
    """The chart showed the 8 categories that grew of 12 (billing, the second largest,
    missing) without saying so."""
    from dashboard.charts_weekly import growth_chart
    from dashboard.i18n import set_language

    set_language("en")
    rows = [{"group": f"c{i:02d}", "value": 100, "avg_4w": 100.0 - (8 - i), "growth": 8.0 - i,
             "growth_pct": None, "complete": True} for i in range(12)]  # c00..c07 grew
    fig = growth_chart(rows)
    bars = [t for t in fig.data if t.type == "bar"]
    assert sorted(y for t in bars for y in t.y) == [f"c{i:02d}" for i in range(12)]
    assert list(fig.layout.yaxis.categoryarray) == [f"c{i:02d}" for i in range(12)]
    assert "all 12 categories" in fig.layout.title.text
    assert len(bars[0].y) == 8 and len(bars[1].y) == 4  # grew / did not grow
    assert "the 5 of 12 categories that grew most" in growth_chart(rows, top=5).layout.title.text
    # a week not over: counts so far, largest first, no 4-week average to compare with
    partial = growth_chart([r | {"complete": False, "value": i} for i, r in enumerate(rows)])
    assert [t.type for t in partial.data] == ["bar"]
    assert list(partial.data[0].y)[:2] == ["c11", "c10"]
    assert "so far" in partial.layout.title.text


def test_a_decomposition_bar_drills_with_the_kpi_and_reads_the_group_in_words():
    from dashboard.i18n import set_language
    from dashboard.views.weekly import drill_params, group_detail

    set_language("en")
    filters, params = drill_params("category", "billing", date(2026, 11, 9), "resolved_pct")
    assert filters == {"from": ["2026-11-09"], "to": ["2026-11-15"], "category": ["billing"]}
    assert params == {"x_level": "tickets", "x_week": "2026-11-09", "x_kpi": "resolved_pct"}
    result = {"kpi": "resolved_pct", "by": "category", "week": "2026-W46"}
    group = {"group": "billing", "w_previous": 0.149, "w": 0.132, "value_previous": 96.0,
             "value": 95.8, "mix": -1.658, "rate": -0.025, "contribution": -1.683}
    assert group_detail(result, group) == [
        "category billing, Resolved: 95.8% in 2026-W46 (last week 96.0%).",
        "Its share of the cases: 13.2% (last week 14.9%).",
        "Contribution -1.7 pts = mix -1.7 pts (its share moved) + rate 0.0 pts (its own "
        "value moved).",
    ]


def test_the_groups_of_a_decomposition_sentence_are_listed_the_locales_way():
    """zh-CN read "类别 账单（…）, 类别 贷款（…）和…" with an English comma; the list is the
    locale's: "、" between Chinese items, "a, b, and c" in English."""
    from dashboard.i18n import set_language
    from dashboard.views.weekly import decomposition_sentence

    # change -3: billing -1.5, loans -1.0, cards -0.5 explain it all (3 groups)
    result = {"kpi": "resolved_pct", "by": "category", "change": -3.0, "groups": [
        {"group": "billing", "contribution": -1.5}, {"group": "loans", "contribution": -1.0},
        {"group": "cards", "contribution": -0.5}]}
    try:
        text = decomposition_sentence(result)
        assert "category billing (-1.5 pts), category loans (-1.0 pts), and category cards" \
            in text, text
        set_language("zh-CN")
        text = decomposition_sentence(result)
        assert "、" in text and ", " not in text, text
    finally:
        set_language("en")


def test_a_change_that_reads_as_zero_gets_no_arrow():
    """First response 29.3 -> 29.7 min showed "↑ 0 min"; a change that rounds to zero in
    its display unit has no arrow, any other has one."""
    from dashboard.views.weekly import card, shows_zero

    assert shows_zero("frt_median_min", 0.4)       # '0 min'
    assert not shows_zero("frt_median_min", 0.6)   # '+1 min'
    assert shows_zero("resolved_pct", 0.04)        # '+0.0 pts'
    assert not shows_zero("resolved_pct", 0.05)    # '+0.1 pts'
    assert shows_zero("tickets", 0) and not shows_zero("tickets", 1)
    row = {"kpi": "frt_median_min", "value": 29.7, "previous": 29.3, "avg_4w": 29.5,
           "change": 0.4, "n": 100, "target": None, "flagged": False}
    assert card(row, 10).arrow is False
    assert card({**row, "value": 30.3, "change": 1.0}, 10).arrow is True
    assert card({**row, "value": None, "change": None}, 10).arrow is False


def _cell(group, contribution):
    return {"group": group, "contribution": contribution}


def test_the_cross_reading_names_the_fewest_cells_explaining_two_thirds_of_the_change():
    from dashboard.views.weekly import cross_sentence

    # repeat complaints +3.0 pts. category x branch: cards at B1 +1.2, B2 +0.8, B3 +0.4
    # (2.4 of 3.0 = 80 % in three cells; two cells give 2.0 = 66.7 %, just two thirds)
    by_branch = {"kpi": "repeat_complaint_pct", "by": ("category", "branch"), "change": 3.0,
                 "groups": [_cell(("cards", "B1"), 1.2), _cell(("cards", "B2"), 0.8),
                            _cell(("cards", "B3"), 0.4), _cell(("fees", "B4"), 0.6)]}
    # category x region: spread over five regions of 0.6 each: needs four cells for 2/3 (80 %)
    by_region = {"kpi": "repeat_complaint_pct", "by": ("category", "region"), "change": 3.0,
                 "groups": [_cell(("cards", r), 0.6) for r in "ABCDE"]}
    text = cross_sentence([by_region, by_branch])
    # by branch two cells suffice, by region four: the branch reading is said
    assert text == ("Two thirds of the rise of Repeat complaints (+3.0 pts) comes from "
                    "category cards in branch B1 and branch B2.")


def test_a_change_spread_over_many_cells_gets_no_cross_sentence_and_a_fall_reads_fall():
    from dashboard.views.weekly import cross_sentence

    spread = {"kpi": "fcr_pct", "by": ("channel", "region"), "change": 5.0,
              "groups": [_cell(("app", str(i)), 0.5) for i in range(10)]}
    assert cross_sentence([spread]) is None        # 4 cells explain 2.0 of 5.0 = 40 %
    # FCR -4.0 pts: phone North -3.0 (75 %) and email South -2.0, app East +1.0
    fall = {"kpi": "fcr_pct", "by": ("channel", "region"), "change": -4.0,
            "groups": [_cell(("phone", "North"), -3.0), _cell(("email", "South"), -2.0),
                       _cell(("app", "East"), 1.0)]}
    assert cross_sentence([fall]) == ("Three quarters of the fall of First-contact resolution "
                                      "(-4.0 pts) comes from channel Phone in region North.")


def test_a_pair_decomposition_of_the_warehouse_finds_the_one_cell_that_moved(make_warehouse):
    from dashboard.views.weekly import cross_sentence
    from queries.weekly import IsoWeek, fetch_decomposition

    # W09: 4 tickets, none resolved (0 %). W10: cards in South (B2) both resolved, billing
    # in North (B1) not: 50 %. Cell (cards, South): weight 0.5 both weeks, 0 -> 100 %:
    # rate 0.5 x 100 = +50 = the whole change; (billing, North) contributes 0.
    tickets = []
    for day, resolved in ((W09, None), (W10, f"{W10} 12:00")):
        for i in range(2):
            tickets.append(ticket(f"{day}-c{i}", f"{day} 10:00", category="cards",
                                  branch_id="B2", resolved_at=resolved))
            tickets.append(ticket(f"{day}-b{i}", f"{day} 10:00", category="billing",
                                  branch_id="B1"))
    branches = [{"branch_id": "B1", "branch_name": "Harbour", "region": "North"},
                {"branch_id": "B2", "branch_name": "Hillside", "region": "South"}]
    wh = make_warehouse(tickets=tickets, branches=branches)
    con = connect_reader(wh.path)
    try:
        result = fetch_decomposition(con, Filters(as_of=AS_OF), "resolved_pct",
                                     ("category", "region"), IsoWeek.parse("2026-W10"))
        with pytest.raises(ValueError):
            fetch_decomposition(con, Filters(as_of=AS_OF), "resolved_pct", ("type", "hour"))
    finally:
        con.close()
    assert result["change"] == pytest.approx(50.0)
    top = result["groups"][0]
    assert top["group"] == ("cards", "South") and top["contribution"] == pytest.approx(50.0)
    assert cross_sentence([result]).startswith("100% of the rise of")
    assert cross_sentence([result]).endswith("comes from category cards in region South.")


def test_the_cross_reading_speaks_chinese():
    from dashboard.i18n import set_language
    from dashboard.views.weekly import cross_sentence

    result = {"kpi": "repeat_complaint_pct", "by": ("category", "branch"), "change": 3.0,
              "groups": [_cell(("cards", "B1"), 1.2), _cell(("cards", "B2"), 0.8)]}
    set_language("zh-CN")
    try:
        text = cross_sentence([result])
    finally:
        set_language("en")
    # 2.0 of 3.0: two thirds, in words; stored values (cards, B1) stay as stored
    assert text is not None and "三分之二" in text and "cards" in text and "B1" in text
