"""Query API of the Data page and the `rejects` command: the load history and the rejected
rows a page at a time, the data-quality checks (the SQL is in queries/loads*.sql,
rejects_*.sql and dq_*.sql).

Every function takes a read connection; values are bound as parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from dashboard.settings import Settings, get_settings
from queries import sql_text

if TYPE_CHECKING:  # connections are passed in; pages read PAGE_ROWS without the driver
    import duckdb

PAGE_ROWS = 50  # rows per page of the rejects and of the load history


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> pl.DataFrame:
    """queries/<name>.sql on a cursor of a reader connection (which starts in the in-memory
    catalog, so it selects the attached warehouse, as queries.api does)."""
    cur = con.cursor()
    try:
        cur.execute("use wh")
        frame = cur.sql(sql_text(name), params=params).pl()
    finally:
        cur.close()
    return frame.with_columns(  # DuckDB's counts may reach polars as Decimal
        pl.col(c).cast(pl.Int64 if t.scale == 0 else pl.Float64)
        for c, t in frame.schema.items() if isinstance(t, pl.Decimal))


def fetch_loads_page(con: duckdb.DuckDBPyConnection, page: int = 0, rows: int = PAGE_ROWS,
                     settings: Settings | None = None) -> pl.DataFrame:
    """One page (0-based) of the load history, newest first: the columns of
    queries/loads.sql (accepted_pct 0-100 of the rows considered, null when none was;
    below_target; rows_skipped)."""
    settings = settings or get_settings()
    return _run(con, "loads_page", {"min_accepted_pct": settings.target_accepted_pct,
                                    "limit": rows, "offset": page * rows})


def count_loads(con: duckdb.DuckDBPyConnection, settings: Settings | None = None
                ) -> dict[str, int]:
    """{"loads": attempts recorded, "below_target": completed loads below the
    accepted-rows target (setting target_accepted_pct)}."""
    settings = settings or get_settings()
    return _run(con, "loads_count", {"min_accepted_pct": settings.target_accepted_pct}
                ).row(0, named=True)


def below_target_loads(con: duckdb.DuckDBPyConnection, limit: int = 10,
                       settings: Settings | None = None) -> pl.DataFrame:
    """The latest completed loads below the accepted-rows target (file_name,
    accepted_pct), newest first, at most `limit`."""
    settings = settings or get_settings()
    return _run(con, "loads_below_target", {"min_accepted_pct": settings.target_accepted_pct,
                                            "limit": limit})


def fetch_rejects_page(con: duckdb.DuckDBPyConnection, extract: str | None = None,
                       needle: str | None = None, page: int = 0,
                       rows: int = PAGE_ROWS) -> tuple[pl.DataFrame, int]:
    """(one page of rejected rows: extract, line, column, reason, raw, loaded_at; the
    number of rows that match). `needle` is found in the reason or the column, ignoring
    case; empty text means any."""
    frame = _run(con, "rejects_page", {"extract": extract or None, "needle": needle or None,
                                       "limit": rows, "offset": page * rows})
    total = int(frame["total"][0]) if frame.height else 0
    if total == 0 and page > 0:  # a page past the end: count what there is
        total = len(fetch_rejects_export(con, extract, needle))
    return frame.drop("total"), total


def fetch_rejects_export(con: duckdb.DuckDBPyConnection, extract: str | None = None,
                         needle: str | None = None) -> pl.DataFrame:
    """Every rejected row that matches (extract, line, column, reason, raw), for a
    download built when asked."""
    return _run(con, "rejects_export", {"extract": extract or None, "needle": needle or None})


def reject_extracts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Extract name -> number of its rejected rows."""
    return dict(_run(con, "rejects_extracts", {}).iter_rows())


def fetch_coverage(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Tickets and surveys per period (period: the first day, grain: day | week | month,
    chosen by the span so there are at most a few hundred periods)."""
    return _run(con, "dq_daily_coverage", {})
