"""Overview: the executive's one screen -- KPI cards against a like-for-like earlier
period and targets, and weekly trends. Numbers come from the query API through
dashboard.data; how each card reads is decided in dashboard.views.cards."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, data_changes
from dashboard.i18n import _, format_number
from dashboard.kpi_view import render_card
from dashboard.settings import get_settings
from dashboard.views.cards import build_cards, comparison_caption

ctx = st.session_state["ctx"]
filters = ctx.filters
version = ctx.version
settings = get_settings()

st.title(_("Overview"))
st.caption(_("{filters} · as of {as_of}").format(filters=ctx.description, as_of=ctx.as_of_text))

comparison = data.kpi_comparison(version, filters, ctx.preset)
st.caption(comparison_caption(comparison))

if comparison.current["tickets"] == 0:
    st.info(_("No tickets match this period and these filters. Widen the period or clear a "
              "filter."), icon=":material/filter_alt_off:")
else:
    views = build_cards(comparison, settings,
                        moments=data_changes.card_moments(version, filters, comparison))
    for start in range(0, len(views), 5):
        for column, view in zip(st.columns(5), views[start:start + 5], strict=False):
            with column:
                render_card(view)

    st.subheader(_("Weekly trends"))
    weekly = data.trend(version, filters, "week")
    small = weekly["n_csat"] < settings.min_sample
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.trend_bars(weekly, "tickets", _("Tickets per week")),
                        key="overview_volume", width="stretch")
        st.plotly_chart(charts.trend_line(weekly, "csat_avg", _("CSAT (avg of latest surveys)"),
                                          small_sample=small),
                        key="overview_csat", width="stretch")
    with right:
        st.plotly_chart(charts.trend_line(weekly, "frt_median_min", _("First response, median"),
                                          _("min"),
                                          small_sample=weekly["n_responded"] < settings.min_sample),
                        key="overview_frt", width="stretch")
        st.plotly_chart(charts.trend_line(weekly, "repeat_complaint_pct", _("Repeat complaints"),
                                          "%",
                                          small_sample=weekly["n_repeat"] < settings.min_sample),
                        key="overview_repeat", width="stretch")
    st.caption(_("Hollow markers: fewer than {n} cases that week — read with care. A week at "
                 "the edge of the period may be partial.").format(
                     n=format_number(settings.min_sample)))
