"""The metrics registry: every measure and every dimension of spec/kpis.md, described once.

A **dimension** entry names the SQL expression (over `fact_tickets as f`) that a
breakdown groups by. Those expressions are the only identifiers ever formatted into
SQL text: they come from this fixed table, never from a request; every value is bound.

This module imports neither DuckDB nor Streamlit: pages, the CLI and view models
read it freely.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.i18n import N_


@dataclass(frozen=True)
class Dimension:
    """One way to group or filter tickets (spec/kpis.md "Filters" and "Groups").

    key:        the name used by `--by`, URL keys and JSON keys ("branch", "week").
    label:      marked for translation; show with `_()`.
    sql:        the allow-listed expression over `fact_tickets as f`.
    filter:     whether it is also a filter (time grains are not).
    lowercase:  filter values are trimmed and, for these, lower-cased (extracts store
                channel, type and priority lower-case).
    kind:       "text" | "date" (YYYY-MM-DD) | "month" (YYYY-MM) | "int" -- how a group
                value leaves the query API and the JSON of spec/cli.md.
    """

    key: str
    label: str
    sql: str
    filter: bool = True
    lowercase: bool = False
    kind: str = "text"


DIMENSION_REGISTRY: dict[str, Dimension] = {d.key: d for d in (
    Dimension("channel", N_("Channel"), "f.channel", lowercase=True),
    Dimension("region", N_("Region"), "f.region"),
    Dimension("branch", N_("Branch"), "f.branch_id"),
    Dimension("category", N_("Category"), "f.category"),
    Dimension("type", N_("Type"), "f.type", lowercase=True),
    Dimension("priority", N_("Priority"), "f.priority", lowercase=True),
    Dimension("segment", N_("Segment"), "f.segment"),
    # time grains of created_at; dates stay dates in SQL (grouping on them is cheaper than
    # on text) and are written as text by the query API
    Dimension("day", N_("Day"), "cast(f.created_at as date)", filter=False, kind="date"),
    Dimension("week", N_("Week"), "cast(date_trunc('week', f.created_at) as date)",
              filter=False, kind="date"),
    Dimension("month", N_("Month"), "cast(date_trunc('month', f.created_at) as date)",
              filter=False, kind="month"),
    Dimension("weekday", N_("Weekday"), "isodow(f.created_at)", filter=False, kind="int"),
    Dimension("hour", N_("Hour"), "hour(f.created_at)", filter=False, kind="int"),
)}

# Filter dimensions in sidebar order, and every grouping (filters first, then grains).
FILTER_DIMENSIONS: tuple[str, ...] = tuple(k for k, d in DIMENSION_REGISTRY.items() if d.filter)
GROUPINGS: tuple[str, ...] = tuple(DIMENSION_REGISTRY)
# Spellings accepted for a dimension besides its key (the extract's column name).
DIMENSION_ALIASES: dict[str, str] = {"branch_id": "branch"}


def parse_by(by: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """`None` -> (), "channel" -> ("channel",), "channel,branch" or ("channel", "branch")
    -> both. At most two distinct known dimensions; ValueError naming the choices otherwise."""
    if by is None:
        return ()
    parts = [p for p in by.split(",")] if isinstance(by, str) else list(by)
    dims = tuple(DIMENSION_ALIASES.get(p.strip(), p.strip()) for p in parts if p and p.strip())
    unknown = [d for d in dims if d not in DIMENSION_REGISTRY]
    if unknown:
        raise ValueError(f"cannot group by {', '.join(map(repr, unknown))}; "
                         f"choose one or two of {', '.join(GROUPINGS)}")
    if len(dims) > 2:
        raise ValueError("group by at most two dimensions")
    if len(dims) == 2 and dims[0] == dims[1]:
        raise ValueError(f"cannot group by {dims[0]!r} twice")
    return dims


def group_key_sql(dims: tuple[str, ...]) -> str:
    """The `grp` expression of filtered_tickets.sql for these (already parsed) dimensions.

    One dimension: its expression. Two: a struct with fields g1, g2 (one key, so the shared
    rules that group by `grp` -- churn.sql -- serve any breakdown unchanged). None: null.
    """
    if not dims:
        return "cast(null as varchar)"
    exprs = [DIMENSION_REGISTRY[d].sql for d in dims]
    if len(exprs) == 1:
        return exprs[0]
    return f"struct_pack(g1 := {exprs[0]}, g2 := {exprs[1]})"
