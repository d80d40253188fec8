"""`cxdash load`: read, map, validate and land extracts -- atomically, idempotently, audited.

Per file: checksum -> already loaded? -> read (encoding, delimiter, lines) -> profile
(layout chosen from the header) -> kind (given, from the profile, or detected) ->
validate (every bad row becomes a reject with line, column, reason and the raw row)
-> one write transaction: upsert rows (newest load wins), rejects, the audit row, and
the stored facts of the tickets touched. Readers keep reading the previous file until
the new one is swapped in whole.
"""

from __future__ import annotations

import getpass
import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from dashboard.load.kinds import KINDS, TICKET_TIMES, rank_kinds
from dashboard.load.profiles import (
    Profile,
    ProfileError,
    apply_layout,
    detect_profile,
    find_profile,
    native_frame,
    normalise_header,
)
from dashboard.load.read import LINE, Refusal, read_extract
from dashboard.load.validate import validate
from dashboard.settings import get_settings
from dashboard.warehouse import (
    append_frame,
    connect_reader,
    refresh_facts,
    refresh_facts_for,
    write_transaction,
)

# Optional ticket columns whose absence from an extract makes the KPIs that need them
# n/a for its tickets (instead of counting "not resolved" as a real 0 %).
CARRIED_OPTIONAL = ("customer_id", *TICKET_TIMES, "reopen_count", "escalated")

Step = Callable[[str, float], None]  # (what is happening, fraction done 0..1)


@dataclass
class LoadResult:
    file: str
    kind: str | None
    profile: str | None
    status: str  # loaded | already_loaded | refused
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    rejected: int = 0
    message: str = ""
    load_id: str | None = None
    seconds: float = 0.0

    def as_json(self) -> dict:
        out = asdict(self)
        out.pop("load_id")
        out.pop("seconds")
        return out


@dataclass
class Prepared:
    kind: str
    profile: Profile
    rows: pl.DataFrame
    rejects: pl.DataFrame
    rows_read: int
    not_carried: list[str]


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _choose_kind(name: str, header: list[str], given: str | None, profile: Profile) -> str:
    if given:
        if profile.kind and profile.kind != given:
            raise Refusal(f"{name}: profile {profile.name!r} loads {profile.kind}, not {given}; "
                          f"drop --kind or choose another profile.")
        return given
    if profile.kind:
        return profile.kind
    ranked = rank_kinds([normalise_header(h) for h in header])
    if not ranked:
        keys = ", ".join(f"{k.key} ({k.name})" for k in KINDS.values())
        raise Refusal(f"{name}: the columns match no extract kind (none of the key columns "
                      f"{keys} is there); rename the columns or choose a profile with --profile.")
    top = [k for k, score in ranked if score == ranked[0][1]]
    if len(top) > 1:
        raise Refusal(f"{name}: the kind is unclear — it could be {' or '.join(top)}; "
                      "say which with --kind.")
    return top[0]


def prepare(path: Path, kind: str | None = None, profile_name: str | None = None,
            sheet: str | None = None, tz: str | None = None) -> Prepared:
    """Everything up to the warehouse: raises Refusal/ProfileError for unreadable files."""
    tz = tz or get_settings().timezone
    raw = read_extract(path, sheet)
    profile = find_profile(profile_name) if profile_name else detect_profile(raw.columns)
    if profile.is_native:
        mapped = native_frame(raw.frame)
        formats: dict[str, tuple[str, ...]] = {}
    else:
        layout = profile.layout_for(raw.columns)
        if layout is None:
            wanted = " | ".join(", ".join(lay.when_columns) for lay in profile.layouts)
            raise Refusal(f"{path.name}: the header does not match profile {profile.name!r} "
                          f"(it expects the columns {wanted}); check the file or the profile.")
        mapped = apply_layout(raw.frame, layout, raw.columns)
        formats = layout.formats
    kind_name = _choose_kind(path.name, raw.columns, kind, profile)
    spec = KINDS[kind_name]
    missing = [c for c in spec.required if c not in mapped.columns]
    if missing:
        raise Refusal(f"{path.name}: the required column(s) {', '.join(missing)} of a {kind_name} "
                      f"extract are missing; add them (or load with the profile of the system "
                      f"that made the file).")
    present = set(mapped.columns)
    checked = validate(kind_name, mapped, tz, formats)
    rejects = checked.rejects
    rows = checked.rows
    if "__fields" in raw.frame.columns:  # rows with the wrong number of fields
        n = len(raw.columns)
        wrong = raw.frame.filter(pl.col("__fields") != n).select(
            LINE, pl.lit("(row)").alias("column"),
            (pl.lit("the row has ") + pl.col("__fields").cast(pl.String)
             + pl.lit(f" fields, the header has {n}")).alias("reason"))
        rows = rows.filter(~pl.col(LINE).is_in(wrong[LINE].implode()))
        rejects = pl.concat([rejects.filter(~pl.col(LINE).is_in(wrong[LINE].implode())), wrong])
    raw_text = raw.raw_rows(rejects[LINE].to_list()) if rejects.height else {}
    rejects = rejects.with_columns(
        pl.col(LINE).replace_strict(raw_text, default=None, return_dtype=pl.String).alias("raw")
    ) if rejects.height else rejects.with_columns(pl.lit(None, dtype=pl.String).alias("raw"))
    not_carried = ([c for c in CARRIED_OPTIONAL if c not in present]
                   if kind_name == "tickets" else [])
    return Prepared(kind_name, profile, rows, rejects, raw.frame.height, not_carried)


def _already_loaded(warehouse: Path, checksum: str) -> bool:
    if not warehouse.exists():
        return False
    con = connect_reader(warehouse)
    try:
        row = con.execute("select count(*) from loads where checksum = ? and status = 'loaded'",
                          [checksum]).fetchall()
        return bool(row and row[0][0])
    except duckdb.CatalogException:
        return False
    finally:
        con.close()


# Statements per kind: identifiers come from this fixed table only, values are bound.
_KEYS = {name: kind.key for name, kind in KINDS.items()}
_COUNT_SQL = {
    name: (f"select count(*) filter (where t.{key} is null), count(*) filter (where t.{key} is not null) "  # noqa: S608
           f"from incoming as i left join (select distinct {key} from {name}) as t using ({key})")
    for name, key in _KEYS.items()
}
_DELETE_SQL = {name: f"delete from {name} where {key} in (select {key} from incoming)"  # noqa: S608
               for name, key in _KEYS.items()}
# Tickets whose stored facts a load of each kind can change (captured before the delete).
_SCOPE_SQL = {
    "tickets": "select ticket_id from incoming union all select t.ticket_id from tickets as t "
               "where t.customer_id in (select o.customer_id from tickets as o "
               "where o.ticket_id in (select ticket_id from incoming))",
    "surveys": "select ticket_id from incoming union all select s.ticket_id from surveys as s "
               "where s.survey_id in (select survey_id from incoming)",
    "customers": "select t.ticket_id from tickets as t "
                 "where t.customer_id in (select customer_id from incoming)",
    "branches": "select t.ticket_id from tickets as t "
                "where t.branch_id in (select branch_id from incoming)",
}


def _write(con: duckdb.DuckDBPyConnection, prepared: Prepared, load_id: str, extract: str,
           step: Step) -> tuple[int, int]:
    kind = prepared.kind
    rows = prepared.rows.drop(LINE)
    if kind == "tickets":
        rows = rows.with_columns(
            pl.lit(prepared.not_carried or None, dtype=pl.List(pl.String)).alias("not_carried"))
    con.register("incoming", rows)
    try:
        new, updated = con.execute(_COUNT_SQL[kind]).fetchall()[0]
        before = con.execute("select count(*) from tickets").fetchall()[0][0]
        scope_needed = kind in _SCOPE_SQL
        if scope_needed:
            con.execute("create or replace temp table _load_scope as " + _SCOPE_SQL[kind])
        step("replacing rows with the same key", 0.55)
        con.execute(_DELETE_SQL[kind])
        append_frame(con, kind, rows)
    finally:
        con.unregister("incoming")
    if prepared.rejects.height:
        rejects = prepared.rejects.select(
            pl.lit(load_id).alias("load_id"), pl.lit(extract).alias("extract"),
            pl.col(LINE).alias("line"), "column", "reason", "raw")
        append_frame(con, "rejects", rejects)
    step("refreshing stored facts", 0.7)
    if scope_needed:
        after = con.execute("select count(*) from tickets").fetchall()[0][0]
        scope_size = con.execute("select count(*) from _load_scope").fetchall()[0][0]
        if before == 0 or scope_size > 0.3 * max(after, 1):
            refresh_facts(con)  # most tickets change: one full pass is faster
        else:
            refresh_facts_for(con, "select distinct ticket_id from _load_scope")
    return int(new), int(updated)


def _audit(con: duckdb.DuckDBPyConnection, result: LoadResult, checksum: str | None,
           started: datetime, user: str) -> None:
    append_frame(con, "loads", pl.DataFrame([{
        "load_id": result.load_id, "file_name": result.file, "checksum": checksum,
        "kind": result.kind, "profile": result.profile, "status": result.status,
        "rows_read": result.rows_read, "rows_new": result.new, "rows_updated": result.updated,
        "rows_rejected": result.rejected, "message": result.message, "loaded_by": user,
        "started_at": started, "duration_s": result.seconds,
    }], schema_overrides={"checksum": pl.String, "kind": pl.String, "profile": pl.String,
                          "started_at": pl.Datetime("us")}))


def load_file(warehouse: Path, path: Path, kind: str | None = None, profile: str | None = None,
              sheet: str | None = None, step: Step | None = None) -> LoadResult:
    step = step or (lambda what, frac: None)
    warehouse, path = Path(warehouse), Path(path)
    settings = get_settings()
    user = settings.user or getpass.getuser()
    started = datetime.now()
    t0 = time.monotonic()
    load_id = uuid.uuid4().hex
    result = LoadResult(file=path.name, kind=kind, profile=profile, status="refused",
                        load_id=load_id)
    checksum = None
    try:
        step("checking the file", 0.02)
        if not path.exists():
            raise Refusal(f"{path}: there is no such file; check the path.")
        checksum = file_checksum(path)
        if _already_loaded(warehouse, checksum):
            result.status = "already_loaded"
            result.message = (f"{path.name} was loaded before (same checksum); nothing was "
                              "added.")
        else:
            step("reading and validating", 0.1)
            prepared = prepare(path, kind, profile, sheet, settings.timezone)
            result.kind, result.profile = prepared.kind, prepared.profile.name
            result.rows_read = prepared.rows_read
            result.rejected = prepared.rejects.height
            step("writing to the warehouse", 0.45)
            with write_transaction(warehouse) as con:
                result.new, result.updated = _write(con, prepared, load_id, path.name, step)
                result.status = "loaded"
                result.message = _summary(result, prepared)
                result.seconds = round(time.monotonic() - t0, 3)
                step("publishing", 0.95)
                _audit(con, result, checksum, started, user)
            step("done", 1.0)
            return result
    except (Refusal, ProfileError) as exc:
        result.status = "refused"
        result.message = str(exc)
    result.seconds = round(time.monotonic() - t0, 3)
    # Refused and repeated loads change no data, but they are part of the history.
    with write_transaction(warehouse) as con:
        _audit(con, result, checksum, started, user)
    step("done", 1.0)
    return result


def _summary(result: LoadResult, prepared: Prepared) -> str:
    parts = []
    if result.rejected:
        share = 100 * (result.rows_read - result.rejected) / max(result.rows_read, 1)
        parts.append(f"{result.rejected:,} row(s) rejected ({share:.1f} % accepted); see "
                     f"`cxdash rejects --extract {result.file}` or the Data page")
    if prepared.not_carried:
        parts.append("the extract does not carry " + ", ".join(prepared.not_carried)
                     + ": KPIs that need them are n/a for these tickets")
    return "; ".join(parts)


def load_files(warehouse: Path, files: list[Path], kind: str | None = None,
               profile: str | None = None, sheet: str | None = None,
               progress: bool = False) -> list[LoadResult]:
    if not progress:
        return [load_file(warehouse, f, kind, profile, sheet) for f in files]
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    results = []
    with Progress(TextColumn("{task.fields[file]:<30}"), BarColumn(),
                  TextColumn("{task.description}"), TimeElapsedColumn()) as bar:
        for f in files:
            task = bar.add_task("starting", total=1.0, file=Path(f).name[:30])

            def step(what: str, frac: float, task=task) -> None:
                bar.update(task, completed=frac, description=what)

            results.append(load_file(warehouse, f, kind, profile, sheet, step))
    return results
