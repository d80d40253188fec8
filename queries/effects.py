"""Before/after of fixes (spec/kpis.md "Before/after a fix"): the query functions.

`fetch_effects` gives one row per fix and metric -- the difference-in-differences
effect with its 95 % interval (effects.sql), and beside it the two checks that say what
the comparison cannot tell: the pre-trend (did treated and control move in parallel
before launch?) and regression to the mean (was the treated scope unusually bad just
before launch?). `fetch_effect_weeks` gives the weekly event study of one fix.

Whether a move is "worse" depends on the metric (fewer repeats, churn and complaints
are better; a higher CSAT is better): queries.effect_metrics holds that once, taken from
the measure registry where the metric is a KPI. No Streamlit here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from dashboard.settings import Settings, get_settings
from queries.api import Filters, _params, _run
from queries.effect_metrics import EFFECT_METRICS, EffectMetric, worse_beyond_noise

__all__ = ["EFFECT_METRICS", "EffectMetric", "fetch_effect_weeks", "fetch_effects",
           "worse_beyond_noise"]


def _checks(row: dict[str, Any]) -> dict[str, Any]:
    """rtm_warning and pre_trend_warning of one effects row (None when unknown)."""
    low, high = row.get("pre_trend_ci_low"), row.get("pre_trend_ci_high")
    return {
        # the treated scope moved to the worse side of its own history just before launch,
        # beyond noise and beyond what the control did
        "rtm_warning": worse_beyond_noise(row["metric"], row.get("rtm_ci_low"),
                                          row.get("rtm_ci_high")),
        # the slopes before launch differ beyond noise (either direction)
        "pre_trend_warning": None if low is None or high is None else (low > 0 or high < 0),
    }


def fetch_effects(
    con: duckdb.DuckDBPyConnection,
    fix_id: str | None = None,
    window_days: int | None = None,
    as_of: datetime | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Before/after of every fix (or one): a row per fix and metric.

    Columns: the `effects --json` keys of spec/cli.md (fix_id, metric, has_control,
    partial, treated_pre/post, control_pre/post, n_* per cell, effect, ci_low, ci_high),
    then pre_trend_diff / pre_trend_ci_low / pre_trend_ci_high (treated minus control
    weekly slope over the pre window, in the effect's unit per week), treated_hist /
    control_hist / n_*_hist (the W days before the pre window), rtm_diff / rtm_ci_low /
    rtm_ci_high (hist -> pre difference-in-differences), launched_at, post_days (days of
    the post window so far), completes_on (launch + W), rtm_warning, pre_trend_warning.
    Percent metrics in points; complaints' effect, interval and rtm in % (relative);
    csat on the 1-5 scale. Unknown values are null. Raises nothing for an unknown fix_id:
    the frame is empty.
    """
    settings = settings or get_settings()
    if window_days is not None:
        settings = settings.model_copy(update={"effect_window_days": window_days})
    params = _params(con, Filters(as_of=as_of), settings)
    params["fix_id"] = fix_id.strip() if fix_id else None
    params["all_weeks"] = False  # the pre-trend needs the pre window's weeks only
    frame = _run(con, "effects", params)
    checks = [_checks(row) for row in frame.iter_rows(named=True)]
    return frame.with_columns(
        pl.Series("rtm_warning", [c["rtm_warning"] for c in checks], dtype=pl.Boolean),
        pl.Series("pre_trend_warning", [c["pre_trend_warning"] for c in checks],
                  dtype=pl.Boolean),
    )


def fetch_effect_weeks(
    con: duckdb.DuckDBPyConnection,
    fix_id: str,
    window_days: int | None = None,
    as_of: datetime | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """The event study of one fix: a row per metric x arm (treated/control) x week with
    tickets, from L - 2W to the end of the post window (or as_of).

    Columns: fix_id, metric, arm, week (weeks from launch; 0 starts at launch), week_start
    (date), value (repeat % / mean CSAT / churn % / complaint count), n (its denominator).
    """
    settings = settings or get_settings()
    if window_days is not None:
        settings = settings.model_copy(update={"effect_window_days": window_days})
    params = _params(con, Filters(as_of=as_of), settings)
    params["fix_id"] = fix_id.strip()
    params["all_weeks"] = True
    return _run(con, "effects_weekly", params)
