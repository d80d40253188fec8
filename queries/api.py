"""The one query API: typed requests in, polars frames out.

Pages, the CLI and the weekly report call these functions and nothing else, so a
number is the same wherever it is shown. All metric logic lives in the SQL files
beside this module; this module binds parameters and shapes results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from dashboard.settings import Settings, get_settings
from queries import sql_text
from queries.filters import DIMENSIONS as DIMENSIONS  # re-exported for callers
from queries.filters import LOWERCASED as LOWERCASED
from queries.filters import Comparison as Comparison
from queries.filters import Filters as Filters
from queries.filters import comparison_period
from queries.filters import normalise_value as normalise_value
from queries.registry import (
    DIMENSION_REGISTRY,
    MEASURE_KEYS,
    MEASURES,
    Measure,
    group_key_sql,
    parse_by,
)
from queries.registry import GROUPINGS as GROUPINGS  # re-exported: every breakdown key

if TYPE_CHECKING:  # connections are passed in; this module never opens one
    import duckdb

# The KPI set, its order and how each KPI is shown: derived from the registry.
KPI_KEYS: tuple[str, ...] = MEASURE_KEYS
KPI_CATALOG: dict[str, Measure] = MEASURES
Kpi = Measure  # the name earlier callers used


@dataclass
class Request:
    """Bound parameters of one query: only the names the SQL uses are passed."""

    values: dict[str, Any] = field(default_factory=dict)

    def for_sql(self, sql: str) -> dict[str, Any]:
        code = re.sub(r"--[^\n]*", "", sql)  # a header comment may name parameters too
        names = set(re.findall(r"\$([a-z_]+)", code))
        missing = names - self.values.keys()
        if missing:
            raise KeyError(f"query needs parameters {sorted(missing)}")
        return {k: v for k, v in self.values.items() if k in names}


def _cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of a reader connection (dashboard.warehouse.connect_reader).

    One cursor per call: a connection shared by threads fails fast in DuckDB 2.0.
    A cursor starts in the in-memory catalog, so it selects the attached warehouse.
    """
    cur = con.cursor()
    cur.execute("use wh")
    return cur


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any],
         fragments: tuple[tuple[str, str], ...] = ()) -> pl.DataFrame:
    """Run queries/<name>.sql with its parameters bound.

    A breakdown reaches the SQL as the allow-listed `group_key` fragment of
    queries.registry; a caller that passes params["dim"] (one or two dimensions) gets it
    derived, and the result's group column(s) shaped as fetch_kpis documents.
    """
    dims: tuple[str, ...] = ()
    if params.get("dim") and not any(key == "group_key" for key, _v in fragments):
        dims = parse_by(params["dim"])
        fragments = (*fragments, ("group_key", group_key_sql(dims)))
    frame = _run_sql(con, name, params, fragments)
    return _shape_groups(frame, dims) if dims and "group" in frame.columns else frame


def _run_sql(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any],
             fragments: tuple[tuple[str, str], ...]) -> pl.DataFrame:
    sql = sql_text(name, fragments)
    cur = _cursor(con)
    try:
        frame = cur.sql(sql, params=Request(params).for_sql(sql)).pl()
    finally:
        cur.close()
    # DuckDB's count_if gives HUGEINT and decimal literals DECIMAL; both reach polars as
    # Decimal, which JSON cannot carry: whole numbers leave as Int64, the rest as Float64.
    return frame.with_columns(
        pl.col(name).cast(pl.Int64 if dtype.scale == 0 else pl.Float64)
        for name, dtype in frame.schema.items() if isinstance(dtype, pl.Decimal)
    )


def stored_as_of(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """as_of computed when the data last changed (the latest timestamp of any kind)."""
    cur = _cursor(con)
    try:
        row = cur.execute("select value from meta where key = 'as_of'").fetchall()
    finally:
        cur.close()
    return datetime.fromisoformat(row[0][0]) if row and row[0][0] else None


def resolve_as_of(con: duckdb.DuckDBPyConnection, filters: Filters) -> datetime | None:
    return filters.as_of or stored_as_of(con)


def _params(
    con: duckdb.DuckDBPyConnection, filters: Filters, settings: Settings, by: str | None = None
) -> dict[str, Any]:
    parse_by(by)  # ValueError for a breakdown outside the registry
    as_of = resolve_as_of(con, filters)
    params: dict[str, Any] = {
        "dim": by,
        "from_ts": datetime.combine(filters.date_from, datetime.min.time()) if filters.date_from else None,
        "to_ts": (
            datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time())
            if filters.date_to else None
        ),
        "as_of": as_of,
        "repeat_days": settings.repeat_window_days,
        "fcr_days": settings.fcr_window_days,
        "churn_days": settings.churn_window_days,
        "window_days": settings.effect_window_days,
        "sla_urgent_min": settings.sla_urgent_minutes,
        "sla_high_min": settings.sla_high_minutes,
        "sla_normal_min": settings.sla_normal_minutes,
        "sla_low_days": settings.sla_low_working_days,
    }
    for dim, values in filters.dimension_values().items():
        params[dim] = list(values) if values else None
    return params


def fetch_kpis(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: str | tuple[str, ...] | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """The KPI set of spec/kpis.md for the tickets T of `filters` (spec "Ticket KPIs").

    by: None -> one row, column "group" null; one dimension ("channel", or any key of
    queries.registry.GROUPINGS) -> one row per value, in column "group"; two dimensions
    (("channel", "branch") or "channel,branch") -> one row per pair, one column named after
    each dimension instead of "group". Group values: text for the filter dimensions (null
    when unknown, e.g. a branch without a region), "YYYY-MM-DD" for day/week (the Monday),
    "YYYY-MM" for month, Int64 for weekday (ISO 1 = Monday .. 7) and hour (0..23). Groups
    without tickets are not listed; rows are ordered by the group values, nulls last.

    Besides the KPIs, n_* columns give the sample behind each figure. An empty
    selection gives one row with tickets = 0 and every rate null (by=None).
    Raises ValueError for an unknown or repeated dimension, or more than two.
    """
    return _kpi_frame(con, "kpis", filters, by, settings or get_settings())


def _kpi_frame(con: duckdb.DuckDBPyConnection, name: str, filters: Filters,
               by: str | tuple[str, ...] | None, settings: Settings) -> pl.DataFrame:
    """Run queries/<name>.sql (kpis, or churn_kpis: a subset of its columns) shaped as
    fetch_kpis documents; an empty selection without breakdown gives its one row."""
    dims = parse_by(by)
    frame = _run(con, name, _params(con, filters, settings),
                 (("group_key", group_key_sql(dims)),))
    if not dims and frame.height == 0:
        frame = pl.DataFrame(
            {"group": [None], "tickets": [0], "complaints": [0]}, schema_overrides={"group": pl.String}
        )
        missing = [c for c in _KPI_COLUMNS if c not in frame.columns]
        frame = frame.with_columns(
            [pl.lit(0 if c.startswith("n_") else None, dtype=pl.Int64 if c.startswith("n_") else pl.Float64).alias(c)
             for c in missing]
        )
    return _shape_groups(frame, dims)


def _group_values(expr: pl.Expr, dim: str) -> pl.Expr:
    """A group column as it leaves the API: dates as text, grains as integers."""
    kind = DIMENSION_REGISTRY[dim].kind
    if kind == "date":
        return expr.cast(pl.Date).dt.strftime("%Y-%m-%d")
    if kind == "month":
        return expr.cast(pl.Date).dt.strftime("%Y-%m")
    if kind == "int":
        return expr.cast(pl.Int64)
    return expr.cast(pl.String)


def _shape_groups(frame: pl.DataFrame, dims: tuple[str, ...]) -> pl.DataFrame:
    if not dims:
        return frame
    if len(dims) == 1:
        return frame.with_columns(_group_values(pl.col("group"), dims[0]).alias("group"))
    rest = [c for c in frame.columns if c != "group"]
    if frame.height == 0 or not isinstance(frame.schema["group"], pl.Struct):
        return frame.select(
            *[pl.lit(None).alias(d) for d in dims], *rest
        ).with_columns(*[_group_values(pl.col(d), d).alias(d) for d in dims])
    return frame.select(
        _group_values(pl.col("group").struct.field("g1"), dims[0]).alias(dims[0]),
        _group_values(pl.col("group").struct.field("g2"), dims[1]).alias(dims[1]),
        *rest,
    )


def unknown_filter_values(
    filters: Filters, options: dict[str, list[str]]
) -> dict[str, tuple[str, ...]]:
    """The requested filter values that no loaded ticket has (spec/kpis.md "Filters").

    options: the values each dimension takes (fetch_dimension_values). Returns
    {dimension: (value, ...)} for the dimensions with at least one unknown value (values
    as normalised by Filters); {} when every value matches something. Pure: no query.
    """
    out: dict[str, tuple[str, ...]] = {}
    for dim, values in filters.dimension_values().items():
        known = set(options.get(dim, []))
        missing = tuple(v for v in values if v not in known)
        if missing:
            out[dim] = missing
    return out


def fetch_unknown_filter_values(
    con: duckdb.DuckDBPyConnection, filters: Filters
) -> dict[str, tuple[str, ...]]:
    """unknown_filter_values against the warehouse's own dimension values."""
    return unknown_filter_values(filters, fetch_dimension_values(con))


# Columns of fetch_kpis besides the KPIs: each KPI's n, what was left out as pending, and
# whether the selection's sources carry what the KPIs need (queries/registry.py NEEDS).
SAMPLE_COLUMNS: tuple[str, ...] = (
    "n_resolution_known", "n_resolved", "n_responded", "n_sla_due", "n_sla_pending",
    "n_reopen", "n_fcr", "n_fcr_pending", "n_open_recent", "n_repeat", "n_survey_base", "n_csat", "n_nps",
    "n_churn_matured", "n_churn_pending",
)
_KPI_COLUMNS = ("group", *KPI_KEYS, *SAMPLE_COLUMNS)
# The measures queries/churn_kpis.sql answers alone (fetch_metrics).
_CHURN_ONLY = frozenset({"tickets", "post_complaint_churn_pct"})


def fetch_metrics(
    con: duckdb.DuckDBPyConnection,
    measures: tuple[str, ...] | None = None,
    by: str | tuple[str, ...] | None = None,
    filters: Filters | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """The one builder: measures of queries/registry.py by none, one or two dimensions.

    measures: registry keys (None = all). The frame has the group column(s) of
    fetch_kpis, the measures asked for, and each one's n (its `sample` column), pending
    column and the carries_* / has_surveys columns its n/a reason needs (Measure.needs;
    so Measure.na_reason works on its rows when "tickets" is asked too). It is the one
    place a pre-aggregated store could later answer instead of the raw tickets. Asked for
    no more than tickets and post_complaint_churn_pct, it runs queries/churn_kpis.sql
    (the same figures without the other KPIs' work). Raises ValueError for an unknown
    measure or dimension.
    """
    wanted = tuple(measures) if measures is not None else KPI_KEYS
    unknown = [m for m in wanted if m not in MEASURES]
    if unknown:
        raise ValueError(f"unknown measure {', '.join(map(repr, unknown))}; "
                         f"choose from {', '.join(KPI_KEYS)}")
    if set(wanted) <= _CHURN_ONLY:
        frame = _kpi_frame(con, "churn_kpis", filters or Filters(), by,
                           settings or get_settings())
    else:
        frame = fetch_kpis(con, filters or Filters(), by=by, settings=settings)
    dims = parse_by(by)
    keys = ["group"] if len(dims) <= 1 else list(dims)
    # an empty selection's row (fetch_kpis) has no carries_* columns: null, as unknown
    return frame.select(*keys, *(pl.col(c) if c in frame.columns else pl.lit(None, pl.Boolean).alias(c)
                                 for c in _metric_columns(wanted)))


def _metric_columns(measures: tuple[str, ...]) -> tuple[str, ...]:
    """The columns fetch_metrics gives for these measures besides the group: each
    measure, then each one's n, pending and carries_* columns (queries/registry.py)."""
    extra = [c for m in measures
             for c in (MEASURES[m].sample, MEASURES[m].pending, *MEASURES[m].needs) if c]
    return tuple(dict.fromkeys([*measures, *extra]))


def fetch_funnel(
    con: duckdb.DuckDBPyConnection, filters: Filters, settings: Settings | None = None,
    by: str | None = None,
) -> pl.DataFrame:
    """The funnel of spec/kpis.md (queries/funnel.sql): columns group, stage, tickets
    (null: the source does not carry the stage), conversion_pct,
    conversion_from_received_pct, median_minutes_from_previous; 7 rows in stage order,
    or 7 per group of `by` (a GROUPINGS key; ValueError otherwise)."""
    from queries.funnel import fetch_funnel as _fetch_funnel  # the Funnel page's module

    return _fetch_funnel(con, filters, settings, by)


def fetch_effects(
    con: duckdb.DuckDBPyConnection,
    fix_id: str | None = None,
    window_days: int | None = None,
    as_of: datetime | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Before/after of every fix (or one): a row per fix and metric, with the 95 % interval
    and the pre-trend / regression-to-the-mean checks -- queries.effects.fetch_effects,
    where the columns are documented."""
    from queries.effects import fetch_effects as _fetch_effects

    return _fetch_effects(con, fix_id=fix_id, window_days=window_days, as_of=as_of,
                          settings=settings)


@dataclass(frozen=True)
class ChurnFallback:
    """Churn of the latest period of the same length whose complaints have all matured
    (shown when the asked period's churn has not matured): its filters, its KPI row and
    the row of its own comparison period."""

    filters: Filters
    current: dict[str, Any]
    previous: dict[str, Any] | None


@dataclass(frozen=True)
class KpiComparison:
    """Current and comparison period KPIs, with the change of each.

    kind: "previous" (the same number of days just before) or "year_earlier" (the same
    dates a year earlier), None without a comparison. churn: see ChurnFallback.
    """

    current: dict[str, Any]
    previous: dict[str, Any] | None
    previous_filters: Filters | None
    kind: str | None = None
    as_of: datetime | None = None
    churn: ChurnFallback | None = None

    def change(self, key: str) -> float | None:
        if self.previous is None:
            return None
        now, before = self.current.get(key), self.previous.get(key)
        if now is None or before is None:
            return None
        return float(now) - float(before)


def fetch_kpi_comparison(
    con: duckdb.DuckDBPyConnection, filters: Filters, settings: Settings | None = None,
    preset: str | None = None,
) -> KpiComparison:
    """KPIs of the period and of its comparison period (queries.filters.comparison_period:
    like with like -- year to date and last 12 months against the same dates a year
    earlier, any other period against the same number of days just before).

    When some of the period's complaining customers have not had the churn window yet
    (n_churn_pending > 0) and the period has both ends, `churn` holds the latest period of
    the same length ending churn_window_days before as_of's date, whose complaints have all
    matured (spec/kpis.md "Churn"), with its own comparison.
    """
    settings = settings or get_settings()
    current = fetch_kpis(con, filters, settings=settings).row(0, named=True)
    other = comparison_period(filters, preset)
    previous = (fetch_kpis(con, other.filters, settings=settings).row(0, named=True)
                if other else None)
    as_of = resolve_as_of(con, filters)
    churn = None
    if current.get("n_churn_pending") and filters.days and as_of is not None:
        end = as_of.date() - timedelta(days=settings.churn_window_days)
        matured = replace(filters, date_from=end - timedelta(days=filters.days - 1), date_to=end)
        matured_other = comparison_period(matured, preset)
        # Only the churn card reads these rows: its figures (with tickets and
        # carries_customer for the n/a reason), not the whole KPI set.
        wanted = ("tickets", "post_complaint_churn_pct")

        def churn_row(period: Filters) -> dict[str, Any]:
            if other is not None and previous is not None and period == other.filters:
                # the comparison period already holds these figures (churn.sql both
                # times): e.g. 90 days with a 90-day churn window
                return {"group": previous["group"],
                        **{c: previous.get(c) for c in _metric_columns(wanted)}}
            return fetch_metrics(con, wanted, filters=period, settings=settings).row(
                0, named=True)

        churn = ChurnFallback(
            matured,
            churn_row(matured),
            churn_row(matured_other.filters) if matured_other else None,
        )
    return KpiComparison(current, previous, other.filters if other else None,
                         other.kind if other else None, as_of, churn)


def fetch_trend(
    con: duckdb.DuckDBPyConnection, filters: Filters, grain: str = "week",
    settings: Settings | None = None,
) -> pl.DataFrame:
    """KPIs per week (or month/day) of the period, oldest first; `period` is the start date."""
    frame = fetch_kpis(con, filters, by=grain, settings=settings)
    fmt = {"week": "%Y-%m-%d", "day": "%Y-%m-%d", "month": "%Y-%m"}[grain]
    if grain == "month":
        period = (pl.col("group") + "-01").str.to_date("%Y-%m-%d")
    else:
        period = pl.col("group").str.to_date(fmt)
    return frame.with_columns(period.alias("period")).sort("period")


def fetch_dimension_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values each filter can take, for pick lists."""
    frame = _run(con, "dimension_values", {})
    out: dict[str, list[str]] = {dim: [] for dim in DIMENSIONS}
    for dim, value in frame.iter_rows():
        out[dim].append(value)
    return out


def fetch_fixes(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return _run(con, "fixes", {})


def fetch_warehouse_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Row counts per table and the span of ticket dates (for empty states and headers)."""
    return _run(con, "warehouse_summary", {}).row(0, named=True)


def kpi_row_to_json(row: dict[str, Any], as_of: datetime | None, filters: Filters) -> dict[str, Any]:
    """The `kpis --json` object of spec/cli.md for one KPI row."""
    out: dict[str, Any] = {
        "as_of": as_of.strftime("%Y-%m-%dT%H:%M:%S") if as_of else None,
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
    }
    for key in KPI_KEYS:
        value = row.get(key)
        out[key] = int(value) if key in ("tickets", "complaints") and value is not None else (
            float(value) if value is not None else None
        )
    return out


def fetch_branch_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(_run(con, "branch_names", {}).iter_rows())


def fetch_rejects(
    con: duckdb.DuckDBPyConnection, extract: str | None = None, limit: int | None = None
) -> pl.DataFrame:
    """Rejected rows (newest load first): extract, line, column, reason, raw."""
    return _run(con, "rejects", {"extract": extract, "limit": limit})


def fetch_loads(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> pl.DataFrame:
    """Every load attempt, newest first, with the share of rows accepted and whether a
    completed load fell below the accepted-rows target."""
    settings = settings or get_settings()
    return _run(con, "loads", {"min_accepted_pct": settings.target_accepted_pct})


def fetch_data_quality(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Daily coverage, problem counts, spelling variants and null rates (Data page)."""
    return {
        "coverage": _run(con, "dq_daily_coverage", {}),
        "checks": _run(con, "dq_checks", {}).row(0, named=True),
        "spellings": _run(con, "dq_spellings", {}),
        "null_rates": _run(con, "dq_null_rates", {}),
    }
