"""Overview: the executive's one screen -- KPI cards against the previous period and
targets, and weekly trends. Everything comes from the query API through dashboard.data."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.format import format_value
from dashboard.kpi_view import CARD_KEYS, card
from dashboard.settings import get_settings

ctx = st.session_state["ctx"]
filters = ctx.filters
version = ctx.version

st.title("Overview")
st.caption(f"{ctx.description} · as of {ctx.as_of_text}")

comparison = data.kpi_comparison(version, filters)
settings = get_settings()
targets = settings.targets()
if comparison.previous is None:
    st.caption("No previous period to compare with (choose a period with a start and an end).")
elif comparison.previous_filters is not None:
    pf = comparison.previous_filters
    st.caption(f"Changes are against {pf.date_from:%d %b %Y} – {pf.date_to:%d %b %Y}.")

if comparison.current["tickets"] == 0:
    st.info("No tickets match this period and these filters. Widen the period or clear a filter.",
            icon=":material/filter_alt_off:")
else:
    for start in range(0, len(CARD_KEYS), 5):
        for column, key in zip(st.columns(5), CARD_KEYS[start:start + 5], strict=False):
            with column:
                card(key, comparison, targets, settings.min_sample)

    st.subheader("Weekly trends")
    weekly = data.trend(version, filters, "week")
    small = weekly["n_csat"] < settings.min_sample
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.trend_bars(weekly, "tickets", "Tickets per week"),
                        key="overview_volume", width="stretch")
        st.plotly_chart(charts.trend_line(weekly, "csat_avg", "CSAT (avg of latest surveys)",
                                          small_sample=small),
                        key="overview_csat", width="stretch")
    with right:
        st.plotly_chart(charts.trend_line(weekly, "frt_median_min", "First response, median",
                                          "min", small_sample=weekly["n_responded"] < settings.min_sample),
                        key="overview_frt", width="stretch")
        st.plotly_chart(charts.trend_line(weekly, "repeat_complaint_pct", "Repeat complaints", "%",
                                          small_sample=weekly["complaints"] < settings.min_sample),
                        key="overview_repeat", width="stretch")
    st.caption("Hollow markers: fewer than "
               f"{format_value(settings.min_sample)} cases that week — read with care. "
               "A week at the edge of the period may be partial.")
