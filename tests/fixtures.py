"""Tiny hand-made warehouses: a few rows each, so expected numbers can be worked out by hand."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.warehouse import append_frame, refresh_facts, write_transaction

TICKET_DEFAULTS: dict[str, Any] = {
    "customer_id": None,
    "channel": "phone",
    "branch_id": "B1",
    "category": "billing",
    "type": "complaint",
    "priority": "normal",
    "assigned_at": None,
    "first_response_at": None,
    "resolved_at": None,
    "closed_at": None,
    "status": None,
    "reopen_count": 0,
    "escalated": False,
    "agent_id": None,
    "subject": None,
    "description": None,
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "tickets": {
        "ticket_id": pl.String, "customer_id": pl.String, "channel": pl.String,
        "branch_id": pl.String, "category": pl.String, "type": pl.String, "priority": pl.String,
        "created_at": pl.Datetime("us"), "assigned_at": pl.Datetime("us"),
        "first_response_at": pl.Datetime("us"), "resolved_at": pl.Datetime("us"),
        "closed_at": pl.Datetime("us"), "status": pl.String,
        "reopen_count": pl.Int32, "escalated": pl.Boolean,
        "agent_id": pl.String, "subject": pl.String, "description": pl.String,
        "not_carried": pl.List(pl.String),
    },
    "surveys": {
        "survey_id": pl.String, "ticket_id": pl.String, "responded_at": pl.Datetime("us"),
        "csat": pl.Int32, "nps": pl.Int32, "ces": pl.Int32, "comment": pl.String,
    },
    "customers": {
        "customer_id": pl.String, "segment": pl.String, "home_branch_id": pl.String,
        "joined_at": pl.Date, "churned_at": pl.Date, "annual_value": pl.Float64,
    },
    "branches": {
        "branch_id": pl.String, "branch_name": pl.String, "region": pl.String,
        "latitude": pl.Float64, "longitude": pl.Float64,
    },
    "fixes": {
        "fix_id": pl.String, "title": pl.String, "launched_at": pl.Date, "category": pl.String,
        "channel": pl.String, "branch_id": pl.String, "region": pl.String, "owner": pl.String,
        "description": pl.String,
    },
}


def ts(text: str) -> datetime:
    """'2024-05-01 10:00' -> datetime."""
    return datetime.fromisoformat(text)


def ticket(ticket_id: str, created_at: str, **overrides: Any) -> dict[str, Any]:
    row = {"ticket_id": ticket_id, **TICKET_DEFAULTS, "created_at": ts(created_at)}
    for key, value in overrides.items():
        row[key] = ts(value) if key.endswith("_at") and isinstance(value, str) else value
    return row


def survey(survey_id: str, ticket_id: str, responded_at: str, csat: int | None = None,
           nps: int | None = None) -> dict[str, Any]:
    return {"survey_id": survey_id, "ticket_id": ticket_id, "responded_at": ts(responded_at),
            "csat": csat, "nps": nps}


def frame(kind: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = SCHEMAS[kind]
    full = [{col: row.get(col) for col in schema} for row in rows]
    return pl.DataFrame(full, schema=schema, orient="row")


def build_warehouse(path: Path, **tables: list[dict[str, Any]]) -> Path:
    """Write a warehouse with the given rows per table and its facts refreshed."""
    with write_transaction(path, fresh=True) as con:
        for kind, rows in tables.items():
            if rows:
                append_frame(con, kind, frame(kind, rows))
        refresh_facts(con)
    return path


def run_cli(*args: str) -> tuple[int, str, str]:
    """`cxdash ARGS` in this process: (exit code, stdout, stderr); an argparse usage error
    (SystemExit) gives its code like any other exit. `--lang` sets the language of this
    thread, as in a real run; it is put back afterwards, so no later test reads Chinese."""
    from dashboard import cli
    from dashboard.i18n import get_language, set_language

    language = get_language()
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            set_language(language)
    return code, out.getvalue(), err.getvalue()


def write_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """An extract file with exactly these characters in this encoding (newlines as given)."""
    path.write_bytes(text.encode(encoding))
    return path


def warehouse_rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """The rows of one query on a warehouse file, read-only (the connection is closed)."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def data_state(warehouse: Path) -> tuple:
    """Row counts of the data tables (tickets, surveys, customers, rejects, facts): equal
    before and after a refused load when nothing changed; () without a warehouse file."""
    if not warehouse.exists():
        return ()
    return tuple(warehouse_rows(warehouse, f"select count(*) from {t}")[0][0]  # noqa: S608
                 for t in ("tickets", "surveys", "customers", "rejects", "fact_tickets"))
