"""Source profiles: plain TOML files that map another system's export onto a kind.

A profile has one or more layouts; the first whose `when_columns` are all in the
file's header is used (so one profile can read a system's old and new exports).
Per native column a layout gives one of:
  columns.<native> = "Source column"                          rename
  constants.<native> = "value"                                fixed value
  derived.<native> = { source = "a" | join = ["a", "b"],      one column, or several glued
                       separator = " ",                       (with this separator)
                       | hash = ["a", "b"] | "*", prefix = "" stable id from values
                       | sum = ["jan", "feb"]                 numbers added
                       | add_minutes = ["start", "minutes"]   a start plus a duration
                       null_if = ["0:00:00"],                 sources meaning "none"
                       pattern = "regex (group)",             the group's text of the value
                       default = "x",                         fills an empty value
                       when = { column = "x", in = ["Y"] },   only where a condition holds
                       next_day_before = "created_at" }       a time of day more than 12 h
                                      before that column's timestamp is on the next day (a
                                      call that crosses midnight, its date given once)
and, applied after that:
  unknown.<native> = ["0", "N/A"]     sentinels meaning "unknown" (stored as empty)
  values.<native> = { "Web" = "web", "" = "other" }  value map: exact, else ignoring
                                      case; "" maps the empty value; others pass through
  formats.<native> = ["%y%m%d %H:%M:%S"]   date/time formats tried first
At the top level (before a layout is applied, spec/extracts.md "Source profiles"):
  skip_rows = N, header_rows = 2, where = { column = "x", in = [...] | not_in = [...] },
  repeated_keys = "reject" (default) | "keep_last".
See README "Loading extracts" for every option with an example.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.i18n import _
from dashboard.load.kinds import KINDS
from dashboard.load.read import IGNORED_MARK
from dashboard.load.validate import DATE_FORMATS, NAIVE_FORMATS

SHIPPED = Path(__file__).resolve().parent.parent / "profiles"


class ProfileError(ValueError):
    """A profile that cannot be used (bad TOML, unknown kind, no layout matches)."""


def normalise_header(name: str) -> str:
    """Native headers match loosely: ' Ticket ID ' -> 'ticket_id'."""
    return "_".join(name.strip().lstrip("\ufeff").lower().replace("-", " ").split())


@dataclass(frozen=True)
class Layout:
    name: str
    when_columns: tuple[str, ...]
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    derived: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    formats: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def matches(self, header: list[str]) -> bool:
        present = {h.strip() for h in header}
        return all(c in present for c in self.when_columns)


@dataclass(frozen=True)
class Where:
    """Keep only the rows whose `column` (a source column, trimmed) is in `values`
    (`keep` true: `in`) or not in them (`not_in`); the others are skipped."""

    column: str
    values: tuple[str, ...]
    keep: bool = True


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str | None          # None: native, the kind is detected from the columns
    description: str
    layouts: tuple[Layout, ...]
    source: Path | None = None
    skip_rows: int = 0
    header_rows: int = 1
    where: Where | None = None
    repeated_keys: str = "reject"   # reject | keep_last
    digest: str = "native"          # of the profile's text: part of a load's identity

    @property
    def reads_header_elsewhere(self) -> bool:
        return self.skip_rows > 0 or self.header_rows > 1

    @property
    def is_native(self) -> bool:
        return self.name == "native"

    def layout_for(self, header: list[str]) -> Layout | None:
        return next((lay for lay in self.layouts if lay.matches(header)), None)


def _as_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def parse_profile(text: str, source: Path | None = None) -> Profile:
    where = source.name if source else "profile"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(_("the profile {profile} is not valid TOML: {error}; correct it "
                             "and load again").format(profile=where, error=exc)) from None
    name = data.get("name") or (source.stem if source else None)
    if not name:
        raise ProfileError(_("the profile {profile} has no name; add name = \"…\" at its "
                             "top").format(profile=where))
    kind = data.get("kind")
    if kind is not None and kind not in KINDS:
        raise ProfileError(_("{profile}: kind {kind} is not one of {kinds}; write one of "
                             "them").format(profile=where, kind=repr(kind), kinds=", ".join(KINDS)))
    layouts = []
    for i, raw in enumerate(data.get("layout", [])):
        native = set(KINDS[kind].names) if kind else set()
        for section in ("columns", "constants", "derived", "unknown", "values", "formats"):
            for target in raw.get(section, {}):
                if kind and target not in native:
                    raise ProfileError(_("{profile}: layout {n} maps {section}.{target}, "
                                         "which is not a column of {kind}; map a column of "
                                         "{kind} or remove that line").format(
                        profile=where, n=i + 1, section=section, target=target, kind=kind))
        for target, spec in raw.get("derived", {}).items():
            _check_derived(where, target, spec)
        layouts.append(Layout(
            name=raw.get("name", f"layout {i + 1}"),
            when_columns=_as_tuple(raw.get("when_columns", ())),
            columns={k: str(v) for k, v in raw.get("columns", {}).items()},
            constants={k: str(v) for k, v in raw.get("constants", {}).items()},
            derived=dict(raw.get("derived", {})),
            unknown={k: _as_tuple(v) for k, v in raw.get("unknown", {}).items()},
            values={k: {str(a): str(b) for a, b in v.items()} for k, v in raw.get("values", {}).items()},
            formats={k: _as_tuple(v) for k, v in raw.get("formats", {}).items()},
        ))
    if name != "native" and not layouts:
        raise ProfileError(_("the profile {profile} has no [[layout]]; add one with "
                             "when_columns and the columns it maps").format(profile=where))
    skip_rows, header_rows = data.get("skip_rows", 0), data.get("header_rows", 1)
    if not isinstance(skip_rows, int) or skip_rows < 0:
        raise ProfileError(_("{profile}: skip_rows must be a whole number of lines (0 or "
                             "more)").format(profile=where))
    if header_rows not in (1, 2):
        raise ProfileError(_("{profile}: header_rows must be 1 or 2").format(profile=where))
    repeated = data.get("repeated_keys", "reject")
    if repeated not in ("reject", "keep_last"):
        raise ProfileError(_("{profile}: repeated_keys must be \"reject\" or \"keep_last\""
                             ).format(profile=where))
    return Profile(name=name, kind=kind, description=data.get("description", ""),
                   layouts=tuple(layouts), source=source, skip_rows=skip_rows,
                   header_rows=header_rows, where=_parse_where(data.get("where"), where),
                   repeated_keys=repeated,
                   digest="native" if name == "native"
                   else hashlib.sha256(text.encode("utf-8")).hexdigest())


DERIVED_KEYS = {"source", "join", "separator", "hash", "prefix", "sum", "add_minutes",
                "null_if", "pattern", "default", "when", "next_day_before"}
# next_day_before: a timestamp this much earlier than its reference crossed midnight; a
# smaller gap is a source error and stays (rejected by the "not before created_at" rule)
_MIDNIGHT_GAP = pl.duration(hours=12)


def _check_derived(where: str, target: str, spec: Any) -> None:
    """A derived column's keys are known and its pattern is a regex with a group (a typo
    or a bad pattern is said when the profile is read, not half-way through a load)."""
    if not isinstance(spec, dict):
        raise ProfileError(_("{profile}: derived.{target} must be a table {{ … }}").format(
            profile=where, target=target))
    unknown = sorted(set(spec) - DERIVED_KEYS)
    if unknown:
        raise ProfileError(_("{profile}: derived.{target} has unknown key(s) {keys}; use "
                             "{known}").format(profile=where, target=target,
                                               keys=", ".join(unknown),
                                               known=", ".join(sorted(DERIVED_KEYS))))
    if "pattern" in spec:
        try:
            groups = re.compile(str(spec["pattern"])).groups
        except re.error as exc:
            groups, problem = 0, str(exc)
        else:
            problem = _("it has no (group)")
        if groups < 1:
            raise ProfileError(_("{profile}: derived.{target}: the pattern {pattern} cannot be "
                                 "used ({problem}); write a regular expression with one "
                                 "(group)").format(profile=where, target=target,
                                                    pattern=repr(spec["pattern"]),
                                                    problem=problem))


def _parse_where(raw: Any, where: str) -> Where | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "column" not in raw or ("in" in raw) == ("not_in" in raw):
        raise ProfileError(_("{profile}: where needs a column and either in = [...] or "
                             "not_in = [...]").format(profile=where))
    return Where(str(raw["column"]), _as_tuple(raw.get("in", raw.get("not_in"))), "in" in raw)


def shipped_profiles() -> dict[str, Profile]:
    return {p.name: p for p in (parse_profile(f.read_text(encoding="utf-8"), f)
                                for f in sorted(SHIPPED.glob("*.toml")))}


def find_profile(name_or_path: str) -> Profile:
    """A shipped profile by name, or a profile file by path."""
    shipped = shipped_profiles()
    if name_or_path in shipped:
        return shipped[name_or_path]
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.exists():
        return parse_profile(path.read_text(encoding="utf-8"), path)
    raise ProfileError(_("there is no profile {name}: use one of {names} or the path of a "
                         ".toml profile").format(name=repr(name_or_path),
                                                 names=", ".join(sorted(shipped))))


def detect_profile(header: list[str]) -> Profile:
    """The shipped non-native profile whose layout matches the header, else native."""
    for profile in shipped_profiles().values():
        if not profile.is_native and profile.layout_for(header):
            return profile
    return shipped_profiles()["native"]


def row_ids(frame: pl.DataFrame, cols: list[str], prefix: str,
            seen: dict[str, int]) -> pl.Series:
    """A stable id per row: a SHA-256 digest of its normalised values (trimmed, joined by
    U+001F) and the row's occurrence among identical rows of the file (`seen` carries the
    counts across the batches of one file). hashlib's digest never changes between
    versions, unlike a dataframe library's hash."""
    texts = frame.select(pl.concat_str([pl.col(c).str.strip_chars().fill_null("") for c in cols],
                                       separator="\x1f")).to_series().to_list()
    ids = []
    for text in texts:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
        n = seen.get(digest, 0)
        seen[digest] = n + 1
        ids.append(f"{prefix}{digest}-{n}")
    return pl.Series(ids, dtype=pl.String)


def _as_text(expr: pl.Expr) -> pl.Expr:
    """Trimmed text, empty as null."""
    text = expr.cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _timestamp(text: pl.Expr, formats: tuple[str, ...]) -> pl.Expr:
    return pl.coalesce([text.str.to_datetime(f, strict=False, time_unit="us")
                        for f in (*formats, *NAIVE_FORMATS)]
                       + [text.str.to_date(f, strict=False).cast(pl.Datetime("us"))
                          for f in DATE_FORMATS])


def _number(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all(",", "").cast(pl.Float64, strict=False)


def _derived_expr(spec: dict[str, Any], columns: list[str], target: str,
                  layout: Layout, depth: int = 0) -> pl.Expr:
    """One derived column as text (see the module docstring for the keys)."""
    if "hash" in spec:  # filled in apply_layout (needs the file's occurrence counts)
        expr = pl.col(_hash_column(target))
    elif "sum" in spec:
        parts = [_as_text(pl.col(c)) for c in _as_tuple(spec["sum"])]
        numbers = [_number(p) for p in parts]
        bad = pl.any_horizontal(p.is_not_null() & n.is_null() for p, n in zip(parts, numbers, strict=True))
        total = pl.sum_horizontal(numbers)
        # a value that is not a number keeps the text, so the load rejects it by its value
        expr = (pl.when(bad).then(pl.concat_str([p.fill_null("") for p in parts], separator=" + "))
                .when(pl.all_horizontal(p.is_null() for p in parts)).then(None)
                .otherwise(total.cast(pl.String)))
    elif "add_minutes" in spec:
        pair = _as_tuple(spec["add_minutes"])
        if len(pair) != 2:
            raise ProfileError(_("derived.{target}: add_minutes needs [start, minutes]"
                                 ).format(target=target))
        start_name, minutes_col = pair
        start = _as_text(_source_of(start_name, columns, layout, depth))
        minutes = _as_text(pl.col(minutes_col))
        parsed = _timestamp(start, layout.formats.get(start_name, ()))
        mins = _number(minutes)
        added = (parsed + pl.duration(microseconds=(mins * 60_000_000).round(0).cast(pl.Int64)))
        expr = (pl.when(start.is_null() | minutes.is_null()).then(None)
                .when(parsed.is_null() | mins.is_null())
                .then(pl.concat_str([start, pl.lit(" + "), minutes, pl.lit(" min")]))
                .otherwise(added.dt.strftime("%Y-%m-%d %H:%M:%S")))
    else:
        sources = list(_as_tuple(spec.get("join", spec.get("source", ()))))
        if not sources:
            raise ProfileError(_("derived.{target} needs source, join, hash, sum or "
                                 "add_minutes").format(target=target))
        expr = pl.concat_str([pl.col(c) for c in sources], separator=str(spec.get("separator", " ")))
        null_if = _as_tuple(spec.get("null_if", ()))
        if null_if:
            any_sentinel = pl.any_horizontal(pl.col(c).str.strip_chars().is_in(null_if)
                                             for c in sources)
            expr = pl.when(any_sentinel).then(None).otherwise(expr)
    if "pattern" in spec:
        # the first group's text; a value the pattern does not fit is kept as it is, so
        # a bad value is rejected showing what the file holds
        found = expr.str.extract(str(spec["pattern"]), 1)
        expr = pl.when(found.is_not_null()).then(found).otherwise(expr)
    if "default" in spec:
        expr = pl.coalesce(_as_text(expr), pl.lit(str(spec["default"])))
    if "next_day_before" in spec:
        reference_name = str(spec["next_day_before"])
        reference = _timestamp(_as_text(_source_of(reference_name, columns, layout, depth)),
                               layout.formats.get(reference_name, ()))
        value = _timestamp(_as_text(expr), layout.formats.get(target, ()))
        expr = (pl.when(value.is_not_null() & reference.is_not_null()
                        & (value < reference - _MIDNIGHT_GAP))
                .then((value + pl.duration(days=1)).dt.strftime("%Y-%m-%d %H:%M:%S"))
                .otherwise(_as_text(expr)))
    when = spec.get("when")
    if when:
        allowed = _as_tuple(when.get("in", when.get("equals", ())))
        expr = pl.when(pl.col(when["column"]).str.strip_chars().is_in(allowed)).then(expr)
    return expr


def _source_of(name: str, columns: list[str], layout: Layout, depth: int) -> pl.Expr:
    """A start for add_minutes: another target of the layout (renamed or derived), else a
    source column of that name."""
    if name in layout.columns:
        return pl.col(layout.columns[name])
    if name in layout.derived and depth < 3:
        return _derived_expr(layout.derived[name], columns, name, layout, depth + 1)
    return pl.col(name)


def _hash_column(target: str) -> str:
    return f"__hash_{target}"


def missing_sources(layout: Layout) -> set[str]:
    """Source columns the layout reads."""
    needed = set(layout.columns.values())
    for spec in layout.derived.values():
        for key in ("join", "source", "sum"):
            needed |= set(_as_tuple(spec.get(key, ())))
        if "add_minutes" in spec:
            start, *rest = _as_tuple(spec["add_minutes"])
            needed |= set(rest)
            if start not in layout.columns and start not in layout.derived:
                needed.add(start)
        if "hash" in spec and spec["hash"] != "*":
            needed |= set(_as_tuple(spec["hash"]))
        if spec.get("when"):
            needed.add(spec["when"]["column"])
        if "next_day_before" in spec:
            reference = str(spec["next_day_before"])
            if reference not in layout.columns and reference not in layout.derived:
                needed.add(reference)
    return needed


def apply_layout(frame: pl.DataFrame, layout: Layout, source_columns: list[str],
                 seen: dict[str, int] | None = None) -> pl.DataFrame:
    """Source columns (text) -> native columns (text); keeps __line. `seen`: occurrence
    counts of hashed ids, carried across the batches of one file."""
    absent = sorted(missing_sources(layout) - set(frame.columns))
    if absent:
        raise ProfileError(f"the file lacks column(s) {', '.join(absent)} that layout "
                           f"{layout.name!r} reads")
    seen = {} if seen is None else seen
    real = [c for c in source_columns if not c.startswith(IGNORED_MARK)]
    for target, spec in layout.derived.items():
        if "hash" in spec:
            cols = real if spec["hash"] == "*" else list(_as_tuple(spec["hash"]))
            frame = frame.with_columns(row_ids(frame, cols, str(spec.get("prefix", "")), seen)
                                       .alias(_hash_column(target)))
    exprs: dict[str, pl.Expr] = {}
    for target, src in layout.columns.items():
        exprs[target] = pl.col(src).cast(pl.String)
    for target, spec in layout.derived.items():
        exprs[target] = _derived_expr(spec, source_columns, target, layout)
    for target, value in layout.constants.items():
        exprs[target] = pl.lit(value)
    # lazily, so that the expressions several targets share (next_day_before's parsed
    # reference, a derived start) are computed once (polars' common-subexpression pass)
    out = frame.lazy().select(pl.col("__line"), *(e.alias(t) for t, e in exprs.items())
                              ).collect()
    for target, sentinels in layout.unknown.items():
        if target in out.columns:
            out = out.with_columns(
                pl.when(pl.col(target).str.strip_chars().is_in(sentinels)).then(None)
                .otherwise(pl.col(target)).alias(target))
    for target, mapping in layout.values.items():
        if target in out.columns:
            out = out.with_columns(_mapped(pl.col(target), mapping).alias(target))
    return out


def _mapped(col: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    """A value map: the exact (trimmed) value first, else the value ignoring case; "" maps
    the empty value; anything else passes through."""
    text = col.str.strip_chars()
    exact = text.replace_strict(mapping, default=None, return_dtype=pl.String)
    folded = {k.lower(): v for k, v in mapping.items()}
    caseless = text.str.to_lowercase().replace_strict(folded, default=None,
                                                      return_dtype=pl.String)
    out = pl.coalesce(exact, caseless, text)
    if "" in mapping:
        out = pl.when(text.is_null() | (text == "")).then(pl.lit(mapping[""])).otherwise(out)
    return out


def where_mask(frame: pl.DataFrame, where: Where) -> pl.Series:
    """True for the rows a profile's `where` keeps."""
    inside = pl.col(where.column).str.strip_chars().fill_null("").is_in(where.values)
    return frame.select((inside if where.keep else ~inside).alias("keep")).to_series()


def native_frame(frame: pl.DataFrame, kind_names: list[str] | None = None) -> pl.DataFrame:
    """Native layout: headers matched loosely; only the kind's columns are renamed (the
    others are left aside, and kept in the raw row)."""
    renames = {c: normalise_header(c) for c in frame.columns if c != "__line"}
    if kind_names is not None:
        renames = {c: n for c, n in renames.items() if n in kind_names}
    return frame.rename(renames)
