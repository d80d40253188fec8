"""One measured step of the benchmark, in its own process so its peak memory is its own.

python runner.py MODE FILE WAREHOUSE  ->  prints {"seconds": .., "rows": .., "peak_mb": ..}
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

COLUMNS = {
    "ticket_id": "VARCHAR", "customer_id": "VARCHAR", "channel": "VARCHAR",
    "branch_id": "VARCHAR", "category": "VARCHAR", "type": "VARCHAR", "priority": "VARCHAR",
    "created_at": "TIMESTAMP", "first_response_at": "TIMESTAMP", "resolved_at": "TIMESTAMP",
    "reopen_count": "INTEGER", "escalated": "BOOLEAN",
}


def duckdb_plain(file: Path, warehouse: Path) -> int:
    import duckdb

    con = duckdb.connect(str(warehouse))
    con.execute("create table t as select * from read_csv(?, header = true, columns = ?)",
                [str(file), COLUMNS])
    n = con.execute("select count(*) from t").fetchall()[0][0]
    con.close()
    return n


def pandas_insert(file: Path, warehouse: Path) -> int:
    import duckdb
    import pandas as pd

    df = pd.read_csv(file, parse_dates=["created_at", "first_response_at", "resolved_at"])
    con = duckdb.connect(str(warehouse))
    con.register("df", df)
    con.execute("create table t as select * from df")
    n = con.execute("select count(*) from t").fetchall()[0][0]
    con.close()
    return n


def cxdash_load(file: Path, warehouse: Path) -> int:
    from dashboard.load.run import load_file

    result = load_file(warehouse, file)
    assert result.status == "loaded", result.message
    return result.rows_read


def queries(file: Path, warehouse: Path) -> int:
    """Warm latency of the dashboard's queries (the 5th of 6 runs, median of the warm ones)."""
    from dashboard.warehouse import connect_reader
    from queries.api import Filters, fetch_effects, fetch_funnel, fetch_kpis, stored_as_of
    from queries.explore import count_tickets, fetch_tickets
    from queries.explore_model import TicketSelection

    con = connect_reader(warehouse)
    as_of = stored_as_of(con)
    from datetime import timedelta

    last90 = Filters(date_from=as_of.date() - timedelta(days=89), date_to=as_of.date())
    timings = {}
    for name, call in {
        "kpi_cards_all_time": lambda: fetch_kpis(con, Filters()),
        "kpi_cards_last_90_days": lambda: fetch_kpis(con, last90),
        "kpi_cards_90_days_phone": lambda: fetch_kpis(con, Filters(
            date_from=last90.date_from, date_to=last90.date_to, channel=("phone",))),
        "funnel_last_90_days": lambda: fetch_funnel(con, last90),
        "kpis_by_branch": lambda: fetch_kpis(con, Filters(), by="branch"),
        "weekly_trend": lambda: fetch_kpis(con, Filters(), by="week"),
        "funnel": lambda: fetch_funnel(con, Filters()),
        "effects": lambda: fetch_effects(con),
        # Explore: a page of 50, newest first, within a filter (target <= 200 ms warm)
        "tickets_page_90_days_phone": lambda: fetch_tickets(con, Filters(
            date_from=last90.date_from, date_to=last90.date_to, channel=("phone",))),
        "tickets_page_all_time": lambda: fetch_tickets(con, Filters()),
        "tickets_page_breached_90_days": lambda: fetch_tickets(
            con, last90, TicketSelection(sla="breached")),
        "tickets_count_90_days_phone": lambda: count_tickets(con, Filters(
            date_from=last90.date_from, date_to=last90.date_to, channel=("phone",))),
    }.items():
        runs = []
        for _ in range(6):
            t0 = time.perf_counter()
            call()
            runs.append(time.perf_counter() - t0)
        warm = sorted(runs[1:])
        timings[name] = round(1000 * warm[len(warm) // 2], 1)
    print(json.dumps({"query_ms": timings}))
    return 0


MODES = {"duckdb_plain": duckdb_plain, "pandas": pandas_insert, "cxdash_load": cxdash_load,
         "queries": queries}

if __name__ == "__main__":
    mode, file, warehouse = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    t0 = time.perf_counter()
    rows = MODES[mode](file, warehouse)
    seconds = time.perf_counter() - t0
    # VmHWM is this process's own peak (ru_maxrss would include the parent's, kept across exec)
    status = Path("/proc/self/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    peak_mb = peak_kb / 1024
    print(json.dumps({"mode": mode, "seconds": round(seconds, 2), "rows": rows,
                      "peak_mb": round(peak_mb), "rows_per_s": round(rows / seconds) if rows else None}))
