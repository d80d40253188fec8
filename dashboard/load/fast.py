"""Large plain native CSVs read and checked inside DuckDB (the bulk of a 10M-row load).

The rules stay in one place: `validate.py` decides every row it sees, with its reasons.
This module only sorts rows into two piles, inside DuckDB, without a Python round trip:

- *plainly fine* rows, whose every value is already in the one canonical form the rules
  accept unchanged (trimmed, ASCII where it is lower-cased, timestamps exactly as
  YYYY-MM-DD HH:MM[:SS], whole numbers as digits, the usual yes/no words, allowed values,
  nothing earlier than created_at): typed in SQL exactly as validate() would type them;
- everything else, handed to validate() with its line and raw values, which accepts or
  rejects it with the reasons a whole-file load gives.

The test `test_the_fast_path_types_and_rejects_exactly_like_validate` loads a file of
every kind of value both ways and compares tables and rejects.

Line numbers: the file is read with insertion order kept, so a row's place in the table + 2 is
its line (the streamed path's precondition holds: UTF-8, no quotes, one row per line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import duckdb
import polars as pl

from dashboard.i18n import _, format_number
from dashboard.load.kinds import KINDS, Column, Kind
from dashboard.load.profiles import normalise_header
from dashboard.load.read import LINE, RaggedStream, StreamedCsv, _count_newlines
from dashboard.load.validate import FALSE_WORDS, TRUE_WORDS

# The timestamp shapes typed in SQL (per column, when a sample of it has that shape), with
# a GLOB pattern of exactly those digits: a value matching it and parsing is canonical.
_D2, _D4 = "[0-9]" * 2, "[0-9]" * 4
FAST_TIME_FORMATS = {
    "%Y-%m-%d %H:%M:%S": f"{_D4}-{_D2}-{_D2} {_D2}:{_D2}:{_D2}",
    "%Y-%m-%dT%H:%M:%S": f"{_D4}-{_D2}-{_D2}T{_D2}:{_D2}:{_D2}",
    "%Y-%m-%d %H:%M": f"{_D4}-{_D2}-{_D2} {_D2}:{_D2}",
    "%Y-%m-%dT%H:%M": f"{_D4}-{_D2}-{_D2}T{_D2}:{_D2}",
}
_TRUE = ", ".join(f"'{w}'" for w in TRUE_WORDS if w.isascii())
_YES_NO = ", ".join(f"'{w}'" for w in (*TRUE_WORDS, *FALSE_WORDS) if w.isascii())
_NULL = {"text": "null::varchar", "int": "null::integer", "bool": "null::boolean",
         "timestamp": "null::timestamp", "date": "null::date", "number": "null::double"}


_PRINTABLE = "[~!-}]"  # glob class of '!' (0x21) .. '~' (0x7e); a leading ! would negate


def _edge_ok(v: str) -> str:
    # first and last character printable ASCII other than a space: no whitespace of any
    # kind at either end, so trimming would change nothing (other values go to validate)
    return f"({v} glob '{_PRINTABLE}*{_PRINTABLE}' or {v} glob '{_PRINTABLE}')"


_SAMPLE_SQL = "select {c} from _raw where {c} is not null limit 200"


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _sample_format(con: duckdb.DuckDBPyConnection, ident: str) -> str | None:
    """The shape most of a sample of the column has (None: neither shape fits any)."""
    values = [r[0] for r in con.execute(_SAMPLE_SQL.format(c=ident)).fetchall()]
    hits = {fmt: sum(_parses(v, fmt) for v in values) for fmt in FAST_TIME_FORMATS}
    best = max(hits, key=hits.__getitem__)
    return best if hits[best] else None


def _default(col: Column) -> str | None:
    if col.default is None:
        return None
    if col.type == "int":
        return str(int(col.default))
    if col.type == "bool":
        return "true" if col.default in TRUE_WORDS else "false"
    return f"'{col.default}'"


def _column_sql(col: Column, v: str | None, fmt: str | None, times: dict[str, str]
                ) -> tuple[str, str]:
    """(typed expression, 'plainly fine' condition) of one native column.

    `v` is the raw column (c0, c1, ...) or None when the file lacks it; `fmt` the
    timestamp shape of the column (one of FAST_TIME_FORMATS, a constant) or None."""
    if v is None:  # absent: its default, or null (required columns were checked before)
        return _default(col) or _NULL[col.type], "true"
    if col.type == "text" and col.allowed:  # an exact allowed word: nothing to trim
        typed, ok = f"lower({v})", [f"lower({v}) in ({', '.join(f'{a!r}' for a in col.allowed)})"]
    elif col.type == "text":
        typed, ok = v, [_edge_ok(v)]
        if col.lower:
            typed = f"lower({v})"
            ok.append(f"strlen({v}) = length({v})")  # ASCII: lower() is the same everywhere
    elif col.type == "timestamp" and fmt:
        typed = times[col.name]
        ok = [f"{v} glob '{FAST_TIME_FORMATS[fmt]}'", f"{typed} is not null"]
    elif col.type == "int":  # digits exactly as the number prints
        typed = f"try_cast({v} as integer)"
        ok = [f"{typed}::varchar = {v}"]
        if col.min is not None:
            ok.append(f"{typed} >= {col.min:g}")
        if col.max is not None:
            ok.append(f"{typed} <= {col.max:g}")
    elif col.type == "bool":
        typed, ok = f"lower({v}) in ({_TRUE})", [f"lower({v}) in ({_YES_NO})"]
    else:  # dates, numbers, timestamps of another shape: only empty values are plain
        typed, ok = _NULL[col.type], ["false"]
    condition = f"({v} is null or ({' and '.join(ok)}))"
    if col.required:
        condition = f"({v} is not null and {condition})"
    if (default := _default(col)) is not None:
        typed = f"coalesce({typed}, {default})"
    return typed, condition


def plan_sql(kind: Kind, idents: dict[str, str], formats: dict[str, str],
             not_carried: list[str]) -> tuple[str, str, str]:
    """(select list of typed columns, 'plainly fine' condition on the raw text, and the
    order condition on the typed columns) for the kind; `formats` maps the timestamp
    columns typed in SQL to their shape. The order (nothing earlier than the column it
    may not precede) is checked on the typed rows: it costs a parse less per value."""
    times = {c: f"try_strptime({idents[c]}, '{fmt}')" for c, fmt in formats.items()}
    typed, conditions, order = [], [], []
    for col in kind.columns:
        expr, ok = _column_sql(col, idents.get(col.name), formats.get(col.name), times)
        typed.append(f"{expr} as {col.name}")
        conditions.append(ok)
        if col.not_before and col.name in times and col.not_before in times:
            order.append(f"{col.name} < {col.not_before}")
    if kind.one_of:
        present = [f"{idents[c]} is not null" for c in kind.one_of if c in idents]
        conditions.append("(" + (" or ".join(present) or "false") + ")")
    if kind.name == "tickets":
        carried = ", ".join(f"'{c}'" for c in not_carried)
        typed.append(f"[{carried}]::varchar[] as not_carried" if not_carried
                     else "null::varchar[] as not_carried")
    return (", ".join(typed), "coalesce(" + " and ".join(conditions) + ", false)",
            " or ".join(order) or "false")


_READ_SQL = ("create or replace temp table _raw as select * from read_csv(?, header = true, "
             "all_varchar = true, delim = ?, quote = '', escape = '', strict_mode = true, "
             "null_padding = false, auto_detect = false, columns = ?)")
# a value of nothing but white space (or none): in a one-column file, a blank line
_BLANK_SQL = r"select count(*) from _raw where c0 is null or regexp_full_match(c0, '[\s\p{Z}]*')"
# rows are numbered from the table's first rowid (rowids inside a transaction start high)
_FINE_SQL = ("create or replace temp table incoming as select rowid - $first + 2 as {line}, "
             "{select} from _raw where {fine}")
_OUT_OF_ORDER_SQL = "delete from incoming where {order}"
# the rest: the lines not typed above (an anti-join: the condition is not evaluated twice)
# (stored in line order, so a page of lines is a range the zone maps find quickly)
_REST_SQL = ("create or replace temp table _rest as select * from (select rowid - $first + 2 "
             "as {line}, * from _raw) where {line} not in (select {line} from incoming) "
             "order by {line}")
_REST_PAGES_SQL = "select distinct ({line} - 2) // $size from _rest order by 1"
_REST_PAGE_SQL = ("select * from _rest where {line} >= $page * $size + 2 "
                  "and {line} < ($page + 1) * $size + 2 order by {line}")
REST_PAGE_LINES = 200_000  # lines of the file per page: a page in polars stays small


def _data_lines(source: StreamedCsv) -> int:
    """Lines after the header (a last line without its line break counts)."""
    newlines = _count_newlines(source.path)
    with open(source.path, "rb") as fh:
        fh.seek(-1, 2)
        unterminated = fh.read(1) != b"\n"
    return newlines + unterminated - 1


def stage_fast(con: duckdb.DuckDBPyConnection, source: StreamedCsv, kind_name: str,
               not_carried: list[str], step: Callable[[str, float], None] = lambda w, f: None
               ) -> tuple[int, int]:
    """Read `source` whole into DuckDB: plainly fine rows typed into temp table
    `incoming` (with __line), the others as text with their line into temp table `_rest`
    for validate() to decide (see rest_batches). Returns (rows read, rows in _rest)."""
    kind = KINDS[kind_name]
    names = [f"c{i}" for i in range(len(source.columns))]
    con.execute("set preserve_insertion_order = true")  # rowid = position in the file
    try:
        con.execute(_READ_SQL, [str(source.path), source.delimiter,
                                dict.fromkeys(names, "VARCHAR")])
    except duckdb.Error as exc:
        # a row with a field more or less: the caller drops this transaction and reads
        # the file in memory, where such a row becomes a reject
        raise RaggedStream(str(exc)) from None
    con.execute("set preserve_insertion_order = false")
    rows, first = con.execute("select count(*), min(rowid) from _raw").fetchall()[0]
    if rows != _data_lines(source):
        # blank lines, which the reader skips: line numbers would drift, so the file is
        # read the careful way instead (the caller drops this transaction)
        raise RaggedStream(f"{source.path.name}: blank lines")
    if len(names) == 1 and con.execute(_BLANK_SQL).fetchall()[0][0]:
        # one column: a blank line is read as a row (there is no delimiter to miss), so
        # such a file is read the careful way too, where blank lines are no rows
        raise RaggedStream(f"{source.path.name}: blank lines")
    step(_("checking {n} rows").format(n=format_number(rows)), 0.25)
    mapped = [normalise_header(c) for c in source.columns]
    idents = {m: n for m, n in zip(mapped, names, strict=True) if m in kind.names}
    sampled = {c.name: _sample_format(con, idents[c.name]) for c in kind.columns
               if c.type == "timestamp" and c.name in idents}
    formats = {name: fmt for name, fmt in sampled.items() if fmt}
    select, fine, out_of_order = plan_sql(kind, idents, formats, not_carried)
    con.execute(_FINE_SQL.format(line=LINE, select=select, fine=fine), {"first": first})
    con.execute(_OUT_OF_ORDER_SQL.format(order=out_of_order))  # to validate(), with the rest
    rest = rows - con.execute("select count(*) from incoming").fetchall()[0][0]
    if rest:  # usually a few rows, or none
        con.execute("set preserve_insertion_order = true")
        con.execute(_REST_SQL.format(line=LINE), {"first": first})
        con.execute("set preserve_insertion_order = false")
        step(_("a closer look at {n} rows").format(n=format_number(rest)), 0.45)
    con.execute("drop table _raw")
    return rows, rest


def rest_batches(con: duckdb.DuckDBPyConnection, source: StreamedCsv,
                 size: int | None = None) -> Iterator[pl.DataFrame]:
    """The rows stage_fast left for validate(), in the source's columns with their line,
    at most `size` lines of the file at a time (memory stays bounded even when most rows
    need the closer look, e.g. timestamps without seconds)."""
    size = size or REST_PAGE_LINES
    names = {f"c{i}": c for i, c in enumerate(source.columns)}
    pages = con.execute(_REST_PAGES_SQL.format(line=LINE), {"size": size}).fetchall()
    for (page,) in pages:
        frame = con.sql(_REST_PAGE_SQL.format(line=LINE),
                        params={"size": size, "page": page}).pl()
        yield frame.rename(names)
    con.execute("drop table _rest")
