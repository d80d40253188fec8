"""The cards' display rules (dashboard/views/cards.py) and the periods they compare."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard.views.cards import (
    as_of_caption,
    build_card,
    change_tone,
    comparison_caption,
    format_kpi_change,
    target_state,
)
from queries.filters import Filters, comparison_period, preset_range

AS_OF = datetime(2026, 3, 31, 18, 4)


# --- periods ----------------------------------------------------------------------------

@pytest.mark.parametrize(("preset", "start"), [
    ("7d", date(2026, 3, 25)),    # 25..31 March: 7 days with the as_of day
    ("30d", date(2026, 3, 2)),    # 2..31 March: 30 days
    ("90d", date(2026, 1, 1)),    # 1 Jan..31 Mar: 31 + 28 + 31 = 90 days
    ("12m", date(2025, 4, 1)),    # the day after 31 Mar 2025
    ("ytd", date(2026, 1, 1)),
])
def test_presets_end_on_the_as_of_day_and_span_exactly_their_days(preset, start):
    assert preset_range(preset, AS_OF) == (start, date(2026, 3, 31))


def test_all_time_has_no_dates():
    assert preset_range("all", AS_OF) == (None, None)


def test_last_n_days_compare_with_the_n_days_just_before_without_overlap():
    f = Filters(date_from=date(2026, 3, 25), date_to=date(2026, 3, 31))
    other = comparison_period(f, "7d")
    # 18..24 March: ends the day before the period starts, 7 days long
    assert other.kind == "previous"
    assert (other.filters.date_from, other.filters.date_to) == (date(2026, 3, 18),
                                                               date(2026, 3, 24))


def test_year_to_date_compares_with_the_same_dates_a_year_earlier():
    f = Filters(date_from=date(2026, 1, 1), date_to=date(2026, 2, 10))
    other = comparison_period(f, "ytd")
    assert other.kind == "year_earlier"
    assert (other.filters.date_from, other.filters.date_to) == (date(2025, 1, 1),
                                                               date(2025, 2, 10))


def test_a_leap_day_maps_to_28_february_a_year_earlier():
    f = Filters(date_from=date(2024, 1, 1), date_to=date(2024, 2, 29))
    assert comparison_period(f, "ytd").filters.date_to == date(2023, 2, 28)


def test_filters_are_kept_in_the_comparison_period():
    f = Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), channel=("phone",))
    assert comparison_period(f, "custom").filters.channel == ("phone",)


# --- changes, tones and targets ------------------------------------------------------------

def test_a_change_that_rounds_to_zero_has_no_arrow_and_no_colour():
    # CSAT shows 2 decimals: -0.004 reads -0.00 -> no change shown, neutral
    assert format_kpi_change("csat_avg", -0.004) is None
    assert change_tone("csat_avg", -0.004) == "neutral"
    assert format_kpi_change("complaints", 0.0) is None
    assert format_kpi_change("csat_avg", -0.006) == "-0.01"


@pytest.mark.parametrize(("key", "change", "tone"), [
    ("csat_avg", 0.2, "better"),              # up is good
    ("fcr_pct", -1.0, "worse"),
    ("repeat_complaint_pct", -1.0, "better"),  # down is good
    ("frt_median_min", 5.0, "worse"),
    ("tickets", 100.0, "neutral"),            # a volume is neither
])
def test_the_tone_of_a_change_follows_the_kpis_direction(key, change, tone):
    assert change_tone(key, change) == tone


@pytest.mark.parametrize(("key", "value", "target", "state"), [
    ("fcr_pct", 85.0, 85.0, "met"),           # at least 85: exactly 85 meets it
    ("fcr_pct", 84.9, 85.0, "missed"),
    ("repeat_complaint_pct", 8.0, 8.0, "met"),  # at most 8
    ("repeat_complaint_pct", 8.1, 8.0, "missed"),
    ("tickets", 10.0, 5.0, None),
])
def test_target_state_follows_the_kpis_direction(key, value, target, state):
    assert target_state(key, value, target) == state


def _row(**values):
    base = {"tickets": 100, "complaints": 50}
    return base | values


def test_every_card_has_an_n_even_tickets_and_complaints():
    card = build_card("tickets", _row(), None)
    assert card.n == 100 and card.n_text == "n = 100"
    card = build_card("resolved_pct", _row(resolved_pct=90.0, n_resolution_known=80), None)
    assert card.n_text == "n = 80"


def test_a_small_sample_is_flagged():
    card = build_card("csat_avg", _row(csat_avg=4.5, n_csat=3), None)  # n 3 < 10
    assert card.small_sample


def test_a_resolved_drop_explained_by_young_open_tickets_is_not_red():
    now = _row(resolved_pct=76.5, n_resolution_known=2430, n_open_recent=572)
    before = _row(resolved_pct=94.9, n_resolution_known=2884, n_open_recent=0)
    card = build_card("resolved_pct", now, before)
    # 572 / 2430 = 23.5 % of the tickets are young and open: more than the 18.4-point drop
    assert card.tone == "neutral" and card.change_text == "-18.4 pts"
    assert any("younger than 7 days" in n for n in card.notes)


def test_a_resolved_drop_larger_than_the_young_share_stays_worse():
    now = _row(resolved_pct=70.0, n_resolution_known=1000, n_open_recent=10)  # 1 %
    before = _row(resolved_pct=90.0, n_resolution_known=1000, n_open_recent=0)
    assert build_card("resolved_pct", now, before).tone == "worse"


# --- captions -------------------------------------------------------------------------------

def test_the_as_of_caption_names_the_override_and_the_data():
    stored = datetime(2026, 11, 20, 17, 54)
    assert as_of_caption(None, stored) == "as of 20 Nov 2026 17:54"
    assert as_of_caption(AS_OF, stored) == (
        "as of 31 Mar 2026 18:04 (override) · as of 20 Nov 2026 17:54 in the data")


def test_the_comparison_caption_says_which_period_and_why():
    from queries.api import KpiComparison

    f = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 2, 10))
    text = comparison_caption(KpiComparison({}, {}, f, "year_earlier"))
    assert text == "Changes are against 1 Jan 2025 – 10 Feb 2025, the same dates a year earlier."


def test_a_drop_not_coloured_for_young_tickets_always_says_how_many_are_young():
    # 3,000 of 1,000,000 (0.3 %) are young and open: below the 1-point note, yet enough to
    # explain a 0.1-point drop, so the card says both. The drop itself is beyond noise at
    # this n: 1.96 × √(2 × 0.975 × 0.025 / 1e6) × 100 ≈ 0.04 pts < 0.1 pts.
    now = _row(resolved_pct=97.4, n_resolution_known=1_000_000, n_open_recent=3_000)
    before = _row(resolved_pct=97.5, n_resolution_known=1_000_000, n_open_recent=0)
    card = build_card("resolved_pct", now, before)
    assert card.change_test.beyond_noise
    assert card.tone == "neutral"
    assert card.notes == ("3,000 open tickets are younger than 7 days: the share may still rise",
                          "the change may be only the recent tickets not yet resolved")


# --- is the change beyond noise? (the Weekly page's rule, queries.period_changes) ----------

def test_a_share_change_beyond_noise_is_coloured_by_the_kpis_direction():
    # repeat complaints 20 % (80 of 400) -> 10 % (40 of 400), change -10 pts.
    # Agresti-Caffo: p1 = 41/402 = 0.10199, v1 = p1(1-p1)/402 × 100² = 2.278;
    # p0 = 81/402 = 0.20149, v0 = 4.002; half = 1.96 × √6.281 = 4.91 -> [-14.9, -5.1]:
    # excludes 0, and lower is better
    now = _row(repeat_complaint_pct=10.0, n_repeat=400)
    before = _row(repeat_complaint_pct=20.0, n_repeat=400)
    card = build_card("repeat_complaint_pct", now, before)
    assert card.change_test.ci_low == pytest.approx(-14.91, abs=0.01)
    assert card.change_test.ci_high == pytest.approx(-5.09, abs=0.01)
    assert card.tone == "better" and card.change_note is None


def test_a_csat_change_within_the_noise_is_grey_and_says_so():
    # CSAT 4.00 -> 4.10 of 50 answers each, sample variance 1.0 both times:
    # v = 1.0/50 = 0.02 each; half = 1.96 × √0.04 = 0.392 -> [-0.292, +0.492] holds 0.
    # The old cards coloured this +0.10 green.
    now = _row(csat_avg=4.10, n_csat=50)
    before = _row(csat_avg=4.00, n_csat=50)
    moments = ({"csat_var": 1.0, "n_csat": 50}, {"csat_var": 1.0, "n_csat": 50})
    card = build_card("csat_avg", now, before, moments=moments)
    assert card.change_test.ci_low == pytest.approx(-0.292)
    assert card.change_test.ci_high == pytest.approx(0.492)
    assert card.tone == "neutral" and card.change_text == "+0.10"
    assert card.change_note == "within the noise"


def test_an_nps_change_is_tested_with_its_promoters_and_detractors():
    # NPS 10 (80 promoters, 60 detractors of 200) -> 30 (100 and 40 of 200), +20:
    # v1 = (0.5 + 0.2 - 0.3²)/200 × 100² = 30.5, v0 = (0.4 + 0.3 - 0.1²)/200 × 100² = 34.5;
    # half = 1.96 × √65 = 15.80 -> [+4.2, +35.8]: beyond noise, up is good
    now = _row(nps=30.0, n_nps=200)
    before = _row(nps=10.0, n_nps=200)
    moments = ({"nps_promoters": 100, "nps_detractors": 40, "n_nps": 200},
               {"nps_promoters": 80, "nps_detractors": 60, "n_nps": 200})
    card = build_card("nps", now, before, moments=moments)
    assert card.change_test.ci_low == pytest.approx(4.198, abs=0.01)
    assert card.tone == "better"
    # without the answers' spread the change cannot be tested: grey, and it says so
    untested = build_card("nps", now, before)
    assert untested.tone == "neutral" and untested.change_note == "change not tested"


def test_a_change_of_a_small_sample_is_grey_whatever_its_size():
    # branch B39 + social: resolved 2 of 2 against 2 of 3, +33.3 pts; n = 2 < min_sample 10
    now = _row(resolved_pct=100.0, n_resolution_known=2)
    before = _row(resolved_pct=200 / 3, n_resolution_known=3)
    card = build_card("resolved_pct", now, before)
    assert card.change_text == "+33.3 pts" and card.tone == "neutral"
    assert card.small_sample  # the caption says "small sample: n = 2"
    # a comparison period too small is named in the note
    big_now = _row(resolved_pct=100.0, n_resolution_known=500)
    card = build_card("resolved_pct", big_now, before)
    assert card.tone == "neutral"
    assert card.change_note == "small sample before (n = 3): change not tested"


def test_a_median_is_never_coloured_as_on_the_weekly_page():
    now = _row(frt_median_min=31.0, n_responded=2000)
    before = _row(frt_median_min=30.0, n_responded=2000)
    card = build_card("frt_median_min", now, before)
    assert card.change_text == "+1 min" and card.tone == "neutral"
    assert card.change_note == "medians are not tested"


@pytest.mark.parametrize(("key", "now", "before", "text"), [
    ("csat_avg", 3.881, 3.879, "±0.00"),                  # 2 decimals
    ("frt_median_min", 30.2, 29.9, "±0 min"),             # whole minutes
    ("sla_met_pct", 94.12, 94.08, "±0.0 pts"),            # points, 1 decimal
    ("tickets", 100, 100, "±0"),
])
def test_a_change_that_shows_as_zero_reads_plus_minus_zero_in_the_kpis_unit(
        key, now, before, text):
    card = build_card(key, _row(**{key: now}), _row(**{key: before}))
    assert card.change_text == text
    assert card.tone == "neutral" and not card.arrow and card.change_note is None


def test_no_comparison_period_shows_no_change_at_all():
    card = build_card("csat_avg", _row(csat_avg=4.0, n_csat=50), None)
    assert card.change_text is None and not card.arrow


# --- the same verdicts from a tiny warehouse ------------------------------------------------

def _cards_of(wh, date_from, date_to):
    from dashboard.views.cards import build_cards
    from dashboard.warehouse import connect_reader
    from queries.api import fetch_kpi_comparison
    from queries.period_changes import fetch_survey_moments

    con = connect_reader(wh.path)
    try:
        filters = Filters(date_from=date_from, date_to=date_to)
        comparison = fetch_kpi_comparison(con, filters, preset="custom")
        moments = (fetch_survey_moments(con, filters),
                   fetch_survey_moments(con, comparison.previous_filters))
    finally:
        con.close()
    return {c.key: c for c in build_cards(comparison, moments=moments)}, moments


def test_cards_of_a_tiny_warehouse_colour_only_the_change_beyond_noise(make_warehouse,
                                                                      monkeypatch):
    from dashboard.settings import get_settings
    from tests.fixtures import survey, ticket

    monkeypatch.setenv("CXDASH_MIN_SAMPLE", "4")
    get_settings.cache_clear()
    # week of 9 March: 4 tickets, all resolved; the week before: 4 tickets, none resolved
    now = [ticket(f"N{i}", "2026-03-10 10:00", resolved_at="2026-03-10 12:00")
           for i in range(1, 5)]
    before = [ticket(f"B{i}", "2026-03-03 10:00") for i in range(1, 5)]
    surveys = [
        # CSAT 4, 5, 4, 5; NPS answered twice only (10, 9)
        survey("sN1", "N1", "2026-03-11 09:00", csat=4, nps=10),
        survey("sN2", "N2", "2026-03-11 09:00", csat=5, nps=9),
        survey("sN3", "N3", "2026-03-11 09:00", csat=4),
        survey("sN4", "N4", "2026-03-11 09:00", csat=5),
        # CSAT 3, 5, 4, 4; NPS 10, 9, 0, 8
        survey("sB1", "B1", "2026-03-04 09:00", csat=3, nps=10),
        survey("sB2", "B2", "2026-03-04 09:00", csat=5, nps=9),
        survey("sB3", "B3", "2026-03-04 09:00", csat=4, nps=0),
        survey("sB4", "B4", "2026-03-04 09:00", csat=4, nps=8),
    ]
    wh = make_warehouse(tickets=now + before, surveys=surveys)
    cards, (m_now, m_before) = _cards_of(wh, date(2026, 3, 9), date(2026, 3, 15))

    # the moments, by hand: CSAT 4,5,4,5 has mean 4.5 and s² = 4 × 0.25 / 3 = 1/3;
    # 3,5,4,4 has mean 4 and s² = (1 + 1 + 0 + 0) / 3 = 2/3
    assert m_now["n_csat"] == 4 and m_now["csat_var"] == pytest.approx(1 / 3)
    assert m_before["csat_var"] == pytest.approx(2 / 3)
    assert (m_now["n_nps"], m_now["nps_promoters"], m_now["nps_detractors"]) == (2, 2, 0)
    assert (m_before["n_nps"], m_before["nps_promoters"], m_before["nps_detractors"]) == (4, 2, 1)

    # Resolved 0 % -> 100 % of 4: p̃ = 1/6 and 5/6, v = (5/36)/6 × 100² = 231.5 each;
    # half = 1.96 × √463 = 42.2 -> [+57.8, +142.2]: beyond noise, green
    resolved = cards["resolved_pct"]
    assert resolved.change_text == "+100.0 pts" and resolved.tone == "better"
    assert resolved.change_test.ci_low == pytest.approx(57.83, abs=0.01)

    # CSAT 4.00 -> 4.50: v = (1/3)/4 + (2/3)/4 = 0.25, half = 1.96 × 0.5 = 0.98
    # -> [-0.48, +1.48]: within the noise, grey
    csat = cards["csat_avg"]
    assert csat.change_text == "+0.50" and csat.tone == "neutral"
    assert csat.change_test.ci_low == pytest.approx(-0.48)
    assert csat.change_note == "within the noise"

    # NPS 25 -> 100 (+75) rests on 2 answers this week: below min_sample 4, grey
    nps = cards["nps"]
    assert nps.change_text == "+75.0" and nps.tone == "neutral" and nps.small_sample


def test_for_one_week_a_card_is_coloured_exactly_when_the_weekly_review_flags_its_change(
        demo_warehouse):
    """The walkthrough's week: the Overview coloured CSAT +0.04 and NPS +1.5 that the Weekly
    page called noise. For an ISO week against the week before, both now say the same."""
    from dashboard.settings import get_settings
    from dashboard.views.cards import build_cards
    from dashboard.warehouse import connect_reader
    from queries.api import fetch_kpi_comparison
    from queries.period_changes import fetch_survey_moments
    from queries.weekly import fetch_weekly

    con = connect_reader(demo_warehouse)
    try:
        weekly = fetch_weekly(con, Filters())
        week = Filters(date_from=weekly["from"], date_to=weekly["to"])
        comparison = fetch_kpi_comparison(con, week, preset="custom")
        moments = (fetch_survey_moments(con, week),
                   fetch_survey_moments(con, comparison.previous_filters))
    finally:
        con.close()
    cards = {c.key: c for c in build_cards(comparison, moments=moments)}
    min_sample = get_settings().min_sample
    compared = 0
    for row in weekly["rows"]:
        kpi = row["kpi"]
        # churn: the weekly review reads the latest matured week, the card its own fallback
        if kpi in ("tickets", "complaints", "post_complaint_churn_pct") or row["change"] is None:
            continue
        card = cards[kpi]
        assert card.change == pytest.approx(row["change"]), kpi
        if min(row["n"] or 0, row["n_previous"] or 0) < min_sample:
            assert card.tone == "neutral", kpi  # a small sample is never coloured on a card
            continue
        assert card.change_test.beyond_noise == bool(row["flagged"]), kpi
        assert card.tone == "neutral" or row["flagged"], kpi  # coloured only when flagged
        assert (card.tone != "neutral") == bool(row["flagged"]) or kpi == "resolved_pct", kpi
        compared += 1
    assert compared >= 4
