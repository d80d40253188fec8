"""Validate and type an extract that is already in the native layout (all text).

Every rule is a polars expression that yields "column|reason" for a bad value, so a
whole file is checked in a few vectorised passes. A row with any problem is
rejected whole (with its first problem's column and every reason); the others are
typed and returned for loading. Nothing is silently coerced: a value that does
not parse is a reject, never a null.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard.load.kinds import KINDS, Column, Kind

LINE = "__line"
PROBLEMS = "__problems"

# Timestamps accepted in the native layout (profiles may add their own formats).
NAIVE_FORMATS = (
    # plain formats first: polars parses them on a fast path (about 3x faster than %.f)
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S%.f", "%Y/%m/%d %H:%M",
)
AWARE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")

INT_MAX = 2_147_483_647
TRUE_WORDS = ("true", "yes", "1", "y", "是", "t")
FALSE_WORDS = ("false", "no", "0", "n", "否", "f")


@dataclass
class Validated:
    rows: pl.DataFrame      # typed, native columns + __line
    rejects: pl.DataFrame   # __line, column, reason


def _problem(bad: pl.Expr, column: str, reason: str) -> pl.Expr:
    return pl.when(bad).then(pl.lit(f"{column}|{reason}"))


def _candidates(col: Column, tz: str, fmts: tuple[str, ...]) -> list[pl.Expr]:
    """Every way a value of this column may be written, most specific first."""
    text = pl.col(col.name).str.strip_chars()
    if col.type == "date":
        return [text.str.to_date(f, strict=False) for f in (*fmts, *DATE_FORMATS)] + [
            text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)]
    naive = [text.str.to_datetime(f, strict=False, time_unit="us")
             for f in (*(f for f in fmts if "%z" not in f and "%#z" not in f), *NAIVE_FORMATS)]
    aware = [text.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
             .dt.convert_time_zone(tz).dt.replace_time_zone(None)
             for f in (*(f for f in fmts if "%z" in f or "%#z" in f), *AWARE_FORMATS)]
    dates = [text.str.to_date(f, strict=False).cast(pl.Datetime("us")) for f in DATE_FORMATS]
    return [*naive, *aware, *dates]


def _parse_times(frame: pl.DataFrame, col: Column, tz: str, fmts: tuple[str, ...]) -> pl.Series:
    """Parse a date/time column with the one format that fits a sample, then try every
    accepted format only on the rows that format did not fit (a 10M-row column is parsed
    about once instead of a dozen times)."""
    candidates = _candidates(col, tz, fmts)
    raw = frame.get_column(col.name)
    sample = frame.select(col.name).filter(pl.col(col.name).is_not_null()).head(200)
    if sample.height == 0:
        return frame.select(candidates[0].alias(col.name)).to_series()
    best = max(range(len(candidates)),
               key=lambda i: (sample.select(candidates[i].is_not_null().sum()).item(), -i))
    parsed = frame.select(candidates[best].alias(col.name)).to_series()
    missed = raw.is_not_null() & parsed.is_null()
    if missed.any():
        retry = frame.filter(missed).select(pl.coalesce(candidates).alias(col.name)).to_series()
        parsed = parsed.scatter(missed.arg_true(), retry)
    return parsed


def _typed(col: Column, raw: pl.Expr) -> pl.Expr:
    """Text -> the column's type for text, numbers and yes/no (dates: _parse_times)."""
    if col.type == "text":
        return raw.str.to_lowercase() if col.lower else raw
    if col.type == "int":
        as_float = raw.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
        return as_float
    if col.type == "number":
        return raw.str.replace_all(",", "").cast(pl.Float64, strict=False)
    if col.type == "bool":
        low = raw.str.to_lowercase()
        return (pl.when(low.is_in(TRUE_WORDS)).then(True)
                .when(low.is_in(FALSE_WORDS)).then(False).otherwise(None))
    raise ValueError(col.type)


def _type_phrase(col: Column, formats: dict[str, tuple[str, ...]]) -> str:
    extra = formats.get(col.name)
    return {
        "timestamp": "is not a timestamp (use YYYY-MM-DD HH:MM:SS"
                     + (f" or {', '.join(extra)}" if extra else "") + ")",
        "date": "is not a date (use YYYY-MM-DD" + (f" or {', '.join(extra)}" if extra else "") + ")",
        "int": "is not a whole number",
        "number": "is not a number",
        "bool": "is not a yes/no value (true/false, yes/no, 1/0, y/n, 是/否)",
    }[col.type]


def validate(kind_name: str, frame: pl.DataFrame, tz: str,
             formats: dict[str, tuple[str, ...]] | None = None) -> Validated:
    """Check every rule of the kind; return typed good rows and one reject per bad row.

    `frame` has the native columns (absent optional ones are added as null) as text,
    plus __line (the line in the source file).
    """
    kind: Kind = KINDS[kind_name]
    formats = formats or {}
    for col in kind.columns:
        if col.name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(col.name))

    # Trim, and treat empty strings as missing.
    cleaned = frame.with_columns(
        pl.col(c.name).cast(pl.String).str.strip_chars().replace("", None).alias(c.name)
        for c in kind.columns
    )
    with_defaults = cleaned.with_columns(
        pl.col(c.name).fill_null(pl.lit(c.default)).alias(c.name)
        for c in kind.columns if c.default is not None
    )
    times = [c for c in kind.columns if c.type in ("timestamp", "date")]
    typed = with_defaults.with_columns(
        *(_typed(c, pl.col(c.name)).alias(f"__t_{c.name}")
          for c in kind.columns if c not in times),
        *(_parse_times(with_defaults, c, tz, formats.get(c.name, ())).alias(f"__t_{c.name}")
          for c in times),
    )

    problems: list[tuple[pl.Expr, str, str]] = []  # (is bad, column, reason)
    for c in kind.columns:
        raw, val = pl.col(c.name), pl.col(f"__t_{c.name}")
        if c.required:
            problems.append((raw.is_null(), c.name, "is required but empty"))
        if c.type != "text":
            problems.append((raw.is_not_null() & val.is_null(), c.name,
                             f"value {{v}} {_type_phrase(c, formats)}"))
        if c.allowed:
            problems.append((val.is_not_null() & ~val.is_in(c.allowed), c.name,
                             f"value {{v}} is not one of {', '.join(c.allowed)}"))
        if c.min is not None:
            problems.append((val < c.min, c.name, f"value {{v}} is below {c.min:g}"))
        if c.max is not None:
            problems.append((val > c.max, c.name, f"value {{v}} is above {c.max:g}"))
        elif c.type == "int":  # the warehouse stores whole numbers as 32-bit integers
            problems.append((val > INT_MAX, c.name, f"value {{v}} is too large (at most {INT_MAX})"))
        if c.not_before:
            problems.append((val < pl.col(f"__t_{c.not_before}"), c.name,
                             f"value {{v}} is earlier than {c.not_before}"))
    if kind.one_of:
        none = pl.all_horizontal(pl.col(c).is_null() for c in kind.one_of)
        problems.append((none, kind.one_of[0],
                         f"needs at least one of {' or '.join(kind.one_of)}"))

    # Most rows are fine: one boolean pass finds the bad ones, and only those get the
    # list of their problems. (A key repeated in the file is judged later, in SQL, over
    # the rows that pass: the last one wins -- see run._DUPES_SQL.)
    any_bad = pl.any_horizontal(*(cond.fill_null(False) for cond, _, _ in problems))
    flagged = typed.with_columns(any_bad.alias("__bad"))
    good = flagged.filter(~pl.col("__bad"))
    bad = flagged.filter(pl.col("__bad")).with_columns(pl.concat_list(
        [pl.when(cond.fill_null(False)).then(pl.lit(f"{col}|{reason}"))
         for cond, col, reason in problems]
    ).list.drop_nulls().alias(PROBLEMS))
    rejects = _reject_rows(bad, kind)
    rows = good.sort(LINE).select(
        pl.col(LINE), *(pl.col(f"__t_{c.name}").alias(c.name) for c in kind.columns)
    )
    return Validated(rows=rows, rejects=rejects)


def _reject_rows(bad: pl.DataFrame, kind: Kind) -> pl.DataFrame:
    """One reject per bad row: its line, the first problem's column, every reason."""
    if bad.height == 0:
        return pl.DataFrame(schema={LINE: pl.Int64, "column": pl.String, "reason": pl.String})
    exploded = bad.select(LINE, PROBLEMS, *kind.names).with_row_index("__rid").explode(PROBLEMS)
    parts = pl.col(PROBLEMS).str.split_exact("|", 1)
    exploded = exploded.with_columns(
        parts.struct.field("field_0").alias("column"),
        parts.struct.field("field_1").alias("template"),
    )
    # Put the offending value into its reason: "value 'abc' is not a number".
    value_of = pl.lit(None, dtype=pl.String)
    for name in kind.names:
        value_of = pl.when(pl.col("column") == name).then(pl.col(name)).otherwise(value_of)
    exploded = exploded.with_columns(
        (pl.col("column") + pl.lit(": ") + pl.col("template").str.replace(
            "{v}", pl.lit("'") + value_of.fill_null("") + pl.lit("'"), literal=True))
        .alias("reason_one")
    )
    return (
        exploded.group_by("__rid", maintain_order=True)
        .agg(pl.col(LINE).first(), pl.col("column").first(),
             pl.col("reason_one").str.join("; ").alias("reason"))
        .select(pl.col(LINE).cast(pl.Int64), "column", "reason")
    )
