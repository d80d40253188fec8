"""The five extract kinds of spec/extracts.md: their columns, types and rules."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | timestamp | date | int | number | bool
    required: bool = False
    lower: bool = False          # stored trimmed and lower-cased
    default: str | None = None   # used when the value is empty
    allowed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    not_before: str | None = None  # another column this one may not precede


@dataclass(frozen=True)
class Kind:
    name: str
    key: str
    columns: tuple[Column, ...]
    # columns whose presence in a header says "this is probably that kind"
    signature: tuple[str, ...] = field(default=())
    # at least one of these must hold a value
    one_of: tuple[str, ...] = ()

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


TICKET_TIMES = ("assigned_at", "first_response_at", "resolved_at", "closed_at")
TICKET_STATUSES = ("open", "in_progress", "resolved", "closed")

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("tickets", "ticket_id", (
        Column("ticket_id", "text", required=True),
        Column("customer_id", "text"),
        Column("channel", "text", required=True, lower=True),
        Column("branch_id", "text", required=True),
        Column("category", "text", required=True),
        Column("type", "text", lower=True, default="complaint",
               allowed=("complaint", "inquiry", "suggestion", "praise")),
        Column("priority", "text", lower=True, default="normal",
               allowed=("urgent", "high", "normal", "low")),
        Column("created_at", "timestamp", required=True),
        *(Column(t, "timestamp", not_before="created_at") for t in TICKET_TIMES),
        # optional: a source's own words are mapped by its profile (311: Open/Closed)
        Column("status", "text", lower=True, allowed=TICKET_STATUSES),
        Column("reopen_count", "int", default="0", min=0),
        Column("escalated", "bool", default="false"),
        Column("agent_id", "text"),
        Column("subject", "text"),
        Column("description", "text"),
    ), signature=("ticket_id", "created_at", "channel", "branch_id")),
    Kind("surveys", "survey_id", (
        Column("survey_id", "text", required=True),
        Column("ticket_id", "text", required=True),
        Column("responded_at", "timestamp", required=True),
        Column("csat", "int", min=1, max=5),
        Column("nps", "int", min=0, max=10),
        Column("ces", "int", min=1, max=7),
        Column("comment", "text"),
    ), signature=("survey_id", "responded_at"), one_of=("csat", "nps")),
    Kind("customers", "customer_id", (
        Column("customer_id", "text", required=True),
        Column("segment", "text"),
        Column("home_branch_id", "text"),
        Column("joined_at", "date"),
        Column("churned_at", "date", not_before="joined_at"),
        Column("annual_value", "number", min=0),
    ), signature=("customer_id", "segment", "joined_at", "churned_at", "home_branch_id",
                  "annual_value")),
    Kind("branches", "branch_id", (
        Column("branch_id", "text", required=True),
        Column("branch_name", "text"),
        Column("region", "text"),
        Column("latitude", "number", min=-90, max=90),
        Column("longitude", "number", min=-180, max=180),
    ), signature=("branch_id", "branch_name", "region", "latitude", "longitude")),
    Kind("fixes", "fix_id", (
        Column("fix_id", "text", required=True),
        Column("title", "text", required=True),
        Column("launched_at", "date", required=True),
        Column("category", "text"),
        Column("channel", "text", lower=True),
        Column("branch_id", "text"),
        Column("region", "text"),
        Column("owner", "text"),
        Column("description", "text"),
    ), signature=("fix_id", "launched_at", "title")),
)}


def rank_kinds(columns: list[str]) -> list[tuple[str, int]]:
    """Kinds whose key column is in a native header, with how many header columns each
    explains, best first. A tickets file holds customer_id and branch_id too, but it
    explains far more of the header than customers or branches do."""
    present = {c.strip().lower() for c in columns}
    ranked = [(kind.name, sum(1 for c in kind.names if c in present))
              for kind in KINDS.values() if kind.key in present]
    return sorted(ranked, key=lambda item: -item[1])
