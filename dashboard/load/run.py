"""`cxdash load`: read, map, validate and land extracts -- atomically, idempotently, audited.

Per file: checksum -> already loaded? -> read (encoding, delimiter, lines) -> profile
(layout chosen from the header) -> kind (given, from the profile, or detected) ->
validate (every bad row becomes a reject with line, column, reason and the raw row)
-> one write transaction: upsert rows (newest load wins), rejects, the audit row, and
the stored facts of the tickets touched. Readers keep reading the previous file until
the new one is swapped in whole.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import polars as pl

from dashboard.i18n import _, format_number, format_percent_value
from dashboard.load.fast import rest_batches, stage_fast
from dashboard.load.kinds import KINDS, TICKET_TIMES, rank_kinds
from dashboard.load.profiles import (
    Layout,
    Profile,
    ProfileError,
    apply_layout,
    detect_profile,
    find_profile,
    missing_sources,
    native_frame,
    normalise_header,
    shipped_profiles,
    where_mask,
)
from dashboard.load.read import (
    DELIMITERS,
    IGNORED_MARK,
    LINE,
    RaggedStream,
    RawExtract,
    Refusal,
    StreamedCsv,
    join_header_rows,
    make_header,
    open_extract,
)
from dashboard.load.validate import validate
from dashboard.settings import get_settings
from dashboard.warehouse import (
    append_frame,
    connect_reader,
    create_incoming,
    refresh_facts,
    refresh_facts_for,
    write_transaction,
)

# Optional ticket columns whose absence from an extract makes the KPIs that need them n/a
# for its tickets (instead of counting "not resolved" as a real 0 %). reopen_count and
# escalated are stored with their defaults (0, false) either way, but kpis.md: a default
# fills an empty cell of a carried column, never a missing column -- so a missing one is
# not carried (reopen and FCR are n/a). type and priority defaults stand in for a missing
# column, so they are not listed.
CARRIED_OPTIONAL = ("customer_id", *TICKET_TIMES, "status", "reopen_count", "escalated")

Step = Callable[[str, float], None]  # (what is happening, fraction done 0..1)


@dataclass
class LoadResult:
    """One file's load (cli.md `load --json`): rows_read = new + updated + rejected +
    skipped. status: loaded | already_loaded | refused (nothing changed: the file cannot
    be loaded, or the load met an unexpected error -- then `failed` is true and the load
    history says "failed", while the status stays one of cli.md's three)."""

    file: str
    kind: str | None
    profile: str | None
    status: str
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    rejected: int = 0
    skipped: int = 0
    message: str = ""
    load_id: str | None = None
    seconds: float = 0.0
    failed: bool = False

    def as_json(self) -> dict:
        out = asdict(self)
        for internal in ("load_id", "seconds", "failed"):
            out.pop(internal)
        return out


@dataclass
class Plan:
    """What a file is, decided from its header before any row is read."""

    kind: str
    profile: Profile
    source: RawExtract | StreamedCsv
    layout: Layout | None
    formats: dict[str, tuple[str, ...]]
    not_carried: list[str]
    seen: dict[str, int] = field(default_factory=dict)  # hashed ids' occurrences in the file

    @property
    def ignored(self) -> list[tuple[int, str]]:
        """Header cells that were blank or repeated (position, text), left aside."""
        return list(self.source.ignored)


BATCH_ROWS = 1_000_000


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _refuse_unreadable(path: Path) -> None:
    """Refuse, before anything reads it, a path that is not a file the load can read: a
    folder, a pipe or device (reading one would block or never end), a file without read
    permission."""
    if not path.exists():
        raise Refusal(_("{path}: there is no such file; check the path.").format(path=path))
    if path.is_dir():
        raise Refusal(_("{path} is a folder, not a file; name the extract files in it "
                        "instead (for example {example}).").format(
            path=path, example=path / "*.csv"))
    if not path.is_file():
        raise Refusal(_("{path} is not a regular file (a pipe or a device); save the extract "
                        "as a file and load that.").format(path=path))
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise Refusal(_("{path}: the file cannot be opened ({error}); check that you may "
                        "read it and load it again.").format(
            path=path, error=exc.strerror or type(exc).__name__)) from None


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _identity(path: Path, sheet: str | None) -> tuple[str, list[str]]:
    """The checksum a load is audited under, and every checksum that means the same
    extract (extracts.md "Idempotent": the same bytes -- and sheet).

    A workbook's sheets are different extracts, so its checksum names the sheet read:
    the one asked for, else the first -- naming the first sheet or none loads the same
    extract. Loads audited before the first sheet was named by default carry the bare
    checksum; it still means the first sheet."""
    checksum = file_checksum(path)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        return checksum, [checksum]
    first = _first_sheet(path)
    read = sheet or first
    if read is None:  # not a readable workbook: the read refuses it with its reason
        return checksum, [checksum]
    named = f"{checksum}#sheet={read}"
    return named, [named, checksum] if read == first else [named]


def _first_sheet(path: Path) -> str | None:
    import fastexcel  # polars reads .xlsx through it (read.read_excel: the first sheet)

    try:
        names = fastexcel.read_excel(path).sheet_names
    except Exception:  # noqa: BLE001 - not a workbook it can open: read.py says why
        return None
    return names[0] if names else None


def _choose_kind(name: str, header: list[str], given: str | None, profile: Profile) -> str:
    if given:
        if profile.kind and profile.kind != given:
            raise Refusal(_("{file}: profile {profile} loads {kind}, not {given}; drop --kind "
                            "or choose another profile.").format(
                file=name, profile=repr(profile.name), kind=profile.kind, given=given))
        return given
    if profile.kind:
        return profile.kind
    top = _best_kinds(header)
    if not top:
        keys = ", ".join(f"{k.key} ({k.name})" for k in KINDS.values())
        raise Refusal(_("{file}: the columns match no extract kind (none of the key columns "
                        "{keys} is there); rename the columns or choose a profile (--profile, "
                        "or the Source profile choice on the Data page).").format(
            file=name, keys=keys))
    if len(top) > 1:
        raise Refusal(_("{file}: the kind is unclear — it could be {kinds}; say which with "
                        "--kind (or the Kind choice on the Data page).").format(
            file=name, kinds=" / ".join(top)))
    return top[0]


def _best_kinds(header: list[str]) -> list[str]:
    """The kinds a native header explains best (several when they tie, none when no key
    column is there)."""
    ranked = rank_kinds([normalise_header(h) for h in header])
    return [k for k, score in ranked if score == ranked[0][1]]


def _cells(source: RawExtract | StreamedCsv) -> list[tuple[int, str]]:
    """Every header cell as (1-based position, its text as in the file)."""
    texts = dict(source.ignored)
    return [(i, texts.get(i, c) if c.startswith(IGNORED_MARK) else c)
            for i, c in enumerate(source.columns, start=1)]


def _positions(cells: list[tuple[int, str]]) -> str:
    return ", ".join(_("column {n} ({text})").format(n=i, text=repr(t) if t else _("no name"))
                     for i, t in cells)


def _refuse_ambiguous(name: str, needed: str, cells: list[tuple[int, str]],
                      kind: str | None = None) -> None:
    refusal = Refusal(_("{file}: the column {column} is needed but ambiguous: the header has "
                        "it at {cells}; give each column its own name and load the file "
                        "again.").format(file=name, column=repr(needed), cells=_positions(cells)))
    refusal.kind = kind
    raise refusal


def _open(path: Path, sheet: str | None, stream: bool, profile: Profile | None):
    if profile is None:
        return open_extract(path, sheet, stream)
    return open_extract(path, sheet, stream, profile.skip_rows, profile.header_rows)


def _detect(path: Path, sheet: str | None, stream: bool
            ) -> tuple[Profile, RawExtract | StreamedCsv]:
    """The profile from the header; a shipped profile whose header lies below title rows
    (skip_rows) or over two rows is tried when the first line matches nothing."""
    source = _open(path, sheet, stream, None)
    profile = detect_profile(source.columns)
    if profile.is_native and not rank_kinds([normalise_header(t) for _i, t in _cells(source)]):
        for candidate in shipped_profiles().values():
            if not candidate.reads_header_elsewhere:
                continue
            try:
                other = _open(path, sheet, stream, candidate)
            except Refusal:
                # the file is this profile's but cannot be read (no rows, a cut last line):
                # that is the reason to give, not "the columns match no kind"
                below = _peek_header(path, sheet, candidate.skip_rows, candidate.header_rows)
                if below is not None and candidate.layout_for(make_header(below).columns):
                    raise
                continue
            if candidate.layout_for(other.columns):
                return candidate, other
    return profile, source


def plan(path: Path, kind: str | None = None, profile_name: str | None = None,
         sheet: str | None = None, stream: bool = True) -> Plan:
    """Everything decided from the header: raises Refusal/ProfileError for unusable files.

    Header cells that are blank or repeat another's text are ignored unless the layout
    needs them; then the file is refused naming them by position and text (extracts.md,
    "Headers")."""
    profile = find_profile(profile_name) if profile_name else None
    source = None
    try:
        if profile is not None:
            source = _open(path, sheet, stream, profile)
        else:
            profile, source = _detect(path, sheet, stream)
        return _plan_from(path, kind, profile, source)
    except Refusal as exc:
        # a refusal names what would have been used (cli.md: `load --json`); a file refused
        # while it was read (no rows, a cut last line) still has a header that says it
        if source is None:
            profile, header = _header_after_refusal(path, sheet, profile)
        else:
            header = [t for _i, t in _cells(source)]
        exc.profile = profile.name if profile is not None else None
        exc.kind = exc.kind or kind or (profile.kind if profile else None)
        if exc.kind is None and profile is not None and header is not None:
            exc.kind = _kind_of_header(header)
        raise


def _kind_of_header(header: list[str]) -> str | None:
    top = _best_kinds(header)
    return top[0] if len(top) == 1 else None


def _header_after_refusal(path: Path, sheet: str | None, profile: Profile | None
                          ) -> tuple[Profile | None, list[str] | None]:
    """The profile (the one given, else detected as _detect does) and its header's cells
    for a file the reader refused; (given profile or None, None) when not even a header
    can be read."""
    if profile is not None:
        return profile, _peek_header(path, sheet, profile.skip_rows, profile.header_rows)
    header = _peek_header(path, sheet)
    if header is None:
        return None, None
    detected = detect_profile(make_header(header).columns)
    if detected.is_native and not _best_kinds(header):
        for candidate in shipped_profiles().values():
            if candidate.reads_header_elsewhere:
                other = _peek_header(path, sheet, candidate.skip_rows, candidate.header_rows)
                if other is not None and candidate.layout_for(make_header(other).columns):
                    return candidate, other
    return detected, header


PEEK_BYTES = 64 * 1024


def _peek_header(path: Path, sheet: str | None = None, skip_rows: int = 0,
                header_rows: int = 1) -> list[str] | None:
    """The header cells of an extract, read cheaply and leniently -- only to name what a
    refused load would have used, never to load: None when no header can be read."""
    try:
        if path.suffix.lower() == ".parquet":
            return list(pl.read_parquet_schema(path))
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            frame = pl.read_excel(path, sheet_name=sheet, sheet_id=None if sheet else 1,
                                  has_header=False, infer_schema_length=0,
                                  drop_empty_rows=False, raise_if_empty=False)
            rows = [["" if v is None else str(v) for v in frame.row(skip_rows + i)]
                    for i in range(header_rows)]
        else:
            lines = _text_head(path).splitlines()[skip_rows:skip_rows + header_rows]
            delimiter = max(DELIMITERS, key=lambda d: lines[0].count(d))
            rows = list(csv.reader(lines, delimiter=delimiter))
    except Exception:  # noqa: BLE001 - best effort: an unreadable header names nothing
        return None
    if len(rows) < header_rows:
        return None
    cells = rows[0] if header_rows == 1 else join_header_rows(*rows[:2])
    cells = [c.strip().lstrip("\ufeff").strip() for c in cells]
    return cells if any(cells) else None


def _text_head(path: Path) -> str:
    """The first lines of a text file: UTF-8 or UTF-16 (by BOM, or by its zero bytes),
    else GB18030; raises UnicodeDecodeError for anything else (binary)."""
    with open(path, "rb") as fh:
        head = fh.read(PEEK_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head.count(b"\x00") > len(head) // 4:
        little = head[1::2].count(b"\x00") > head[0::2].count(b"\x00")
        return head.decode("utf-16-le" if little else "utf-16-be", errors="ignore")
    if len(head) == PEEK_BYTES:  # whole lines only: no character cut in two
        head = head[:head.rfind(b"\n") + 1] or head
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return head.decode("gb18030")


def _plan_from(path: Path, kind: str | None, profile: Profile,
               source: RawExtract | StreamedCsv) -> Plan:
    cells = _cells(source)
    layout = None
    formats: dict[str, tuple[str, ...]] = {}
    if profile.is_native:
        by_name: dict[str, list[tuple[int, str]]] = {}
        for i, t in cells:
            by_name.setdefault(normalise_header(t), []).append((i, t))
        kind_name = _choose_kind(path.name, [t for _i, t in cells], kind, profile)
        for col in KINDS[kind_name].names:
            if len(by_name.get(col, [])) > 1:
                _refuse_ambiguous(path.name, col, by_name[col], kind_name)
        mapped = [normalise_header(c) for c in source.columns]
    else:
        layout = profile.layout_for(source.columns)
        if layout is None:
            for lay in profile.layouts:
                for col in lay.when_columns:
                    if len([1 for _i, t in cells if t == col]) > 1:
                        _refuse_ambiguous(path.name, col, [(i, t) for i, t in cells if t == col])
            wanted = " | ".join(", ".join(lay.when_columns) for lay in profile.layouts)
            raise Refusal(_("{file}: the header does not match profile {profile} (it expects "
                            "the columns {wanted}); check the file or the profile.").format(
                file=path.name, profile=repr(profile.name), wanted=wanted))
        reads = missing_sources(layout) | ({profile.where.column} if profile.where else set())
        for col in sorted(reads - set(source.columns)):
            repeated = [(i, t) for i, t in cells if t == col]
            if repeated:
                _refuse_ambiguous(path.name, col, repeated)
        absent = sorted(reads - set(source.columns))
        if absent:
            raise Refusal(_("{file}: the file lacks column(s) {columns} that profile {profile} "
                            "reads; check the file or the profile.").format(
                file=path.name, columns=", ".join(absent), profile=repr(profile.name)))
        mapped = [*layout.columns, *layout.derived, *layout.constants]
        formats = layout.formats
        kind_name = _choose_kind(path.name, source.columns, kind, profile)
    missing = [c for c in KINDS[kind_name].required if c not in mapped]
    if missing:
        refusal = Refusal(_("{file}: the required column(s) {columns} of a {kind} extract are "
                            "missing; add them (or load with the profile of the system that "
                            "made the file).").format(file=path.name, columns=", ".join(missing),
                                                      kind=kind_name))
        refusal.kind = kind_name
        raise refusal
    not_carried = ([c for c in CARRIED_OPTIONAL if c not in mapped]
                   if kind_name == "tickets" else [])
    return Plan(kind_name, profile, source, layout, formats, not_carried)


class Checked(NamedTuple):
    """One batch of a file, checked."""

    read: int                   # rows read (0 for the fast path's leftovers: counted there)
    rows: pl.DataFrame          # good typed rows
    rejects: pl.DataFrame       # LINE, column, reason, raw
    skipped: int                # rows the profile's `where` left out
    keys: pl.DataFrame | None   # keep_last: (key, LINE) of every row `where` kept


def validated_batches(p: Plan, tz: str, size: int | None = None) -> Iterator[Checked]:
    for batch in p.source.batches(size or BATCH_ROWS):
        yield _validate_batch(p, batch, tz, batch.height)


def _validate_batch(p: Plan, batch: pl.DataFrame, tz: str, read: int) -> Checked:
    """Rows of the source (text, __line) -> good typed rows, rejects with their raw row,
    rows the profile's `where` skipped and, for keep_last, every row's key."""
    skipped = 0
    if p.profile.where is not None:
        kept = batch.filter(where_mask(batch, p.profile.where))
        skipped, batch = batch.height - kept.height, kept
    mapped = (native_frame(batch, KINDS[p.kind].names) if p.layout is None
              else apply_layout(batch, p.layout, p.source.columns, p.seen))
    keys = None
    if p.profile.repeated_keys == "keep_last":
        # the key as validate() stores it (trimmed; empty is no key, a reject of its own)
        key = pl.col(KINDS[p.kind].key).str.strip_chars()
        keys = mapped.select(key.alias("key"), LINE).filter(pl.col("key").is_not_null()
                                                           & (pl.col("key") != ""))
    checked = validate(p.kind, mapped, tz, p.formats)
    rows, rejects = checked.rows, checked.rejects
    if "__fields" in batch.columns:  # rows with the wrong number of fields
        n = len(p.source.columns)
        wrong = batch.filter(pl.col("__fields") != n).select(
            LINE, pl.lit("(row)").alias("column"),
            (pl.lit("the row has ") + pl.col("__fields").cast(pl.String)
             + pl.lit(f" fields, the header has {n}")).alias("reason"))
        lines = wrong[LINE].implode()
        rows = rows.filter(~pl.col(LINE).is_in(lines))
        rejects = pl.concat([rejects.filter(~pl.col(LINE).is_in(lines)), wrong])
    raw = p.source.raw_rows(rejects[LINE].to_list()) if rejects.height else {}
    rejects = rejects.with_columns(
        pl.col(LINE).replace_strict(raw, default=None, return_dtype=pl.String).alias("raw"))
    return Checked(read, rows, rejects, skipped, keys)


def _fast(p: Plan) -> bool:
    """Large plain native CSVs are sorted into plainly-fine and other rows in DuckDB."""
    return isinstance(p.source, StreamedCsv) and p.layout is None


def _already_loaded(warehouse: Path, checksums: list[str], p: Plan) -> bool:
    """Whether these bytes (and sheet; any of `checksums`, see _identity) were loaded
    before as the same kind with the same profile (its name and text) -- extracts.md,
    "Idempotent". Loads audited before the profile's text was recorded match on its name."""
    if not warehouse.exists():
        return False
    con = connect_reader(warehouse)
    try:
        row = con.execute(
            "select count(*) from loads where list_contains(?, checksum) and kind = ? "
            "and profile = ? and coalesce(profile_digest, ?) = ? and status = 'loaded'",
            [checksums, p.kind, p.profile.name, p.profile.digest, p.profile.digest]).fetchall()
        return bool(row and row[0][0])
    except (duckdb.CatalogException, duckdb.BinderException):
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


_INSERT_SQL = {name: f"insert into {name} by name select * exclude (__line) from incoming"  # noqa: S608
               for name in KINDS}
_DUPES_SQL = {
    name: (f"select i.__line as line, k.kept from incoming as i join (select {key}, "  # noqa: S608
           f"max(__line) as kept from incoming group by {key} having count(*) > 1) as k "
           f"using ({key}) where i.__line <> k.kept")
    for name, key in _KEYS.items()
}
# keep_last: the lines of every row of a key but its last, good or rejected (load_keys
# holds the key of every row the profile's `where` kept)
_EARLIER_SQL = ("select k.__line from load_keys as k join (select key, max(__line) as last "
                "from load_keys group by key having count(*) > 1) as m using (key) "
                "where k.__line <> m.last order by 1")


def _stage(con: duckdb.DuckDBPyConnection, p: Plan, tz: str, load_id: str, extract: str,
           step: Step) -> tuple[int, int, int]:
    """Validated rows into temp table `incoming`, rejects into `rejects`. Returns
    (rows read, rows rejected, rows skipped)."""
    rows_read = rejected = skipped = 0
    con.execute("drop table if exists incoming")
    con.execute("create or replace temp table load_keys (key varchar, __line bigint)")
    streamed = p.source if isinstance(p.source, StreamedCsv) and _fast(p) else None
    have_incoming = streamed is not None
    if streamed is not None:
        step(_("reading the file"), 0.1)
        rows_read, rest = stage_fast(con, streamed, p.kind, p.not_carried, step)
        batches: Iterator[Checked] = (
            _validate_batch(p, frame, tz, 0)
            for frame in (rest_batches(con, streamed) if rest else ()))
    else:
        batches = validated_batches(p, tz)
    for n, rows, rejects, left_out, keys in batches:
        rows_read += n
        skipped += left_out
        if keys is not None:
            staged_keys = keys  # noqa: F841 (read by name in the statement)
            con.execute("insert into load_keys select key, __line from staged_keys")
        if p.kind == "tickets":
            rows = rows.with_columns(
                pl.lit(p.not_carried or None, dtype=pl.List(pl.String)).alias("not_carried"))
        if not have_incoming:
            create_incoming(con, rows)
            have_incoming = True
        else:
            append_frame(con, "incoming", rows)
        if rejects.height:
            rejected += rejects.height
            append_frame(con, "rejects", rejects.select(
                pl.lit(load_id).alias("load_id"), pl.lit(extract).alias("extract"),
                pl.col(LINE).alias("line"), "column", "reason", "raw"))
        step(_("read {n} rows").format(n=f"{rows_read:,}"),
             min(0.1 + 0.4 * rows_read / 10_000_000, 0.5))
    if rows_read == 0:
        raise Refusal(_("{file}: the file has a header but no rows; export it again with "
                        "data.").format(file=extract))
    if p.profile.repeated_keys == "keep_last":
        earlier, unrejected = _skip_earlier_rows(con, load_id)
        return rows_read, rejected - unrejected, skipped + earlier
    # A repeated key among the good rows (in any path, any batch): the last row wins. The
    # earlier ones are rejects naming the line that was loaded.
    dupes = con.execute(_DUPES_SQL[p.kind]).fetchall()
    if dupes:
        key = _KEYS[p.kind]
        lines = [line for line, _kept in dupes]
        raw = p.source.raw_rows(lines)
        append_frame(con, "rejects", pl.DataFrame({
            "load_id": load_id, "extract": extract, "line": lines,
            "column": key,
            # stored data, like validate()'s reasons: not translated
            "reason": [f"{key}: duplicate {key} in this file; the row on line {kept} was "
                       "loaded" for _line, kept in dupes],
            "raw": [raw.get(line) for line in lines],
        }, schema_overrides={"raw": pl.String}))
        rejected += len(dupes)
        con.execute("delete from incoming where __line in (select unnest(?))", [lines])
    return rows_read, rejected, skipped


def _skip_earlier_rows(con: duckdb.DuckDBPyConnection, load_id: str) -> tuple[int, int]:
    """An event log (repeated_keys = "keep_last"): the last row of a key decides, the
    earlier ones are skipped, not rejected (extracts.md) -- also when the last row is
    rejected: then the warehouse keeps what it had for the key, never a stale earlier
    row. Judged over every row, good or rejected. Returns (rows skipped, how many of them
    had been rejected)."""
    lines = [line for (line,) in con.execute(_EARLIER_SQL).fetchall()]
    if not lines:
        return 0, 0
    # DuckDB's delete returns how many rows it removed: no count query beside it
    (unrejected,) = con.execute(
        "delete from rejects where load_id = ? and line in (select unnest(?))",
        [load_id, lines]).fetchone() or (0,)
    con.execute("delete from incoming where __line in (select unnest(?))", [lines])
    return len(lines), int(unrejected)


def _write(con: duckdb.DuckDBPyConnection, kind: str, step: Step) -> tuple[int, int]:
    """Upsert `incoming` into the kind's table and refresh the stored facts it touches."""
    new, updated = con.execute(_COUNT_SQL[kind]).fetchall()[0]
    before = con.execute("select count(*) from tickets").fetchall()[0][0]
    if kind == "tickets" and (before == 0 or new + updated > 0.3 * before):
        # Most tickets change: write every ticket once, with its facts, in time order.
        step(_("writing tickets with their stored facts"), 0.6)
        refresh_facts(con, with_incoming=True)
        return int(new), int(updated)
    scope_needed = kind in _SCOPE_SQL and before > 0
    if scope_needed:
        con.execute("create or replace temp table _load_scope as " + _SCOPE_SQL[kind])
    step(_("replacing rows with the same key"), 0.55)
    con.execute(_DELETE_SQL[kind])
    con.execute(_INSERT_SQL[kind])
    step(_("refreshing stored facts"), 0.7)
    if scope_needed:
        scope_size = con.execute("select count(*) from _load_scope").fetchall()[0][0]
        if scope_size > 0.3 * before:
            refresh_facts(con)  # most tickets change: one full pass is faster
        else:
            refresh_facts_for(con, "select distinct ticket_id from _load_scope")
    return int(new), int(updated)


def _audit(con: duckdb.DuckDBPyConnection, result: LoadResult, checksum: str | None,
           started: datetime, user: str, digest: str | None) -> None:
    append_frame(con, "loads", pl.DataFrame([{
        "load_id": result.load_id, "file_name": result.file, "checksum": checksum,
        "kind": result.kind, "profile": result.profile, "profile_digest": digest,
        "status": "failed" if result.failed else result.status,
        "rows_read": result.rows_read, "rows_new": result.new,
        "rows_updated": result.updated, "rows_rejected": result.rejected,
        "rows_skipped": result.skipped, "message": result.message, "loaded_by": user,
        "started_at": started, "duration_s": result.seconds,
    }], schema_overrides={"checksum": pl.String, "kind": pl.String, "profile": pl.String,
                          "profile_digest": pl.String, "started_at": pl.Datetime("us")}))


def _waiting(step: Step | None) -> Callable[[], None]:
    """What a load says when another writer holds the warehouse: on its progress bar, or
    on stderr when it has none."""
    text = _("waiting for another load to finish writing the warehouse…")
    if step is not None:
        return lambda: step(text, 0.05)
    return lambda: print(text, file=sys.stderr, flush=True)


def load_file(warehouse: Path, path: Path, kind: str | None = None, profile: str | None = None,
              sheet: str | None = None, step: Step | None = None,
              force: bool = False) -> LoadResult:
    """Load one extract (extracts.md "Rules every load follows"; cli.md `load`).

    The identity of a load is the file's bytes (and sheet), its kind and its profile: the
    same again is `already_loaded` (nothing added) unless `force`. Never raises for a bad
    file or an unexpected error: the result says refused with one plain sentence, and the
    attempt is audited (an unexpected error as "failed")."""
    on_wait = _waiting(step)
    step = step or (lambda what, frac: None)
    warehouse, path = Path(warehouse), Path(path)
    settings = get_settings()
    user = settings.user or getpass.getuser()
    started = datetime.now()
    t0 = time.monotonic()
    load_id = uuid.uuid4().hex
    result = LoadResult(file=path.name, kind=kind, profile=profile, status="refused",
                        load_id=load_id)
    checksum = digest = None
    try:
        step(_("checking the file"), 0.02)
        _refuse_unreadable(path)
        checksum, same_as = _identity(path, sheet)
        step(_("reading the header"), 0.05)
        for stream in (True, False):
            p = plan(path, kind, profile, sheet, stream=stream)
            result.kind, result.profile, digest = p.kind, p.profile.name, p.profile.digest
            if not force and _already_loaded(warehouse, same_as, p):
                result.status = "already_loaded"
                result.message = _(
                    "{file} was loaded before as {kind} with profile {profile} (same bytes); "
                    "nothing was added. To load it again anyway use --force (or \"Load "
                    "again\" on the Data page).").format(file=path.name, kind=p.kind,
                                                        profile=p.profile.name)
                break
            try:
                with write_transaction(warehouse, on_wait=on_wait) as con:
                    result.rows_read, result.rejected, result.skipped = _stage(
                        con, p, settings.timezone, load_id, path.name, step)
                    step(_("writing to the warehouse"), 0.5)
                    result.new, result.updated = _write(con, p.kind, step)
                    result.status = "loaded"
                    result.message = _summary(result, p)
                    result.seconds = round(time.monotonic() - t0, 3)
                    step(_("publishing"), 0.95)
                    _audit(con, result, checksum, started, user, digest)
                step(_("done"), 1.0)
                return result
            except RaggedStream:
                continue  # a row with extra fields: read the file in memory instead
    except Refusal as exc:
        result.status = "refused"
        result.message = str(exc)
        result.kind = exc.kind or result.kind
        result.profile = exc.profile or result.profile
    except ProfileError as exc:
        # the profile's own words name the profile and the fix; the file is named here
        result.status = "refused"
        result.message = _("{file}: {problem}.").format(file=path.name,
                                                        problem=str(exc).rstrip("."))
    except Exception as exc:  # noqa: BLE001 - every failure is audited, with a plain sentence
        # cli.md knows three statuses: an unexpected error refuses the load (nothing
        # changed); the load history keeps "failed" so it is not taken for a bad file
        result.status, result.failed = "refused", True
        result.message = _("{file}: the load failed and changed nothing ({error}). Try again; "
                           "if it fails again, keep the file and this message for whoever "
                           "looks after the dashboard.").format(
            file=path.name, error=f"{type(exc).__name__}: {exc}".strip().rstrip("."))
    if result.status == "refused":  # nothing landed: no row was loaded or rejected
        result.rows_read = result.new = result.updated = result.rejected = result.skipped = 0
    result.seconds = round(time.monotonic() - t0, 3)
    # Refused, failed and repeated loads change no data, but they are part of the history.
    try:
        with write_transaction(warehouse, on_wait=on_wait) as con:
            _audit(con, result, checksum, started, user, digest)
    except Exception as exc:  # noqa: BLE001 - the warehouse itself cannot be written
        result.message += " " + _("(The attempt could not be recorded either: {error}.)").format(
            error=f"{type(exc).__name__}: {exc}")
    step(_("done"), 1.0)
    return result


def _summary(result: LoadResult, prepared: Plan) -> str:
    """The load's outcome in sentences: rejects, skipped rows, ignored header cells and
    columns the extract does not carry."""
    parts = []
    if result.rejected:
        considered = max(result.rows_read - result.skipped, 1)
        share = 100 * (considered - result.rejected) / considered
        parts.append(_("{n} row(s) rejected ({share} of the rows considered accepted); see "
                       "`cxdash rejects --extract {file}` or the Data page.").format(
            n=format_number(result.rejected), share=format_percent_value(share),
            file=result.file))
    if result.skipped:
        why = []
        if prepared.profile.where is not None:
            why.append(_("the profile's `where` on {column}").format(
                column=repr(prepared.profile.where.column)))
        if prepared.profile.repeated_keys == "keep_last":
            why.append(_("earlier rows of a repeated key (keep_last)"))
        parts.append(_("{n} row(s) skipped on purpose ({why}).").format(
            n=format_number(result.skipped), why="; ".join(why)))
    if prepared.ignored:
        parts.append(_("Ignored header cells: {cells}.").format(
            cells=_positions(prepared.ignored)))
    not_carried = [c for c in prepared.not_carried
                   if c != "status" or "resolved_at" in prepared.not_carried]
    if not_carried:
        from dashboard.i18n import list_text
        from dashboard.views.data import field_label

        parts.append(_("The extract does not carry {columns}: KPIs that need them are n/a "
                       "for these tickets.").format(
            columns=list_text(field_label(c) for c in not_carried)))
    return " ".join(parts)


def load_files(warehouse: Path, files: list[Path], kind: str | None = None,
               profile: str | None = None, sheet: str | None = None,
               progress: bool = False, force: bool = False) -> list[LoadResult]:
    if not progress:
        return [load_file(warehouse, f, kind, profile, sheet, force=force) for f in files]
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    results = []
    with Progress(TextColumn("{task.fields[file]:<30}"), BarColumn(),
                  TextColumn("{task.description}"), TimeElapsedColumn()) as bar:
        for f in files:
            task = bar.add_task("starting", total=1.0, file=Path(f).name[:30])

            def step(what: str, frac: float, task=task) -> None:
                bar.update(task, completed=frac, description=what)

            results.append(load_file(warehouse, f, kind, profile, sheet, step, force=force))
    return results
