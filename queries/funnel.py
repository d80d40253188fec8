"""The Funnel page's queries: the funnel (optionally per group), first-response SLA by
priority tier, its weekly met share, and the backlog at as_of.

Each function binds the request's parameters to one SQL file of this package and returns
a polars frame; the rules live in the SQL (funnel.sql, sla_state.sql -- the one SLA rule,
shared with kpis.sql -- sla_by_tier.sql, sla_weekly.sql, backlog.sql). Groupings come only
from COMPARE_DIMENSIONS via queries.registry's allow-listed expressions.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from dashboard.settings import Settings, get_settings
from queries.api import Filters, _params, _run
from queries.registry import group_key_sql, parse_by

STAGES: tuple[str, ...] = ("received", "assigned", "responded", "resolved", "closed",
                           "surveyed", "satisfied")
# Stages an open ticket can be stuck at (backlog.sql), in funnel order.
OPEN_STAGES: tuple[str, ...] = ("received", "assigned", "responded")
# Age bands of the backlog (backlog.sql), oldest first, as the Explore page's x_age keys.
AGE_BANDS: tuple[str, ...] = ("gt30d", "7to30d", "3to7d", "1to3d", "lt1d")
# Dimensions the page compares the funnel across.
COMPARE_DIMENSIONS: tuple[str, ...] = ("channel", "region", "branch")


def _fragments(by: str | None) -> tuple[tuple[str, str], ...]:
    dims = parse_by(by)  # ValueError outside the registry
    if len(dims) > 1:
        raise ValueError("the funnel compares one dimension at a time")
    return (("group_key", group_key_sql(dims)),
            ("funnel_grouping", "t.grp" if dims else "()"))


def _request(con: duckdb.DuckDBPyConnection, filters: Filters,
             settings: Settings | None) -> tuple[Settings, dict[str, Any]]:
    settings = settings or get_settings()
    return settings, _params(con, filters, settings)


def fetch_funnel(con: duckdb.DuckDBPyConnection, filters: Filters,
                 settings: Settings | None = None, by: str | None = None) -> pl.DataFrame:
    """The funnel of spec/kpis.md "Funnel" for the tickets T of `filters`.

    Columns: group (null without `by`), stage (STAGES order), tickets (Int64; null when no
    ticket of the group carries the stage's column), conversion_pct (0-100, from the
    previous stage; null for received, or when either side is null or the previous is 0),
    conversion_from_received_pct, median_minutes_from_previous (minutes; assigned..closed).
    by: None -> 7 rows (zeros for an empty T); a dimension key -> 7 rows per group with
    tickets, groups sorted, null group last. ValueError for an unknown dimension.
    """
    settings, params = _request(con, filters, settings)
    params["one_funnel"] = by is None
    frame = _run(con, "funnel", params, _fragments(by))
    return frame.with_columns(pl.col("group").cast(pl.String))


def fetch_sla_by_tier(con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "channel",
                      settings: Settings | None = None) -> pl.DataFrame:
    """First-response SLA states per priority tier and group of `by` (spec/kpis.md
    "First-response SLA"; the rule is queries/sla_state.sql, as in `sla_met_pct`).

    Columns: group, priority, all_groups, all_tiers (bool: the row is a total over that
    side), tickets, met, breached, pending, not_carried (Int64), met_pct (0-100, null when
    nothing is due). The row with all_groups and all_tiers equals `cxdash kpis`' sla_met_pct.
    """
    settings, params = _request(con, filters, settings)
    frame = _run(con, "sla_by_tier", params, _fragments(by))
    return frame.with_columns(pl.col("group").cast(pl.String))


def fetch_sla_weekly(con: duckdb.DuckDBPyConnection, filters: Filters,
                     settings: Settings | None = None) -> pl.DataFrame:
    """The SLA met share per ISO week (column week: the Monday, a date) and tier
    (priority null: all tiers), with met, breached, pending and `complete` (the week ended
    by as_of). Oldest first."""
    settings, params = _request(con, filters, settings)
    return _run(con, "sla_weekly", params, _fragments(None))


def fetch_backlog(con: duckdb.DuckDBPyConnection, filters: Filters,
                  settings: Settings | None = None) -> pl.DataFrame:
    """Tickets of T open at as_of by age band (AGE_BANDS) and stuck stage (OPEN_STAGES),
    oldest band first: tickets, breached (first-response SLA breached, still open),
    overdue_complaints (past settings.complaint_resolution_working_days), oldest_created_at,
    oldest_age_days. Tickets whose source carries no resolution or status are one row per
    stage with band null (unknown: never counted as open)."""
    settings, params = _request(con, filters, settings)
    params["complaint_days"] = settings.complaint_resolution_working_days
    return _run(con, "backlog", params, _fragments(None))
