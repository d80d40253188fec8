"""Data: load extracts, see what was rejected and why, the load history, and data quality.

Loads write a copy of the warehouse and swap it in whole, so everybody else keeps
working on the previous data while a load runs and sees the new data on their next
interaction.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import data
from dashboard.charts import PALETTE
from dashboard.format import format_value
from dashboard.load.kinds import KINDS
from dashboard.load.profiles import shipped_profiles
from dashboard.load.run import LoadResult, load_file
from dashboard.settings import get_settings

st.title("Data")
version = st.session_state.get("warehouse_version")  # resolved once per run by the app
tab_load, tab_rejects, tab_history, tab_quality = st.tabs(
    ["Load extracts", "Rejected rows", "Load history", "Data quality"])

# --- load -----------------------------------------------------------------------------
with tab_load:
    profiles = shipped_profiles()
    with st.form("data_load_form", clear_on_submit=True, enter_to_submit=False):
        files = st.file_uploader(
            "Extracts (CSV in any delimiter and UTF-8/GBK/GB18030/UTF-16, Parquet, Excel .xlsx)",
            type=["csv", "txt", "tsv", "parquet", "xlsx"], accept_multiple_files=True,
            key="data_files",
            help="Up to 2 GB per file. Larger files: `.venv/bin/cxdash load FILE` on the "
                 "server, which reads them from disk.")
        c1, c2, c3 = st.columns(3)
        kind = c1.selectbox("Kind", ["detect", *KINDS], key="data_kind",
                            format_func=lambda k: "Detect from the columns" if k == "detect" else k,
                            help="Pick one when detection says the kind is unclear.")
        profile = c2.selectbox("Source profile", ["detect", *profiles], key="data_profile",
                               format_func=lambda p: "Detect from the header" if p == "detect"
                               else f"{p} — {profiles[p].description}")
        sheet = c3.text_input("Excel sheet (default: the first)", key="data_sheet")
        submitted = st.form_submit_button("Load", type="primary", icon=":material/upload:")

    if submitted and not files:
        st.warning("Choose one or more files first.")
    if submitted and files:
        results: list[LoadResult] = []
        with tempfile.TemporaryDirectory() as tmp:
            for upload in files:
                path = Path(tmp) / Path(upload.name).name
                path.write_bytes(upload.getvalue())
                bar = st.progress(0.0, text=f"{upload.name}: starting")

                def step(what: str, frac: float, bar=bar, name=upload.name) -> None:
                    bar.progress(min(max(frac, 0.0), 1.0), text=f"{name}: {what}")

                results.append(load_file(
                    data.warehouse_path(), path, kind=None if kind == "detect" else kind,
                    profile=None if profile == "detect" else profile, sheet=sheet or None,
                    step=step))
        st.session_state["data_last_results"] = [r.as_json() for r in results]
        st.rerun()  # the new warehouse version: every cached view refreshes

    last = st.session_state.get("data_last_results")
    if last:
        st.subheader("Result of the last load")
        st.dataframe(pl.DataFrame(last).select(
            "file", "status", "kind", "profile", "rows_read", "new", "updated", "rejected"),
            hide_index=True, width="stretch")
        for r in last:
            if r["status"] == "refused":
                st.error(r["message"], icon=":material/block:")
            elif r["status"] == "already_loaded":
                st.info(r["message"], icon=":material/content_copy:")
            elif r["rejected"]:
                st.warning(f"{r['file']}: {r['message']}", icon=":material/rule:")
            else:
                st.success(f"{r['file']}: {r['new']:,} new, {r['updated']:,} updated. "
                           + (r["message"] or ""), icon=":material/check_circle:")
    st.caption("Re-sent rows replace the old ones (newest load wins). Loading the same file "
               "twice adds nothing. Profiles are TOML files: see the README, "
               "“Loading extracts”, to add a new source without code.")

if version is None:
    for tab in (tab_rejects, tab_history, tab_quality):
        with tab:
            st.info("No warehouse yet: load extracts in the first tab, or build the demo with "
                    "`.venv/bin/cxdash demo`.", icon=":material/database:")
    st.stop()

# --- rejects --------------------------------------------------------------------------
with tab_rejects:
    rejects = data.rejects(version)
    if rejects.height == 0:
        st.success("No rejected rows: every row of every load is in the warehouse.",
                   icon=":material/check_circle:")
    else:
        c1, c2 = st.columns([1, 2])
        extracts = sorted(rejects["extract"].unique().to_list())
        chosen = c1.selectbox("Extract", ["all", *extracts], key="data_rejects_extract",
                              format_func=lambda e: "All extracts" if e == "all" else e)
        needle = c2.text_input("Reason or column contains", key="data_rejects_search")
        shown = rejects if chosen == "all" else rejects.filter(pl.col("extract") == chosen)
        if needle:
            shown = shown.filter(pl.col("reason").str.contains(needle, literal=True)
                                 | pl.col("column").str.contains(needle, literal=True))
        st.caption(f"{shown.height:,} of {rejects.height:,} rejected rows")
        st.dataframe(shown.select("extract", "line", "column", "reason", "raw"),
                     hide_index=True, width="stretch", height=420)
        st.download_button(
            "Download these rows as CSV", shown.select("extract", "line", "column", "reason",
                                                       "raw").write_csv(),
            file_name="rejected-rows.csv", mime="text/csv", key="data_rejects_download",
            icon=":material/download:")

# --- history --------------------------------------------------------------------------
with tab_history:
    loads = data.loads(version)
    if loads.height == 0:
        st.info("No loads yet.")
    else:
        st.dataframe(
            loads.select(
                pl.col("started_at").dt.strftime("%Y-%m-%d %H:%M:%S").alias("when"),
                pl.col("file_name").alias("file"), "status", "kind", "profile",
                pl.col("rows_read").alias("read"), pl.col("rows_new").alias("new"),
                pl.col("rows_updated").alias("updated"), pl.col("rows_rejected").alias("rejected"),
                pl.col("accepted_pct").round(1).alias("accepted %"),
                pl.col("loaded_by").alias("who"), pl.col("duration_s").round(2).alias("seconds"),
                pl.col("checksum").str.slice(0, 12).alias("checksum"), "message"),
            hide_index=True, width="stretch")

# --- quality --------------------------------------------------------------------------
with tab_quality:
    dq = data.data_quality(version)
    checks = dq["checks"]
    loads = data.loads(version)
    below = loads.filter(pl.col("below_target"))
    target = format_value(get_settings().target_accepted_pct, "%")
    cols = st.columns(4)
    cols[0].metric(f"Loads below {target} accepted", format_value(below.height), border=True,
                   help=f"Target: at least {target} of every extract's rows accepted "
                        "(setting CXDASH_TARGET_ACCEPTED_PCT).")
    cols[1].metric("Tickets with an unknown branch", format_value(checks["tickets_unknown_branch"]),
                   border=True, help="branch_id not in the branches table: region filters miss them.")
    cols[2].metric("Tickets with an unknown customer",
                   format_value(checks["tickets_unknown_customer"]), border=True,
                   help="customer_id not in the customers table: churn leaves them out.")
    cols[3].metric("Surveys waiting for their ticket", format_value(checks["orphan_surveys"]),
                   border=True, help="Kept, and counted once the ticket is loaded.")
    cols = st.columns(4)
    cols[0].metric("Timestamps out of order", format_value(checks["timestamps_out_of_order"]),
                   border=True, help="response before assignment, resolution before response, "
                                     "or closing before resolution")
    cols[1].metric("Anonymous tickets", format_value(checks["tickets_anonymous"]), border=True,
                   help="No customer id: never repeats, left out of churn.")
    cols[2].metric("Resolved without a response", format_value(checks["resolved_without_response"]),
                   border=True)
    cols[3].metric("Tickets", format_value(checks["tickets"]), border=True)
    if below.height:
        st.warning(f"Loads below the {target} target: " + ", ".join(
            f"{r['file_name']} ({r['accepted_pct']:.1f} %)" for r in below.iter_rows(named=True)))

    coverage = dq["coverage"]
    if coverage.height:
        st.subheader("Daily coverage")
        fig = go.Figure()
        fig.add_trace(go.Bar(x=coverage["day"].to_list(), y=coverage["tickets"].to_list(),
                             name="tickets", marker_color=PALETTE["primary"]))
        fig.add_trace(go.Bar(x=coverage["day"].to_list(), y=coverage["surveys"].to_list(),
                             name="surveys", marker_color=PALETTE["muted"]))
        fig.update_layout(barmode="overlay", height=280, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                          legend={"orientation": "h"})
        st.plotly_chart(fig, key="data_coverage", width="stretch")
        gaps = coverage.filter(pl.col("tickets") == 0)
        if gaps.height:
            st.caption(f"{gaps.height:,} day(s) without any ticket between the first and the last "
                       f"day, e.g. {', '.join(str(d) for d in gaps['day'].head(5).to_list())}.")
    left, right = st.columns(2)
    with left:
        st.subheader("Spelling variants and unusual values")
        if dq["spellings"].height:
            st.dataframe(dq["spellings"], hide_index=True, width="stretch")
        else:
            st.caption("None found.")
    with right:
        st.subheader("Empty values per column")
        st.dataframe(dq["null_rates"].with_columns(pl.col("null_pct").round(1)),
                     hide_index=True, width="stretch")
