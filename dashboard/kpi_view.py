"""How a KPI card reads: value, change, target, sample size, and why a value is n/a."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.format import NA, format_kpi, format_value
from dashboard.settings import get_settings
from queries.api import KPI_CATALOG, KpiComparison

CARD_KEYS = (
    "tickets", "complaints", "resolved_pct", "frt_median_min", "sla_met_pct",
    "fcr_pct", "repeat_complaint_pct", "csat_avg", "nps", "post_complaint_churn_pct",
)


def na_reason(key: str, row: dict[str, Any]) -> str:
    """Why a KPI has no value for this selection (shown instead of a misleading 0)."""
    if row.get("tickets", 0) == 0:
        return "no tickets in this selection"
    if key in ("fcr_pct", "reopen_pct", "survey_response_pct", "resolution_median_h",
               "resolution_p90_h"):
        return "no resolved tickets"
    if key in ("frt_median_min", "frt_p90_min"):
        return "no first responses recorded"
    if key == "sla_met_pct":
        if row.get("n_sla_pending"):
            return "every ticket is still within its deadline"
        return "no ticket has a first-response deadline"
    if key == "repeat_complaint_pct":
        if not row.get("complaints"):
            return "no complaints"
        return "the data carries no customer ids, so repeats cannot be known"
    if key in ("csat_avg", "csat_pct"):
        return "no survey with a CSAT answer"
    if key == "nps":
        return "no survey with an NPS answer"
    if key == "post_complaint_churn_pct":
        days = get_settings().churn_window_days
        return (f"no known customer has had {days} days since a complaint "
                "(or the data carries no customer ids)")
    return "no data"


def target_text(key: str, value: float | None, targets: dict[str, float]) -> str | None:
    if key not in targets:
        return None
    kpi = KPI_CATALOG[key]
    goal = targets[key]
    sign = "≥" if kpi.higher_is_better else "≤"
    text = f"target {sign} {format_value(goal, kpi.unit)}"
    if value is None:
        return text
    met = value >= goal if kpi.higher_is_better else value <= goal
    return f"{':green[on target]' if met else ':red[off target]'} ({text})"


def card(key: str, comparison: KpiComparison, targets: dict[str, float], min_sample: int) -> None:
    kpi = KPI_CATALOG[key]
    row = comparison.current
    value = row.get(key)
    change = comparison.change(key)
    delta = format_kpi(key, change, signed=True) if change is not None else None
    color = "off" if kpi.higher_is_better is None else ("normal" if kpi.higher_is_better else "inverse")
    st.metric(kpi.label, format_kpi(key, value), delta=delta, delta_color=color,
              help=kpi.help, border=True)
    notes = []
    if value is None:
        notes.append(f"{NA}: {na_reason(key, row)}")
    else:
        n = row.get(kpi.sample) if kpi.sample else None
        if n is not None and n < min_sample:
            notes.append(f":orange[small sample: n = {n}]")
        elif n is not None and kpi.sample != "tickets":
            notes.append(f"n = {format_value(n)}")
    tgt = target_text(key, value, targets)
    if tgt:
        notes.append(tgt)
    if notes:
        st.caption(" · ".join(notes))
