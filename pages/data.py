"""Data: load extracts, see what was rejected and why, the load history, and data quality.

Loads write a copy of the warehouse and swap it in whole, so everybody else keeps
working on the previous data while a load runs and sees the new data on their next
interaction. Only the chosen section runs its queries; rejected rows and the history are
read a page at a time, and a download is built when it is asked for.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import streamlit as st

from dashboard import data, uploads
from dashboard.charts import PALETTE
from dashboard.format import format_value
from dashboard.i18n import _, format_number
from dashboard.settings import get_settings
from dashboard.views import data as view
from queries.loading import PAGE_ROWS

UPLOAD_CHUNK = 8 * 1024 * 1024  # an upload is copied to disk this much at a time

st.title(_("Data"))
if st.session_state.get("ctx") is not None:  # the app drew its filters (there is data)
    st.sidebar.caption(_("The filters above do not apply to the Data page: it shows every "
                         "load and every row."))
# resolved once per run by the app; None: no warehouse yet
version: data.Version | None = st.session_state.get("warehouse_version")
section = st.radio(_("Section"), list(view.SECTIONS), key="data_section", horizontal=True,
                   format_func=lambda s: _(view.SECTIONS[s]), label_visibility="collapsed")


def _load_section() -> None:
    profiles = uploads.profile_descriptions()
    with st.form("data_load_form", clear_on_submit=True, enter_to_submit=False):
        files = st.file_uploader(
            _("Extracts (CSV in any delimiter and UTF-8/GBK/GB18030/UTF-16, Parquet, Excel "
              ".xlsx)"),
            type=["csv", "txt", "tsv", "parquet", "xlsx"], accept_multiple_files=True,
            key="data_files",
            help=_("Up to 2 GB per file. Larger files: `.venv/bin/cxdash load FILE` on the "
                   "server, which reads them from disk."))
        c1, c2, c3 = st.columns(3)
        kind = c1.selectbox(_("Kind"), ["detect", *uploads.kind_names()], key="data_kind",
                            format_func=lambda k: _("Detect from the columns") if k == "detect"
                            else view.kind_label(k),
                            help=_("Pick one when detection says the kind is unclear."))
        profile = c2.selectbox(_("Source profile"), ["detect", *profiles], key="data_profile",
                               format_func=lambda p: _("Detect from the header") if p == "detect"
                               else f"{p} — {profiles[p]}")
        sheet = c3.text_input(_("Excel sheet (default: the first)"), key="data_sheet")
        force = st.checkbox(_("Load again even if this file was loaded before as this kind "
                              "with this profile"), key="data_force")
        submitted = st.form_submit_button(_("Load"), type="primary", icon=":material/upload:")

    if submitted and not files:
        st.warning(_("Choose one or more files first."))
    if submitted and files:
        results: list[dict[str, object]] = []
        with tempfile.TemporaryDirectory() as tmp:
            for upload in files:
                path = Path(tmp) / Path(upload.name).name
                upload.seek(0)
                with open(path, "wb") as fh:  # streamed to disk, never copied whole
                    shutil.copyfileobj(upload, fh, UPLOAD_CHUNK)
                bar = st.progress(0.0, text=_("{file}: starting").format(file=upload.name))

                def step(what: str, frac: float, bar=bar, name=upload.name) -> None:
                    bar.progress(min(max(frac, 0.0), 1.0), text=f"{name}: {what}")

                results.append(uploads.load_upload(
                    data.warehouse_path(), path, kind=None if kind == "detect" else kind,
                    profile=None if profile == "detect" else profile, sheet=sheet or None,
                    step=step, force=force).as_json())
        st.session_state["data_last_results"] = results
        st.rerun()  # the new warehouse version: every cached view refreshes

    last = st.session_state.get("data_last_results")
    if last:
        st.subheader(_("Result of the last load"))
        st.dataframe(view.result_rows(last), hide_index=True, width="stretch")
        for r in last:
            level, text = view.result_message(r)
            icon = {"error": ":material/block:", "info": ":material/content_copy:",
                    "warning": ":material/rule:", "success": ":material/check_circle:"}[level]
            getattr(st, level)(text, icon=icon)
    st.caption(_("Re-sent rows replace the old ones (newest load wins). Loading the same file "
                 "again as the same kind with the same profile adds nothing, unless you tick "
                 "“Load again”. Profiles are TOML files: see the README, “Loading extracts”, "
                 "to add a new source without code."))


def _rejects_section(version: data.Version) -> None:
    extracts = data.reject_extracts(version)
    all_rows = sum(extracts.values())
    if all_rows == 0:
        st.success(_("No rejected rows: every row of every load is in the warehouse."),
                   icon=":material/check_circle:")
        return
    c1, c2, c3 = st.columns([2, 3, 1])
    chosen = c1.selectbox(_("Extract"), ["all", *extracts], key="data_rejects_extract",
                          format_func=lambda e: _("All extracts") if e == "all"
                          else f"{e} ({format_number(extracts[e])})")
    needle = c2.text_input(_("Reason or column contains"), key="data_rejects_search")
    extract = None if chosen == "all" else chosen
    _first, total = data.rejects_page(version, extract, needle or None, 0)
    n_pages = view.pages(total, PAGE_ROWS)
    page = c3.number_input(_("Page"), min_value=1, max_value=n_pages, value=1, step=1,
                           key="data_rejects_page")
    page = min(int(page), n_pages)
    rows, total = data.rejects_page(version, extract, needle or None, page - 1)
    st.caption(view.rejects_caption(total, all_rows, page, n_pages))
    st.dataframe(view.rejects_frame(rows), hide_index=True, width="stretch", height=420)
    st.download_button(
        _("Download the matching rows as CSV"),
        data=lambda: data.rejects_csv(version, extract, needle or None),
        file_name="rejected-rows.csv", mime="text/csv", key="data_rejects_download",
        icon=":material/download:", on_click="ignore")


def _history_section(version: data.Version) -> None:
    counts = data.loads_count(version)
    if counts["loads"] == 0:
        st.info(_("No loads yet."))
        return
    n_pages = view.pages(counts["loads"], PAGE_ROWS)
    page = st.columns([1, 5])[0].number_input(_("Page"), min_value=1, max_value=n_pages,
                                              value=1, step=1, key="data_history_page")
    st.caption(_("{n} load attempts, newest first · page {page} of {pages}").format(
        n=format_number(counts["loads"]), page=int(page), pages=n_pages))
    st.dataframe(view.history_frame(data.loads_page(version, int(page) - 1)),
                 hide_index=True, width="stretch")


def _quality_section(version: data.Version) -> None:
    # Imported here: the other sections draw no chart and need not wait for them. pandas
    # first: plotly's validators take pandas from sys.modules without importing it, and a
    # first run that met another thread's import half-way failed with "partially
    # initialized module 'pandas'"; `import` waits for such an import to finish.
    import pandas  # noqa: F401
    import plotly.graph_objects as go

    dq = data.data_quality(version)
    checks = dq["checks"]
    counts = data.loads_count(version)
    target = format_value(get_settings().target_accepted_pct, "%")
    cols = st.columns(4)
    cols[0].metric(_("Loads below {target} accepted").format(target=target),
                   format_number(counts["below_target"]), border=True,
                   help=_("Target: at least {target} of every extract's rows accepted (rows a "
                          "profile skips on purpose do not count; setting "
                          "CXDASH_TARGET_ACCEPTED_PCT).").format(target=target))
    cols[1].metric(_("Tickets with an unknown branch"),
                   format_number(checks["tickets_unknown_branch"]), border=True,
                   help=_("The branch is not in the branches table: region filters miss them."))
    cols[2].metric(_("Tickets with an unknown customer"),
                   format_number(checks["tickets_unknown_customer"]), border=True,
                   help=_("The customer is not in the customers table: churn leaves them out."))
    cols[3].metric(_("Surveys waiting for their ticket"), format_number(checks["orphan_surveys"]),
                   border=True, help=_("Kept, and counted once the ticket is loaded."))
    cols = st.columns(4)
    cols[0].metric(_("Timestamps out of order"), format_number(checks["timestamps_out_of_order"]),
                   border=True, help=_("A response before the assignment, a resolution before "
                                       "the response, or closing before resolution."))
    cols[1].metric(_("Anonymous tickets"), format_number(checks["tickets_anonymous"]),
                   border=True, help=_("No customer id: never repeats, left out of churn."))
    cols[2].metric(_("Resolved without a response"),
                   format_number(checks["resolved_without_response"]), border=True)
    cols[3].metric(_("Tickets"), format_number(checks["tickets"]), border=True)
    sentence = view.below_target_sentence(data.below_target_loads(version), target)
    if sentence:
        st.warning(sentence)

    coverage = dq["coverage"]
    if coverage.height:
        grain = coverage["grain"][0]
        st.subheader(view.coverage_title(grain))
        fig = go.Figure()
        hover = "%{x|%Y-%m}" if grain == "month" else "%{x|%Y-%m-%d}"
        fig.add_trace(go.Bar(x=coverage["period"].to_list(), y=coverage["tickets"].to_list(),
                             name=_("Tickets"), marker_color=PALETTE["primary"],
                             hovertemplate=hover + ": %{y:,}<extra>" + _("Tickets") + "</extra>"))
        fig.add_trace(go.Bar(x=coverage["period"].to_list(), y=coverage["surveys"].to_list(),
                             name=_("Surveys"), marker_color=PALETTE["muted"],
                             hovertemplate=hover + ": %{y:,}<extra>" + _("Surveys") + "</extra>"))
        # a log scale: the chart answers "which periods have data", and one busy month
        # (a 30,000-call log) must not flatten years of smaller extracts to nothing
        fig.update_layout(barmode="overlay", height=280,
                          margin={"l": 10, "r": 10, "t": 10, "b": 10},
                          legend={"orientation": "h"}, yaxis_title=_("Rows (log scale)"),
                          yaxis={"type": "log", "dtick": 1})  # labels at 1, 10, 100…
        st.plotly_chart(fig, key="data_coverage", width="stretch")
        gaps = view.coverage_gaps(coverage)
        if gaps:
            st.caption(gaps)
    left, right = st.columns(2)
    with left:
        st.subheader(_("Spelling variants and unusual values"))
        if dq["spellings"].height:
            st.dataframe(view.spelling_frame(dq["spellings"]), hide_index=True, width="stretch")
        else:
            st.caption(_("None found."))
    with right:
        st.subheader(_("Empty values per column"))
        st.dataframe(view.null_rate_frame(dq["null_rates"]), hide_index=True, width="stretch")


if section == "load":
    _load_section()
elif version is None:
    st.info(_("No warehouse yet: load extracts in “Load extracts”, or build the demo with "
              "`.venv/bin/cxdash demo`."), icon=":material/database:")
elif section == "rejects":
    _rejects_section(version)
elif section == "history":
    _history_section(version)
else:
    _quality_section(version)
