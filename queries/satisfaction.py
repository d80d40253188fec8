"""Satisfaction by group, the volume-aware outlier test, and the comments of low scorers.

Implements spec/kpis.md "Satisfaction by group and outliers" and the `outliers --json`
shape of spec/cli.md. The group figures (means, variances, funnel-plot limits, NPS and its
margin of error) are SQL (queries/satisfaction_groups.sql); this module adds the Welch test
(scipy) and the Benjamini-Hochberg adjustment (scipy), which SQL has no t distribution for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
from scipy import stats

from dashboard.settings import Settings, get_settings
from queries.api import Filters, _params, _run, _shape_groups
from queries.registry import group_key_sql, parse_by

if TYPE_CHECKING:  # the driver loads only when a query runs (pages import this module)
    import duckdb

# Dimensions the outlier table and the funnel plot group by (spec: branch by default;
# channel, category, region on request).
OUTLIER_DIMENSIONS = ("branch", "channel", "category", "region")
ALPHA = 0.05  # BH-adjusted p below this makes a tested low group a significant outlier

OUTLIER_KEYS = (
    "group", "n", "csat_avg", "others_avg", "tested", "t", "df", "p", "p_adj", "low_outlier",
    "limit95_low", "limit95_high", "limit998_low", "limit998_high", "nps", "nps_n", "nps_moe",
)


def fetch_satisfaction_groups(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: str | tuple[str, ...] = "branch",
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Per group of `by` (one or two dimensions of queries.registry, as fetch_kpis: one
    dimension -> column "group", two -> a column named after each): n (latest-survey csat
    answers), csat_avg, csat_var, others_n, others_avg, others_var, overall_avg, overall_sd,
    limit95_low/high, limit998_low/high (funnel-plot limits), nps, nps_n, promoters,
    detractors, nps_moe (95 %, points). Every group with tickets in T is a row (n may be 0),
    lowest csat_avg first. Raises ValueError for an unknown dimension."""
    settings = settings or get_settings()
    dims = parse_by(by)
    frame = _run(con, "satisfaction_groups", _params(con, filters, settings),
                 (("group_key", group_key_sql(dims)),))
    return _shape_groups(frame, dims)


def welch_test(mean_a: float, var_a: float, n_a: int, mean_b: float, var_b: float, n_b: int
               ) -> tuple[float, float, float]:
    """Welch's two-sided two-sample t-test from group summaries: (t, df, p).

    The same test as scipy.stats.ttest_ind(a, b, equal_var=False) on the raw values (a test
    checks this); t and p come from scipy, df is the Welch-Satterthwaite degrees of freedom
    scipy uses. Needs n >= 2 on both sides and a variance above 0 on at least one side.
    """
    result = stats.ttest_ind_from_stats(mean_a, math.sqrt(var_a), n_a, mean_b, math.sqrt(var_b),
                                        n_b, equal_var=False)
    va, vb = var_a / n_a, var_b / n_b
    df = (va + vb) ** 2 / (va ** 2 / (n_a - 1) + vb ** 2 / (n_b - 1))
    return float(result.statistic), float(df), float(result.pvalue)


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """BH-adjusted p values (step-up, monotone, capped at 1), in the input order."""
    if not p_values:
        return []
    return [float(p) for p in stats.false_discovery_control(p_values, method="bh")]


def _tested(row: dict[str, Any], min_surveys: int) -> bool:
    if row["n"] < min_surveys or row["others_n"] < 2:
        return False
    # zero variance on both sides: there is nothing to test (t would be undefined)
    return bool((row["csat_var"] or 0.0) > 0 or (row["others_var"] or 0.0) > 0)


def outliers(groups: pl.DataFrame, min_surveys: int, alpha: float = ALPHA) -> list[dict[str, Any]]:
    """The `outliers --json` rows of spec/cli.md from fetch_satisfaction_groups' frame.

    A group is tested when it has at least `min_surveys` csat answers, its others at least
    2, and not both sides have zero variance. BH adjusts the tested groups' p values only.
    low_outlier: tested, csat_avg below others_avg, p_adj < alpha. Lowest csat_avg first
    (groups without a csat last).
    """
    rows = groups.to_dicts()
    tested = [r for r in rows if _tested(r, min_surveys)]
    for r in rows:
        r.update(tested=False, t=None, df=None, p=None, p_adj=None, low_outlier=False)
    for r in tested:
        r["tested"] = True
        r["t"], r["df"], r["p"] = welch_test(r["csat_avg"], r["csat_var"] or 0.0, r["n"],
                                             r["others_avg"], r["others_var"] or 0.0,
                                             r["others_n"])
    for r, adjusted in zip(tested, benjamini_hochberg([r["p"] for r in tested]), strict=True):
        r["p_adj"] = adjusted
        r["low_outlier"] = r["csat_avg"] < r["others_avg"] and adjusted < alpha
    rows.sort(key=lambda r: (r["csat_avg"] is None, r["csat_avg"] or 0.0,
                             r["group"] is None, str(r["group"])))
    return [{key: r[key] for key in OUTLIER_KEYS} for r in rows]


def fetch_outliers(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "branch",
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    """Satisfaction per group with the low-outlier test (kpis.md), as `outliers --json`."""
    if by not in OUTLIER_DIMENSIONS:
        raise ValueError(f"cannot test outliers by {by!r}; choose one of "
                         f"{', '.join(OUTLIER_DIMENSIONS)}")
    settings = settings or get_settings()
    groups = fetch_satisfaction_groups(con, filters, by, settings)
    return outliers(groups, settings.outlier_min_surveys)


@dataclass(frozen=True)
class CommentPage:
    """One page of low-scorer comments: rows newest first and how many there are in all."""

    rows: pl.DataFrame  # survey_id, ticket_id, responded_at, csat, nps, comment, channel, ...
    total: int
    offset: int
    limit: int


def fetch_low_comments(
    con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 20, offset: int = 0,
    phrase: str | None = None, settings: Settings | None = None,
) -> CommentPage:
    """Comments of the latest surveys with csat <= 2 or nps <= 6 among the tickets T,
    newest first, `limit` from `offset`; `phrase` keeps those containing it
    (case-insensitive). Text is returned as stored: mask it before showing it."""
    settings = settings or get_settings()
    params = _params(con, filters, settings) | {
        "limit": int(limit), "offset": int(offset), "phrase": phrase or None}
    frame = _run(con, "satisfaction_comments", params)
    total = int(frame["total"][0]) if frame.height else (
        0 if offset == 0 else _count_low_comments(con, filters, phrase, settings))
    return CommentPage(frame.drop("total"), total, offset, limit)


def _count_low_comments(con, filters, phrase, settings) -> int:
    page = fetch_low_comments(con, filters, limit=1, offset=0, phrase=phrase, settings=settings)
    return page.total


def fetch_comment_corpus(
    con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 50_000,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Every non-empty latest-survey comment of T with its score_class ('low': csat <= 2 or
    nps <= 6; 'high': csat >= 4 or nps >= 9; else 'mid'), newest first, at most `limit`."""
    settings = settings or get_settings()
    params = _params(con, filters, settings) | {"limit": int(limit)}
    return _run(con, "satisfaction_comment_corpus", params)
