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
    # 30 of 10,000 (0.3 %) are young and open: below the 1-point note, yet enough to
    # explain a 0.1-point drop, so the card says both
    now = _row(resolved_pct=97.4, n_resolution_known=10_000, n_open_recent=30)
    before = _row(resolved_pct=97.5, n_resolution_known=10_000, n_open_recent=0)
    card = build_card("resolved_pct", now, before)
    assert card.tone == "neutral"
    assert card.notes == ("30 open tickets are younger than 7 days: the share may still rise",
                          "the change may be only the recent tickets not yet resolved")
