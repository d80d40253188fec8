"""Funnel: how tickets move through handling, and how long each step takes."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, data
from dashboard.format import format_duration_minutes, format_value

ctx = st.session_state["ctx"]
st.title("Funnel")
st.caption(f"{ctx.description} · as of {ctx.as_of_text}")

frame = data.funnel(ctx.version, ctx.filters)
if frame["tickets"][0] == 0:
    st.info("No tickets match this period and these filters.", icon=":material/filter_alt_off:")
    st.stop()

left, right = st.columns([3, 2])
with left:
    st.plotly_chart(charts.funnel_chart(frame), key="funnel_chart", width="stretch")
with right:
    st.markdown("**Stage by stage**")
    table = pl.DataFrame({
        "Stage": [s.capitalize() for s in frame["stage"]],
        "Tickets": [format_value(v) for v in frame["tickets"]],
        "Of previous": [format_value(v, "%") if v is not None else "—"
                        for v in frame["conversion_pct"]],
        "Median time from previous": [format_duration_minutes(v) if v is not None else "—"
                                      for v in frame["median_minutes_from_previous"]],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="funnel_table")
    st.caption("A ticket counts at a stage when it has that stage's timestamp or any later one, "
               "so counts never rise down the funnel. Step times use only tickets with both "
               "timestamps; a missing one is never filled in.")
