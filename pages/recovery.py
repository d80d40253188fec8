"""Recovery: did each fix lower repeat complaints and churn? Before/after against a control."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, data
from dashboard.format import format_value
from dashboard.settings import get_settings

ctx = st.session_state["ctx"]
settings = get_settings()
st.title("Recovery effects of fixes")
st.caption(f"Difference-in-differences, {settings.effect_window_days} days before and after each "
           f"launch · as of {ctx.as_of_text} · 95 % intervals. Global filters do not apply here: "
           "each fix defines its own scope.")

fixes = data.fixes(ctx.version)
if fixes.height == 0:
    st.info("No fixes are loaded. Load a fixes extract on the Data page "
            "(fix_id, title, launched_at and an optional scope).", icon=":material/healing:")
    st.stop()

effects = data.effects(ctx.version, as_of_override=ctx.filters.as_of)
METRICS = {"repeat_complaint_pct": ("Repeat complaints", "%", "pts"),
           "churn_pct": ("Churn after complaint", "%", "pts"),
           "csat_avg": ("CSAT (avg)", "", ""),
           "complaints": ("Complaints", "", "")}
metric = st.segmented_control("Metric", list(METRICS), format_func=lambda m: METRICS[m][0],
                              default="repeat_complaint_pct", key="recovery_metric") \
    or "repeat_complaint_pct"
label, unit, effect_unit = METRICS[metric]


def scope_text(row: dict) -> str:
    parts = [f"{k.replace('_id', '')} {row[k]}" for k in ("category", "channel", "branch_id",
                                                          "region") if row[k]]
    return ", ".join(parts) or "everything"


rows = []
plotted = []
chosen = effects.filter(pl.col("metric") == metric)
by_fix = {r["fix_id"]: r for r in chosen.iter_rows(named=True)}
for fix in fixes.iter_rows(named=True):
    e = by_fix.get(fix["fix_id"])
    if e is None:
        continue
    notes = []
    if not e["has_control"]:
        notes.append("no control group: seasonality not controlled")
    if e["partial"]:
        notes.append("partial window: after-period still filling")
    small = [n for n in (e["n_treated_pre"], e["n_treated_post"], e["n_control_pre"],
                         e["n_control_post"]) if n is not None]
    if small and min(small) < settings.min_sample and metric != "complaints":
        notes.append(f"small sample (smallest n = {min(small)})")
    ci = (f"{format_value(e['ci_low'], effect_unit, signed=True)} … "
          f"{format_value(e['ci_high'], effect_unit, signed=True)}"
          if e["ci_low"] is not None else "n/a")
    reading = ("n/a" if e["ci_low"] is None else
               "lower, beyond noise" if e["ci_high"] < 0 else
               "higher, beyond noise" if e["ci_low"] > 0 else "not distinguishable from noise")
    rows.append({
        "Fix": f"{fix['fix_id']} · {fix['title']}",
        "Effect": format_value(e["effect"], effect_unit, signed=True),
        "95 % interval": ci,
        "Reading": reading,
        "Treated before → after": f"{format_value(e['treated_pre'], unit)} → "
                                  f"{format_value(e['treated_post'], unit)}",
        "Control before → after": (f"{format_value(e['control_pre'], unit)} → "
                                   f"{format_value(e['control_post'], unit)}"
                                   if e["has_control"] else "none"),
        "Launched": fix["launched_at"].isoformat(),
        "Scope": scope_text(fix),
        "Notes": "; ".join(notes),
    })
    plotted.append({"label": f"{fix['fix_id']} · {fix['title']}", "effect": e["effect"],
                    "ci_low": e["ci_low"], "ci_high": e["ci_high"]})

if plotted and metric != "complaints":
    st.plotly_chart(charts.effects_chart(pl.DataFrame(plotted, schema={
        "label": pl.String, "effect": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64}),
        effect_unit), key="recovery_chart", width="stretch")
st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch", key="recovery_table")
no_control = [r["Fix"] for r in rows if "no control group" in r["Notes"]]
partial = [r["Fix"] for r in rows if "partial window" in r["Notes"]]
if no_control:
    st.warning("Without a control group the change may be seasonality or a trend, not the fix: "
               + ", ".join(no_control), icon=":material/warning:")
if partial:
    st.info("Partial window: the after-period is still filling, so the effect can still move: "
            + ", ".join(partial), icon=":material/hourglass_top:")
st.caption("Effect = (treated after − before) − (control after − before). Proportions use the "
           "Agresti–Caffo interval; an interval needs at least 2 cases in every cell.")
