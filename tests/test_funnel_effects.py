"""Funnel and before/after effects of spec/kpis.md on hand-checkable fixtures."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from tests.fixtures import survey, ticket

# --- funnel -------------------------------------------------------------------------

@pytest.fixture
def funnel_wh(make_warehouse):
    return make_warehouse(
        tickets=[
            # T1 goes all the way: assigned +10, responded +30 after, resolved +60, closed +30
            ticket("T1", "2024-05-01 10:00", assigned_at="2024-05-01 10:10",
                   first_response_at="2024-05-01 10:40", resolved_at="2024-05-01 11:40",
                   closed_at="2024-05-01 12:10"),
            # T2 skipped assigned_at: still reached 'assigned' through its later markers
            ticket("T2", "2024-05-01 10:00", first_response_at="2024-05-01 11:00",
                   resolved_at="2024-05-01 13:00"),
            ticket("T3", "2024-05-01 10:00", assigned_at="2024-05-01 10:20"),
            ticket("T4", "2024-05-01 10:00"),
            # T5: only closed + a survey with nps 9 and no csat -> satisfied
            ticket("T5", "2024-05-01 10:00", closed_at="2024-05-02 10:00"),
            # T6: resolved without first response, surveyed with csat 3 -> not satisfied
            ticket("T6", "2024-05-01 10:00", resolved_at="2024-05-01 15:00"),
        ],
        surveys=[
            survey("S1", "T1", "2024-05-02 10:00", csat=5),
            survey("S5", "T5", "2024-05-03 10:00", nps=9),
            survey("S6", "T6", "2024-05-02 10:00", csat=3, nps=10),
        ],
    )


def test_funnel_counts_a_stage_reached_through_any_later_marker(funnel_wh):
    f = funnel_wh.funnel()
    assert [f[s]["tickets"] for s in f] == [6, 5, 4, 4, 3, 3, 2]
    assert list(f) == ["received", "assigned", "responded", "resolved", "closed", "surveyed",
                       "satisfied"]


def test_funnel_conversion_is_against_the_previous_stage(funnel_wh):
    f = funnel_wh.funnel()
    assert f["received"]["conversion_pct"] is None
    assert f["assigned"]["conversion_pct"] == pytest.approx(500 / 6)   # 5 of 6
    assert f["responded"]["conversion_pct"] == pytest.approx(80.0)     # 4 of 5
    assert f["resolved"]["conversion_pct"] == pytest.approx(100.0)     # 4 of 4
    assert f["closed"]["conversion_pct"] == pytest.approx(75.0)        # 3 of 4
    assert f["satisfied"]["conversion_pct"] == pytest.approx(200 / 3)  # 2 of 3 (csat 3 is not)


def test_funnel_median_step_time_uses_only_tickets_with_both_timestamps(funnel_wh):
    f = funnel_wh.funnel()
    assert f["received"]["median_minutes_from_previous"] is None
    assert f["assigned"]["median_minutes_from_previous"] == pytest.approx(15.0)   # T1 10, T3 20
    # only T1 has assigned and responded; T2's missing assigned_at is not replaced by created_at
    assert f["responded"]["median_minutes_from_previous"] == pytest.approx(30.0)
    assert f["resolved"]["median_minutes_from_previous"] == pytest.approx(90.0)   # T1 60, T2 120
    assert f["closed"]["median_minutes_from_previous"] == pytest.approx(30.0)     # T1 only
    assert f["surveyed"]["median_minutes_from_previous"] is None
    assert f["satisfied"]["median_minutes_from_previous"] is None


def test_funnel_of_an_empty_selection_has_zero_tickets_and_no_conversion(funnel_wh):
    f = funnel_wh.funnel(channel=("fax",))
    assert all(row["tickets"] == 0 for row in f.values())
    assert all(row["conversion_pct"] is None for row in f.values())


# --- effects ------------------------------------------------------------------------
# Fix F1 launched 2024-06-01 on billing x app. Window 90 days:
# pre = [2024-03-03, 2024-06-01), post = [2024-06-01, 2024-08-30).
# Treated (billing, app) and control (billing, not app) complaints:
#   treated pre : P1 03-10, 03-20(rep)   P2 04-10, 04-15(rep)   -> 2 of 4 = 50 %
#   treated post: P3 06-10, 06-20(rep)   P4 07-01   P5 07-05    -> 1 of 4 = 25 %
#   control pre : Q1 03-10, 03-15(rep)                          -> 1 of 2 = 50 %
#   control post: Q2 06-10, 06-12(rep)                          -> 1 of 2 = 50 %

def _c(tid, when, cust, channel="app", category="billing"):
    return ticket(tid, when + " 10:00", customer_id=cust, channel=channel, category=category)


EFFECT_TICKETS = [
    _c("P1a", "2024-03-10", "P1"), _c("P1b", "2024-03-20", "P1"),
    _c("P2a", "2024-04-10", "P2"), _c("P2b", "2024-04-15", "P2"),
    _c("P3a", "2024-06-10", "P3"), _c("P3b", "2024-06-20", "P3"),
    _c("P4a", "2024-07-01", "P4"), _c("P5a", "2024-07-05", "P5"),
    _c("Q1a", "2024-03-10", "Q1", channel="web"), _c("Q1b", "2024-03-15", "Q1", channel="web"),
    _c("Q2a", "2024-06-10", "Q2", channel="web"), _c("Q2b", "2024-06-12", "Q2", channel="web"),
    _c("X1", "2024-06-10", "X1", channel="app", category="cards"),  # out of F1's category
]
EFFECT_SURVEYS = [
    survey("s1", "P1a", "2024-03-11 10:00", csat=4), survey("s2", "P2a", "2024-04-11 10:00", csat=2),
    survey("s3", "P3a", "2024-06-11 10:00", csat=5), survey("s4", "P4a", "2024-07-02 10:00", csat=5),
    survey("s5", "Q1a", "2024-03-11 10:00", csat=3), survey("s6", "Q1b", "2024-03-16 10:00", csat=3),
    survey("s7", "Q2a", "2024-06-11 10:00", csat=4), survey("s8", "Q2b", "2024-06-13 10:00", csat=2),
]
EFFECT_CUSTOMERS = [
    {"customer_id": "P1", "churned_at": date(2024, 4, 1)},   # 22 days after first complaint
    {"customer_id": "P2", "churned_at": None},
    {"customer_id": "P3", "churned_at": None},
    {"customer_id": "P4", "churned_at": None},
    {"customer_id": "P5", "churned_at": None},
    {"customer_id": "Q1", "churned_at": date(2024, 5, 1)},
    {"customer_id": "Q2", "churned_at": None},
]
EFFECT_FIXES = [
    {"fix_id": "F1", "title": "Billing app fix", "launched_at": date(2024, 6, 1),
     "category": "billing", "channel": "app"},
    {"fix_id": "F2", "title": "Everything", "launched_at": date(2024, 6, 1)},
    {"fix_id": "F3", "title": "Billing everywhere", "launched_at": date(2024, 6, 1),
     "category": "billing"},
]


@pytest.fixture
def effects_wh(make_warehouse):
    return make_warehouse(tickets=EFFECT_TICKETS, surveys=EFFECT_SURVEYS,
                          customers=EFFECT_CUSTOMERS, fixes=EFFECT_FIXES)


def agresti_var(k, n):
    p = (k + 1) / (n + 2)
    return p * (1 - p) / (n + 2) * 100**2


def test_repeat_effect_is_difference_in_differences_with_agresti_caffo_interval(effects_wh):
    e = effects_wh.effects(as_of=datetime(2024, 12, 31))[("F1", "repeat_complaint_pct")]
    assert e["has_control"] is True and e["partial"] is False
    assert (e["treated_pre"], e["treated_post"]) == (pytest.approx(50.0), pytest.approx(25.0))
    assert (e["control_pre"], e["control_post"]) == (pytest.approx(50.0), pytest.approx(50.0))
    assert (e["n_treated_pre"], e["n_treated_post"], e["n_control_pre"], e["n_control_post"]) == (
        4, 4, 2, 2)
    assert e["effect"] == pytest.approx(-25.0)  # (25 - 50) - (50 - 50)
    # variances: 2/4 -> p~ 3/6 -> 416.67; 1/4 -> p~ 2/6 -> 370.37; 1/2 -> p~ 2/4 -> 625 (x2)
    se = math.sqrt(agresti_var(2, 4) + agresti_var(1, 4) + agresti_var(1, 2) + agresti_var(1, 2))
    assert se == pytest.approx(math.sqrt(416.6667 + 370.3704 + 625 + 625), rel=1e-5)
    assert e["ci_low"] == pytest.approx(-25.0 - 1.96 * se)
    assert e["ci_high"] == pytest.approx(-25.0 + 1.96 * se)


def test_csat_effect_uses_latest_surveys_and_sample_variance(effects_wh):
    e = effects_wh.effects(as_of=datetime(2024, 12, 31))[("F1", "csat_avg")]
    # treated pre 4, 2 -> 3 (s^2 = 2); post 5, 5 -> 5 (0); control pre 3, 3 -> 3 (0);
    # control post 4, 2 -> 3 (2). effect = (5 - 3) - (3 - 3) = 2
    assert e["effect"] == pytest.approx(2.0)
    se = math.sqrt(2 / 2 + 0 + 0 + 2 / 2)
    assert e["ci_low"] == pytest.approx(2.0 - 1.96 * se)
    assert e["ci_high"] == pytest.approx(2.0 + 1.96 * se)
    assert e["n_treated_pre"] == 2 and e["n_control_post"] == 2


def test_churn_effect_has_no_interval_when_a_cell_has_fewer_than_two(effects_wh):
    e = effects_wh.effects(as_of=datetime(2024, 12, 31))[("F1", "churn_pct")]
    # treated pre P1 churned, P2 not: 50 %; post P3-P5: 0 %; control pre Q1 churned: 100 %;
    # control post Q2: 0 %. effect = (0 - 50) - (0 - 100) = 50
    assert e["treated_pre"] == pytest.approx(50.0)
    assert e["control_pre"] == pytest.approx(100.0)
    assert e["effect"] == pytest.approx(50.0)
    assert e["n_control_pre"] == 1
    assert e["ci_low"] is None and e["ci_high"] is None


def test_complaint_effect_is_a_relative_change_of_per_day_rates_with_a_log_interval(effects_wh):
    e = effects_wh.effects(as_of=datetime(2024, 12, 31))[("F1", "complaints")]
    assert (e["treated_pre"], e["treated_post"], e["control_pre"], e["control_post"]) == (4, 4, 2, 2)
    # every window spans 90 days: 100 x ((4/90 / 4/90) / (2/90 / 2/90) - 1) = 0 %
    assert e["effect"] == pytest.approx(0.0)
    # 100 x (exp(ln(1) +- 1.96 x sqrt(1/4 + 1/4 + 1/2 + 1/2)) - 1) = 100 x (exp(+-2.40050) - 1);
    # exp(-2.40050) = 0.090673, exp(2.40050) = 11.028689
    assert e["ci_low"] == pytest.approx(-90.9327, abs=1e-3)
    assert e["ci_high"] == pytest.approx(1002.8689, abs=1e-3)


def test_fix_without_any_scope_has_no_control_group(effects_wh):
    e = effects_wh.effects(as_of=datetime(2024, 12, 31))[("F2", "complaints")]
    assert e["has_control"] is False
    assert e["control_pre"] is None and e["n_control_pre"] is None
    # every ticket is treated: pre P1a P1b P2a P2b Q1a Q1b = 6; post the other 7
    assert (e["treated_pre"], e["treated_post"]) == (6, 7)
    # no control to divide by: 100 x (7/90 / 6/90 - 1) = +16.67 %
    assert e["effect"] == pytest.approx(100 * (7 / 6 - 1))
    # 100 x (exp(ln(7/6) +- 1.96 x sqrt(1/6 + 1/7)) - 1): sqrt(0.30952) = 0.55635
    assert e["ci_low"] == pytest.approx(100 * (7 / 6 * math.exp(-1.96 * 0.556349) - 1), abs=1e-3)
    assert e["ci_high"] == pytest.approx(100 * (7 / 6 * math.exp(1.96 * 0.556349) - 1), abs=1e-3)


def test_fix_with_only_a_category_is_controlled_by_other_categories(effects_wh):
    e = effects_wh.effects(as_of=datetime(2024, 12, 31))[("F3", "complaints")]
    assert e["has_control"] is True
    assert (e["treated_pre"], e["treated_post"]) == (6, 6)   # billing
    assert (e["control_pre"], e["control_post"]) == (0, 1)   # X1 (cards) after launch
    # the control's before count is 0: its ratio cannot be formed, so no effect, no interval
    assert e["effect"] is None
    assert e["ci_low"] is None and e["ci_high"] is None


def test_post_window_stops_at_as_of_and_is_flagged_partial(effects_wh):
    e = effects_wh.effects(as_of=datetime(2024, 6, 15))[("F1", "complaints")]
    # post = [06-01, 06-15]: treated P3a only; control Q2a, Q2b
    assert e["partial"] is True
    assert e["treated_post"] == 1 and e["control_post"] == 2
    # post spans 14 days: ((1/14) / (4/90)) / ((2/14) / (2/90)) = 1.6071 / 6.4286 = 0.25 -> -75 %
    assert e["effect"] == pytest.approx(-75.0)
    assert e["ci_low"] is None  # a count below 2 (treated after: 1) gives no interval
    # stored as_of is the last timestamp (2024-07-05 10:00): L + 90 d > as_of -> partial
    assert effects_wh.effects()[("F1", "complaints")]["partial"] is True


def test_post_window_ends_at_launch_plus_window_exclusive(effects_wh):
    rows = effects_wh.effects(as_of=datetime(2024, 12, 31), window_days=10)
    e = rows[("F1", "complaints")]
    # pre [05-22, 06-01): nobody; post [06-01, 06-11): P3a (06-10); control Q2a (06-10)
    assert (e["treated_pre"], e["treated_post"], e["control_post"]) == (0, 1, 1)
    assert e["effect"] is None  # treated before is 0: nothing to divide by
    assert rows[("F1", "repeat_complaint_pct")]["treated_pre"] is None  # no complaints: n/a
    assert rows[("F1", "repeat_complaint_pct")]["effect"] is None


def test_effects_for_one_fix(effects_wh):
    rows = effects_wh.effects(fix_id="F3")
    assert {fix for fix, _ in rows} == {"F3"}
    assert [m for _, m in rows] == ["repeat_complaint_pct", "csat_avg", "churn_pct", "complaints"]
