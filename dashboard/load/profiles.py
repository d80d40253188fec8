"""Source profiles: plain TOML files that map another system's export onto a kind.

A profile has one or more layouts; the first whose `when_columns` are all in the
file's header is used (so one profile can read a system's old and new exports).
Per native column a layout gives one of:
  columns.<native> = "Source column"                          rename
  constants.<native> = "value"                                fixed value
  derived.<native> = { join = ["a", "b"], separator = " ",    glue columns together
                       when = { column = "x", in = ["Y"] },   only where a condition holds
                       null_if = ["0:00:00"],                 sources meaning "none"
                       hash = ["a", "b"] | "*", prefix = "" } stable id from values
and, applied after that:
  unknown.<native> = ["0", "N/A"]     sentinels meaning "unknown" (stored as empty)
  values.<native> = { "Web" = "web" } value map (unmapped values pass through)
  formats.<native> = ["%y%m%d %H:%M:%S"]   date/time formats tried first
See README "Loading extracts" for a worked example.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.load.kinds import KINDS

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
class Profile:
    name: str
    kind: str | None          # None: native, the kind is detected from the columns
    description: str
    layouts: tuple[Layout, ...]
    source: Path | None = None

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
        raise ProfileError(f"{where} is not valid TOML: {exc}") from None
    name = data.get("name") or (source.stem if source else None)
    if not name:
        raise ProfileError(f"{where} has no name")
    kind = data.get("kind")
    if kind is not None and kind not in KINDS:
        raise ProfileError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    layouts = []
    for i, raw in enumerate(data.get("layout", [])):
        native = set(KINDS[kind].names) if kind else set()
        for section in ("columns", "constants", "derived", "unknown", "values", "formats"):
            for target in raw.get(section, {}):
                if kind and target not in native:
                    raise ProfileError(f"{where}: layout {i + 1} maps {section}.{target}, "
                                       f"which is not a column of {kind}")
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
        raise ProfileError(f"{where} has no [[layout]]")
    return Profile(name=name, kind=kind, description=data.get("description", ""),
                   layouts=tuple(layouts), source=source)


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
    raise ProfileError(
        f"there is no profile {name_or_path!r}: use one of {', '.join(sorted(shipped))} "
        "or the path of a .toml profile")


def detect_profile(header: list[str]) -> Profile:
    """The shipped non-native profile whose layout matches the header, else native."""
    for profile in shipped_profiles().values():
        if not profile.is_native and profile.layout_for(header):
            return profile
    return shipped_profiles()["native"]


def _derived_expr(spec: dict[str, Any], columns: list[str], target: str) -> pl.Expr:
    if "hash" in spec:
        cols = columns if spec["hash"] == "*" else list(_as_tuple(spec["hash"]))
        row = pl.concat_str([pl.col(c).fill_null("") for c in cols], separator="\x1f")
        # identical rows get their occurrence number, so the id is stable and unique
        occurrence = pl.int_range(pl.len()).over(row)
        digest = row.hash(seed=42).cast(pl.String)
        expr = pl.lit(str(spec.get("prefix", ""))) + digest + pl.lit("-") + occurrence.cast(pl.String)
    else:
        sources = list(_as_tuple(spec.get("join", spec.get("source", ()))))
        if not sources:
            raise ProfileError(f"derived.{target} needs join, source or hash")
        null_if = _as_tuple(spec.get("null_if", ()))
        expr = pl.concat_str([pl.col(c) for c in sources], separator=str(spec.get("separator", " ")))
        if null_if:
            any_sentinel = pl.any_horizontal(pl.col(c).str.strip_chars().is_in(null_if)
                                             for c in sources)
            expr = pl.when(any_sentinel).then(None).otherwise(expr)
    when = spec.get("when")
    if when:
        allowed = _as_tuple(when.get("in", when.get("equals", ())))
        expr = pl.when(pl.col(when["column"]).str.strip_chars().is_in(allowed)).then(expr)
    return expr


def missing_sources(layout: Layout) -> set[str]:
    needed = set(layout.columns.values())
    for spec in layout.derived.values():
        for key in ("join", "source"):
            needed |= set(_as_tuple(spec.get(key, ())))
        if "hash" in spec and spec["hash"] != "*":
            needed |= set(_as_tuple(spec["hash"]))
        if spec.get("when"):
            needed.add(spec["when"]["column"])
    return needed


def apply_layout(frame: pl.DataFrame, layout: Layout, source_columns: list[str]) -> pl.DataFrame:
    """Source columns (text) -> native columns (text); keeps __line."""
    absent = sorted(missing_sources(layout) - set(frame.columns))
    if absent:
        raise ProfileError(f"the file lacks column(s) {', '.join(absent)} that layout "
                           f"{layout.name!r} reads")
    exprs: dict[str, pl.Expr] = {}
    for target, src in layout.columns.items():
        exprs[target] = pl.col(src).cast(pl.String)
    for target, spec in layout.derived.items():
        exprs[target] = _derived_expr(spec, source_columns, target)
    for target, value in layout.constants.items():
        exprs[target] = pl.lit(value)
    out = frame.select(pl.col("__line"), *(e.alias(t) for t, e in exprs.items()))
    for target, sentinels in layout.unknown.items():
        if target in out.columns:
            out = out.with_columns(
                pl.when(pl.col(target).str.strip_chars().is_in(sentinels)).then(None)
                .otherwise(pl.col(target)).alias(target))
    for target, mapping in layout.values.items():
        if target in out.columns:
            out = out.with_columns(
                pl.col(target).str.strip_chars().replace(mapping).alias(target))
    return out


def native_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Native layout: headers matched loosely, unknown columns left aside (kept in raw)."""
    renames = {c: normalise_header(c) for c in frame.columns if c != "__line"}
    return frame.rename(renames)
