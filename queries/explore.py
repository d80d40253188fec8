"""The tickets and customers behind any number: the Explore page's and the CLI's queries.

`cxdash tickets`, `cxdash customer` and the Explore page call these functions and nothing
else, so the page shows what the CLI prints. The per-ticket states (SLA, repeat, FCR,
open) come from the SQL the KPIs use (queries/sla_state.sql and the repeat/FCR
expressions of kpis.sql, see queries/tickets_base.sql); this module binds parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import polars as pl

from dashboard.settings import Settings, get_settings
from queries import _body, sql_text
from queries.api import Filters, _params, _run, resolve_as_of

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
                              "deadline")
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


def _like_pattern(text: str | None) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _selection_params(con: duckdb.DuckDBPyConnection, filters: Filters,
                      selection: TicketSelection, settings: Settings) -> dict[str, Any]:
    params = _params(con, filters, settings)
    low, high = AGE_BANDS[selection.age] if selection.age else (None, None)
    params.update({
        "stage_min": STAGES.index(selection.stage) if selection.stage else None,
        "stage_at": STAGES.index(selection.stuck_at) if selection.stuck_at else None,
        "sla_filter": selection.sla,
        "q": _like_pattern(selection.text),
        "score_low": True if selection.low_score else None,
        "week_start": datetime.combine(selection.week, datetime.min.time())
        if selection.week else None,
        "weekday": selection.weekday,
        "hour": selection.hour,
        "open_only": True if (selection.open_only or selection.age) else None,
        "age_min_h": low,
        "age_max_h": high,
        "repeat_only": True if selection.repeat else None,
        "reopened_only": True if selection.reopened else None,
        "escalated_only": True if selection.escalated else None,
        "customer_id": selection.customer_id.strip() if selection.customer_id else None,
        "ticket_id": selection.ticket_id.strip() if selection.ticket_id else None,
        "ticket_ids": None,
    })
    return params


def _text_fragments(selection: TicketSelection) -> tuple[tuple[str, str], ...]:
    """A text search swaps the `true` of ticket_text.sql for ticket_text_match.sql (a fixed
    file of this package; the user's text is bound as $q, never formatted in)."""
    if _like_pattern(selection.text) is None:
        return ()
    return (("ticket_text", _body(sql_text("ticket_text_match"))),)


def fetch_tickets(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    selection: TicketSelection | None = None,
    sort: str = "created_at",
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """One page of the tickets behind a number (queries/tickets.sql), newest first by default.

    Returns one row per ticket: every column of the tickets table (the native columns of
    spec/extracts.md and the stored facts: region, segment, latest_csat, latest_nps,
    prev_complaint_at, next_contact_at, funnel_depth, ...) plus sla_deadline, sla_state
    ('met' | 'breached' | 'pending' | null when the source has no response times),
    is_repeat, is_fcr, new_contact_breaks_fcr, fcr_pending, is_open (at as_of), frt_min,
    resolution_min, age_min (minutes). The paging happens in SQL ($limit/$offset).
    Raises ValueError for an unknown sort key or a negative limit/offset.
    """
    settings = settings or get_settings()
    if sort not in SORT_KEYS:
        raise ValueError(f"cannot sort by {sort!r}; choose one of {', '.join(SORT_KEYS)}")
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must be 0 or more")
    selection = selection or TicketSelection()
    params = _selection_params(con, filters, selection, settings)
    params.update({"sort_key": sort, "sort_desc": descending, "limit": limit, "offset": offset})
    page = _run(con, "tickets", params, _text_fragments(selection))
    # Step 2: the page's rows whole, read within the page's time span only.
    rows_params = _selection_params(con, Filters(as_of=filters.as_of), TicketSelection(),
                                    settings)
    ids = page["ticket_id"].to_list()
    if ids:
        rows_params["from_ts"] = page["created_at"].min()
        rows_params["to_ts"] = page["created_at"].max() + timedelta(microseconds=1)
    rows_params["ticket_ids"] = ids
    rows = _run(con, "tickets_rows", rows_params)
    frame = (page.select("ticket_id").with_row_index("__pos")
             .join(rows, on="ticket_id", how="left").sort("__pos").drop("__pos"))
    missing = [c for c in NATIVE_TICKET_COLUMNS if c not in frame.columns]
    return frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)


def count_tickets(con: duckdb.DuckDBPyConnection, filters: Filters,
                  selection: TicketSelection | None = None,
                  settings: Settings | None = None) -> dict[str, int]:
    """How many tickets the list has: {"tickets", "open_tickets", "breached", "repeats"}."""
    settings = settings or get_settings()
    selection = selection or TicketSelection()
    params = _selection_params(con, filters, selection, settings)
    return _run(con, "tickets_count", params, _text_fragments(selection)).row(0, named=True)


def fetch_ticket(con: duckdb.DuckDBPyConnection, ticket_id: str, as_of: datetime | None = None,
                 settings: Settings | None = None) -> dict[str, Any] | None:
    """One ticket (any period, no filters) as a row of fetch_tickets; None when unknown."""
    frame = fetch_tickets(con, Filters(as_of=as_of), TicketSelection(ticket_id=ticket_id),
                          limit=1, settings=settings)
    return frame.row(0, named=True) if frame.height else None


def fetch_surveys(con: duckdb.DuckDBPyConnection, ticket_ids: list[str]) -> pl.DataFrame:
    """The surveys of these tickets, oldest first, with is_latest (the one the KPIs use)."""
    return _run(con, "ticket_surveys", {"ticket_ids": list(ticket_ids)})


def fetch_ticket_fixes(con: duckdb.DuckDBPyConnection, ticket_id: str,
                       settings: Settings | None = None) -> pl.DataFrame:
    """The fixes whose scope (treated: category and channel/branch/region) and
    before/after window (setting effect_window_days) the ticket falls in; side pre|post."""
    settings = settings or get_settings()
    return _run(con, "ticket_fixes", {"ticket_id": ticket_id,
                                      "window_days": settings.effect_window_days})


def fetch_customer(con: duckdb.DuckDBPyConnection, customer_id: str,
                   as_of: datetime | None = None) -> dict[str, Any] | None:
    """The customer's profile with tenure_days and churned (at as_of); None when unknown."""
    as_of = as_of or resolve_as_of(con, Filters())
    frame = _run(con, "customer", {"customer_id": customer_id.strip(), "as_of": as_of})
    return frame.row(0, named=True) if frame.height else None


def fetch_customer_contacts(con: duckdb.DuckDBPyConnection, customer_id: str,
                            as_of: datetime | None = None,
                            settings: Settings | None = None,
                            limit: int = 5000) -> pl.DataFrame:
    """Every ticket of the customer across channels, oldest first (rows of fetch_tickets)."""
    return fetch_tickets(con, Filters(as_of=as_of),
                         TicketSelection(customer_id=customer_id), sort="created_at",
                         descending=False, limit=limit, settings=settings)


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


def fetch_at_risk(con: duckdb.DuckDBPyConnection, filters: Filters,
                  days: int = AT_RISK_DAYS, limit: int = 200,
                  settings: Settings | None = None) -> pl.DataFrame:
    """Customers to call back: >= 2 complaints in the `days` days up to as_of (among the
    tickets of the filters' dimensions; the period is replaced by that window) and a low
    latest score (CSAT <= 2 or NPS <= 6) or an open SLA-breached ticket; not churned at
    as_of. Highest annual value first. Columns: customer_id, segment, annual_value,
    joined_at, complaints, contacts, channels, open_breached, latest_csat, latest_nps,
    latest_survey_at, last_contact_at, low_score."""
    settings = settings or get_settings()
    as_of = resolve_as_of(con, filters)
    if as_of is None:
        return pl.DataFrame()
    params = _selection_params(con, filters, TicketSelection(), settings)
    params["from_ts"] = as_of - timedelta(days=days)
    params["to_ts"] = as_of + timedelta(microseconds=1)
    params["limit"] = limit
    return _run(con, "customers_at_risk", params)


@dataclass
class CustomerStory:
    """Customer 360: profile (None when the id is only on tickets), contacts, surveys."""

    customer_id: str
    profile: dict[str, Any] | None
    contacts: pl.DataFrame
    surveys: pl.DataFrame
    as_of: datetime | None = None
    notes: list[str] = field(default_factory=list)


def fetch_customer_story(con: duckdb.DuckDBPyConnection, customer_id: str,
                         as_of: datetime | None = None,
                         settings: Settings | None = None) -> CustomerStory | None:
    """Everything about one customer; None when neither the customers table nor any
    ticket knows the id."""
    as_of = as_of or resolve_as_of(con, Filters())
    profile = fetch_customer(con, customer_id, as_of)
    contacts = fetch_customer_contacts(con, customer_id, as_of, settings)
    if profile is None and contacts.height == 0:
        return None
    surveys = fetch_surveys(con, contacts["ticket_id"].to_list()) if contacts.height else \
        pl.DataFrame(schema={c: pl.String for c in SURVEY_COLUMNS})
    return CustomerStory(customer_id, profile, contacts, surveys, as_of)


def ticket_objects(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows of fetch_tickets as the ticket objects of spec/cli.md (TICKET_OBJECT_COLUMNS)."""
    return frame.select(TICKET_OBJECT_COLUMNS).to_dicts()
