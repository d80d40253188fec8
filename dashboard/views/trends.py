"""Trend charts as plain data: which time grain a period is drawn in, whether a series has
enough points to be a trend, and the words that go with the grain.

A week-long period drawn by ISO week is one or two points whose axis plotly pads down to
fractions of a second ("23:59:59.9996 Nov 8"); drawn by day it is seven readable points.
So periods up to DAILY_UP_TO_DAYS days are drawn by day, longer ones (and open periods)
by week. A series with fewer than two values is no trend: the page says so instead of
drawing one point or empty axes. No Streamlit import (tests/test_conventions.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl

from dashboard.i18n import _, format_number
from queries.filters import Filters

DAILY_UP_TO_DAYS = 31  # a month by day (31 points); a quarter by week (13)
MIN_POINTS = 2


def trend_grain(filters: Filters) -> str:
    """"day" for a period of at most DAILY_UP_TO_DAYS days, else "week" (also without
    both ends: all time, or from a date on)."""
    days = filters.days
    return "day" if days is not None and days <= DAILY_UP_TO_DAYS else "week"


def points(values: Sequence[Any] | pl.Series) -> int:
    """How many values a series has (nulls are gaps, not points)."""
    return sum(1 for v in values if v is not None)


def has_trend(values: Sequence[Any] | pl.Series) -> bool:
    return points(values) >= MIN_POINTS


def too_few_points_text(grain: str) -> str:
    """The message shown instead of a chart with fewer than two points."""
    if grain == "day":
        return _("Fewer than two days with a value in this period, so there is no trend to "
                 "draw. Choose a longer period.")
    return _("Fewer than two weeks with a value in this period, so there is no trend to "
             "draw. Choose a longer period.")


def section_title(grain: str) -> str:
    return _("Daily trends") if grain == "day" else _("Weekly trends")


def tickets_title(grain: str) -> str:
    return _("Tickets per day") if grain == "day" else _("Tickets per week")


def hollow_caption(grain: str, min_sample: int) -> str:
    if grain == "day":
        return _("Hollow markers: fewer than {n} cases that day — read with care. The as-of "
                 "day may be partial.").format(n=format_number(min_sample))
    return _("Hollow markers: fewer than {n} cases that week — read with care. A week at the "
             "edge of the period may be partial.").format(n=format_number(min_sample))


def sla_trend_title(grain: str) -> str:
    if grain == "day":
        return _("First-response SLA met, by day (hollow: day not over yet)")
    return _("First-response SLA met, by week (hollow: week not over yet)")


def daily_sla_series(by_day: pl.DataFrame, by_day_tier: pl.DataFrame, tiers: list[str],
                     min_sample: int, as_of: datetime | None
                     ) -> tuple[list[date], dict[str | None, list[float | None]], list[bool]]:
    """fetch_kpis by day and by (day, priority) -> (days, {tier or None for all tiers: the
    SLA met share by day}, complete), the shape of views.funnel.sla_trend_series. A day
    with fewer than min_sample tickets due in a tier is a gap, as a thin week is; a day is
    complete once it has ended by as_of."""
    days = [date.fromisoformat(d) for d in by_day.sort("group")["group"].to_list()]

    def share(row: dict[str, Any] | None) -> float | None:
        if row is None or (row.get("n_sla_due") or 0) < min_sample:
            return None
        return row.get("sla_met_pct")

    all_rows = {r["group"]: r for r in by_day.iter_rows(named=True)}
    series: dict[str | None, list[float | None]] = {
        None: [share(all_rows.get(d.isoformat())) for d in days]}
    tier_rows = {(r["day"], r["priority"]): r for r in by_day_tier.iter_rows(named=True)}
    for tier in tiers:
        series[tier] = [share(tier_rows.get((d.isoformat(), tier))) for d in days]
    complete = [as_of is not None
                and datetime.combine(d + timedelta(days=1), datetime.min.time()) <= as_of
                for d in days]
    return days, series, complete
