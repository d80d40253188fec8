"""The metrics registry: every measure and every dimension of spec/kpis.md, described once.

A **measure** entry says how a KPI is shown and read: label, unit, format, whether up is
good, which column of the KPI query is its n (denominator), what it needs a source to
carry, why it may be n/a, and its help text (built from the settings' windows). Its
definition is its SQL in queries/kpis.sql (the shared rules in queries/rule_*.sql,
sla_state.sql, churn.sql). Adding a measure = one entry here + its column in kpis.sql;
the KPI key lists, the cards, the CLI's columns and the JSON keys all derive from here.

A **dimension** entry names the SQL expression (over `fact_tickets as f`) that a
breakdown groups by. Those expressions are the only identifiers ever formatted into
SQL text: they come from this fixed table, never from a request; every value is bound.

This module imports neither DuckDB nor Streamlit: pages, the CLI and view models
read it freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.i18n import N_, _
from dashboard.settings import Settings, get_settings

# --- measures -------------------------------------------------------------------------

# What a KPI may need a source to carry (spec "What a source does not carry"): the column
# of the KPI query that says whether any ticket of the selection does, and the reason
# shown when none does.
NEEDS: dict[str, str] = {
    "carries_resolved": N_("the data carries no resolution time or status"),
    "carries_resolved_at": N_("the data carries no resolution times"),
    "carries_first_response": N_("the data carries no first-response times"),
    "carries_reopen": N_("the data carries no reopen counts"),
    "carries_fcr": N_("the data lacks what first-contact resolution needs "
                      "(customer id, resolution time, reopen count and escalation)"),
    "carries_customer": N_("the data carries no customer ids"),
    "has_surveys": N_("no survey has been loaded"),
}


@dataclass(frozen=True)
class Measure:
    """One KPI of spec/kpis.md as every surface shows it.

    key:        the KPI query's column and the JSON key.
    label:      marked for translation (show with `_()`).
    unit:       "" (count, CSAT 1-5, NPS) | "%" (0-100; changes are points) | "min" | "h".
    digits:     decimals shown.
    higher_is_better: True / False; None for volumes (no colour, no target).
    sample:     the column holding its n (the denominator it reports), or None.
    needs:      NEEDS keys the selection's sources must carry, else n/a with that reason.
    empty:      the n/a reason when the sources carry it but n is 0.
    pending:    the column counting cases left out as not yet decided (still within an
                SLA deadline, FCR window or churn window), and the reason when all are.
    matures:    whether a period's recent tickets may be "too young" for this rate.
    help_template: help text with {fcr_days}, {repeat_days}, {churn_days} placeholders.
    card / table: shown as an Overview card / a column of the CLI's breakdown table.
    card_label: a shorter label for a narrow card (the help names the measure in full).
    """

    key: str
    label: str
    unit: str
    higher_is_better: bool | None
    sample: str | None
    help_template: str
    needs: tuple[str, ...] = ()
    empty: str = N_("no data")
    pending: str | None = None
    pending_reason: str | None = None
    matures: bool = False
    digits: int = 1
    card: bool = False
    table: bool = False
    card_label: str | None = None  # shorter label where a card is narrow (else `label`)

    @property
    def is_count(self) -> bool:
        return self.key in ("tickets", "complaints")

    def help_text(self, settings: Settings | None = None) -> str:
        """The help in the current language, with the windows of the settings."""
        settings = settings or get_settings()
        return _(self.help_template).format(
            fcr_days=settings.fcr_window_days, repeat_days=settings.repeat_window_days,
            churn_days=settings.churn_window_days)

    @property
    def help(self) -> str:
        return self.help_text()

    def n(self, row: Mapping[str, Any]) -> int | None:
        """The KPI's n in a row of fetch_kpis (the count itself for tickets/complaints)."""
        column = self.key if self.is_count else self.sample
        value = row.get(column) if column else None
        return int(value) if value is not None else None

    def na_reason(self, row: Mapping[str, Any]) -> str | None:
        """Why this KPI is n/a in a row of fetch_kpis (translated), or None when it has a
        value. Order: no tickets; a need the sources do not carry; every case still
        pending; no case at all."""
        if row.get(self.key) is not None:
            return None
        if not row.get("tickets"):
            return _("no tickets in this selection")
        for need in self.needs:
            if row.get(need) is False:
                return _(NEEDS[need])
        if self.pending and row.get(self.pending) and not self.n(row):
            return _(self.pending_reason) if self.pending_reason else ""
        if self.key == "repeat_complaint_pct" and self.n(row):
            return _("no complaint in this selection names a customer, so repeats cannot "
                     "be known")
        return _(self.empty)


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("tickets", N_("Tickets"), "", None, None,
            N_("Tickets created in the period (after filters)."), card=True, table=True),
    Measure("complaints", N_("Complaints"), "", None, None,
            N_("Tickets of type complaint."), card=True, table=True),
    Measure("resolved_pct", N_("Resolved"), "%", True, "n_resolution_known",
            N_("Share of tickets resolved (a resolution time, or status resolved/closed)."),
            needs=("carries_resolved",), empty=N_("no tickets"),
            pending="n_open_recent", matures=True,
            card=True, table=True),
    Measure("frt_median_min", N_("First response (median)"), "min", False, "n_responded",
            N_("Median time from creation to first response."),
            needs=("carries_first_response",), empty=N_("no first responses recorded"),
            card=True, table=True, card_label=N_("First response")),
    Measure("frt_p90_min", N_("First response (p90)"), "min", False, "n_responded",
            N_("90th percentile of the time to first response."),
            needs=("carries_first_response",), empty=N_("no first responses recorded")),
    Measure("resolution_median_h", N_("Resolution (median)"), "h", False, "n_resolved",
            N_("Median hours from creation to resolution."),
            needs=("carries_resolved_at",), empty=N_("no resolved tickets")),
    Measure("resolution_p90_h", N_("Resolution (p90)"), "h", False, "n_resolved",
            N_("90th percentile of hours to resolution."),
            needs=("carries_resolved_at",), empty=N_("no resolved tickets")),
    Measure("sla_met_pct", N_("First-response SLA met"), "%", True, "n_sla_due",
            N_("Met / (met + breached); tickets still within their deadline are pending "
               "and left out."),
            needs=("carries_first_response",), empty=N_("no ticket has a first-response deadline"),
            pending="n_sla_pending",
            pending_reason=N_("every ticket is still within its deadline"),
            card=True, table=True, card_label=N_("SLA met")),
    Measure("reopen_pct", N_("Reopened"), "%", False, "n_reopen",
            N_("Resolved tickets reopened at least once."),
            needs=("carries_resolved", "carries_reopen"), empty=N_("no resolved tickets")),
    Measure("fcr_pct", N_("First-contact resolution"), "%", True, "n_fcr",
            N_("Resolved without reopen, escalation or a new ticket of the same customer and "
               "category within {fcr_days} days; tickets resolved less than {fcr_days} days "
               "ago are pending and left out."),
            needs=("carries_fcr",), empty=N_("no resolved tickets"),
            pending="n_fcr_pending",
            pending_reason=N_("every resolution is younger than the FCR window"),
            matures=True, card=True, table=True, card_label=N_("FCR")),
    Measure("repeat_complaint_pct", N_("Repeat complaints"), "%", False, "n_repeat",
            N_("Complaints with another complaint of the same customer and category in the "
               "{repeat_days} days before."),
            needs=("carries_customer",), empty=N_("no complaints"), card=True, table=True),
    Measure("survey_response_pct", N_("Survey response"), "%", True, "n_survey_base",
            N_("Resolved tickets with at least one survey."),
            needs=("has_surveys", "carries_resolved"), empty=N_("no resolved tickets")),
    Measure("csat_avg", N_("CSAT (avg, 1-5)"), "", True, "n_csat",
            N_("Mean CSAT of each ticket's latest survey."),
            needs=("has_surveys",), empty=N_("no survey with a CSAT answer"), digits=2,
            card=True, table=True, card_label=N_("CSAT (1-5)")),
    Measure("csat_pct", N_("CSAT top-2-box"), "%", True, "n_csat",
            N_("Latest surveys with CSAT 4 or 5."),
            needs=("has_surveys",), empty=N_("no survey with a CSAT answer")),
    Measure("nps", N_("NPS"), "", True, "n_nps",
            N_("Promoters (9-10) minus detractors (0-6), latest surveys."),
            needs=("has_surveys",), empty=N_("no survey with an NPS answer"),
            card=True, table=True),
    Measure("post_complaint_churn_pct", N_("Churn after complaint"), "%", False,
            "n_churn_matured",
            N_("Customers who churned within {churn_days} days of their first complaint "
               "(only customers whose {churn_days} days have passed)."),
            needs=("carries_customer",), empty=N_("no known customer complained"),
            pending="n_churn_pending",
            pending_reason=N_("no complaining customer has had the churn window yet"),
            matures=True, card=True, table=True, card_label=N_("Churn")),
)}

MEASURE_KEYS: tuple[str, ...] = tuple(MEASURES)
CARD_KEYS: tuple[str, ...] = tuple(k for k, m in MEASURES.items() if m.card)
TABLE_KEYS: tuple[str, ...] = tuple(k for k, m in MEASURES.items() if m.table)


# --- dimensions -----------------------------------------------------------------------


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
