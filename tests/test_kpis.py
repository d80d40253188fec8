"""The ticket KPIs of spec/kpis.md on fixtures small enough to check by hand."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from tests.fixtures import survey, ticket

# --- period and filters ---------------------------------------------------------------

def test_period_includes_the_whole_last_day_and_nothing_after(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T0", "2024-04-30 23:59:59"),    # before --from
        ticket("T1", "2024-05-01 00:00:00"),    # first instant of --from: in
        ticket("T2", "2024-05-31 23:59:59"),    # last second of --to: in
        ticket("T3", "2024-06-01 00:00:00"),    # --to + 1 day 00:00: out
    ])
    assert wh.kpis(date_from=date(2024, 5, 1), date_to=date(2024, 5, 31))["tickets"] == 2
    assert wh.kpis()["tickets"] == 4  # without a period every ticket counts


def test_filters_or_within_a_dimension_and_across_dimensions(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", channel="app", category="billing"),
        ticket("T2", "2024-05-01 10:00", channel="web", category="billing"),
        ticket("T3", "2024-05-01 10:00", channel="phone", category="billing"),
        ticket("T4", "2024-05-01 10:00", channel="app", category="cards"),
    ])
    # app OR web -> T1, T2, T4
    assert wh.kpis(channel=("app", "web"))["tickets"] == 3
    # (app OR web) AND billing -> T1, T2
    assert wh.kpis(channel=("app", "web"), category=("billing",))["tickets"] == 2


def test_channel_filter_matches_spelling_variants(make_warehouse):
    wh = make_warehouse(tickets=[ticket("T1", "2024-05-01 10:00", channel="app")])
    # " APP " and "App" name the stored channel "app"
    assert wh.kpis(channel=(" APP ",))["tickets"] == 1
    assert wh.kpis(channel=("App",))["tickets"] == 1


def test_region_and_segment_filter_through_branch_and_customer(make_warehouse):
    wh = make_warehouse(
        tickets=[
            ticket("T1", "2024-05-01 10:00", branch_id="B1", customer_id="C1"),
            ticket("T2", "2024-05-01 10:00", branch_id="B2", customer_id="C2"),
            ticket("T3", "2024-05-01 10:00", branch_id="B2", customer_id=None),
        ],
        branches=[{"branch_id": "B1", "region": "North"}, {"branch_id": "B2", "region": "South"}],
        customers=[{"customer_id": "C1", "segment": "retail"},
                   {"customer_id": "C2", "segment": "premium"}],
    )
    assert wh.kpis(region=("South",))["tickets"] == 2          # T2, T3
    assert wh.kpis(segment=("premium",))["tickets"] == 1       # T2 (T3 has no customer)


def test_empty_selection_gives_zero_counts_and_null_rates(make_warehouse):
    wh = make_warehouse(tickets=[ticket("T1", "2024-05-01 10:00")])
    k = wh.kpis(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    assert k["tickets"] == 0 and k["complaints"] == 0
    for key in ("resolved_pct", "frt_median_min", "sla_met_pct", "fcr_pct", "reopen_pct",
                "repeat_complaint_pct", "survey_response_pct", "csat_avg", "csat_pct", "nps",
                "post_complaint_churn_pct"):
        assert k[key] is None, key


def test_an_empty_warehouse_has_no_as_of_and_gives_zero_counts_and_null_rates(make_warehouse):
    # nothing loaded: meta holds no as_of, so $as_of is bound as NULL; each rule that does
    # arithmetic with it must still type it (was: BinderException "-(NULL, INTERVAL)")
    wh = make_warehouse()
    k = wh.kpis()
    assert k["tickets"] == 0 and k["complaints"] == 0
    for key in ("resolved_pct", "frt_median_min", "frt_p90_min", "resolution_median_h",
                "resolution_p90_h", "sla_met_pct", "fcr_pct", "reopen_pct",
                "repeat_complaint_pct", "survey_response_pct", "csat_avg", "csat_pct", "nps",
                "post_complaint_churn_pct"):
        assert k[key] is None, key
    assert wh.kpis_by("channel") == {}                         # no group without tickets
    assert wh.kpis(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))["tickets"] == 0


def test_rates_over_resolved_tickets_are_null_when_nothing_is_resolved(make_warehouse):
    wh = make_warehouse(tickets=[ticket("T1", "2024-05-01 10:00",
                                        first_response_at="2024-05-01 10:05")])
    k = wh.kpis()
    assert k["resolved_pct"] == 0.0  # 0 of 1 ticket: a real zero
    assert k["fcr_pct"] is None and k["reopen_pct"] is None and k["survey_response_pct"] is None
    assert k["resolution_median_h"] is None


# --- times --------------------------------------------------------------------------

def test_first_response_and_resolution_quantiles_interpolate_linearly(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", first_response_at="2024-05-01 10:10",
               resolved_at="2024-05-01 12:00"),  # 10 min, 2 h
        ticket("T2", "2024-05-01 10:00", first_response_at="2024-05-01 10:20",
               resolved_at="2024-05-01 14:00"),  # 20 min, 4 h
        ticket("T3", "2024-05-01 10:00", first_response_at="2024-05-01 10:40"),  # 40 min
        ticket("T4", "2024-05-01 10:00", first_response_at="2024-05-01 11:40"),  # 100 min
        ticket("T5", "2024-05-01 10:00"),  # no response: left out of the quantiles
    ])
    k = wh.kpis()
    # median of 10, 20, 40, 100 = (20 + 40) / 2 = 30
    assert k["frt_median_min"] == pytest.approx(30.0)
    # p90: position 0.9 * 3 = 2.7 -> 40 + 0.7 * (100 - 40) = 82
    assert k["frt_p90_min"] == pytest.approx(82.0)
    assert k["frt_p90_min"] == pytest.approx(np.quantile([10, 20, 40, 100], 0.9))
    # resolution: 2 h and 4 h -> median 3, p90 = 2 + 0.9 * 2 = 3.8
    assert k["resolution_median_h"] == pytest.approx(3.0)
    assert k["resolution_p90_h"] == pytest.approx(3.8)
    # resolved 2 of 5
    assert k["resolved_pct"] == pytest.approx(40.0)


# --- SLA ----------------------------------------------------------------------------

def test_sla_response_exactly_at_the_deadline_is_met(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", priority="urgent", first_response_at="2024-05-01 11:00"),
        ticket("T2", "2024-05-01 10:00", priority="urgent", first_response_at="2024-05-01 11:00:01"),
        ticket("T3", "2024-05-01 10:00", priority="high", first_response_at="2024-05-01 14:00"),
        ticket("T4", "2024-05-01 10:00", priority="normal", first_response_at="2024-05-02 10:00:01"),
    ])
    # met: T1 (at 1 h), T3 (at 4 h); breached: T2 (1 h + 1 s), T4 (24 h + 1 s) -> 50 %
    assert wh.kpis()["sla_met_pct"] == pytest.approx(50.0)


def test_sla_without_response_is_pending_until_the_deadline_then_breached(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", priority="urgent", first_response_at="2024-05-01 10:30"),
        ticket("T2", "2024-05-01 10:00", priority="normal"),  # deadline 2024-05-02 10:00
    ])
    # as_of at the deadline: T2 pending -> 1 met / 1 decided = 100 %
    k = wh.kpis(as_of=datetime(2024, 5, 2, 10, 0))
    assert k["sla_met_pct"] == pytest.approx(100.0)
    assert k["n_sla_pending"] == 1
    # one second later T2 is breached -> 1 of 2 = 50 %
    k = wh.kpis(as_of=datetime(2024, 5, 2, 10, 0, 1))
    assert k["sla_met_pct"] == pytest.approx(50.0)
    assert k["n_sla_pending"] == 0


def test_sla_is_null_when_every_ticket_is_pending(make_warehouse):
    wh = make_warehouse(tickets=[ticket("T1", "2024-05-01 10:00", priority="low")])
    # stored as_of is T1's own created_at: well before its deadline
    assert wh.kpis()["sla_met_pct"] is None


def test_low_priority_weekday_ticket_is_due_seven_calendar_days_later(make_warehouse):
    # Wednesday 2024-05-01 09:30 + 5 working days = Wednesday 2024-05-08 09:30
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 09:30", priority="low", first_response_at="2024-05-08 09:30"),
        ticket("T2", "2024-05-01 09:30", priority="low", first_response_at="2024-05-08 09:30:01"),
    ])
    assert wh.kpis()["sla_met_pct"] == pytest.approx(50.0)  # T1 met, T2 breached


def test_low_priority_weekend_ticket_counts_from_monday_midnight(make_warehouse):
    # Saturday 2024-05-04 15:00 -> start Monday 2024-05-06 00:00 -> due Monday 2024-05-13 00:00
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-04 15:00", priority="low", first_response_at="2024-05-13 00:00"),
        ticket("T2", "2024-05-05 23:00", priority="low", first_response_at="2024-05-13 00:00:01"),
        ticket("T3", "2024-05-04 15:00", priority="low"),  # no response
    ])
    k = wh.kpis(as_of=datetime(2024, 5, 13, 0, 0))
    # T1 met (exactly at deadline), T2 (Sunday, same deadline) breached, T3 pending at the deadline
    assert k["sla_met_pct"] == pytest.approx(50.0)
    assert k["n_sla_pending"] == 1
    k = wh.kpis(as_of=datetime(2024, 5, 13, 0, 0, 1))
    assert k["sla_met_pct"] == pytest.approx(100 / 3)  # T3 now breached: 1 of 3
    assert k["n_sla_pending"] == 0


def test_low_priority_friday_ticket_skips_the_weekend(make_warehouse):
    # Friday 2024-05-03 17:00 + 5 working days = Friday 2024-05-10 17:00
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-03 17:00", priority="low", first_response_at="2024-05-10 17:00"),
        ticket("T2", "2024-05-03 17:00", priority="low", first_response_at="2024-05-10 17:01"),
    ])
    assert wh.kpis()["sla_met_pct"] == pytest.approx(50.0)


def test_sla_targets_come_from_settings(make_warehouse, monkeypatch):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", priority="urgent", first_response_at="2024-05-01 10:45"),
    ])
    assert wh.kpis()["sla_met_pct"] == pytest.approx(100.0)  # 45 min < 60 min default
    monkeypatch.setenv("CXDASH_SLA_URGENT_MINUTES", "30")
    from dashboard.settings import get_settings
    get_settings.cache_clear()
    assert wh.kpis()["sla_met_pct"] == pytest.approx(0.0)  # 45 min > 30 min


# --- reopen and FCR -----------------------------------------------------------------

def test_fcr_and_reopen_over_resolved_tickets(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", resolved_at="2024-05-01 12:00"),                  # FCR
        ticket("T2", "2024-05-01 10:00", resolved_at="2024-05-01 12:00", reopen_count=2),  # reopened
        ticket("T3", "2024-05-01 10:00", resolved_at="2024-05-01 12:00", escalated=True),  # escalated
        ticket("T4", "2024-05-01 10:00"),                                                  # unresolved
    ])
    k = wh.kpis(as_of=datetime(2024, 6, 1))  # every resolution has had its 7 days
    assert k["fcr_pct"] == pytest.approx(100 / 3)    # 1 of 3 resolved
    assert k["reopen_pct"] == pytest.approx(100 / 3)  # 1 of 3 resolved


def test_fcr_breaks_on_a_new_ticket_exactly_seven_days_after_resolution(make_warehouse):
    wh = make_warehouse(tickets=[
        # A: resolved 2024-05-02 10:00, next contact at resolved + 7 d exactly -> not FCR
        ticket("A1", "2024-05-01 10:00", customer_id="CA", resolved_at="2024-05-02 10:00"),
        ticket("A2", "2024-05-09 10:00", customer_id="CA", type="inquiry"),
        # B: next contact one second after the window -> FCR holds
        ticket("B1", "2024-05-01 10:00", customer_id="CB", resolved_at="2024-05-02 10:00"),
        ticket("B2", "2024-05-09 10:00:01", customer_id="CB"),
    ])
    k = wh.kpis(date_from=date(2024, 5, 1), date_to=date(2024, 5, 1))
    # resolved in period: A1, B1; FCR: B1 only -> 50 %
    assert k["fcr_pct"] == pytest.approx(50.0)


def test_fcr_breaks_on_a_contact_while_the_ticket_is_open_and_outside_the_filters(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", customer_id="C1", channel="phone",
               resolved_at="2024-05-05 10:00"),
        # the customer chases on another channel before resolution
        ticket("T2", "2024-05-03 10:00", customer_id="C1", channel="web", type="inquiry"),
    ])
    assert wh.kpis(channel=("phone",), as_of=datetime(2024, 6, 1))["fcr_pct"] == pytest.approx(0.0)


def test_fcr_ignores_other_categories_same_instant_and_anonymous_contacts(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", customer_id="C1", resolved_at="2024-05-01 11:00"),
        ticket("T2", "2024-05-02 10:00", customer_id="C1", category="cards"),  # other category
        ticket("T3", "2024-05-01 10:00", customer_id="C1", category="billing",
               type="inquiry"),  # same instant: not in (created_at, ...]
        ticket("T4", "2024-05-01 10:00", customer_id=None, resolved_at="2024-05-01 11:00"),
        ticket("T5", "2024-05-02 10:00", customer_id=None),  # anonymous: breaks nobody's FCR
    ])
    # resolved: T1, T4 -> both FCR
    assert wh.kpis(as_of=datetime(2024, 6, 1))["fcr_pct"] == pytest.approx(100.0)


def test_fcr_window_comes_from_settings(make_warehouse, monkeypatch):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", customer_id="C1", resolved_at="2024-05-01 11:00"),
        ticket("T2", "2024-05-05 10:00", customer_id="C1"),  # 4 days after resolution
    ])
    june = datetime(2024, 6, 1)  # both windows have passed
    assert wh.kpis(date_to=date(2024, 5, 1), as_of=june)["fcr_pct"] == pytest.approx(0.0)
    monkeypatch.setenv("CXDASH_FCR_WINDOW_DAYS", "3")
    from dashboard.settings import get_settings
    get_settings.cache_clear()
    assert wh.kpis(date_to=date(2024, 5, 1), as_of=june)["fcr_pct"] == pytest.approx(100.0)


# --- repeat complaints --------------------------------------------------------------

def test_repeat_complaint_includes_exactly_30_days_back(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("A1", "2024-04-01 10:00", customer_id="CA"),
        ticket("A2", "2024-05-01 10:00", customer_id="CA"),    # exactly 30 d later: repeat
        ticket("B1", "2024-04-01 09:59:59", customer_id="CB"),
        ticket("B2", "2024-05-01 10:00", customer_id="CB"),    # 30 d + 1 s later: not a repeat
    ])
    k = wh.kpis(date_from=date(2024, 5, 1), date_to=date(2024, 5, 1))
    assert k["complaints"] == 2
    assert k["repeat_complaint_pct"] == pytest.approx(50.0)  # A2 of {A2, B2}


def test_repeat_needs_a_strictly_earlier_complaint_in_the_same_category(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", customer_id="C1"),
        ticket("T2", "2024-05-01 10:00", customer_id="C1"),    # same instant: neither repeats
        ticket("T3", "2024-05-02 10:00", customer_id="C2", category="cards"),
        ticket("T4", "2024-05-03 10:00", customer_id="C2"),    # other category before: no
        ticket("T5", "2024-05-02 10:00", customer_id="C3", type="inquiry"),
        ticket("T6", "2024-05-03 10:00", customer_id="C3"),    # inquiry before: no
        ticket("T7", "2024-05-04 10:00", customer_id="C1", type="inquiry"),  # not a complaint
    ])
    k = wh.kpis()
    assert k["complaints"] == 5  # T1, T2, T3, T4, T6
    assert k["repeat_complaint_pct"] == pytest.approx(0.0)


def test_repeat_counts_an_earlier_complaint_outside_the_period_and_filters(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-04-20 10:00", customer_id="C1", channel="web"),
        ticket("T2", "2024-05-02 10:00", customer_id="C1", channel="phone"),  # repeat of T1
        ticket("T3", "2024-05-02 10:00", customer_id="C2", channel="phone"),
    ])
    k = wh.kpis(date_from=date(2024, 5, 1), date_to=date(2024, 5, 31), channel=("phone",))
    assert k["repeat_complaint_pct"] == pytest.approx(50.0)  # T2 of {T2, T3}


def test_anonymous_complaints_are_never_repeats_but_count_as_complaints(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", customer_id=None),
        ticket("T2", "2024-05-02 10:00", customer_id=None),
        ticket("T3", "2024-05-01 10:00", customer_id="C1"),
        ticket("T4", "2024-05-02 10:00", customer_id="C1"),  # repeat of T3
    ])
    # repeats: T4 only; complaints: 4 -> 25 %
    assert wh.kpis()["repeat_complaint_pct"] == pytest.approx(25.0)


def test_repeat_rate_is_na_when_no_complaint_carries_a_customer(make_warehouse):
    # Like the CFPB export: no customer ids, so repeats cannot be known -- n/a, never 0.
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00"), ticket("T2", "2024-05-02 10:00"),
    ])
    k = wh.kpis()
    assert k["complaints"] == 2
    assert k["repeat_complaint_pct"] is None
    assert k["post_complaint_churn_pct"] is None


def test_repeat_window_comes_from_settings(make_warehouse, monkeypatch):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", customer_id="C1"),
        ticket("T2", "2024-05-21 10:00", customer_id="C1"),  # 20 days later
    ])
    assert wh.kpis(date_from=date(2024, 5, 21))["repeat_complaint_pct"] == pytest.approx(100.0)
    monkeypatch.setenv("CXDASH_REPEAT_WINDOW_DAYS", "14")
    from dashboard.settings import get_settings
    get_settings.cache_clear()
    assert wh.kpis(date_from=date(2024, 5, 21))["repeat_complaint_pct"] == pytest.approx(0.0)


# --- surveys ------------------------------------------------------------------------

def test_latest_survey_per_ticket_decides_csat_with_ties_to_the_greatest_id(make_warehouse):
    wh = make_warehouse(
        tickets=[
            ticket("T1", "2024-05-01 10:00", resolved_at="2024-05-01 12:00"),
            ticket("T2", "2024-05-01 10:00", resolved_at="2024-05-01 12:00"),
            ticket("T3", "2024-05-01 10:00", resolved_at="2024-05-01 12:00"),
        ],
        surveys=[
            survey("S1", "T1", "2024-05-02 10:00", csat=1, nps=0),
            survey("S2", "T1", "2024-05-03 10:00", csat=5, nps=10),   # T1 latest
            survey("S3", "T2", "2024-05-02 10:00", csat=2, nps=7),
            survey("S4", "T2", "2024-05-02 10:00", csat=4, nps=9),    # tie: S4 > S3 wins
        ],
    )
    k = wh.kpis()
    assert k["csat_avg"] == pytest.approx(4.5)       # (5 + 4) / 2
    assert k["csat_pct"] == pytest.approx(100.0)     # both >= 4
    assert k["nps"] == pytest.approx(100.0)          # 10, 9: two promoters of two
    assert k["survey_response_pct"] == pytest.approx(200 / 3)  # T1, T2 of 3 resolved


def test_latest_survey_without_csat_adds_nothing_even_if_an_earlier_one_had_it(make_warehouse):
    wh = make_warehouse(
        tickets=[ticket("T1", "2024-05-01 10:00"), ticket("T2", "2024-05-01 10:00")],
        surveys=[
            survey("S1", "T1", "2024-05-02 10:00", csat=1, nps=None),
            survey("S2", "T1", "2024-05-03 10:00", csat=None, nps=6),  # latest: no csat
            survey("S3", "T2", "2024-05-02 10:00", csat=3, nps=8),
        ],
    )
    k = wh.kpis()
    assert k["csat_avg"] == pytest.approx(3.0)      # T2 only; S1's 1 is never used
    assert k["n_csat"] == 1
    assert k["csat_pct"] == pytest.approx(0.0)      # 3 is not top-2-box
    # nps: 6 (detractor), 8 (passive) -> (0 - 1) / 2 = -50
    assert k["nps"] == pytest.approx(-50.0)


def test_surveys_of_tickets_not_loaded_count_nowhere(make_warehouse):
    wh = make_warehouse(
        tickets=[ticket("T1", "2024-05-01 10:00")],
        surveys=[survey("S1", "T1", "2024-05-02 10:00", csat=2),
                 survey("S9", "T-missing", "2024-09-01 10:00", csat=5)],
    )
    k = wh.kpis()
    assert k["csat_avg"] == pytest.approx(2.0)
    # and the orphan's responded_at does not move as_of: SLA stays relative to T1's survey time
    from dashboard.warehouse import connect_reader
    from queries.api import stored_as_of
    con = connect_reader(wh.path)
    assert stored_as_of(con) == datetime(2024, 5, 2, 10, 0)
    con.close()


# --- churn --------------------------------------------------------------------------

def test_churn_counts_matured_customers_from_their_first_complaint(make_warehouse):
    wh = make_warehouse(
        tickets=[
            ticket("A1", "2024-01-10 09:00", customer_id="CA"),
            ticket("A2", "2024-02-20 09:00", customer_id="CA"),  # not first: ignored
            ticket("B1", "2024-01-10 18:00", customer_id="CB"),
            ticket("C1", "2024-01-10 09:00", customer_id="CC"),
            ticket("D1", "2024-01-11 09:00", customer_id="CD"),  # immature at as_of
            ticket("E1", "2024-01-10 09:00", customer_id="CE"),  # absent from customers
            ticket("F1", "2024-01-10 09:00", customer_id="CF", type="inquiry"),  # not a complaint
        ],
        customers=[
            {"customer_id": "CA", "churned_at": date(2024, 4, 9)},   # 2024-01-10 + 90 d: churned
            {"customer_id": "CB", "churned_at": date(2024, 4, 10)},  # one day late: not churned
            {"customer_id": "CC", "churned_at": None},
            {"customer_id": "CD", "churned_at": date(2024, 1, 12)},
            {"customer_id": "CF", "churned_at": date(2024, 1, 12)},
        ],
    )
    # as_of 2024-04-09: 2024-01-10 + 90 d = 2024-04-09 <= as_of -> CA, CB, CC matured; CD not
    k = wh.kpis(as_of=datetime(2024, 4, 9, 0, 0))
    assert k["n_churn_matured"] == 3
    assert k["post_complaint_churn_pct"] == pytest.approx(100 / 3)  # CA of {CA, CB, CC}
    # a day later CD matures too (churned 2024-01-12): 2 of 4
    k = wh.kpis(as_of=datetime(2024, 4, 10, 0, 0))
    assert k["post_complaint_churn_pct"] == pytest.approx(50.0)


def test_churn_uses_the_first_complaint_inside_the_period(make_warehouse):
    wh = make_warehouse(
        tickets=[
            ticket("A1", "2023-12-01 09:00", customer_id="CA"),  # before the period
            ticket("A2", "2024-02-01 09:00", customer_id="CA"),
        ],
        customers=[{"customer_id": "CA", "churned_at": date(2024, 2, 15)}],
    )
    k = wh.kpis(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31),
                as_of=datetime(2024, 12, 31))
    # t = 2024-02-01; churned 14 days later -> 1 of 1
    assert k["post_complaint_churn_pct"] == pytest.approx(100.0)


def test_churn_before_the_complaint_does_not_count(make_warehouse):
    wh = make_warehouse(
        tickets=[ticket("A1", "2024-02-01 09:00", customer_id="CA")],
        customers=[{"customer_id": "CA", "churned_at": date(2024, 1, 31)}],
    )
    k = wh.kpis(as_of=datetime(2024, 12, 31))
    assert k["post_complaint_churn_pct"] == pytest.approx(0.0)


# --- breakdowns ---------------------------------------------------------------------

def test_kpis_by_channel_give_one_row_per_channel(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", channel="app", resolved_at="2024-05-01 11:00"),
        ticket("T2", "2024-05-01 10:00", channel="app"),
        ticket("T3", "2024-05-01 10:00", channel="web", resolved_at="2024-05-01 11:00"),
    ])
    rows = wh.kpis_by("channel")
    assert set(rows) == {"app", "web"}
    assert rows["app"]["tickets"] == 2 and rows["app"]["resolved_pct"] == pytest.approx(50.0)
    assert rows["web"]["tickets"] == 1 and rows["web"]["resolved_pct"] == pytest.approx(100.0)


def test_churn_by_group_uses_each_groups_first_complaint(make_warehouse):
    wh = make_warehouse(
        tickets=[
            ticket("A1", "2024-01-01 09:00", customer_id="CA", channel="phone"),
            ticket("A2", "2024-03-01 09:00", customer_id="CA", channel="web"),
        ],
        customers=[{"customer_id": "CA", "churned_at": date(2024, 4, 15)}],
    )
    rows = wh.kpis_by("channel", as_of=datetime(2024, 12, 31))
    # phone: t = 01-01, churn 105 days later -> not churned; web: t = 03-01, 45 days -> churned
    assert rows["phone"]["post_complaint_churn_pct"] == pytest.approx(0.0)
    assert rows["web"]["post_complaint_churn_pct"] == pytest.approx(100.0)


# --- breakdowns by one or two dimensions and the weekday/hour grains ------------------

def test_two_dimensions_give_one_row_per_pair_with_a_column_per_dimension(make_warehouse):
    from dashboard.warehouse import connect_reader
    from queries.api import Filters, fetch_kpis

    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", channel="app", branch_id="B1"),
        ticket("T2", "2024-05-01 11:00", channel="app", branch_id="B1", type="inquiry"),
        ticket("T3", "2024-05-02 10:00", channel="app", branch_id="B2"),
        ticket("T4", "2024-05-02 10:00", channel="web", branch_id="B1"),
    ])
    con = connect_reader(wh.path)
    frame = fetch_kpis(con, Filters(), by=("channel", "branch"))
    con.close()
    assert "group" not in frame.columns and frame.columns[:2] == ["channel", "branch"]
    got = {(r["channel"], r["branch"]): (r["tickets"], r["complaints"])
           for r in frame.iter_rows(named=True)}
    # (app, B1): T1 + T2, one complaint; (app, B2): T3; (web, B1): T4; (web, B2) has none
    assert got == {("app", "B1"): (2, 1), ("app", "B2"): (1, 1), ("web", "B1"): (1, 1)}


def test_weekday_is_iso_and_hour_is_of_created_at_both_integers(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-06 00:00"),   # Monday, hour 0
        ticket("T2", "2024-05-12 23:59"),   # Sunday, hour 23
        ticket("T3", "2024-05-13 23:00"),   # Monday again, hour 23
    ])
    by_weekday = wh.kpis_by("weekday")
    assert {k: v["tickets"] for k, v in by_weekday.items()} == {1: 2, 7: 1}
    assert all(isinstance(k, int) for k in by_weekday)
    assert {k: v["tickets"] for k, v in wh.kpis_by("hour").items()} == {0: 1, 23: 2}


def test_week_is_the_monday_and_month_the_year_and_month(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-05 23:59"),   # Sunday: its ISO week starts Monday 29 April
        ticket("T2", "2024-05-06 00:00"),   # Monday 6 May
    ])
    assert set(wh.kpis_by("week")) == {"2024-04-29", "2024-05-06"}
    assert set(wh.kpis_by("month")) == {"2024-05"}
    assert set(wh.kpis_by("day")) == {"2024-05-05", "2024-05-06"}


@pytest.mark.parametrize("by", ["nope", ("channel", "channel"), ("channel", "branch", "type"),
                                "channel; drop table tickets"])
def test_a_breakdown_outside_the_registry_is_refused(make_warehouse, by):
    wh = make_warehouse(tickets=[ticket("T1", "2024-05-06 00:00")])
    with pytest.raises(ValueError):
        wh.kpis_by(by)


def test_unknown_filter_values_are_named_per_dimension(make_warehouse):
    from dashboard.warehouse import connect_reader
    from queries.api import Filters, fetch_unknown_filter_values

    wh = make_warehouse(tickets=[ticket("T1", "2024-05-06 00:00", channel="app", branch_id="B1")])
    con = connect_reader(wh.path)
    # " APP " is the stored "app" (normalised); "fax" and branch "B9" match nothing
    got = fetch_unknown_filter_values(con, Filters(channel=(" APP ", "fax"), branch=("B1", "B9")))
    con.close()
    assert got == {"channel": ("fax",), "branch": ("B9",)}


# --- honest numbers: what a source does not carry, status, FCR maturity -----------------

def _reason(key: str, row: dict) -> str | None:
    from queries.registry import MEASURES

    return MEASURES[key].na_reason(row)


def test_survey_kpis_are_na_when_the_warehouse_has_no_survey(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", resolved_at="2024-05-01 12:00"),
    ])
    k = wh.kpis()
    # one resolved ticket and no survey loaded anywhere: "unknown", not 0 %
    assert k["survey_response_pct"] is None and k["csat_avg"] is None and k["nps"] is None
    assert _reason("survey_response_pct", k) == "no survey has been loaded"
    assert _reason("csat_avg", k) == "no survey has been loaded"


def test_survey_response_is_zero_when_surveys_exist_but_none_for_these_tickets(make_warehouse):
    wh = make_warehouse(
        tickets=[ticket("T1", "2024-05-01 10:00", resolved_at="2024-05-01 12:00"),
                 ticket("T2", "2024-05-01 10:00", resolved_at="2024-05-01 12:00",
                        channel="web")],
        surveys=[survey("S1", "T2", "2024-05-02 10:00", csat=5)],
    )
    # phone: T1 resolved, no survey -> 0 of 1 is a real 0
    assert wh.kpis(channel=("phone",))["survey_response_pct"] == 0.0


NO_CUSTOMER = ["customer_id"]


def test_a_source_without_customer_ids_makes_fcr_repeat_and_churn_na(make_warehouse):
    wh = make_warehouse(
        tickets=[
            ticket("T1", "2024-05-01 10:00", resolved_at="2024-05-01 12:00",
                   not_carried=NO_CUSTOMER),
            ticket("T2", "2024-05-02 10:00", resolved_at="2024-05-02 12:00",
                   not_carried=NO_CUSTOMER),
        ])
    k = wh.kpis(as_of=datetime(2024, 6, 1))
    # without the column, FCR would read 100 % and repeats 0 %: both are n/a
    assert k["fcr_pct"] is None and k["repeat_complaint_pct"] is None
    assert k["post_complaint_churn_pct"] is None
    assert _reason("repeat_complaint_pct", k) == "the data carries no customer ids"
    assert _reason("post_complaint_churn_pct", k) == "the data carries no customer ids"
    assert _reason("fcr_pct", k).startswith("the data lacks what first-contact resolution needs")
    assert k["reopen_pct"] == 0.0  # reopen counts are carried: a real 0 of 2


def test_a_source_without_reopen_counts_makes_reopen_and_fcr_na(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", customer_id="C1", resolved_at="2024-05-01 12:00",
               not_carried=["reopen_count"]),
    ])
    k = wh.kpis(as_of=datetime(2024, 6, 1))
    assert k["reopen_pct"] is None and k["fcr_pct"] is None
    assert _reason("reopen_pct", k) == "the data carries no reopen counts"


def test_complaints_of_a_source_without_customer_ids_stay_out_of_the_repeat_rate(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("A1", "2024-05-01 10:00", customer_id="C1"),
        ticket("A2", "2024-05-10 10:00", customer_id="C1"),        # repeat of A1
        ticket("A3", "2024-05-11 10:00", customer_id=None),        # anonymous, carried: 0
        ticket("X1", "2024-05-12 10:00", not_carried=NO_CUSTOMER),  # source says nothing
        ticket("X2", "2024-05-13 10:00", not_carried=NO_CUSTOMER),
    ])
    k = wh.kpis()
    # denominator: A1, A2, A3 (their source has the column); repeats: A2 -> 1 of 3
    assert k["repeat_complaint_pct"] == pytest.approx(100 / 3)
    assert k["n_repeat"] == 3 and k["complaints"] == 5


def test_a_status_of_resolved_or_closed_counts_as_resolved(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", status="resolved", not_carried=["resolved_at"]),
        ticket("T2", "2024-05-01 10:00", status="closed", not_carried=["resolved_at"],
               reopen_count=1),
        ticket("T3", "2024-05-01 10:00", status="open", not_carried=["resolved_at"]),
        ticket("T4", "2024-05-01 10:00", status="in_progress", not_carried=["resolved_at"]),
    ])
    k = wh.kpis()
    # resolved: T1 (resolved), T2 (closed) of 4 -> 50 %; reopened: T2 of those 2 -> 50 %
    assert k["resolved_pct"] == pytest.approx(50.0)
    assert k["reopen_pct"] == pytest.approx(50.0)
    # no resolution times: the durations and FCR are n/a, with the reason
    assert k["resolution_median_h"] is None and k["fcr_pct"] is None
    assert _reason("resolution_median_h", k) == "the data carries no resolution times"


def test_resolved_is_na_when_the_source_carries_neither_resolution_time_nor_status(
        make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", not_carried=["resolved_at", "status"]),
    ])
    k = wh.kpis()
    assert k["resolved_pct"] is None
    assert _reason("resolved_pct", k) == "the data carries no resolution time or status"


def test_fcr_counts_a_resolution_exactly_seven_days_before_as_of_and_not_one_second_later(
        make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", customer_id="C1", resolved_at="2024-05-02 10:00"),
        ticket("T2", "2024-05-01 10:00", customer_id="C2", resolved_at="2024-05-02 10:00:01",
               reopen_count=1),
    ])
    # as_of = T1's resolution + 7 days exactly: T1 has matured (<=), T2 is pending
    k = wh.kpis(as_of=datetime(2024, 5, 9, 10, 0))
    assert k["fcr_pct"] == pytest.approx(100.0)    # T1 only, FCR
    assert k["n_fcr"] == 1 and k["n_fcr_pending"] == 1
    # one second later T2 (reopened, not FCR) counts too: 1 of 2
    later = wh.kpis(as_of=datetime(2024, 5, 9, 10, 0, 1))
    assert later["fcr_pct"] == pytest.approx(50.0)


def test_fcr_is_na_and_says_pending_when_every_resolution_is_young(make_warehouse):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", customer_id="C1", resolved_at="2024-05-02 10:00"),
    ])
    k = wh.kpis()  # as_of = the resolution itself
    assert k["fcr_pct"] is None
    assert _reason("fcr_pct", k) == "every resolution is younger than the FCR window"


def test_an_as_of_with_an_offset_is_the_same_instant_in_warehouse_time(make_warehouse):
    from datetime import timedelta, timezone

    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", first_response_at=None, priority="urgent"),
    ])
    # urgent: deadline 11:00 warehouse time (UTC). 18:59 at +08:00 is 10:59 UTC: pending;
    # 19:01 at +08:00 is 11:01 UTC: breached -- whatever the host's timezone
    plus8 = timezone(timedelta(hours=8))
    assert wh.kpis(as_of=datetime(2024, 5, 1, 18, 59, tzinfo=plus8))["n_sla_pending"] == 1
    assert wh.kpis(as_of=datetime(2024, 5, 1, 19, 1, tzinfo=plus8))["sla_met_pct"] == 0.0


def test_churn_counts_pending_customers_for_the_too_young_note(make_warehouse):
    wh = make_warehouse(
        tickets=[ticket("T1", "2024-05-01 10:00", customer_id="C1"),
                 ticket("T2", "2024-07-01 10:00", customer_id="C2")],
        customers=[{"customer_id": "C1"}, {"customer_id": "C2"}],
    )
    k = wh.kpis(as_of=datetime(2024, 8, 1))
    # C1: 1 May + 90 d = 30 Jul <= 1 Aug, matured; C2: 1 Jul + 90 d > 1 Aug, pending
    assert k["n_churn_matured"] == 1 and k["n_churn_pending"] == 1


def test_a_young_periods_churn_falls_back_to_the_latest_matured_period_of_its_length(
        make_warehouse):
    from dashboard.warehouse import connect_reader
    from queries.api import Filters, fetch_kpi_comparison

    wh = make_warehouse(
        tickets=[
            ticket("T1", "2024-05-30 10:00", customer_id="C2"),   # in the period: pending
            ticket("T2", "2024-03-01 10:00", customer_id="C3"),   # in the fallback period
            ticket("T3", "2024-02-25 10:00", customer_id="C4"),   # the day before it
        ],
        customers=[{"customer_id": "C2"},
                   {"customer_id": "C3", "churned_at": date(2024, 4, 1)},
                   {"customer_id": "C4"}],
    )
    con = connect_reader(wh.path)
    period = Filters(date_from=date(2024, 5, 26), date_to=date(2024, 6, 1),
                     as_of=datetime(2024, 6, 1, 12))
    cmp = fetch_kpi_comparison(con, period, preset="7d")
    con.close()
    # 1 Jun - 90 days = 3 Mar: the 7 days 26 Feb .. 3 Mar have all matured
    assert (cmp.churn.filters.date_from, cmp.churn.filters.date_to) == (date(2024, 2, 26),
                                                                        date(2024, 3, 3))
    assert cmp.churn.current["post_complaint_churn_pct"] == 100.0   # C3 churned 1 Apr
    # its own comparison: 19 .. 25 Feb holds C4, who did not churn
    assert cmp.churn.previous["post_complaint_churn_pct"] == 0.0
    assert cmp.current["post_complaint_churn_pct"] is None and cmp.current["n_churn_pending"] == 1


def test_a_90_day_periods_churn_fallback_is_its_comparison_period_read_once(make_warehouse):
    # With a 90-day churn window the fallback of "last 90 days" is exactly the previous 90
    # days, whose row fetch_kpi_comparison already has: it is reused, and must equal what
    # the churn-only query gives for those dates.
    from dashboard.warehouse import connect_reader
    from queries.api import Filters, fetch_kpi_comparison, fetch_metrics

    wh = make_warehouse(
        tickets=[
            ticket("T1", "2024-08-01 10:00", customer_id="C1"),   # the period: pending
            ticket("T2", "2024-04-01 10:00", customer_id="C2"),   # previous 90 days
            ticket("T3", "2024-01-10 10:00", customer_id="C3"),   # the 90 days before
        ],
        customers=[{"customer_id": "C1"},
                   {"customer_id": "C2", "churned_at": date(2024, 5, 1)},
                   {"customer_id": "C3"}],
    )
    con = connect_reader(wh.path)
    period = Filters(date_from=date(2024, 6, 4), date_to=date(2024, 9, 1),
                     as_of=datetime(2024, 9, 1, 12))
    cmp = fetch_kpi_comparison(con, period, preset="90d")
    # 1 Sep - 90 days = 3 Jun: the fallback is 6 Mar .. 3 Jun, the comparison period
    assert (cmp.churn.filters.date_from, cmp.churn.filters.date_to) == (date(2024, 3, 6),
                                                                        date(2024, 6, 3))
    assert cmp.churn.filters == cmp.previous_filters
    assert cmp.churn.current["post_complaint_churn_pct"] == 100.0   # C2 churned 30 days on
    assert cmp.churn.current["n_churn_matured"] == 1 and cmp.churn.current["tickets"] == 1
    # its own comparison, 7 Dec .. 5 Mar: C3 did not churn
    assert cmp.churn.previous["post_complaint_churn_pct"] == 0.0
    wanted = ("tickets", "post_complaint_churn_pct")
    assert cmp.churn.current == fetch_metrics(con, wanted, filters=cmp.churn.filters).row(
        0, named=True)
    con.close()


def test_churn_is_zero_not_na_when_no_matured_customer_churned(make_warehouse):
    wh = make_warehouse(
        tickets=[ticket("T1", "2024-01-01 10:00", customer_id="C1")],
        customers=[{"customer_id": "C1"}],   # never churned
    )
    k = wh.kpis(as_of=datetime(2024, 6, 1))
    assert k["post_complaint_churn_pct"] == 0.0 and k["n_churn_matured"] == 1


def test_fetch_metrics_asked_only_for_churn_gives_the_kpi_rows_churn_figures(make_warehouse):
    from dashboard.warehouse import connect_reader
    from queries.api import Filters, fetch_metrics

    wh = make_warehouse(
        tickets=[
            ticket("T1", "2024-03-01 10:00", customer_id="C1"),   # matured, churned 1 Apr
            ticket("T2", "2024-03-02 10:00", customer_id="C2"),   # matured, stayed
            ticket("T3", "2024-03-03 10:00", customer_id="C9"),   # not in customers: left out
            ticket("T4", "2024-03-03 11:00"),                     # anonymous: left out
            ticket("T5", "2024-05-30 10:00", customer_id="C3"),   # pending on 1 Jun
        ],
        customers=[{"customer_id": "C1", "churned_at": date(2024, 4, 1)},
                   {"customer_id": "C2"}, {"customer_id": "C3"}],
    )
    con = connect_reader(wh.path)
    as_of = datetime(2024, 6, 1, 12)
    wanted = ("tickets", "post_complaint_churn_pct")
    row = fetch_metrics(con, wanted, filters=Filters(date_from=date(2024, 3, 1),
                        date_to=date(2024, 5, 31), as_of=as_of)).row(0, named=True)
    empty = fetch_metrics(con, wanted, filters=Filters(date_from=date(2023, 1, 1),
                          date_to=date(2023, 1, 7), as_of=as_of)).row(0, named=True)
    con.close()
    # 5 tickets; matured C1, C2 (1 churned) -> 50 %; C3 pending; C9 and T4 not counted
    assert row == {"group": None, "tickets": 5, "post_complaint_churn_pct": 50.0,
                   "n_churn_matured": 2, "n_churn_pending": 1, "carries_customer": True}
    # no ticket in 2023: tickets 0, churn unknown, the carries flag unknown
    assert empty == {"group": None, "tickets": 0, "post_complaint_churn_pct": None,
                     "n_churn_matured": 0, "n_churn_pending": 0, "carries_customer": None}
