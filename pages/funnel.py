"""Funnel: where cases stall between receipt and a satisfied customer.

The funnel of the current filters (chart + table), the bottleneck in one sentence, the
funnel compared across channels / regions / branches, first-response SLA by priority tier,
and the backlog at as_of. A click on a stage, a comparison cell, an SLA cell or a backlog
band opens the tickets behind it on the Explore page. Numbers come from the query layer
(dashboard.data -> queries.funnel); wording and colours from dashboard.views.funnel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from dashboard import charts_funnel, data, url_choice
from dashboard.i18n import _, format_datetime, format_number, format_percent_value
from dashboard.settings import get_settings
from dashboard.state import drill_to
from dashboard.views import funnel as vm
from dashboard.views import trends

EXPLORE = Path(__file__).resolve().parent / "explore.py"

ctx = st.session_state["ctx"]
settings = get_settings()
st.title(_("Funnel"))
st.caption(_("{filters} · as of {as_of}").format(filters=ctx.description,
                                                  as_of=format_datetime(ctx.as_of)))


def picked(event: Any) -> dict[str, Any] | None:
    """The first selected point of a chart event (AppTest gives a plain dict)."""
    if not event:
        return None
    selection = event.get("selection") if hasattr(event, "get") else None
    points = (selection or {}).get("points") or []
    return points[0] if points else None


def open_tickets(drill: vm.Drill) -> None:
    """Open the Explore page's ticket list narrowed to the click; without an Explore page,
    keep the selection in this page's URL and say where the list will be."""
    if EXPLORE.exists():
        drill_to("explore", set_filters=drill.set_filters, params=drill.params)
        return
    for key, value in {**drill.params, **{k: v for k, v in drill.set_filters.items()}}.items():
        st.query_params[key] = value
    st.info(_("The Explore page with the ticket list is not installed yet; this link keeps "
              "the selection."), icon=":material/travel_explore:")


frame = data.funnel_by(ctx.version, ctx.filters)
rows = vm.funnel_rows(frame)
if not rows or not rows[0].tickets:
    st.info(_("No tickets match this period and these filters."),
            icon=":material/filter_alt_off:")
    st.stop()

st.markdown(f"**{vm.bottleneck(rows).sentence()}**")

left, right = st.columns([10, 11])
with left:
    event = st.plotly_chart(charts_funnel.funnel_bars(rows), key="funnel_chart",
                            width="stretch", on_select="rerun", selection_mode="points")
with right:
    st.markdown("**" + _("Stage by stage") + "**")
    st.dataframe(pl.DataFrame([r.cells() for r in rows]), hide_index=True, width="stretch",
                 key="funnel_table")
    st.caption(_("A ticket counts at a stage when it has that stage's marker or any later "
                 "one, so counts never rise from one stage to the next. Step times use "
                 "only tickets with both timestamps; a missing one is never filled in. "
                 "\"Not in the data\": no ticket's source has that column."))
point = picked(event)
if point:
    stage = point.get("customdata")
    if stage is None and point.get("point_index") is not None:
        stage = rows[int(point["point_index"])].stage
    if stage in vm.STAGES_ORDER:
        open_tickets(vm.drill_stage(stage))

# --- compare ---------------------------------------------------------------------------
st.subheader(_("Compared across channels, regions or branches"))
c1, c2 = st.columns(2)
# kept in the URL (f_by, f_measure): a copied link shows the same comparison
url_choice.seed("f_by", "funnel_compare_by", list(vm.COMPARE_LABELS), "channel")
url_choice.seed("f_measure", "funnel_compare_measure", ["conversion", "time"], "conversion")
by = c1.radio(_("Compare by"), list(vm.COMPARE_LABELS), horizontal=True,
              format_func=lambda k: _(vm.COMPARE_LABELS[k]), key="funnel_compare_by")
measure = c2.radio(_("Show"), ["conversion", "time"], horizontal=True,
                   format_func=lambda k: _("Conversion from previous stage") if k == "conversion"
                   else _("Median time from previous stage"), key="funnel_compare_measure")
url_choice.keep("f_by", by, "channel")
url_choice.keep("f_measure", measure, "conversion")
by_group = data.funnel_by(ctx.version, ctx.filters, by)
cells = vm.compare_cells(by_group, frame, measure, settings.min_sample)
groups = list(dict.fromkeys(c.group for c in cells))
stages = list(dict.fromkeys(c.stage for c in cells))
if groups:
    event = st.plotly_chart(
        charts_funnel.compare_heatmap(
            cells, groups, stages,
            _("{measure} by {dimension}").format(
                measure=_("Conversion") if measure == "conversion" else _("Median time"),
                dimension=_(vm.COMPARE_LABELS[by]).lower())),
        key="funnel_compare_chart", width="stretch", on_select="rerun",
        selection_mode="points")
    st.caption(vm.compare_caption(measure))
    point = picked(event)
    if point and isinstance(point.get("customdata"), list | tuple):
        group, stage = point["customdata"][:2]
        if group != _("unknown"):  # tickets without a region have no filter value to open
            open_tickets(vm.drill_stage(stage, by, group))

# --- SLA by tier --------------------------------------------------------------------
st.subheader(_("First-response SLA by priority tier"))
grain = trends.trend_grain(ctx.filters)
sla = data.sla_by_tier(ctx.version, ctx.filters, by)
target = settings.target_sla_met_pct
sla_cells, tiers, sla_groups = vm.sla_matrix(sla, target)
event = st.plotly_chart(
    charts_funnel.sla_heatmap(
        sla_cells, tiers, sla_groups,
        _("Met share against the {pct} target (click: breached tickets)").format(
            pct=format_percent_value(target))),
    key="funnel_sla_chart", width="stretch", on_select="rerun", selection_mode="points")
point = picked(event)
if point and isinstance(point.get("customdata"), list | tuple):
    tier, group = point["customdata"][:2]
    open_tickets(vm.sla_drill(tier, group, by))

s1, s2 = st.columns([2, 3])
with s1:
    st.dataframe(pl.DataFrame(vm.sla_table(sla)), hide_index=True, width="stretch",
                 key="funnel_sla_table")
    st.caption((_("Met share = met / (met + breached). Pending: no response yet and the "
                  "deadline not passed at the as-of time; left out of the share. Days with "
                  "fewer than {n} tickets due in a tier are gaps in its line.")
                if grain == "day" else
                _("Met share = met / (met + breached). Pending: no response yet and the "
                  "deadline not passed at the as-of time; left out of the share. Weeks with "
                  "fewer than {n} tickets due in a tier are gaps in its line.")).format(
        n=settings.min_sample))
# a month or shorter by day (a week by ISO week is one or two points), else by week
if grain == "day":
    periods, series, complete = trends.daily_sla_series(
        data.trend(ctx.version, ctx.filters, "day"),  # the Overview's cached daily trend
        data.kpis(ctx.version, ctx.filters, ("day", "priority")),
        tiers, settings.min_sample, ctx.as_of)
else:
    periods, series, complete = vm.sla_trend_series(
        data.sla_weekly(ctx.version, ctx.filters), tiers, settings.min_sample)
with s2:
    if trends.has_trend(series.get(None, [])):
        st.plotly_chart(charts_funnel.sla_trend(periods, series, complete, target, grain),
                        key="funnel_sla_trend", width="stretch")
    else:
        st.markdown("**" + trends.sla_trend_title(grain) + "**")
        st.info(trends.too_few_points_text(grain), icon=":material/show_chart:")

# --- backlog ------------------------------------------------------------------------
st.subheader(_("Backlog at the as-of time"))
backlog = data.backlog(ctx.version, ctx.filters)
summary = vm.backlog_summary(backlog)
st.markdown(vm.backlog_sentence(summary, settings.complaint_resolution_working_days))
m1, m2, m3, m4 = st.columns(4)
m1.metric(_("Open tickets"), format_number(summary.open_tickets))
m2.metric(_("SLA breached, still open"), format_number(summary.breached))
m3.metric(_("Overdue complaints"),  # a quarter of the width: a longer label was cut
          format_number(summary.overdue_complaints),
          help=_("Open complaints older than {days} working days.").format(
              days=settings.complaint_resolution_working_days))
m4.metric(_("Oldest open ticket"), vm.oldest_text(summary))
st.caption(_("Open among the tickets created in the selected period; choose All time for "
             "the whole backlog."))
if summary.unknown:
    st.caption(_("{n} tickets come from sources without a resolution time or status: "
                 "whether they are open is not in the data, so they are left out.").format(
        n=format_number(summary.unknown)))
bands, counts, breached = vm.backlog_bands(backlog)
if bands:
    event = st.plotly_chart(
        charts_funnel.backlog_bars(bands, ["received", "assigned", "responded"], counts,
                                   breached),
        key="funnel_backlog_chart", width="stretch", on_select="rerun",
        selection_mode="points")
    point = picked(event)
    if point and point.get("customdata") in vm.AGE_BAND_LABELS:
        open_tickets(vm.drill_backlog(point["customdata"]))
    st.dataframe(pl.DataFrame([vm.backlog_row(r) for r in
                               backlog.filter(pl.col("band").is_not_null()).iter_rows(named=True)]),
                 hide_index=True, width="stretch", key="funnel_backlog_table")
