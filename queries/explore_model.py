"""The Explore page's vocabulary without a database driver: stages, SLA states, backlog
age bands, sort keys, the columns of a ticket object (spec/cli.md), the ticket-list
narrowing (TicketSelection) and how a customer's other contacts relate to a ticket.

Pages and view models import this module (it loads neither DuckDB nor Streamlit);
queries/explore.py runs the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

# Funnel stages in order (spec/kpis.md "Funnel"); a ticket's funnel_depth is the index of
# the deepest stage it reached.
STAGES: tuple[str, ...] = ("received", "assigned", "responded", "resolved", "closed",
                           "surveyed", "satisfied")
SLA_STATES: tuple[str, ...] = ("met", "breached", "pending")
# Backlog age bands of open tickets at as_of: [from, to) hours (None = open-ended).
AGE_BANDS: dict[str, tuple[int | None, int | None]] = {
    "lt1d": (None, 24), "1to3d": (24, 72), "3to7d": (72, 168), "7to30d": (168, 720),
    "gt30d": (720, None),
}
# Sort keys of the ticket list (bound as a value; the SQL maps each to an expression).
SORT_KEYS: tuple[str, ...] = ("created_at", "frt", "resolution", "csat", "nps", "reopen",
                              "deadline", "age")
# The native ticket columns of spec/extracts.md, in the order a ticket object lists them.
NATIVE_TICKET_COLUMNS: tuple[str, ...] = (
    "ticket_id", "customer_id", "channel", "branch_id", "category", "type", "priority",
    "created_at", "assigned_at", "first_response_at", "resolved_at", "closed_at", "status",
    "reopen_count", "escalated", "agent_id", "subject", "description",
)
# A ticket object of spec/cli.md (`tickets --json`, `customer --json` contacts).
TICKET_OBJECT_COLUMNS: tuple[str, ...] = (
    *NATIVE_TICKET_COLUMNS, "region", "segment", "sla_state", "is_repeat", "latest_csat",
    "latest_nps",
)
SURVEY_COLUMNS: tuple[str, ...] = ("survey_id", "ticket_id", "responded_at", "csat", "nps",
                                   "ces", "comment")
CUSTOMER_COLUMNS: tuple[str, ...] = ("customer_id", "segment", "home_branch_id", "joined_at",
                                     "churned_at", "annual_value")
AT_RISK_DAYS = 90  # "two or more complaints in 90 days"
# A call-back list is read whole: the page once showed the 200 most valuable of 537 demo
# customers without saying so. Beyond this many the page says the list is cut.
AT_RISK_LIMIT = 5000


@dataclass(frozen=True)
class TicketSelection:
    """What narrows the ticket list beyond the global filters (the Explore page's x_* keys).

    stage: funnel stage reached (STAGES); stuck_at: open tickets whose deepest stage is this
    one; sla: SLA_STATES; text: substring of subject, description or a survey comment
    (case-insensitive); low_score: latest CSAT <= 2 or NPS <= 6; week: Monday of an ISO
    week of created_at; weekday: 1 (Monday) .. 7; hour: 0..23; open_only: not resolved at
    as_of; age: AGE_BANDS key (open tickets by age at as_of); repeat / reopened /
    escalated: only those; customer_id / ticket_id: one customer's or one ticket's rows.
    Raises ValueError for a value outside these sets.
    """

    stage: str | None = None
    stuck_at: str | None = None
    sla: str | None = None
    text: str | None = None
    low_score: bool = False
    week: date | None = None
    weekday: int | None = None
    hour: int | None = None
    open_only: bool = False
    age: str | None = None
    repeat: bool = False
    reopened: bool = False
    escalated: bool = False
    customer_id: str | None = None
    ticket_id: str | None = None

    def __post_init__(self) -> None:
        for name, allowed in (("stage", STAGES), ("stuck_at", STAGES), ("sla", SLA_STATES),
                              ("age", tuple(AGE_BANDS))):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise ValueError(f"{name} {value!r} is not one of {', '.join(allowed)}")
        if self.weekday is not None and not 1 <= self.weekday <= 7:
            raise ValueError(f"weekday {self.weekday} is not 1 (Monday) .. 7 (Sunday)")
        if self.hour is not None and not 0 <= self.hour <= 23:
            raise ValueError(f"hour {self.hour} is not 0 .. 23")
        if self.week is not None and self.week.isoweekday() != 1:
            raise ValueError(f"week {self.week} is not a Monday")


def related_contacts(ticket: dict[str, Any], contacts: pl.DataFrame) -> pl.DataFrame:
    """The customer's other tickets, each with how it relates to `ticket` (column relation).

    The relations read the stored facts the KPIs use (no rule is restated here):
    - "makes this a repeat": `ticket` is a repeat and the other is its latest earlier
      complaint of the same category (created_at = ticket.prev_complaint_at);
    - "breaks this FCR": a new contact breaks the ticket's FCR and the other is that
      contact (created_at = ticket.next_contact_at, same category);
    - "repeat of this": the other is a repeat whose latest earlier complaint is `ticket`;
    - "FCR broken by this": the other's FCR is broken by a new contact, which is `ticket`;
    - "" otherwise (another contact of the same customer).
    contacts: rows of fetch_customer_contacts; the ticket itself is left out.
    """
    others = contacts.filter(pl.col("ticket_id") != ticket["ticket_id"])
    if others.height == 0:
        return others.with_columns(pl.lit("", dtype=pl.String).alias("relation"))
    same_cat = pl.col("category") == ticket["category"]

    def at(value: Any) -> pl.Expr:  # created_at equals a stored neighbour time (null: never)
        return pl.lit(False) if value is None else pl.col("created_at") == value

    rel = (
        pl.when(pl.lit(bool(ticket.get("is_repeat"))) & same_cat
                & (pl.col("type") == "complaint")
                & at(ticket.get("prev_complaint_at")))
        .then(pl.lit("makes this a repeat"))
        .when(pl.lit(bool(ticket.get("new_contact_breaks_fcr"))) & same_cat
              & at(ticket.get("next_contact_at")))
        .then(pl.lit("breaks this FCR"))
        .when(pl.col("is_repeat").fill_null(False) & same_cat
              & (pl.col("prev_complaint_at") == ticket["created_at"]))
        .then(pl.lit("repeat of this"))
        .when(pl.col("new_contact_breaks_fcr").fill_null(False) & same_cat
              & (pl.col("next_contact_at") == ticket["created_at"]))
        .then(pl.lit("FCR broken by this"))
        .otherwise(pl.lit(""))
    )
    return others.with_columns(rel.alias("relation"))


