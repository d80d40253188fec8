"""The tickets and customers behind any number: the Explore page's and the CLI's queries.

`cxdash tickets`, `cxdash customer` and the Explore page call these functions and nothing
else, so the page shows what the CLI prints. The per-ticket states (SLA, resolved, repeat,
FCR, open) come from the shared rules the KPIs use (queries/sla_state.sql, rule_*.sql,
see queries/tickets_base.sql); this module binds parameters. The vocabulary (stages,
states, bands, TicketSelection) is queries/explore_model.py, free of the database driver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb
import polars as pl

from dashboard.settings import Settings, get_settings
from queries import _body, sql_text
from queries.api import Filters, _params, _run, resolve_as_of
from queries.explore_model import (
    AGE_BANDS,
    AT_RISK_DAYS,
    AT_RISK_LIMIT,
    NATIVE_TICKET_COLUMNS,
    SORT_KEYS,
    STAGES,
    SURVEY_COLUMNS,
    TICKET_OBJECT_COLUMNS,
    TicketSelection,
)


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


# Orders written as a plain column (from this fixed list, never from a request) so DuckDB's
# top-N can skip row groups by their min/max created_at; other sorts use ticket_order.sql.
_COLUMN_ORDERS: dict[tuple[str, bool], str] = {
    ("created_at", True): "o.created_at desc, o.ticket_id",
    ("created_at", False): "o.created_at asc, o.ticket_id",
}


def _order_fragment(sort: str, descending: bool) -> tuple[tuple[str, str], ...]:
    order = _COLUMN_ORDERS.get((sort, descending))
    return (("ticket_order", order),) if order else ()


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
    page = _run(con, "tickets", params, (*_text_fragments(selection), *_order_fragment(sort,
                                                                                   descending)))
    # Step 2: the page's rows whole, read within the page's time span only.
    rows_params = _selection_params(con, Filters(as_of=filters.as_of), TicketSelection(),
                                    settings)
    ids = page["ticket_id"].to_list()
    if ids:
        times: list[datetime] = page["created_at"].to_list()
        rows_params["from_ts"] = min(times)
        rows_params["to_ts"] = max(times) + timedelta(microseconds=1)
    rows_params["ticket_ids"] = ids
    rows = _run(con, "tickets_rows", rows_params)
    frame = (page.select("ticket_id").with_row_index("__pos")
             .join(rows, on="ticket_id", how="left").sort("__pos").drop("__pos"))
    missing = [c for c in NATIVE_TICKET_COLUMNS if c not in frame.columns]
    return frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)


def count_tickets(con: duckdb.DuckDBPyConnection, filters: Filters,
                  selection: TicketSelection | None = None,
                  settings: Settings | None = None) -> dict[str, int]:
    """How many tickets the list has: {"tickets": n}."""
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


def fetch_at_risk(con: duckdb.DuckDBPyConnection, filters: Filters,
                  days: int = AT_RISK_DAYS, limit: int = AT_RISK_LIMIT,
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
    # every contact the customer has; more than contacts.height when the story was cut
    # to its newest `limit` contacts (fetch_customer_story)
    total_contacts: int = 0


def fetch_customer_story(con: duckdb.DuckDBPyConnection, customer_id: str,
                         as_of: datetime | None = None,
                         settings: Settings | None = None,
                         limit: int | None = 5000) -> CustomerStory | None:
    """Everything about one customer; None when neither the customers table nor any
    ticket knows the id. Contacts oldest first; a customer with more than `limit`
    contacts gets the newest `limit` of them (the story's end is what a call-back needs)
    and total_contacts says how many there are; limit None: every contact (the CLI)."""
    as_of = as_of or resolve_as_of(con, Filters())
    profile = fetch_customer(con, customer_id, as_of)
    total = count_tickets(con, Filters(as_of=as_of), TicketSelection(customer_id=customer_id),
                          settings)["tickets"]
    if limit is None or total <= limit:
        contacts = fetch_customer_contacts(con, customer_id, as_of, settings,
                                           limit=max(total, 1))
    else:
        contacts = fetch_tickets(con, Filters(as_of=as_of),
                                 TicketSelection(customer_id=customer_id), sort="created_at",
                                 descending=True, limit=limit, settings=settings).reverse()
    if profile is None and contacts.height == 0:
        return None
    surveys = fetch_surveys(con, contacts["ticket_id"].to_list()) if contacts.height else \
        pl.DataFrame(schema={c: pl.String for c in SURVEY_COLUMNS})
    return CustomerStory(customer_id, profile, contacts, surveys, as_of, total_contacts=total)


def ticket_objects(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows of fetch_tickets as the ticket objects of spec/cli.md (TICKET_OBJECT_COLUMNS)."""
    return frame.select(TICKET_OBJECT_COLUMNS).to_dicts()
