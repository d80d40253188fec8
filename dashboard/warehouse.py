"""The warehouse file: how readers open it, how writers change it, its schema version.

DuckDB lets a read-write connection exclude every other process, and any reader
exclude a writer. So writers never touch the published file: a write copies it
to a temporary file beside it, changes the copy in one transaction, checkpoints,
closes it and `os.replace()`s it over the original. Readers attach the file
READ_ONLY from an in-memory connection; a reader that opened the old inode keeps
reading the old data until it reconnects, and notices the new data through
`warehouse_version()` (inode, mtime, size). A killed writer leaves only a stray
temporary file, which the next writer removes: the published file is untouched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from queries import sql_text

SCHEMA_VERSION = 5
TMP_MARK = ".writing-"


class WarehouseMissing(RuntimeError):
    """The warehouse file does not exist yet."""


def warehouse_version(path: Path) -> tuple[int, int, int] | None:
    """Identity of the published file: changes whenever a write lands."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def connect_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """In-memory connection with the warehouse attached READ_ONLY as the default catalog.

    `duckdb.connect(path)` would reuse an instance already open in this process
    (old data after a swap); attaching from :memory: always opens the current inode.
    """
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}")
    con = duckdb.connect(":memory:")
    con.execute("attach ? as wh (read_only)", [str(path)])
    con.execute("use wh")
    return con


def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    has_meta = con.execute(
        "select count(*) from information_schema.tables "
        "where table_name = 'meta' and table_catalog = current_database()"
    ).fetchall()
    if not has_meta or has_meta[0][0] == 0:
        return 0
    row = con.execute("select value from meta where key = 'schema_version'").fetchall()
    return int(row[0][0]) if row else 1


def _set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str | None) -> None:
    con.execute("delete from meta where key = ?", [key])
    con.execute("insert into meta values (?, ?)", [key, value])


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a warehouse of any earlier version to SCHEMA_VERSION, inside the caller's transaction.

    Version 1 (base tables only) and 2 (facts in a table fact_tickets of their own) gain
    the fact columns in tickets; versions before 4 gain the optional `status` column: no
    earlier extract could carry one, so every ticket already there lists `status` as not
    carried (its KPIs stay as they were); version 5 added stored facts (customer,
    carries, latest survey). Every upgrade then recomputes the facts from the data
    (queries/facts.sql, the one place they are defined); version 0 is a new file.
    """
    version = _schema_version(con)
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"the warehouse has schema version {version}, newer than this program's "
            f"{SCHEMA_VERSION}: upgrade cxdash"
        )
    if version == SCHEMA_VERSION:
        con.execute(_LOADS_V4_SQL)  # cheap and idempotent: files made while v4 was young
        return
    if version == 2:
        con.execute("drop table fact_tickets")  # becomes a view over tickets
    con.execute(sql_text("schema"))
    if version:
        if version < 4:
            con.execute(_NO_STATUS_SQL["tickets"])
        refresh_facts(con)
    _set_meta(con, "schema_version", str(SCHEMA_VERSION))


_LOADS_V4_SQL = ("alter table loads add column if not exists rows_skipped bigint; "
                 "alter table loads add column if not exists profile_digest varchar")

# Tickets written before schema version 4 (or by a frame without a status) did not carry one.
_NO_STATUS_SQL = {
    table: (f"update {table} set not_carried = list_append(coalesce(not_carried, "  # noqa: S608
            "[]::varchar[]), 'status') "
            "where not coalesce(list_contains(not_carried, 'status'), false)")
    for table in ("tickets", "incoming")  # fixed names
}


def needs_upgrade(path: Path) -> bool:
    con = connect_reader(path)
    try:
        return _schema_version(con) < SCHEMA_VERSION
    finally:
        con.close()


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def writer_lock(path: Path, timeout_s: float = 3600.0,
                on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One writer at a time (a second load waits, readers never do). `on_wait` is called
    once when the lock is held by another writer, so the waiting one can say so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(path), "a+") as fh:
        deadline = time.monotonic() + timeout_s
        told = False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait()
                    told = True
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another load is still writing {path}") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_stray_temporaries(path: Path) -> None:
    # Left by a killed writer; safe because we hold the writer lock.
    for stray in path.parent.glob(f"{path.name}{TMP_MARK}*"):
        with contextlib.suppress(FileNotFoundError):
            stray.unlink()


@contextlib.contextmanager
def write_transaction(path: Path, *, fresh: bool = False,
                      on_wait: Callable[[], None] | None = None
                      ) -> Iterator[duckdb.DuckDBPyConnection]:
    """Change the warehouse atomically: all of the block's changes land, or none.

    fresh=True starts from an empty warehouse instead of a copy (demo builds); on_wait is
    called once if another writer holds the warehouse (see writer_lock).
    """
    path = Path(path)
    with writer_lock(path, on_wait=on_wait):
        _remove_stray_temporaries(path)
        tmp = path.with_name(f"{path.name}{TMP_MARK}{os.getpid()}")
        if path.exists() and not fresh:
            shutil.copyfile(path, tmp)
        con = duckdb.connect(str(tmp), config={
            # a bounded writer: big sorts spill to disk instead of growing past the target
            "memory_limit": "2GB",
            "allocator_flush_threshold": "64MB",  # hand freed memory back sooner
            "temp_directory": str(path.parent / f".{path.name}.spill"),
            "preserve_insertion_order": False,
        })
        try:
            con.execute("begin transaction")
            _migrate(con)
            yield con
            con.execute("commit")
            con.execute("checkpoint")
            con.close()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except BaseException:
            with contextlib.suppress(Exception):
                con.close()
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
            raise


def ensure_current(path: Path) -> None:
    """Create an empty warehouse, or upgrade an older one, so readers can open it."""
    path = Path(path)
    if path.exists() and not needs_upgrade(path):
        return
    with write_transaction(path):
        pass


# The tickets' base columns (the extract's, as loaded); the rest of the table is facts.
_BASE = ("ticket_id, customer_id, channel, branch_id, category, type, priority, created_at, "
         "assigned_at, first_response_at, resolved_at, closed_at, status, reopen_count, "
         "escalated, agent_id, subject, description, not_carried")

# What queries/facts.sql reads (fixed statements: no identifier comes from input): the view
# _fact_candidates, rows numbered by the rowid of the temp table they live in, and the view
# _fact_surveys. The rows are copied into temp table _fact_rows first, except the staged
# rows of a load into an empty warehouse, which are read where they are.
_FACT_ROWS_SQL = {
    "all": f"select {_BASE} from tickets",  # noqa: S608
    "all_with_incoming": (f"select {_BASE} from tickets "  # noqa: S608
                          f"where ticket_id not in (select ticket_id from incoming) "
                          f"union all by name select {_BASE} from incoming"),
    "listed": (f"select {_BASE} from tickets "  # noqa: S608
               "where ticket_id in (select ticket_id from _refresh_tickets)"),
}
_CANDIDATES_SQL = "create or replace temp view _fact_candidates as select rowid as __rid, {cols} from {table}"
_SURVEYS_SQL = {
    False: "create or replace temp view _fact_surveys as select * from surveys",
    True: "create or replace temp view _fact_surveys as select * from surveys "
          "where ticket_id in (select ticket_id from _refresh_tickets)",
}


def _fact_inputs(con: duckdb.DuckDBPyConnection, which: str) -> None:
    """which: 'incoming' (staged rows as they are) or a key of _FACT_ROWS_SQL."""
    if which == "incoming":
        con.execute(_CANDIDATES_SQL.format(cols=_BASE, table="incoming"))
    else:
        con.execute("create or replace temp table _fact_rows as " + _FACT_ROWS_SQL[which])
        con.execute(_CANDIDATES_SQL.format(cols="*", table="_fact_rows"))
    con.execute(_SURVEYS_SQL[which == "listed"])


def refresh_facts(con: duckdb.DuckDBPyConnection, with_incoming: bool = False) -> None:
    """Rewrite every ticket with its stored facts recomputed, in time order (demo builds,
    large loads, upgrades). with_incoming: temp table `incoming` holds staged ticket rows
    (a loader's `__line` column is left out) that are added, replacing tickets with the
    same id.

    The base rows are read from a temp table, never from tickets itself, so the table can
    be emptied and written once; into an empty warehouse the staged rows are read as
    they are."""
    empty = not con.execute("select 1 from tickets limit 1").fetchall()
    _fact_inputs(con, ("incoming" if empty else "all_with_incoming") if with_incoming else "all")
    if not empty:
        con.execute("delete from tickets")
    con.execute("insert into tickets by name " + sql_text("facts"))
    con.execute("drop table if exists _fact_rows")
    _set_meta(con, "as_of", _compute_as_of(con))


def refresh_facts_for(con: duckdb.DuckDBPyConnection, scope_sql: str) -> None:
    """Recompute the facts of the tickets a query names, and of all tickets of their
    customers (new and replaced tickets, tickets named by new surveys, tickets of changed
    customers or branches)."""
    con.execute("create or replace temp table _refresh_tickets as " + scope_sql)
    # Widen to every ticket of the customers involved: their prev/next facts may change.
    con.execute(
        "insert into _refresh_tickets select t.ticket_id from tickets as t "
        "where t.customer_id in (select t2.customer_id from tickets as t2 "
        "where t2.ticket_id in (select ticket_id from _refresh_tickets))"
    )
    _fact_inputs(con, "listed")
    con.execute(
        "delete from tickets where ticket_id in (select ticket_id from _refresh_tickets)"
    )
    con.execute("insert into tickets by name " + sql_text("facts"))
    con.execute("drop table _fact_rows")
    _set_meta(con, "as_of", _compute_as_of(con))


def _compute_as_of(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(sql_text("as_of")).fetchall()
    return row[0][0].isoformat(sep=" ") if row and row[0][0] is not None else None


# Tables a frame can be appended to (identifiers from this fixed list only; `incoming` is
# a loader's temp staging table). Frames reach DuckDB by name, through its replacement scan of the caller's local
# variables: con.register() would keep every frame alive until the connection closes (a
# 10M-row load handing DuckDB 50 validated pages peaked at 4.5 GB that way, 2.5 GB this way).
_APPEND_SQL = {
    table: f"insert into {table} by name select * from staged_frame"  # noqa: S608 (fixed names)
    for table in ("tickets", "surveys", "customers", "branches", "fixes", "loads", "rejects",
                  "incoming")
}


def append_frame(con: duckdb.DuckDBPyConnection, table: str, frame: object) -> None:
    """Append a polars/arrow frame whose columns are a subset of `table`'s, by name."""
    staged_frame = frame  # noqa: F841 (read by name in the statement)
    con.execute(_APPEND_SQL[table])


def create_incoming(con: duckdb.DuckDBPyConnection, frame: object) -> None:
    """Temp table `incoming` with the frame's columns and rows (a loader's staging table)."""
    staged_frame = frame  # noqa: F841 (read by name in the statement)
    con.execute("create or replace temp table incoming as select * from staged_frame")


_EMPTY_INCOMING_SQL = f"create or replace temp table incoming as select {_BASE} from tickets limit 0"  # noqa: S608, E501


def stage_frame(con: duckdb.DuckDBPyConnection, frame: object) -> None:
    """Temp table `incoming` from a frame of ticket rows, for refresh_facts(with_incoming).
    A frame without a `status` column does not carry one (added to not_carried)."""
    con.execute(_EMPTY_INCOMING_SQL)
    append_frame(con, "incoming", frame)
    if "status" not in getattr(frame, "columns", ()):
        con.execute(_NO_STATUS_SQL["incoming"])
