"""Data: what is in the warehouse (loading extracts comes with the load issue)."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.format import format_value

st.title("Data")
version = data.current_version()
if version is None:
    st.info("There is no warehouse yet. Build the demo with `.venv/bin/cxdash demo`, or load "
            "extracts with `.venv/bin/cxdash load FILE`.", icon=":material/database:")
    st.stop()
summary = data.summary(version)
cols = st.columns(6)
for col, key in zip(cols, ("tickets", "surveys", "customers", "branches", "fixes", "rejects"),
                    strict=True):
    col.metric(key.capitalize(), format_value(summary[key]), border=True)
st.caption(f"Tickets from {summary['first_day'] or 'n/a'} to {summary['last_day'] or 'n/a'} · "
           f"as of {summary['as_of'] or 'n/a'} · file `{data.warehouse_path()}`")
