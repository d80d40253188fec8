"""Is the change of a KPI between a period and its comparison period beyond noise?

The Overview's cards compare a period with its comparison period
(queries.filters.comparison_period); the weekly review compares a week with the week
before. Both answer "is this change real?" with the same rule of spec/kpis.md ("Weekly
review"): the change's 95 % interval, change ± 1.96 √(v₁ + v₀), built by the interval
functions of queries/weekly.py (proportion_variance, mean_variance, nps_variance,
change_interval, interval_flagged), must exclude 0. So for one ISO week against the week
before, a card and the Weekly page give the same verdict by construction.

What the cards add: a change is only judged when both periods have at least min_sample
cases (a small sample is grey, whatever its interval); counts are not judged (the weekly
review's band of the 8 weeks before has no meaning for an arbitrary period) and neither
are medians (the spec tests no median).

The variances of a mean and of NPS need the spread of the survey answers, which the KPI
row does not carry: fetch_survey_moments reads it for a period (period_moments.sql).
Imports no UI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dashboard.settings import Settings, get_settings
from queries.api import Filters, _params, _run
from queries.weekly import (
    COUNTS,
    DECOMPOSABLE,
    change_interval,
    interval_flagged,
    kpi_variance,
    n_column,
)

if TYPE_CHECKING:  # connections are passed in; view models import this module without DuckDB
    import duckdb

# What assess_change concludes about a change (a surface words and colours it):
BEYOND = "beyond"              # the 95 % interval excludes 0: a real change
WITHIN = "within"              # the interval includes 0: noise
SMALL_SAMPLE = "small_sample"  # either period has fewer than min_sample cases
NOT_TESTED = "not_tested"      # no interval (a variance unknown, e.g. no survey moments)
MEDIAN = "median"              # a median or percentile: not tested (spec)
COUNT = "count"                # a volume: no good direction, not tested
NO_CHANGE = "no_change"        # no value in one of the periods


@dataclass(frozen=True)
class ChangeTest:
    """The verdict on one KPI's change, with what it rests on."""

    kpi: str
    verdict: str
    change: float | None = None
    n: int | None = None
    n_previous: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def beyond_noise(self) -> bool:
        return self.verdict == BEYOND


def fetch_survey_moments(con: duckdb.DuckDBPyConnection, filters: Filters,
                         settings: Settings | None = None) -> dict[str, Any]:
    """The period's latest-survey moments: n_csat, csat_var (sample variance, null below
    two answers), n_nps, nps_promoters, nps_detractors (period_moments.sql)."""
    settings = settings or get_settings()
    return _run(con, "period_moments", _params(con, filters, settings)).row(0, named=True)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def assess_change(kpi: str, current: Mapping[str, Any], previous: Mapping[str, Any] | None,
                  min_sample: int, moments: Mapping[str, Any] | None = None,
                  moments_previous: Mapping[str, Any] | None = None) -> ChangeTest:
    """Judge the change of `kpi` from the `previous` period's KPI row to the `current` one
    (rows of fetch_kpis / fetch_metrics). moments: fetch_survey_moments of each period,
    needed for csat_avg and nps only (without them those are NOT_TESTED)."""
    value = current.get(kpi)
    before = previous.get(kpi) if previous is not None else None
    change = float(value) - float(before) if value is not None and before is not None else None
    if change is None or previous is None:
        return ChangeTest(kpi, NO_CHANGE)
    if kpi in COUNTS:
        return ChangeTest(kpi, COUNT, change)
    ncol = n_column(kpi, current.keys())
    n, n_previous = _int(current.get(ncol)), _int(previous.get(ncol))
    if kpi not in DECOMPOSABLE:
        return ChangeTest(kpi, MEDIAN, change, n, n_previous)
    if (n or 0) < min_sample or (n_previous or 0) < min_sample:
        return ChangeTest(kpi, SMALL_SAMPLE, change, n, n_previous)
    low, high = change_interval(change, kpi_variance(kpi, current, moments, n),
                                kpi_variance(kpi, previous, moments_previous, n_previous),
                                n, n_previous)
    if low is None:
        return ChangeTest(kpi, NOT_TESTED, change, n, n_previous)
    verdict = BEYOND if interval_flagged(low, high) else WITHIN
    return ChangeTest(kpi, verdict, change, n, n_previous, low, high)
