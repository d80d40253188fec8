"""Display rules of the Explore page, in plain Python (no Streamlit, no queries).

- The page's URL contract (`ExploreState`): which level is shown and what narrows it,
  read from and written to the query string, so a copied link reproduces the view.
  The global filters (channel, branch, region, category, type, priority, segment,
  period/from/to, as_of) belong to the sidebar (dashboard/state.py); the page's own keys:

  ============  =============================================================
  x_level       channel | region | branch | tickets | ticket | customer | at_risk
  x_ticket      ticket id (level ticket)
  x_customer    customer id (level customer)
  x_stage       funnel stage reached: received .. satisfied; "stuck:<stage>" = open
                tickets whose deepest stage is exactly <stage> (where they are stuck)
  x_sla         met | breached | pending
  x_q           text in subject, description or a survey comment
  x_score       "low" = latest CSAT <= 2 or NPS <= 6
  x_week        Monday YYYY-MM-DD of an ISO week
  x_weekday     1 (Monday) .. 7;  x_hour 0..23
  x_open        "1" = not resolved at as_of
  x_age         lt1d | 1to3d | 3to7d | 7to30d | gt30d (open tickets by age)
  x_repeat, x_reopened, x_escalated   "1" = only those
  x_sort        created_at | frt | resolution | csat | nps | reopen | deadline | age, with a
                leading "-" for descending (default "-created_at": newest first)
  x_page        1-based page of the ticket list (50 a page)
  x_bsort       a breakdown table's order: tickets | complaints | sla_met_pct | fcr_pct |
                repeat_complaint_pct | csat_avg | nps_value | group, with a leading "-"
                for descending (default "group": by name, as the query lists them)
  x_cols        the columns the ticket tables show, comma-separated keys of
                TICKET_TABLE_COLUMNS (default: TICKET_DEFAULT_COLUMNS, which fit the
                page at 1,400 px; the ticket id is always shown)
  ============  =============================================================

  Unknown or malformed values are dropped (and listed in `problems`), never errors.
- How a level is titled, the breadcrumb back up, how SLA states, stages, durations,
  relations and scores read, and the shapes of the tables the page, CLI and exports show.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl

from dashboard.format import option_label
from dashboard.i18n import (
    N_,
    _,
    format_datetime,
    format_duration_minutes,
    format_number,
    value_label,
)
from queries.explore_model import AGE_BANDS, SLA_STATES, SORT_KEYS, STAGES, TicketSelection
from queries.registry import CARD_KEYS

# the KPI cards above every level of Explore
STRIP_KEYS: tuple[str, ...] = ("tickets", "sla_met_pct", "fcr_pct", "repeat_complaint_pct",
                               "csat_avg", "nps")

PAGE_SIZE = 50
LEVELS: tuple[str, ...] = ("channel", "region", "branch", "tickets", "ticket", "customer",
                           "at_risk")
# The drill path through the breakdowns, and the next level after each.
PATH: tuple[str, ...] = ("channel", "region", "branch")
NEXT_LEVEL: dict[str, str] = {"channel": "region", "region": "branch", "branch": "tickets"}
LEVEL_LABELS: dict[str, str] = {
    "channel": N_("Channels"), "region": N_("Regions"), "branch": N_("Branches"),
    "tickets": N_("Tickets"), "ticket": N_("Ticket"), "customer": N_("Customer"),
    "at_risk": N_("Customers at risk"),
}
STAGE_LABELS: dict[str, str] = {
    "received": N_("Received"), "assigned": N_("Assigned"), "responded": N_("Responded"),
    "resolved": N_("Resolved"), "closed": N_("Closed"), "surveyed": N_("Surveyed"),
    "satisfied": N_("Satisfied"),
}
# Colours know what is good: met green, breached red, pending (still within) grey-blue.
SLA_COLORS: dict[str, str] = {"met": "#1a7f4b", "breached": "#c0392b", "pending": "#7f8c9a"}
AGE_LABELS: dict[str, str] = {
    "lt1d": N_("< 1 day"), "1to3d": N_("1–3 days"), "3to7d": N_("3–7 days"),
    "7to30d": N_("7–30 days"), "gt30d": N_("> 30 days"),
}
SORT_LABELS: dict[str, str] = {
    "created_at": N_("Created"), "frt": N_("First response time"),
    "resolution": N_("Resolution time"), "csat": N_("CSAT"), "nps": N_("NPS"),
    "reopen": N_("Reopens"), "deadline": N_("SLA deadline"), "age": N_("Age"),
}
RELATION_LABELS: dict[str, str] = {
    "makes this a repeat": N_("makes this a repeat"),
    "breaks this FCR": N_("breaks this FCR"),
    "repeat of this": N_("is a repeat of this"),
    "FCR broken by this": N_("its FCR is broken by this"),
    "": "",
}
WEEKDAY_LABELS: tuple[str, ...] = (N_("Monday"), N_("Tuesday"), N_("Wednesday"),
                                   N_("Thursday"), N_("Friday"), N_("Saturday"),
                                   N_("Sunday"))
DEFAULT_SORT = "-created_at"
BREAKDOWN_SORT_KEYS: tuple[str, ...] = ("tickets", "complaints", "sla_met_pct", "fcr_pct",
                                        "repeat_complaint_pct", "csat_avg", "nps_value",
                                        "group")
DEFAULT_BSORT = "group"  # the query's order: by name, unknown last
FLAG_KEYS = ("x_open", "x_repeat", "x_reopened", "x_escalated")
URL_KEYS: tuple[str, ...] = (
    "x_level", "x_ticket", "x_customer", "x_stage", "x_sla", "x_q", "x_score", "x_week",
    "x_weekday", "x_hour", "x_open", "x_age", "x_repeat", "x_reopened", "x_escalated",
    "x_sort", "x_page", "x_bsort", "x_cols",
)


def _first(params: Any, key: str) -> str | None:
    """The first value of a query-string key (a str, a list of str, or missing)."""
    value = params.get(key) if hasattr(params, "get") else None
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None:
        return None
    value = str(value).strip()
    return value or None


@dataclass(frozen=True)
class ExploreState:
    """What the Explore page shows, as its URL says it (see the module docstring)."""

    level: str = "channel"
    ticket: str | None = None
    customer: str | None = None
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
    sort: str = DEFAULT_SORT
    page: int = 1
    bsort: str = DEFAULT_BSORT
    # the ticket tables' columns as chosen (TICKET_TABLE_COLUMNS order); None: the defaults
    columns: tuple[str, ...] | None = None
    # a KPI card to show first (x_kpi: a drill from the Weekly page's decomposition of it)
    kpi: str | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)

    # --- URL ------------------------------------------------------------------------
    @classmethod
    def from_params(cls, params: Any) -> ExploreState:
        """Read the x_* keys of a query string (st.query_params or a dict)."""
        problems: list[str] = []
        values: dict[str, Any] = {}

        def bad(key: str, value: str) -> None:
            problems.append(f"{key}={value}")

        level = _first(params, "x_level")
        if level is not None:
            if level in LEVELS:
                values["level"] = level
            else:
                bad("x_level", level)
        for key, name in (("x_ticket", "ticket"), ("x_customer", "customer"), ("x_q", "text")):
            if (v := _first(params, key)) is not None:
                values[name] = v
        if (v := _first(params, "x_stage")) is not None:
            if v in STAGES:
                values["stage"] = v
            elif v.startswith("stuck:") and v[6:] in STAGES:
                values["stuck_at"] = v[6:]
            else:
                bad("x_stage", v)
        if (v := _first(params, "x_sla")) is not None:
            if v in SLA_STATES:
                values["sla"] = v
            else:
                bad("x_sla", v)
        if (v := _first(params, "x_score")) is not None:
            if v == "low":
                values["low_score"] = True
            else:
                bad("x_score", v)
        if (v := _first(params, "x_week")) is not None:
            try:
                week = date.fromisoformat(v)
                if week.isoweekday() != 1:
                    raise ValueError
                values["week"] = week
            except ValueError:
                bad("x_week", v)
        for key, name, low, high in (("x_weekday", "weekday", 1, 7), ("x_hour", "hour", 0, 23),
                                     ("x_page", "page", 1, 10**9)):
            if (v := _first(params, key)) is not None:
                if v.isdigit() and low <= int(v) <= high:
                    values[name] = int(v)
                else:
                    bad(key, v)
        if (v := _first(params, "x_age")) is not None:
            if v in AGE_BANDS:
                values["age"] = v
            else:
                bad("x_age", v)
        for key, name in (("x_open", "open_only"), ("x_repeat", "repeat"),
                          ("x_reopened", "reopened"), ("x_escalated", "escalated")):
            if (v := _first(params, key)) is not None:
                if v in ("1", "true"):
                    values[name] = True
                elif v not in ("0", "false"):
                    bad(key, v)
        if (v := _first(params, "x_sort")) is not None:
            if v.lstrip("-") in SORT_KEYS:
                values["sort"] = v
            else:
                bad("x_sort", v)
        if (v := _first(params, "x_bsort")) is not None:
            if v.lstrip("-") in BREAKDOWN_SORT_KEYS:
                values["bsort"] = v
            else:
                bad("x_bsort", v)
        if (v := _first(params, "x_kpi")) is not None:
            if v in CARD_KEYS:
                values["kpi"] = v
            else:
                bad("x_kpi", v)
        if (v := _first(params, "x_cols")) is not None:
            keys = [k.strip() for k in v.split(",") if k.strip()]
            unknown = [k for k in keys if k not in TICKET_TABLE_COLUMNS]
            if unknown:
                bad("x_cols", ",".join(unknown))
            values["columns"] = chosen_columns(k for k in keys if k not in unknown)
        values = {k: v for k, v in values.items() if v is not None}
        state = cls(**values, problems=tuple(problems))
        # A ticket or customer level without its id falls back to the list.
        if state.level == "ticket" and not state.ticket:
            state = replace(state, level="tickets")
        if state.level == "customer" and not state.customer:
            state = replace(state, level="tickets")
        return state

    def to_params(self) -> dict[str, str]:
        """The x_* keys of this state (defaults left out, so links stay short)."""
        out: dict[str, str] = {"x_level": self.level}
        if self.ticket:
            out["x_ticket"] = self.ticket
        if self.customer:
            out["x_customer"] = self.customer
        if self.stage:
            out["x_stage"] = self.stage
        elif self.stuck_at:
            out["x_stage"] = f"stuck:{self.stuck_at}"
        if self.sla:
            out["x_sla"] = self.sla
        if self.text:
            out["x_q"] = self.text
        if self.low_score:
            out["x_score"] = "low"
        if self.week:
            out["x_week"] = self.week.isoformat()
        if self.weekday is not None:
            out["x_weekday"] = str(self.weekday)
        if self.hour is not None:
            out["x_hour"] = str(self.hour)
        if self.open_only:
            out["x_open"] = "1"
        if self.age:
            out["x_age"] = self.age
        for key, on in (("x_repeat", self.repeat), ("x_reopened", self.reopened),
                        ("x_escalated", self.escalated)):
            if on:
                out[key] = "1"
        if self.sort != DEFAULT_SORT:
            out["x_sort"] = self.sort
        if self.page != 1:
            out["x_page"] = str(self.page)
        if self.bsort != DEFAULT_BSORT:
            out["x_bsort"] = self.bsort
        if self.columns is not None and self.columns != TICKET_DEFAULT_COLUMNS:
            out["x_cols"] = ",".join(self.columns)
        if self.kpi:
            out["x_kpi"] = self.kpi
        return out

    def card_keys(self) -> tuple[str, ...]:
        """The KPI cards of the slice: STRIP_KEYS, with the KPI of the link (x_kpi) first
        (the Weekly page's drill from a decomposed KPI: FCR moves to the front, Resolved
        joins the six)."""
        if self.kpi:
            return (self.kpi, *(k for k in STRIP_KEYS if k != self.kpi))
        return STRIP_KEYS

    # --- what it selects -------------------------------------------------------------
    def selection(self) -> TicketSelection:
        """The ticket-list narrowing of this state (queries.explore.TicketSelection)."""
        return TicketSelection(
            stage=self.stage, stuck_at=self.stuck_at, sla=self.sla, text=self.text,
            low_score=self.low_score, week=self.week, weekday=self.weekday, hour=self.hour,
            open_only=self.open_only, age=self.age, repeat=self.repeat,
            reopened=self.reopened, escalated=self.escalated)

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def sort_descending(self) -> bool:
        return self.sort.startswith("-")

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def narrowing(self, text_refused: bool = False) -> list[str]:
        """The ticket-list narrowings in words (translated), for chips and export headers.
        text_refused: the text search was not run (search_reveals_personal_data); the chip
        says so instead of reading as a narrowing that applies."""
        out: list[str] = []
        if self.stage:
            out.append(_("reached stage: {stage}").format(stage=_(STAGE_LABELS[self.stage])))
        if self.stuck_at:
            out.append(_("open, stuck at: {stage}").format(stage=_(STAGE_LABELS[self.stuck_at])))
        if self.sla:
            out.append(_("SLA: {state}").format(state=sla_label(self.sla)))
        if self.text and text_refused:
            out.append(_("text “{text}” (not searched)").format(text=self.text))
        elif self.text:
            out.append(_("text contains “{text}”").format(text=self.text))
        if self.low_score:
            out.append(_("low latest score (CSAT ≤ 2 or NPS ≤ 6)"))
        if self.week:
            out.append(_("week of {day}").format(day=self.week.isoformat()))
        if self.weekday is not None:
            out.append(_(WEEKDAY_LABELS[self.weekday - 1]))
        if self.hour is not None:
            out.append(_("created {hour}:00–{hour}:59").format(hour=f"{self.hour:02d}"))
        if self.open_only:
            out.append(_("open at as of"))
        if self.age:
            out.append(_("open for {band}").format(band=_(AGE_LABELS[self.age])))
        if self.repeat:
            out.append(_("repeat complaints"))
        if self.reopened:
            out.append(_("reopened"))
        if self.escalated:
            out.append(_("escalated"))
        return out

    def cleared(self) -> ExploreState:
        """The same level with no ticket-list narrowing (filters chips' "clear all")."""
        return ExploreState(level=self.level, ticket=self.ticket, customer=self.customer,
                            sort=self.sort, bsort=self.bsort, columns=self.columns)


# --- the drill path and its breadcrumb ---------------------------------------------------

@dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumb: its words, and where a click goes.

    level: the level to show; clear: the global filters a click empties (the deeper
    steps of the path), params: the page's URL keys after the click.
    """

    label: str
    level: str
    clear: tuple[str, ...] = ()
    params: dict[str, str] = field(default_factory=dict)
    current: bool = False


def path_values(filters: Any) -> dict[str, str]:
    """The drill path's chosen values: a path dimension with exactly one filter value."""
    out: dict[str, str] = {}
    for dim in PATH:
        values: tuple[str, ...] = tuple(getattr(filters, dim, ()))
        if len(values) == 1:
            out[dim] = values[0]
    return out


def breadcrumb(state: ExploreState, filters: Any,
               branch_names: dict[str, str] | None = None) -> list[Crumb]:
    """All channels › phone › North › B01 · name › Tickets › T123 › Customer C9.

    Going up to a breakdown level clears the filters of that level and the deeper ones,
    so "Channels" shows every channel again. The ticket-list narrowing is kept when
    stepping back from a ticket to the list.
    """
    chosen = path_values(filters)
    crumbs: list[Crumb] = [Crumb(_("All channels"), "channel", clear=PATH)]
    for i, dim in enumerate(PATH):
        if dim not in chosen:
            continue
        value = chosen[dim]
        label = option_label(dim, value, branch_names)  # as the sidebar names it
        nxt = NEXT_LEVEL[dim]
        crumbs.append(Crumb(label, nxt, clear=PATH[i + 1:] if nxt in PATH else ()))
    list_params = {k: v for k, v in replace(state, level="tickets", ticket=None,
                                            customer=None).to_params().items()}
    # a customer opened without a ticket came from the at-risk list (its rows carry no
    # ticket): the way back is that list, not the ticket list
    from_at_risk = state.level == "customer" and not state.ticket
    if from_at_risk:
        crumbs.append(Crumb(_(LEVEL_LABELS["at_risk"]), "at_risk",
                            params={"x_level": "at_risk"}))
    elif state.level in ("tickets", "ticket", "customer"):
        crumbs.append(Crumb(_("Ticket list"), "tickets", params=list_params))
    if state.level in ("ticket", "customer") and state.ticket:
        crumbs.append(Crumb(_("Ticket {id}").format(id=state.ticket), "ticket",
                            params={**list_params, "x_level": "ticket",
                                    "x_ticket": state.ticket}))
    if state.level == "customer" and state.customer:
        params = {**list_params, "x_level": "customer", "x_customer": state.customer}
        if state.ticket:
            params["x_ticket"] = state.ticket
        crumbs.append(Crumb(_("Customer {id}").format(id=state.customer), "customer",
                            params=params))
    if state.level == "at_risk":
        crumbs.append(Crumb(_(LEVEL_LABELS["at_risk"]), "at_risk"))
    if state.level in PATH and len(crumbs) > 1:
        # the breakdown level itself: which dimension the table lists
        crumbs.append(Crumb(_(LEVEL_LABELS[state.level]), state.level))
    marked = [replace(c, current=(i == len(crumbs) - 1)) for i, c in enumerate(crumbs)]
    return marked


# --- how values read ------------------------------------------------------------------

def sla_label(state: str | None) -> str:
    """'Met' / 'Breached' / 'Pending' (value_label's words); n/a when the source has no
    response times."""
    return value_label("sla_state", state) if state else _("n/a")


def duration(minutes: float | None) -> str:
    """'3 h 20 min' (and '—' for none: a step that has not happened is not n/a)."""
    return "—" if minutes is None else format_duration_minutes(minutes)


def stage_of(depth: int | None) -> str:
    return _(STAGE_LABELS[STAGES[depth]]) if depth is not None and 0 <= depth < 7 else "—"


def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("yes") if value else _("no")


def _minutes(value: float | None) -> float | None:
    """Minutes to one decimal (a tenth of a minute is finer than any SLA)."""
    return None if value is None else round(float(value), 1)


def ticket_table(frame: pl.DataFrame, minutes: bool = False) -> pl.DataFrame:
    """The ticket list as read on the page: durations in words, SLA as a state label,
    scores as numbers (the page draws them as small bars). Columns keep stable English
    keys; the page and the exports translate the headers with `column_label`.

    age: how old the ticket is, in words ("3 d 4 h"): for an open ticket its age at
    as_of, for a resolved one its time to resolution (the query's age_min).

    minutes: also the durations as numbers of minutes (first_response_min,
    resolution_min, age_min, Float64, null when the step has not happened) after their words --
    for downloads, where "1 h 32 min" could not be sorted or averaged."""
    if frame.height == 0:
        columns = TICKET_EXPORT_COLUMNS if minutes else TICKET_TABLE_COLUMNS
        return pl.DataFrame(schema={c: pl.Float64 if c.endswith("_min") else pl.String
                                    for c in columns})
    rows = frame.to_dicts()
    table = pl.DataFrame({
        "ticket_id": [r["ticket_id"] for r in rows],
        "created_at": [r["created_at"] for r in rows],
        "age": [duration(r.get("age_min")) for r in rows],
        "channel": [value_label("channel", r["channel"]) for r in rows],
        "branch_id": [r["branch_id"] for r in rows],
        "category": [r["category"] for r in rows],
        "type": [value_label("type", r["type"]) for r in rows],
        "priority": [value_label("priority", r["priority"]) for r in rows],
        "stage": [stage_of(r.get("funnel_depth")) for r in rows],
        "open": [yes_no(r.get("is_open")) for r in rows],
        "first_response": [duration(r.get("frt_min")) for r in rows],
        "resolution": [duration(r.get("resolution_min")) for r in rows],
        "sla": [sla_label(r.get("sla_state")) for r in rows],
        "repeat": [yes_no(r.get("is_repeat")) for r in rows],
        "reopen_count": [r.get("reopen_count") for r in rows],
        "escalated": [yes_no(r.get("escalated")) for r in rows],
        "csat": [r.get("latest_csat") for r in rows],
        "nps": [r.get("latest_nps") for r in rows],
        "customer_id": [r.get("customer_id") for r in rows],
        "subject": [r.get("subject") for r in rows],
        "first_response_min": [_minutes(r.get("frt_min")) for r in rows],
        "resolution_min": [_minutes(r.get("resolution_min")) for r in rows],
        "age_min": [_minutes(r.get("age_min")) for r in rows],
    }, schema_overrides={"csat": pl.Int64, "nps": pl.Int64, "reopen_count": pl.Int64,
                         "created_at": pl.Datetime("us"), "first_response_min": pl.Float64,
                         "resolution_min": pl.Float64, "age_min": pl.Float64}, strict=False)
    return table.select(TICKET_EXPORT_COLUMNS if minutes else TICKET_TABLE_COLUMNS)


# the scores next to the SLA state, so the small bars are seen without scrolling sideways
TICKET_TABLE_COLUMNS = ("ticket_id", "created_at", "age", "channel", "branch_id", "category", "type",
                        "sla", "csat", "nps", "first_response", "resolution", "stage", "open",
                        "repeat", "reopen_count", "escalated", "priority", "customer_id",
                        "subject")
# What the ticket tables show until the reader chooses (x_cols): when, how old, where,
# what, the SLA state and the score -- what a list is scanned for. Twenty columns scrolled
# sideways at 1,400 px; these nine fit the main column (TABLE_BUDGET_PX) in English and in
# Chinese, whose headers are wider ("客户满意度 (CSAT)"). The others, the subject among them,
# are one choice away; downloads always hold every column.
TICKET_DEFAULT_COLUMNS: tuple[str, ...] = ("ticket_id", "created_at", "age", "channel",
                                           "branch_id", "category", "type", "sla", "csat")
# A customer's other contacts show how each relates to the ticket first (a column of its
# own, right after the id); the branch and the age make room for it by default.
RELATED_DEFAULT_COLUMNS: tuple[str, ...] = ("ticket_id", "created_at", "channel", "category",
                                            "type", "sla", "csat")
# Pixels the grid's columns may take at 1,400 px without scrolling sideways: chromium
# gives the grid 938 px, 36 of them for the row checkbox and borders (measured).
TABLE_BUDGET_PX = 902


def chosen_columns(keys: Any) -> tuple[str, ...]:
    """Ticket-table column keys as the table orders them, the ticket id always first;
    unknown keys are left out."""
    wanted = set(keys) | {"ticket_id"}
    return tuple(c for c in TICKET_TABLE_COLUMNS if c in wanted)


def shown_ticket_columns(chosen: tuple[str, ...] | None, extra: tuple[str, ...] = ()
                         ) -> list[str]:
    """The columns a ticket table shows, in order: the ticket id, the extra columns (a
    related contact's relation), then the chosen ones (None: the defaults, which for a
    table with extra columns are RELATED_DEFAULT_COLUMNS)."""
    if chosen is None:
        chosen = RELATED_DEFAULT_COLUMNS if extra else TICKET_DEFAULT_COLUMNS
    rest = [c for c in chosen_columns(chosen) if c != "ticket_id"]
    return ["ticket_id", *extra, *rest]


TICKET_EXPORT_COLUMNS = tuple(
    c for key in TICKET_TABLE_COLUMNS
    for c in ((key, f"{key}_min") if key in ("first_response", "resolution", "age")
              else (key,)))
COLUMN_LABELS: dict[str, str] = {
    "first_response_min": N_("First response (min)"),
    "resolution_min": N_("Resolution (min)"),
    "age": N_("Age"), "age_min": N_("Age (min)"),
    "ticket_id": N_("Ticket"), "created_at": N_("Created"), "channel": N_("Channel"),
    "branch_id": N_("Branch"), "category": N_("Category"), "type": N_("Type"),
    "priority": N_("Priority"), "stage": N_("Stage reached"), "open": N_("Open"),
    "first_response": N_("First response"), "resolution": N_("Resolution"),
    "sla": N_("SLA"), "repeat": N_("Repeat"), "reopen_count": N_("Reopens"),
    "escalated": N_("Escalated"), "csat": N_("CSAT"), "nps": N_("NPS"),
    "customer_id": N_("Customer"), "subject": N_("Subject"), "relation": N_("Relation"),
    "group": N_("Value"), "tickets": N_("Tickets"), "complaints": N_("Complaints"),
    "sla_met_pct": N_("SLA met %"), "fcr_pct": N_("FCR %"),
    "repeat_complaint_pct": N_("Repeat complaints %"), "csat_avg": N_("CSAT avg"),
    "nps_value": N_("NPS"), "trend": N_("Tickets per week"),
    "segment": N_("Segment"), "annual_value": N_("Annual value"),
    "contacts": N_("Contacts"), "channels": N_("Channels"),
    "open_breached": N_("Breached"), "latest_csat": N_("CSAT"),
    "latest_nps": N_("NPS"), "last_contact_at": N_("Last contact"),
    "low_score": N_("Low score"), "why": N_("Why"), "survey_id": N_("Survey"), "responded_at": N_("Answered"),
    "ces": N_("Effort (CES)"), "comment": N_("Comment"), "is_latest": N_("Latest"),
    "fix_id": N_("Fix"), "title": N_("Title"), "launched_at": N_("Launched"),
    "side": N_("Before / after"), "days_from_launch": N_("Days from launch"),
}


def column_label(key: str) -> str:
    return _(COLUMN_LABELS[key]) if key in COLUMN_LABELS else key


def breakdown_table(kpis: pl.DataFrame, trend: dict[str | None, list[int]] | None = None
                    ) -> pl.DataFrame:
    """A breakdown level's table: one row per value with the KPIs read on it and the
    weekly ticket counts (oldest week first) for a sparkline. kpis: fetch_kpis(by=dim)."""
    trend = trend or {}
    groups = kpis["group"].to_list() if kpis.height else []
    return pl.DataFrame({
        "group": groups,
        "tickets": kpis["tickets"].to_list() if kpis.height else [],
        "complaints": kpis["complaints"].to_list() if kpis.height else [],
        "sla_met_pct": kpis["sla_met_pct"].to_list() if kpis.height else [],
        "fcr_pct": kpis["fcr_pct"].to_list() if kpis.height else [],
        "repeat_complaint_pct": kpis["repeat_complaint_pct"].to_list() if kpis.height else [],
        "csat_avg": kpis["csat_avg"].to_list() if kpis.height else [],
        "nps_value": kpis["nps"].to_list() if kpis.height else [],
        "trend": [trend.get(g, []) for g in groups],
    }, schema_overrides={"group": pl.String, "tickets": pl.Int64, "complaints": pl.Int64,
                         "sla_met_pct": pl.Float64, "fcr_pct": pl.Float64,
                         "repeat_complaint_pct": pl.Float64, "csat_avg": pl.Float64,
                         "nps_value": pl.Float64, "trend": pl.List(pl.Int64)})


def sort_breakdown(table: pl.DataFrame, bsort: str = DEFAULT_BSORT) -> pl.DataFrame:
    """A breakdown table (breakdown_table) in the order of the URL's x_bsort: a column key
    of BREAKDOWN_SORT_KEYS, "-" first for descending. Unknown figures (n/a) go last
    either way; ties keep the value's name order. An unknown key leaves the order."""
    key = bsort.lstrip("-")
    if key not in BREAKDOWN_SORT_KEYS or key not in table.columns or table.height == 0:
        return table
    descending = bsort.startswith("-")
    ordered = table.sort(["group"], nulls_last=True)
    return ordered.sort(key, descending=descending, nulls_last=True, maintain_order=True)


def breakdown_sort_label(bsort: str) -> str:
    """'Tickets ↓' for the Sort by control of a breakdown table."""
    key = bsort.lstrip("-")
    return f"{column_label(key)} {'↓' if bsort.startswith('-') else '↑'}"


# A search for something that is itself personal data would tell, by which tickets it
# finds, whose text holds that phone number or address although the text is masked.
# Masking hides four or more digits of a number (138****5678, 4111-****-****-1111), so a
# search with four digits in a row could find whose hidden digits they are.
_LONG_DIGITS = re.compile(r"\d{4,}")


def search_reveals_personal_data(text: str | None, masking: bool) -> bool:
    """True when masking is on and a text search looks like personal data: masking would
    change it (a phone number, e-mail, ID-card or bank-card number), it holds an "@", or
    it holds four or more digits in a row once spaces and dashes are taken out (the
    digits masking hides are four or more, so a part of a number is enough to find whose
    it is; an amount like 2000 is refused too -- the price of masking). Such a search is
    not run."""
    if not masking or not text:
        return False
    from dashboard.masking import mask_text

    if mask_text(text, enabled=True) != text or "@" in text or "＠" in text:
        return True
    digits = unicodedata.normalize("NFKC", text)
    return bool(_LONG_DIGITS.search(re.sub(r"[\s\-]", "", digits)))


def refused_search_sentence() -> str:
    """Why a search was not run (search_reveals_personal_data)."""
    return _("The text search was not run: with personal data masked, a search cannot hold "
             "an e-mail address or four or more digits in a row (it could be part of a phone, "
             "ID-card or bank-card number), because the tickets it found would tell whose "
             "masked text holds it.")


def refused_search_advice() -> str:
    """What to do instead of a refused search, on the page (whose search box opens a
    ticket or customer by its id)."""
    return _("To see one customer's contacts, enter their customer id from the customer "
             "record (a ticket id opens that ticket); to find tickets by what they are "
             "about, search words of the subject or description. Searching by a phone "
             "number or e-mail address is for people allowed to see personal data, where "
             "masking is off (setting mask_personal_data).")


# A ticket or customer id typed into the search box: one token of letters, digits and
# - _ . (no @, no spaces). Ids are shown unmasked in every table, so opening one by its id
# tells nothing the masking hides.
_ID_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}")


def id_candidates(text: str | None) -> list[str]:
    """The ids a search text could be (as typed and in capitals), or none when it is not
    one id-like token."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not _ID_LIKE.fullmatch(value):
        return []
    return list(dict.fromkeys((value, value.upper())))


def weekly_counts(frame: pl.DataFrame, dim: str) -> dict[str | None, list[int]]:
    """{group: [tickets per week, oldest first]} from fetch_kpis(by=(dim, "week")); weeks
    without tickets count 0 so every row's sparkline has the same weeks."""
    if frame.height == 0 or dim not in frame.columns:
        return {}
    weeks = sorted(set(frame["week"].to_list()))
    index = {w: i for i, w in enumerate(weeks)}
    out: dict[str | None, list[int]] = {}
    for row in frame.select(dim, "week", "tickets").iter_rows():
        series = out.setdefault(row[0], [0] * len(weeks))
        series[index[row[1]]] = int(row[2])
    return out


def at_risk_reason(low_score: bool | None, open_breached: int | None) -> str:
    """Why a customer is on the at-risk list, in words."""
    parts = []
    if low_score:
        parts.append(_("low latest score"))
    if open_breached:
        parts.append(_("open ticket past its SLA deadline"))
    return " · ".join(parts)


def tenure_text(days: int | None) -> str:
    """'6 years 2 months' style tenure from days (n/a when the join date is unknown)."""
    if days is None:
        return _("n/a")
    years, rest = divmod(int(days), 365)
    months = rest // 30
    if years:
        return _("{years} y {months} mo").format(years=years, months=months)
    return _("{months} mo").format(months=months)


def money(value: float | None) -> str:
    return _("n/a") if value is None else format_number(value, 0)


def when(value: datetime | None) -> str:
    return "—" if value is None else format_datetime(value)


def display_width(text: str) -> int:
    """Columns a label needs: Chinese characters are twice as wide as Latin ones."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Characters a column's values need (a created time "2026-11-20 16:54" is 16), so that a
# column is wide enough for its values as well as for its header.
CONTENT_CHARS: dict[str, int] = {
    "ticket_id": 10, "created_at": 16, "age": 10, "channel": 14, "branch_id": 4,
    "category": 15, "type": 10, "sla": 8, "csat": 9, "nps": 9, "first_response": 11,
    "resolution": 11, "stage": 10, "open": 3, "repeat": 3, "reopen_count": 2,
    "escalated": 3, "priority": 6, "customer_id": 9, "subject": 40, "relation": 22,
    "segment": 13, "annual_value": 9, "why": 16, "complaints": 3, "contacts": 3,
    "channels": 3, "open_breached": 3, "latest_csat": 8, "latest_nps": 8,
    "last_contact_at": 10,
}


# A column grows with its widest value up to this (a long subject is cut there, in its cell).
MAX_CONTENT_PX = 300


def text_px(text: str) -> float:
    """Pixels a text takes in the grid's 14 px font: about 6 a Latin character, 13 a
    Chinese one."""
    return sum(13.0 if unicodedata.east_asian_width(ch) in "WF" else 6.0 for ch in text)


def column_px(label: str, content_chars: int = 0, values: Any = ()) -> int:
    """Pixels a grid column needs so neither its header nor its values are cut: the
    widest of the header, `content_chars` Latin characters (its widest usual value) and
    the values shown (text; "14 小时 21 分" is wider than the 10 characters of "3 d 18 h"),
    plus 20 px of padding. At least 50."""
    widest = max((text_px(v) for v in values if isinstance(v, str)), default=0.0)
    content = max(6.0 * content_chars, min(widest, MAX_CONTENT_PX))
    return max(50, round(max(text_px(label), content)) + 20)


def page_text(offset: int, shown: int, total: int) -> str:
    """'51–100 of 12,345'."""
    if total == 0:
        return _("no tickets")
    return _("{first}–{last} of {total}").format(
        first=format_number(offset + 1), last=format_number(offset + shown),
        total=format_number(total))


def type_label(kind: str | None) -> str:
    """'Complaint' / '投诉' (value_label's words); an unknown type as the source wrote it."""
    return value_label("type", kind) if kind else _("n/a")


# --- a customer's contacts on one chart -------------------------------------------------

# Up to this many contacts a customer's timeline draws one marker per contact; beyond it
# markers overprint (the demo's busiest customer has 6,356) and the chart counts contacts
# per channel and period instead.
TIMELINE_DOTS_LIMIT = 60
# At most about this many periods across: a cell stays wide enough to be read and to hold
# its count.
GRID_MAX_PERIODS = 40


@dataclass(frozen=True)
class ContactGrid:
    """A customer's contacts counted per channel and period (day, week or month).

    frame: one row per channel and period with contacts: channel, period (start,
    Datetime), contacts, complaints, repeats, and one count column per type
    (type_<type>). Periods without a contact are absent."""

    grain: str
    frame: pl.DataFrame
    periods: list[datetime]

    def totals(self) -> dict[str, int]:
        """Contacts per channel over the whole span (the grid's row labels)."""
        return dict(self.frame.group_by("channel").agg(pl.col("contacts").sum()).iter_rows())

    def midpoints(self) -> list[datetime]:
        """The middle of each period: where a cell is centred so that it spans its period
        on a time axis."""
        ends = [*self.periods[1:], next_period(self.periods[-1], self.grain)]
        return [start + (end - start) / 2 for start, end in zip(self.periods, ends, strict=True)]


def contact_grain(first: datetime, last: datetime) -> str:
    """The finest of day / week / month that puts the span in GRID_MAX_PERIODS periods."""
    days = (last - first).days + 1
    if days <= GRID_MAX_PERIODS:
        return "day"
    if days <= 7 * GRID_MAX_PERIODS:
        return "week"
    return "month"


_TRUNCATE = {"day": "1d", "week": "1w", "month": "1mo"}


def next_period(start: datetime, grain: str) -> datetime:
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    year, month = divmod(start.month, 12)
    return start.replace(year=start.year + year, month=month + 1)


def contact_grid(contacts: pl.DataFrame, limit: int | None = None) -> ContactGrid | None:
    """Counts for the many-contacts timeline, or None when the contacts are few enough
    (`limit`, default TIMELINE_DOTS_LIMIT) to draw one by one. contacts: rows of
    fetch_customer_contacts. A week starts on Monday."""
    if contacts.height <= (TIMELINE_DOTS_LIMIT if limit is None else limit):
        return None
    times: list[datetime] = contacts["created_at"].to_list()
    grain = contact_grain(min(times), max(times))
    kinds = sorted(k for k in set(contacts["type"].to_list()) if k)
    frame = (contacts.with_columns(pl.col("created_at").dt.truncate(_TRUNCATE[grain])
                                   .alias("period"))
             .group_by("channel", "period")
             .agg(pl.len().alias("contacts"),
                  (pl.col("type") == "complaint").sum().alias("complaints"),
                  pl.col("is_repeat").fill_null(False).sum().alias("repeats"),
                  *[(pl.col("type") == k).sum().alias(f"type_{k}") for k in kinds])
             .sort("channel", "period"))
    periods: list[datetime] = []
    starts: list[datetime] = frame["period"].to_list()
    current, last = min(starts), max(starts)
    while current <= last:
        periods.append(current)
        current = next_period(current, grain)
    return ContactGrid(grain, frame, periods)


def period_label(start: datetime, grain: str) -> str:
    """'3 Jun 2025' / 'week of 2 Jun 2025' / 'Jun 2025' ('2025年6月' in Chinese)."""
    from dashboard.i18n import format_date, get_language

    if grain == "day":
        return format_date(start)
    if grain == "week":
        return _("week of {day}").format(day=format_date(start))
    return format_date(start, "y年M月" if get_language() == "zh-CN" else "MMM y")
