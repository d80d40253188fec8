"""Satisfaction: where satisfaction is low, whether that is real or a small sample, and
what low scorers say.

Heatmaps (metric x layout, insufficient cells grey, a diverging scale centred on the
overall value or the target), the funnel plot and the outlier table (Welch + Benjamini-
Hochberg, spec/kpis.md), low-scorer comments and their distinguishing phrases. A click
on a cell, a point, an outlier row or a phrase opens the tickets behind it on the Explore
page (dashboard.state.drill_to). Numbers: dashboard.data -> queries.satisfaction /
queries.phrases / queries.api.fetch_kpis; words and colours: dashboard.views.satisfaction.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import streamlit as st

from dashboard import charts_satisfaction as charts
from dashboard import data
from dashboard.i18n import _, format_datetime, format_number
from dashboard.masking import mask_frame
from dashboard.settings import get_settings
from dashboard.state import drill_to
from dashboard.views import satisfaction as vm
from queries.satisfaction import OUTLIER_DIMENSIONS

ctx = st.session_state["ctx"]
version, filters = ctx.version, ctx.filters
settings = get_settings()
branch_names = data.branch_names(version)
COMMENTS_PER_PAGE = 10

st.title(_("Satisfaction"))
st.caption(_("{filters} · as of {as_of}").format(filters=ctx.description,
                                                  as_of=format_datetime(ctx.as_of)))


def picked_points(key: str) -> list[dict[str, Any]]:
    """Points of a chart's current selection (a plain dict in AppTest)."""
    event = st.session_state.get(key)
    if not event:
        return []
    selection = event.get("selection") if hasattr(event, "get") else None
    return [p for p in ((selection or {}).get("points") or []) if p.get("customdata")]


def picked_row(key: str) -> int | None:
    event = st.session_state.get(key)
    selection = event.get("selection") if event and hasattr(event, "get") else None
    rows = (selection or {}).get("rows") or []
    return rows[0] if rows else None


def open_explore(selection: dict[str, Any], extra: dict[str, str] | None = None) -> None:
    summary = data.summary(version)
    set_filters, params = vm.drill_selection(
        selection, filters, (summary.get("first_day"), summary.get("last_day")))
    drill_to("explore", set_filters=set_filters, params=params | (extra or {}))


# The page's switches live in the URL too (s_metric, s_layout, s_centre, s_dim), so a
# copied link opens the same heatmap; a value the page does not know is ignored.
SWITCHES = {"sat_metric": ("s_metric", list(vm.HEAT_METRICS)),
            "sat_layout": ("s_layout", list(vm.LAYOUTS)),
            "sat_centre": ("s_centre", list(vm.CENTRES)),
            "sat_dim": ("s_dim", list(OUTLIER_DIMENSIONS))}
for widget, (param, allowed) in SWITCHES.items():
    if widget not in st.session_state and st.query_params.get(param) in allowed:
        st.session_state[widget] = st.query_params.get(param)


def write_switches_to_url() -> None:
    for widget, (param, allowed) in SWITCHES.items():
        value = st.session_state.get(widget, allowed[0])
        if value != allowed[0]:
            if st.query_params.get(param) != value:
                st.query_params[param] = value
        elif param in st.query_params:
            del st.query_params[param]


overall = data.kpis(version, filters).row(0, named=True)
if not overall["tickets"]:
    st.info(_("No tickets match this period and these filters."),
            icon=":material/filter_alt_off:")
    st.stop()

# --- heatmaps -------------------------------------------------------------------------
st.subheader(_("Where satisfaction is low"))
c1, c2, c3 = st.columns([2, 2, 2])
metric = c1.selectbox(_("Metric"), list(vm.HEAT_METRICS), key="sat_metric",
                      format_func=lambda k: _(vm.HEAT_METRICS[k].label))
layout_key = c2.selectbox(_("Layout"), list(vm.LAYOUTS), key="sat_layout",
                          format_func=lambda k: _(vm.LAYOUTS[k].label))
centre_mode = c3.radio(_("Colour centre"), list(vm.CENTRES), key="sat_centre", horizontal=True,
                       format_func=lambda k: _(vm.CENTRES[k]))
layout = vm.LAYOUTS[layout_key]
info = vm.HEAT_METRICS[metric]

cells_frame = data.kpis(version, filters, (layout.rows, layout.columns))
moe = None
if metric == "nps":
    groups2 = data.satisfaction_groups(version, filters, (layout.rows, layout.columns))
    moe = {(str(r[layout.rows]), str(r[layout.columns])): r["nps_moe"]
           for r in groups2.iter_rows(named=True)}
cells = vm.heat_cells(cells_frame.to_dicts(), layout, metric, settings.min_sample,
                      branch_names, moe)
bands = None
if layout.rows == "branch":
    by_region = data.kpis(version, filters, ("region", "branch")).to_dicts()
    region_of = {r["branch"]: r["region"] for r in by_region}
    order = vm.row_order([{"group": r["branch"], **r} for r in by_region], "branch", metric,
                         region_of)
    bands = vm.region_bands(order, region_of)
else:
    order = vm.row_order(data.kpis(version, filters, layout.rows).to_dicts(), layout.rows,
                         metric)
row_labels = [vm.axis_label(layout.rows, v, branch_names) for v in order]
column_values = sorted({r[layout.columns] for r in cells_frame.to_dicts()
                        if r[layout.columns] is not None}, key=lambda v: (str(type(v)), v))
column_labels = [vm.axis_label(layout.columns, v, branch_names) for v in column_values]
target_map = settings.targets()
centre, centre_text = vm.centre_of_scale(metric, centre_mode, overall.get(metric), target_map)
st.plotly_chart(charts.heatmap(cells, row_labels, column_labels, metric, centre, centre_text,
                               settings.min_sample, bands),
                key="sat_heatmap", on_select="rerun", selection_mode=("points",),
                width="stretch", config={"displayModeBar": False})
st.caption(" · ".join([centre_text, vm.colour_note(metric),
                       _("Click a cell to open its tickets.")]))
if points := picked_points("sat_heatmap"):
    row_value, column_value = points[0]["customdata"][:2]
    open_explore({layout.rows: row_value, layout.columns: column_value})

# --- funnel plot and outliers ---------------------------------------------------------
st.subheader(_("Outliers that respect volume"))
dim = st.radio(_("Compare"), OUTLIER_DIMENSIONS, key="sat_dim", horizontal=True,
               format_func=lambda d: _(d.capitalize()))
groups = data.satisfaction_groups(version, filters, dim).to_dicts()
funnel_rows = sorted((r for r in groups if r["n"]), key=lambda r: r["n"])
left, right = st.container(), st.container()
with left:
    if funnel_rows and funnel_rows[0]["overall_avg"] is not None:
        fig = charts.funnel_plot(vm.funnel_points(groups, dim, branch_names), funnel_rows,
                                 funnel_rows[0]["overall_avg"],
                                 _("CSAT by number of surveys, with control limits"))
        st.plotly_chart(fig, key="sat_funnel", on_select="rerun", selection_mode=("points",),
                        width="stretch", config={"displayModeBar": False})
        st.caption(_("A small group scatters more by chance: its limits are wider. Low points "
                     "outside the limits and high points outside the 99.8 % limits are named; "
                     "click a point to open its tickets."))
    else:
        st.info(_("No survey with a CSAT answer in this selection."))
if points := picked_points("sat_funnel"):
    open_explore({dim: points[0]["customdata"]})

write_switches_to_url()
rows = data.outliers(version, filters, dim)
with right:
    table = pl.DataFrame({
        _("Group"): [vm.axis_label(dim, r["group"], branch_names) for r in rows],
        "n": [r["n"] for r in rows],
        _("CSAT avg"): [format_number(r["csat_avg"], 2) for r in rows],
        _("Others"): [format_number(r["others_avg"], 2) for r in rows],
        "p": [vm.format_p(r["p"]) for r in rows],
        _("Adjusted p"): [vm.format_p(r["p_adj"]) for r in rows],
        _("Result"): [vm.outlier_status(r, settings.outlier_min_surveys) for r in rows],
        "NPS": [vm.nps_with_margin(r["nps"], r["nps_moe"]) for r in rows],
    }, schema_overrides={"n": pl.Int64})
    low_count = sum(r["low_outlier"] for r in rows)
    st.markdown("**" + _("Significant low outliers: {n}").format(n=format_number(low_count))
                + "**")
    st.dataframe(table, hide_index=True, width="stretch", key="sat_outliers",
                 on_select="rerun", selection_mode="single-row",
                 height=min(38 + 35 * len(rows), 420))
    st.caption(_("Welch's t-test of each group against all others, p adjusted for testing "
                 "many groups (Benjamini–Hochberg); a low outlier has adjusted p < 0.05. "
                 "Groups with fewer than {n} surveys are not tested.").format(
        n=format_number(settings.outlier_min_surveys)))
if (index := picked_row("sat_outliers")) is not None and index < len(rows):
    open_explore({dim: rows[index]["group"]})

# --- what low scorers say -------------------------------------------------------------
st.subheader(_("What low scorers say"))
phrases = data.distinguishing_phrases(version, filters)
pleft, pright = st.columns([1, 1])
with pleft:
    st.markdown("**" + _("Phrases that set low scores apart") + "**")
    low_side = phrases.filter(pl.col("side") == "low").to_dicts()
    if low_side:
        ptable = pl.DataFrame({
            _("Phrase"): [r["phrase"] for r in low_side],
            _("Low scores"): [r["low_comments"] for r in low_side],
            _("High scores"): [r["high_comments"] for r in low_side],
            "z": [round(r["z"], 1) for r in low_side],
        })
        st.dataframe(ptable, hide_index=True, width="stretch", key="sat_phrases",
                     on_select="rerun", selection_mode="single-row")
        st.caption(_("Weighted log-odds with an informative Dirichlet prior (Monroe et al. "
                     "2008): z above 2 is a clear difference. Counts are comments containing "
                     "the phrase. Click a phrase to read those comments."))
    else:
        st.info(_("Too few comments to compare low and high scores."))
    high_side = phrases.filter(pl.col("side") == "high").to_dicts()
    if high_side:
        st.caption(_("High scorers mention: {phrases}").format(
            phrases=", ".join(r["phrase"] for r in high_side[:8])))
if (index := picked_row("sat_phrases")) is not None and index < len(low_side):
    open_explore({}, {"x_q": low_side[index]["phrase"], "x_score": "low"})

with pright:
    first = data.low_comments(version, filters, 1, 0)
    pages = max(1, math.ceil(first.total / COMMENTS_PER_PAGE))
    st.markdown("**" + _("Comments of low scores (CSAT ≤ 2 or NPS ≤ 6), newest first: "
                         "{n}").format(n=format_number(first.total)) + "**")
    if first.total:
        page_no = st.number_input(_("Page (of {pages})").format(pages=format_number(pages)),
                                  min_value=1, max_value=pages, value=1, step=1,
                                  key="sat_comments_page")
        page = data.low_comments(version, filters, COMMENTS_PER_PAGE,
                                 (int(page_no) - 1) * COMMENTS_PER_PAGE)
        shown = mask_frame(page.rows)
        for r in shown.iter_rows(named=True):
            score = " · ".join(s for s in (
                f"CSAT {r['csat']}" if r["csat"] is not None else "",
                f"NPS {r['nps']}" if r["nps"] is not None else "") if s)
            with st.container(border=True):
                st.text(r["comment"])
                st.caption(" · ".join([format_datetime(r["responded_at"]), score,
                                       r["ticket_id"], r["channel"], r["branch_id"]]))
    else:
        st.info(_("No low-score comments in this selection."))
