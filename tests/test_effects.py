"""Before/after of fixes: the pre-trend and regression-to-the-mean checks, the display rules
of dashboard/views/effects.py, `cxdash effects` and recording a fix (issue 12).

The fixtures are small enough to work every expected number out by hand (comments beside
each assertion). Window W = 28 days, so the pre window is exactly weeks -4 .. -1 and the
history window weeks -8 .. -5 (week k starts at launch + 7k days).
"""

from __future__ import annotations

import io
import json
import math
from contextlib import redirect_stdout
from datetime import date, datetime, timedelta

import duckdb
import pytest

from dashboard import cli
from dashboard.i18n import set_language
from dashboard.views import effects as view
from queries.effect_metrics import EFFECT_METRICS
from queries.effects import fetch_effect_weeks, fetch_effects
from tests.fixtures import survey, ticket

LAUNCH = datetime(2024, 6, 3)
W = 28
AS_OF = datetime(2024, 12, 31)


def _in_week(week: int, hours: int = 34) -> str:
    """A time inside week `week` (from launch): a day and 10 hours after the week starts."""
    return (LAUNCH + timedelta(days=7 * week, hours=hours)).strftime("%Y-%m-%d %H:%M")


def _rated(prefix: str, category: str, channel: str, weeks_csat: list[tuple[int, int]]):
    """One complaint per (week, csat) of a new customer, each with one survey."""
    tickets, surveys = [], []
    for i, (week, csat) in enumerate(weeks_csat):
        tid = f"{prefix}{i}"
        tickets.append(ticket(tid, _in_week(week), customer_id=tid, category=category,
                              channel=channel))
        surveys.append(survey(f"s{tid}", tid, _in_week(week, hours=35), csat=csat))
    return tickets, surveys


PARTS = [
    # P: treated cards/app rises 2, 4, 3, 5 over weeks -4..-1; control cards/web flat at 3
    _rated("PT", "cards", "app", [(-4, 2), (-3, 4), (-2, 3), (-1, 5)]),
    _rated("PC", "cards", "web", [(-4, 3), (-3, 3), (-2, 3), (-1, 3)]),
    # Q: treated fees/app 1, 2, 3, 4 (a straight line); control fees/web flat at 3
    _rated("QT", "fees", "app", [(-4, 1), (-3, 2), (-2, 3), (-1, 4)]),
    _rated("QC", "fees", "web", [(-4, 3), (-3, 3), (-2, 3), (-1, 3)]),
    # R: treated loans/app 4, 4, 5, 5 in its history, then 2, 2, 3, 3 just before launch,
    # 4, 4, 5, 5 after; control loans/web 4, 4, 5, 5 in every window
    _rated("RT", "loans", "app", [(-8, 4), (-7, 4), (-6, 5), (-5, 5), (-4, 2), (-3, 2),
                                  (-2, 3), (-1, 3), (0, 4), (1, 4), (2, 5), (3, 5)]),
    _rated("RC", "loans", "web", [(-8, 4), (-7, 4), (-6, 5), (-5, 5), (-4, 4), (-3, 4),
                                  (-2, 5), (-1, 5), (0, 4), (1, 4), (2, 5), (3, 5)]),
]
# the data starts well before R's history window (week -8): its repeats can be known there
EARLY = ticket("EARLY", _in_week(-14), customer_id="EARLY", category="other")
FIXES = [
    {"fix_id": f, "title": f"Fix {f}", "launched_at": LAUNCH.date(), "category": cat,
     "channel": "app"} for f, cat in (("P", "cards"), ("Q", "fees"), ("R", "loans"))
]


@pytest.fixture
def checks_wh(make_warehouse):
    return make_warehouse(tickets=[EARLY, *(t for ts, _ in PARTS for t in ts)],
                          surveys=[s for _, ss in PARTS for s in ss], fixes=FIXES)


def effects(wh, **kwargs):
    return wh.effects(window_days=W, as_of=AS_OF, **kwargs)


def _effects_checked(wh, **kwargs):
    from dashboard.warehouse import connect_reader

    con = connect_reader(wh.path)
    try:
        frame = fetch_effects(con, window_days=W, as_of=AS_OF, **kwargs)
    finally:
        con.close()
    return {(r["fix_id"], r["metric"]): r for r in frame.iter_rows(named=True)}


# --- pre-trend ---------------------------------------------------------------------------

def test_pre_trend_is_the_difference_of_weekly_least_squares_slopes_with_its_interval(checks_wh):
    e = effects(checks_wh)[("P", "csat_avg")]
    # treated: x = -4..-1, y = 2, 4, 3, 5: Sxx = 5, Sxy = 4 -> slope 0.8; Syy = 5, residual
    # SS = 5 - 4^2/5 = 1.8, variance 1.8 / (4 - 2) = 0.9, se = sqrt(0.9 / 5) = 0.424264.
    # control: flat -> slope 0, se 0. diff = 0.8 +- 1.96 x 0.424264 = 0.8 +- 0.831558
    assert e["pre_trend_diff"] == pytest.approx(0.8)
    assert e["pre_trend_ci_low"] == pytest.approx(0.8 - 0.831558, abs=1e-5)
    assert e["pre_trend_ci_high"] == pytest.approx(0.8 + 0.831558, abs=1e-5)


def test_pre_trend_interval_that_straddles_zero_is_no_warning(checks_wh):
    assert _effects_checked(checks_wh)[("P", "csat_avg")]["pre_trend_warning"] is False


def test_treated_and_control_moving_apart_before_launch_is_a_pre_trend_warning(checks_wh):
    e = _effects_checked(checks_wh)[("Q", "csat_avg")]
    # treated 1, 2, 3, 4: slope 1, a perfect line (se 0); control flat: diff 1, interval [1, 1]
    assert e["pre_trend_diff"] == pytest.approx(1.0)
    assert e["pre_trend_ci_low"] == pytest.approx(1.0)
    assert e["pre_trend_warning"] is True


def test_pre_trend_uses_only_the_full_weeks_of_the_pre_window(checks_wh):
    e = effects(checks_wh)[("R", "csat_avg")]
    # R's history weeks (-8..-5: 4, 4, 5, 5) and after-weeks are not in the fit; pre weeks
    # 2, 2, 3, 3 (treated) and 4, 4, 5, 5 (control) both have slope 0.4: diff 0; each se =
    # sqrt((1 - 2^2/5) / 2 / 5) = 0.141421, half width 1.96 x sqrt(2 x 0.02) = 0.392
    assert e["pre_trend_diff"] == pytest.approx(0.0, abs=1e-9)
    assert e["pre_trend_ci_high"] == pytest.approx(0.392, abs=1e-6)


# --- regression to the mean ------------------------------------------------------------------

def test_regression_to_the_mean_compares_the_pre_window_with_the_scopes_own_history(checks_wh):
    e = effects(checks_wh)[("R", "csat_avg")]
    # treated hist 4, 4, 5, 5 -> 4.5; pre 2, 2, 3, 3 -> 2.5; control 4.5 in both.
    # rtm_diff = (2.5 - 4.5) - (4.5 - 4.5) = -2; each cell s^2/n = (1/3) / 4 = 0.083333,
    # se = sqrt(4 x 0.083333) = 0.577350, half width 1.131607
    assert (e["treated_hist"], e["treated_pre"]) == (pytest.approx(4.5), pytest.approx(2.5))
    assert e["n_treated_hist"] == 4 and e["n_control_hist"] == 4
    assert e["rtm_diff"] == pytest.approx(-2.0)
    assert e["rtm_ci_low"] == pytest.approx(-3.131607, abs=1e-5)
    assert e["rtm_ci_high"] == pytest.approx(-0.868393, abs=1e-5)


def test_a_csat_fall_just_before_launch_warns_of_regression_to_the_mean(checks_wh):
    # CSAT: lower is worse, and the whole interval of rtm_diff is below 0
    assert _effects_checked(checks_wh)[("R", "csat_avg")]["rtm_warning"] is True


def test_no_rise_of_repeats_before_launch_is_no_regression_to_the_mean(checks_wh):
    e = _effects_checked(checks_wh)[("R", "repeat_complaint_pct")]
    # every complaint is a customer's first: 0 % in all cells, rtm_diff 0 inside its interval
    assert e["rtm_diff"] == pytest.approx(0.0)
    assert e["rtm_warning"] is False


def test_regression_to_the_mean_is_unknown_without_a_history(checks_wh):
    e = _effects_checked(checks_wh)[("P", "csat_avg")]
    assert e["n_treated_hist"] == 0 and e["rtm_diff"] is None
    assert e["rtm_warning"] is None


# --- event study -------------------------------------------------------------------------------

def test_event_study_gives_each_weeks_value_for_treated_and_control(checks_wh):
    from dashboard.warehouse import connect_reader

    con = connect_reader(checks_wh.path)
    try:
        weeks = fetch_effect_weeks(con, "R", window_days=W, as_of=AS_OF)
    finally:
        con.close()
    csat = weeks.filter((weeks["metric"] == "csat_avg") & (weeks["arm"] == "treated"))
    # from the history window (-8) to the last after-week with tickets (3)
    assert csat["week"].to_list() == list(range(-8, 4))
    assert csat["value"].to_list() == [4, 4, 5, 5, 2, 2, 3, 3, 4, 4, 5, 5]
    assert csat["n"].to_list() == [1] * 12
    assert csat["week_start"].to_list()[8] == LAUNCH.date()  # week 0 starts at launch


# --- relative complaints ------------------------------------------------------------------------

def test_complaints_effect_uses_the_days_the_after_window_spans(checks_wh):
    # R: treated and control have 4 complaints before (28 days) and, as of launch + 14 days,
    # 2 after (weeks 0 and 1, 14 days): ((2/14) / (4/28)) / ((2/14) / (4/28)) = 1 -> 0 %
    e = checks_wh.effects(window_days=W, as_of=LAUNCH + timedelta(days=14))[("R", "complaints")]
    assert e["treated_post"] == 2 and e["control_post"] == 2
    assert e["effect"] == pytest.approx(0.0)
    # interval 100 x (exp(+-1.96 x sqrt(1/4 + 1/2 + 1/4 + 1/2)) - 1) = 100 x (exp(+-2.40050) - 1)
    assert e["ci_low"] == pytest.approx(-90.9327, abs=1e-3)
    assert e["ci_high"] == pytest.approx(1002.8689, abs=1e-3)


def test_complaints_rtm_is_relative_per_day(checks_wh):
    e = effects(checks_wh)[("R", "complaints")]
    # 4 complaints in each 28-day window for both arms: 100 x (1 / 1 - 1) = 0 %
    assert e["rtm_diff"] == pytest.approx(0.0)


# --- display rules: colour and reading follow the metric's direction ----------------------------

@pytest.fixture(autouse=True)
def _english():
    set_language("en")
    yield
    set_language("en")


@pytest.mark.parametrize(("metric", "low", "high", "expected"), [
    ("repeat_complaint_pct", -5.0, -1.0, "better"),   # fewer repeats
    ("repeat_complaint_pct", 1.0, 5.0, "worse"),
    ("churn_pct", -3.0, -0.5, "better"),
    ("complaints", -20.0, -2.0, "better"),            # fewer complaints per day
    ("csat_avg", 0.1, 0.5, "better"),                 # CSAT up is an improvement
    ("csat_avg", -0.5, -0.1, "worse"),
    ("csat_avg", -0.5, 0.1, "noise"),
    ("repeat_complaint_pct", None, None, "unknown"),
])
def test_reading_says_better_or_worse_for_that_metric(metric, low, high, expected):
    assert view.reading_key(metric, low, high) == expected


def test_a_csat_improvement_is_green_and_a_repeat_rise_red():
    row = {"fix_id": "F", "has_control": True, "partial": False, "post_days": 90.0,
           "n_treated_pre": 50, "n_treated_post": 50, "n_control_pre": 50, "n_control_post": 50}
    csat = view.effect_row({**row, "metric": "csat_avg", "effect": 0.3, "ci_low": 0.1,
                            "ci_high": 0.5}, 10, 90)
    repeat = view.effect_row({**row, "metric": "repeat_complaint_pct", "effect": 3.0,
                              "ci_low": 1.0, "ci_high": 5.0}, 10, 90)
    assert csat.colour == view.GOOD and "better" in csat.reading_text
    assert "higher" in csat.reading_text
    assert repeat.colour == view.BAD and "worse" in repeat.reading_text


def test_chart_title_names_the_good_direction_of_the_metric():
    assert "green: higher" in view.chart_title("csat_avg")
    assert "green: lower" in view.chart_title("repeat_complaint_pct")
    assert "green: lower" in view.chart_title("complaints")


def test_effect_metric_directions_follow_the_measure_registry():
    from queries.api import KPI_CATALOG

    assert EFFECT_METRICS["csat_avg"].higher_is_better is KPI_CATALOG["csat_avg"].higher_is_better
    assert EFFECT_METRICS["churn_pct"].higher_is_better is False
    assert EFFECT_METRICS["complaints"].higher_is_better is False


def _row(**over):
    base = {"fix_id": "F", "metric": "repeat_complaint_pct", "has_control": True,
            "partial": False, "post_days": 90.0, "launched_at": date(2026, 10, 11),
            "completes_on": date(2027, 1, 9), "effect": -2.0, "ci_low": -3.0, "ci_high": -1.0,
            "treated_pre": 10.0, "treated_post": 8.0, "treated_hist": 7.0,
            "n_treated_pre": 100, "n_treated_post": 100, "n_control_pre": 500,
            "n_control_post": 500}
    return {**base, **over}


def test_no_control_group_is_said_in_plain_words():
    notes = view.notes(_row(has_control=False, n_control_pre=None, n_control_post=None), 10, 90)
    assert "seasonality is not controlled; read this as a before/after only" in notes[0].text


def test_partial_window_says_days_in_and_when_it_completes():
    notes = view.notes(_row(partial=True, post_days=40.7), 10, 90)
    text = " ".join(n.text for n in notes)
    assert "41 of 90 days" in text and "9 Jan 2027" in text


def test_a_cell_below_the_minimum_sample_greys_the_effect_with_too_few_cases():
    v = view.effect_row(_row(n_control_post=9), 10, 90)
    assert v.greyed and v.colour == view.MUTED and "too few cases" in v.reading_text
    table = view.did_table(_row(n_control_post=9), 10)
    assert table[1]["post"].greyed and "too few cases" in table[1]["post"].text
    assert not table[0]["pre"].greyed


def test_regression_to_the_mean_note_names_the_history_and_the_pre_window():
    notes = view.notes(_row(rtm_warning=True), 10, 90)
    rtm = [n for n in notes if n.kind == "rtm"]
    assert rtm and "7.0% → 10.0%" in rtm[0].text and "would have happened anyway" in rtm[0].text


def test_pre_trend_note_says_the_control_may_be_a_poor_comparison():
    notes = view.notes(_row(pre_trend_warning=True, pre_trend_diff=0.6, pre_trend_ci_low=0.1,
                            pre_trend_ci_high=1.1), 10, 90)
    assert any(n.kind == "pre_trend" and "poor comparison" in n.text for n in notes)


def test_pre_trend_note_gives_the_slope_unit_once_also_in_chinese():
    """zh-CN read "每周斜率相差 每周 +0.60 个百分点 … 置信区间 每周 +0.02 个百分点 至 每周 …":
    the unit goes with the difference only; the bounds are numbers."""
    from dashboard.i18n import set_language

    row = _row(pre_trend_warning=True, pre_trend_diff=0.6, pre_trend_ci_low=0.02,
               pre_trend_ci_high=1.18)
    try:
        text = [n.text for n in view.notes(row, 10, 90) if n.kind == "pre_trend"][0]
        assert "+0.60 pts/week, 95 % interval +0.02 to +1.18)" in text
        set_language("zh-CN")
        text = [n.text for n in view.notes(row, 10, 90) if n.kind == "pre_trend"][0]
        assert text.count("每周") == 1, text
        assert "每周 +0.60 个百分点，95% 置信区间 +0.02 至 +1.18" in text
    finally:
        set_language("en")


def test_an_unknown_regression_to_the_mean_check_says_why():
    """F-13 of the demo showed a bare "n/a" (zh "无数据") though its cells were full: its
    history began within 30 days of the first ticket, so repeats there are unknown."""
    full = dict(n_treated_hist=179, n_control_hist=1004, rtm_warning=None, rtm_diff=None)
    assert view.rtm_text(_row(**full)) == \
        "n/a: history starts too early"
    assert view.rtm_text(_row(**{**full, "n_treated_hist": 1})) == "n/a: too few cases"
    assert view.rtm_text(_row(rtm_warning=False)) == "no sign"
    assert view.rtm_text(_row(rtm_warning=True)) == "warning"


def test_relative_complaint_effect_reads_as_a_percentage():
    assert view.effect_text("complaints", -6.2) == "-6.2%"
    assert view.effect_text("repeat_complaint_pct", -4.0) == "-4.0 pts"
    assert view.effect_text("csat_avg", 0.05) == "+0.05"


# --- the record-a-fix form ------------------------------------------------------------------------

OPTIONS = {"category": ["billing"], "channel": ["app"], "branch_id": ["B1"], "region": ["North"]}


def test_a_fix_needs_a_title_and_a_launch_date():
    _row_, problems = view.validate_fix({"fix_id": "F-9", "title": "  ", "launched_at": None},
                                        OPTIONS)
    assert len(problems) == 2


def test_a_scope_value_must_exist_in_the_warehouse():
    _row_, problems = view.validate_fix({"fix_id": "F-9", "title": "T", "branch_id": "B99",
                                         "launched_at": date(2024, 1, 1)}, OPTIONS)
    assert len(problems) == 1 and "B99" in problems[0]


def test_a_valid_fix_is_trimmed_and_kept():
    row, problems = view.validate_fix({"fix_id": " F-9 ", "title": " New script ",
                                       "launched_at": date(2024, 1, 1), "channel": "app",
                                       "category": ""}, OPTIONS)
    assert problems == []
    assert row["fix_id"] == "F-9" and row["title"] == "New script" and row["category"] is None


# --- cxdash effects and recording ------------------------------------------------------------------

def cli_json(*args: str):
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return json.loads(out.getvalue())


def test_cli_json_carries_the_checks_beside_every_spec_key(checks_wh):
    rows = cli_json("effects", "--json", "--fix", "R", "--window-days", str(W), "--as-of",
                    "2024-12-31 00:00:00", "--warehouse", str(checks_wh.path))
    csat = next(r for r in rows if r["metric"] == "csat_avg")
    assert csat["rtm_warning"] is True                     # worked out above
    assert csat["pre_trend_diff"] == pytest.approx(0.0, abs=1e-9)
    assert csat["pre_trend_ci_low"] == pytest.approx(-0.392, abs=1e-6)
    assert {"fix_id", "metric", "has_control", "partial", "treated_pre", "treated_post",
            "control_pre", "control_post", "n_treated_pre", "n_treated_post", "n_control_pre",
            "n_control_post", "effect", "ci_low", "ci_high"} <= set(csat)


def test_cli_table_reads_through_the_view_model(checks_wh, capsys):
    assert cli.main(["effects", "--fix", "R", "--window-days", str(W), "--as-of",
                     "2024-12-31 00:00:00", "--warehouse", str(checks_wh.path)]) == 0
    out = capsys.readouterr().out
    assert "Regression to the mean" in out and "CSAT" in out


def test_a_fix_recorded_from_the_form_is_loaded_and_audited(checks_wh):
    from dashboard.load.record import record_fix

    result = record_fix(checks_wh.path, {"fix_id": "F-NEW", "title": "Callback promise",
                                          "launched_at": date(2024, 6, 3), "category": "loans",
                                          "channel": "app"})
    assert result.status == "loaded" and result.new == 1
    con = duckdb.connect(str(checks_wh.path), read_only=True)
    try:
        fix = con.execute("select title, category, channel from fixes where fix_id = 'F-NEW'"
                          ).fetchall()
        audit = con.execute("select kind, status, rows_new from loads where file_name = ?",
                            [result.file]).fetchall()
    finally:
        con.close()
    assert fix == [("Callback promise", "loans", "app")]
    assert audit == [("fixes", "loaded", 1)]
    # the same fix edited (a new title) replaces the row and is audited again
    again = record_fix(checks_wh.path, {"fix_id": "F-NEW", "title": "Callback promise v2",
                                         "launched_at": date(2024, 6, 3)})
    assert again.status == "loaded" and again.updated == 1
    rows = cli_json("effects", "--json", "--fix", "F-NEW", "--warehouse", str(checks_wh.path))
    assert {r["metric"] for r in rows} == {"repeat_complaint_pct", "csat_avg", "churn_pct",
                                          "complaints"}
    assert math.isfinite(len(rows))


def test_repeats_are_unknown_where_the_source_does_not_carry_customer_ids(make_warehouse):
    # the shared "carries" rule: complaints from an extract without a customer_id column
    # are not counted as non-repeats; with none left, the cell's repeat rate is n/a
    rows = [ticket(f"N{i}", _in_week(week), category="loans", channel=channel,
                   not_carried=["customer_id"])
            for i, (week, channel) in enumerate([(-3, "app"), (-2, "app"), (1, "app"),
                                                 (-3, "web"), (1, "web")])]
    wh = make_warehouse(tickets=rows, fixes=[FIXES[2]])
    e = wh.effects(window_days=W, as_of=AS_OF)[("R", "repeat_complaint_pct")]
    assert e["treated_pre"] is None and e["n_treated_pre"] == 0
    complaints = wh.effects(window_days=W, as_of=AS_OF)[("R", "complaints")]
    assert complaints["treated_pre"] == 2  # counts still count every complaint


def test_repeats_of_a_history_too_close_to_the_first_ticket_are_unknown(make_warehouse):
    # the first ticket is in week -8, the first week of the history window: complaints there
    # cannot be seen as repeats (nothing before them is in the data), so no rtm for repeats
    tickets, surveys = PARTS[4]
    wh = make_warehouse(tickets=[*tickets, *PARTS[5][0]], surveys=[*surveys, *PARTS[5][1]],
                        fixes=[FIXES[2]])
    rows = wh.effects(window_days=W, as_of=AS_OF)
    assert rows[("R", "repeat_complaint_pct")]["rtm_diff"] is None
    assert rows[("R", "csat_avg")]["rtm_diff"] == pytest.approx(-2.0)  # rates of csat are fine


def test_churn_after_a_recent_launch_is_said_to_be_not_matured_yet():
    row = _row(metric="churn_pct", n_treated_post=0, treated_post=None, partial=True,
               post_days=40.0, effect=None, ci_low=None, ci_high=None)
    notes = view.notes(row, 10, 90, churn_days=90)
    assert any(n.kind == "immature" and "90 days" in n.text for n in notes)
    # greyed with the plain words, not "too few cases · n/a: too few cases ..."
    assert view.effect_row(row, 10, 90).reading_text == "too few cases"


def test_one_line_sentence_for_prose_carries_reading_and_notes():
    text = view.effect_sentence(_row(has_control=False, n_control_pre=None,
                                     n_control_post=None), 10, 90)
    assert text.startswith("Repeat complaints: -2.0 pts (95 % interval -3.0 pts to -1.0 pts; "
                           "lower: better, beyond noise)")
    assert "read this as a before/after only" in text


def test_the_did_table_holds_its_effect_and_interval_as_a_row_with_n_per_cell():
    # treated 10.0 % -> 8.0 % (n 100, 100): change -2.0 pts; control 9.0 % -> 9.5 %
    # (n 500, 500): +0.5 pts; the effect row carries the query's effect and interval
    row = _row(control_pre=9.0, control_post=9.5)
    rows = view.did_rows(row, 10, 90)
    assert [r["label"] for r in rows] == ["Treated", "Control",
                                          "Effect (treated − control)"]
    treated, control, effect = rows
    assert (treated["pre"].n, treated["post"].n, control["pre"].n) == (100, 100, 500)
    assert (treated["change"], control["change"]) == ("-2.0 pts", "+0.5 pts")
    assert effect["change"] == "-2.0 pts" and effect["interval"] == "-3.0 pts to -1.0 pts"
    assert effect["pre"] is None and "lower" in effect["reading"]


def test_a_complaint_count_changes_per_day_so_a_partial_window_compares_fairly():
    # 90 complaints in 90 days before, 20 in the first 10 days after: 1/day -> 2/day, +100 %
    row = _row(metric="complaints", treated_pre=90, treated_post=20, post_days=10.0,
               partial=True, has_control=False, effect=100.0, ci_low=50.0, ci_high=150.0,
               n_control_pre=None, n_control_post=None)
    rows = view.did_rows(row, 10, 90)
    assert rows[0]["change"] == "+100.0%"
    assert rows[-1]["label"] == "Effect (treated only, no control)"


def test_a_fix_s_scope_sets_its_stored_values_apart_in_chinese():
    """The register read "网点 B34 · 区域 East": a value inside Chinese text is set apart
    (网点「B34」), and stays as stored; English keeps 'branch B34'."""
    fix = {"category": "billing", "channel": "app", "branch_id": "B34", "region": "East"}
    set_language("zh-CN")
    try:
        short, full = view.scope_short(fix), view.scope_text(fix)
    finally:
        set_language("en")
    assert short == "billing · app · 网点「B34」 · 区域「East」"
    assert full == "类别「billing」 · 渠道「app」 · 网点「B34」 · 区域「East」"
    assert view.scope_short(fix) == "billing · app · branch B34 · region East"
    assert view.scope_text({"region": "East"}) == "region East"
