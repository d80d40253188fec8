"""Explore: drill from channel to region to branch to the tickets, one ticket and its
customer's whole story; customers at risk. Every other page hands its clicks here
(dashboard.state.drill_to). The view lives in the URL (dashboard.views.explore
ExploreState): read on every run, written back on every change, so a copied link shows
the same view in a fresh browser. Data comes from queries/explore.py through the cached
wrappers of dashboard.data; free text is masked (dashboard.masking) before it is shown
or exported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import polars as pl
import streamlit as st

from dashboard import charts_explore, data, data_changes
from dashboard.export import header_block, to_csv, to_xlsx
from dashboard.i18n import _, format_date, format_number, ngettext, value_label
from dashboard.kpi_view import render_card
from dashboard.masking import mask_frame, mask_record
from dashboard.settings import get_settings
from dashboard.state import drill_to
from dashboard.views import explore as vx
from dashboard.views.cards import build_cards
from queries.explore_model import AGE_BANDS, AT_RISK_LIMIT, SLA_STATES, SORT_KEYS, STAGES

ctx = st.session_state["ctx"]
filters = ctx.filters
version = ctx.version
settings = get_settings()
state = vx.ExploreState.from_params(st.query_params)
branch_names = data.branch_names(version)
EXPORT_LIMIT = 10_000  # rows of a whole-list download (a page shows 50)


# --- URL -------------------------------------------------------------------------------

def _write_url(current: vx.ExploreState) -> None:
    """The page's own keys back into the URL (the sidebar writes the filters)."""
    wanted = current.to_params()
    for key in vx.URL_KEYS:
        if key in wanted:
            if st.query_params.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def go(params: dict[str, str], set_filters: dict[str, list[str]] | None = None) -> None:
    """Show another view: its x_* keys replace the current ones; set_filters changes
    global filters (applied before the sidebar is drawn in the next run)."""
    drill_to("explore", set_filters=set_filters or {}, params=params)


_write_url(state)


# --- pieces ----------------------------------------------------------------------------

def draw_breadcrumb() -> None:
    crumbs = vx.breadcrumb(state, filters, branch_names)
    widths = [vx.display_width(c.label) + 6 for c in crumbs]
    cols = st.columns([*widths, max(10, 120 - sum(widths))], gap="small")
    for i, (col, crumb) in enumerate(zip(cols, crumbs, strict=False)):
        with col:
            if crumb.current:
                st.markdown(f"**{crumb.label}**")
            elif st.button(crumb.label, key=f"explore_crumb_{i}", type="tertiary",
                           icon=":material/chevron_left:" if i == 0 else None):
                params = dict(crumb.params) or {"x_level": crumb.level}
                params.setdefault("x_level", crumb.level)
                go(params, {dim: [] for dim in crumb.clear})


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """List cells (sparklines, SLA pills) as text for a download."""
    return frame.with_columns(
        pl.col(c).list.eval(pl.element().cast(pl.String)).list.join(", ")
        for c, t in frame.schema.items() if isinstance(t, pl.List))


def downloads(frame: pl.DataFrame, title: str, key: str, extra: list[str] | None = None,
              all_rows: Callable[[], pl.DataFrame] | None = None, total: int = 0) -> None:
    """CSV and XLSX of a table as shown, with the filters and as_of in a header block.
    all_rows: builds the whole list (not just the page shown) when its button is clicked."""
    if frame.height == 0:
        return
    headers = [vx.column_label(c) for c in frame.columns]
    block = header_block(title, ctx.description, ctx.as_of_text, extra or state.narrowing())
    plain = _plain(frame)
    cols = st.columns([1, 1, 3, 3])
    with cols[0]:
        st.download_button(_("CSV"), data=lambda: to_csv(plain, block, headers),
                           file_name=f"{key}.csv", mime="text/csv", key=f"{key}_csv",
                           icon=":material/download:", on_click="ignore")
    with cols[1]:
        st.download_button(_("Excel"), data=lambda: to_xlsx(plain, block, headers),
                           file_name=f"{key}.xlsx", key=f"{key}_xlsx", mime=XLSX_MIME,
                           icon=":material/download:", on_click="ignore")
    if all_rows is not None and total > frame.height:
        n = min(total, EXPORT_LIMIT)
        label = _("All {n} as Excel").format(n=format_number(n)) if total <= EXPORT_LIMIT \
            else _("First {n} as Excel").format(n=format_number(n))
        with cols[2]:
            st.download_button(label, data=lambda: to_xlsx(_plain(all_rows()), block, headers),
                               file_name=f"{key}-all.xlsx", key=f"{key}_all_xlsx",
                               mime=XLSX_MIME, icon=":material/download:", on_click="ignore")


def kpi_strip() -> None:
    """The KPI cards of the slice (the Overview's card rules, dashboard.views.cards)."""
    comparison = data.kpi_comparison(version, filters, ctx.preset)
    views = build_cards(comparison, settings, keys=state.card_keys(),
                        moments=data_changes.card_moments(version, filters, comparison))
    # three a row: six in a row cut the ticket count to "291,…" at 1,400 px
    for start in range(0, len(views), 3):
        for column, view in zip(st.columns(3), views[start:start + 3], strict=False):
            with column:
                render_card(view)


def sized(config: dict[str, Any], frame: pl.DataFrame, columns: list[str] | None = None,
          measure: bool = True) -> dict[str, Any]:
    """The column configs with a width for every column (of `columns`, default all), as
    wide as its header and its usual values (vx.CONTENT_CHARS) and, with `measure`, the
    values shown, so that no header or value is cut ("CS…", "14 小时 21 分" at 1,400 px).
    The at-risk list is not measured: its reasons would widen it past the page."""
    out: dict[str, Any] = {}
    for c in columns or frame.columns:
        entry = config.get(c, vx.column_label(c))
        entry = dict(st.column_config.Column(entry) if isinstance(entry, str) else entry)
        if not entry.get("width"):
            values = frame[c].to_list() if measure and frame[c].dtype == pl.String else ()
            entry["width"] = vx.column_px(entry.get("label") or c, vx.CONTENT_CHARS.get(c, 0),
                                          values)
        out[c] = entry
    return out


def selected_row(key: str) -> int | None:
    event = st.session_state.get(key)
    try:
        rows = event["selection"]["rows"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    return rows[0] if rows else None


TICKET_COLUMN_CONFIG = {
    "ticket_id": st.column_config.TextColumn(_("Ticket"), pinned=True),
    "created_at": st.column_config.DatetimeColumn(_("Created"), format="YYYY-MM-DD HH:mm"),
    "age": st.column_config.TextColumn(
        _("Age"), help=_("Open tickets: age at as of. Resolved tickets: time to resolution.")),
    "sla": st.column_config.MultiselectColumn(
        _("SLA"), options=[vx.sla_label(s) for s in SLA_STATES] + [vx.sla_label(None)],
        color=[vx.SLA_COLORS[s] for s in SLA_STATES] + ["#bbbbbb"]),
    "csat": st.column_config.ProgressColumn(_("CSAT"), min_value=0, max_value=5, format="%d"),
    "nps": st.column_config.ProgressColumn(_("NPS"), min_value=0, max_value=10, format="%d"),
}


def column_chooser(where: str, extra_columns: tuple[str, ...] = ()) -> None:
    """"Columns: 9 of 20": which columns the ticket tables show (x_cols, shared by the
    ticket list, a customer's contacts and a ticket's related contacts). The defaults fit
    the page at 1,400 px; the form writes a choice to the URL."""
    key = f"explore_cols_{where}"
    shown = vx.shown_ticket_columns(state.columns, extra_columns)
    options = [c for c in vx.TICKET_TABLE_COLUMNS if c != "ticket_id"]
    current = [c for c in options if c in shown]
    # the widget shows the URL's choice: reset when the URL changed since it was last set
    if st.session_state.get(f"_{key}_synced") != current:
        st.session_state[key] = current
        st.session_state[f"_{key}_synced"] = current
    label = _("Columns: {shown} of {total}").format(
        shown=len(shown), total=len(vx.TICKET_TABLE_COLUMNS) + len(extra_columns))
    with st.popover(label, icon=":material/view_column:"):
        with st.form(f"{key}_form", border=False):
            picked = st.pills(_("Columns to show"), options, selection_mode="multi",
                              format_func=vx.column_label, key=key,
                              help=_("The ticket id is always shown. Downloads hold every "
                                     "column. Many columns scroll sideways."))
            left, right = st.columns(2)
            with left:
                show = st.form_submit_button(_("Show these columns"), type="primary")
            with right:
                reset = st.form_submit_button(_("Default columns"))
    if reset and state.columns is not None:
        go(replace(state, columns=None).to_params())
    elif show and list(picked or []) != current:
        go(replace(state, columns=vx.chosen_columns(picked or [])).to_params())


def show_ticket_table(frame: pl.DataFrame, key: str, extra_columns: tuple[str, ...] = (),
                      where: str = "tickets", chooser: Any = None
                      ) -> tuple[int | None, pl.DataFrame]:
    """A ticket table (masked) with the columns chosen (x_cols; by default those that fit
    at 1,400 px) and a chooser for the others; returns the selected row and the table for
    downloads (every column, plus the durations in minutes as numbers).
    chooser: the container to draw the column chooser in (default: a row above the table)."""
    with chooser if chooser is not None else st.container(horizontal_alignment="right"):
        column_chooser(where, extra_columns)
    masked = mask_frame(frame)
    table = vx.ticket_table(masked)
    export = vx.ticket_table(masked, minutes=True)
    # extra columns (a related contact's relation) right after the ticket id: at the far
    # right they were out of sight, and they are what the table is for
    for i, extra in enumerate(extra_columns, start=1):
        table = table.insert_column(i, frame[extra].alias(extra))
        export = export.insert_column(i, frame[extra].alias(extra))
    shown = table.with_columns(pl.col("sla").map_elements(lambda s: [s], return_dtype=pl.List(pl.String)))
    order = vx.shown_ticket_columns(state.columns, extra_columns)
    config = sized({c: vx.column_label(c) for c in shown.columns} | TICKET_COLUMN_CONFIG,
                   shown, order)
    # a column selection turns the headers' sorting off: it would sort only the rows of
    # this page, which reads as the whole list sorted; "Sort by" sorts the whole list
    st.dataframe(shown, hide_index=True, width="stretch", key=key, on_select="rerun",
                 selection_mode=["single-row", "single-column"], column_config=config,
                 column_order=order, placeholder=_("n/a"))
    return selected_row(key), export


# --- levels ----------------------------------------------------------------------------

def level_breakdown(dim: str) -> None:
    st.subheader(_("{level} — click a row to go deeper").format(level=_(vx.LEVEL_LABELS[dim])))
    kpis = data.kpis(version, filters, by=dim)
    try:
        weekly = vx.weekly_counts(data.kpis(version, filters, by=(dim, "week")), dim)
    except (TypeError, ValueError):  # a query API without two-dimension breakdowns
        weekly = {}
    table = vx.sort_breakdown(vx.breakdown_table(kpis, weekly), state.bsort)
    groups = table["group"].to_list()
    sort_col, _gap = st.columns([2, 5])
    with sort_col:
        bsort_options = [f"-{k}" for k in vx.BREAKDOWN_SORT_KEYS] + list(vx.BREAKDOWN_SORT_KEYS)
        bsort = st.selectbox(_("Sort by"), bsort_options,
                             index=bsort_options.index(state.bsort),
                             format_func=vx.breakdown_sort_label,
                             key=f"explore_bsort_{dim}_{state.bsort}")
        if bsort != state.bsort:
            go(replace(state, bsort=bsort).to_params())
    if dim == "branch":
        table = table.with_columns(pl.col("group").map_elements(
            lambda b: f"{b} · {branch_names[b]}" if b in branch_names else b,
            return_dtype=pl.String).alias("group"))
    pct = "%.1f%%"
    config = {
        "group": st.column_config.TextColumn(_(vx.LEVEL_LABELS[dim]), pinned=True),
        "tickets": st.column_config.NumberColumn(_("Tickets"), format="localized"),
        "complaints": st.column_config.NumberColumn(_("Complaints"), format="localized"),
        "sla_met_pct": st.column_config.NumberColumn(_("SLA met %"), format=pct),
        "fcr_pct": st.column_config.NumberColumn(_("FCR %"), format=pct),
        "repeat_complaint_pct": st.column_config.NumberColumn(_("Repeat complaints %"),
                                                              format=pct),
        "csat_avg": st.column_config.NumberColumn(_("CSAT avg"), format="%.2f"),
        "nps_value": st.column_config.NumberColumn(_("NPS"), format="%.1f"),
        "trend": st.column_config.LineChartColumn(_("Tickets per week"), y_min=0),
    }
    key = f"explore_{dim}_table"
    # column selection on: the headers do not sort (a header sort would not be kept in
    # the link); "Sort by" above sorts and is kept in the URL (x_bsort)
    st.dataframe(table, hide_index=True, width="stretch", key=key, on_select="rerun",
                 selection_mode=["single-row", "single-column"], column_config=config,
                 placeholder=_("n/a"))
    st.caption(_("Sort with “Sort by” above (kept in the link). n/a: the selection has no "
                 "case for that figure. The weekly trend covers the period's weeks; the "
                 "first and last may be partial."))
    downloads(table, _(vx.LEVEL_LABELS[dim]), f"explore_{dim}")
    row = selected_row(key)
    if row is not None and row < len(groups):
        value = groups[row]
        if value is None:
            st.warning(_("Tickets without a known {level} cannot be narrowed further.")
                       .format(level=_(vx.LEVEL_LABELS[dim]).lower()))
        else:
            go({"x_level": vx.NEXT_LEVEL[dim], **({"x_bsort": state.bsort}
                if state.bsort != vx.DEFAULT_BSORT else {})}, {dim: [value]})
    left, right, _rest = st.columns([2, 2, 5])
    with left:
        if st.button(_("List these tickets"), key="explore_to_tickets",
                     icon=":material/list:"):
            go({"x_level": "tickets"})
    with right:
        if st.button(_("Customers at risk"), key="explore_to_at_risk",
                     icon=":material/person_alert:"):
            go({"x_level": "at_risk"})


NARROW_KEYS = ("explore_f_stage", "explore_f_sla", "explore_f_q", "explore_f_age",
               "explore_f_open", "explore_f_score", "explore_f_repeat", "explore_f_reopened",
               "explore_f_escalated")


def _sync_narrowing_widgets() -> None:
    """Widgets show the URL's narrowing: when the URL changed since they were last set (a
    link, Clear, the breadcrumb), their state is reset from it before they are drawn."""
    wanted = state.to_params()
    if st.session_state.get("_explore_synced") == wanted:
        return
    values = (state.stage or (f"stuck:{state.stuck_at}" if state.stuck_at else ""),
              state.sla or "", state.text or "", state.age or "", state.open_only,
              state.low_score, state.repeat, state.reopened, state.escalated)
    for key, value in zip(NARROW_KEYS, values, strict=True):
        st.session_state[key] = value
    st.session_state["_explore_synced"] = wanted


def narrowing_form() -> None:
    """The ticket-list narrowing: shown from the URL; submitting writes the URL."""
    _sync_narrowing_widgets()
    with st.expander(_("Narrow the list"), icon=":material/tune:"):
        with st.form("explore_narrow", border=False):
            c1, c2, c3 = st.columns(3)
            stage_options = ["", *STAGES, *[f"stuck:{s}" for s in STAGES]]

            def stage_label(v: str) -> str:
                if not v:
                    return _("any")
                if v.startswith("stuck:"):
                    return _("open, stuck at {stage}").format(
                        stage=_(vx.STAGE_LABELS[v[6:]]))
                return _("reached {stage}").format(stage=_(vx.STAGE_LABELS[v]))

            with c1:
                stage = st.selectbox(_("Stage"), stage_options, format_func=stage_label,
                                     key="explore_f_stage")
                sla = st.selectbox(_("SLA"), ["", *SLA_STATES],
                                   format_func=lambda v: vx.sla_label(v) if v else _("any"),
                                   key="explore_f_sla")
            with c2:
                text = st.text_input(
                    _("Text in subject, description or comment"), key="explore_f_q",
                    help=_("Words of a ticket's subject, description or survey comment; a "
                           "ticket or customer id opens it.") + (" " + _(
                        "With personal data masked, e-mail addresses and four or more "
                        "digits in a row are not searched.")
                        if settings.mask_personal_data else ""))
                age = st.selectbox(_("Open for"), ["", *AGE_BANDS],
                                   format_func=lambda v: _(vx.AGE_LABELS[v]) if v else _("any"),
                                   key="explore_f_age")
            with c3:
                open_only = st.checkbox(_("Open at as of"), key="explore_f_open")
                low = st.checkbox(_("Low latest score (CSAT ≤ 2 or NPS ≤ 6)"),
                                  key="explore_f_score")
                repeat = st.checkbox(_("Repeat complaints"), key="explore_f_repeat")
                reopened = st.checkbox(_("Reopened"), key="explore_f_reopened")
                escalated = st.checkbox(_("Escalated"), key="explore_f_escalated")
            if st.form_submit_button(_("Apply"), icon=":material/filter_alt:"):
                new = replace(
                    state, stage=stage if stage in STAGES else None,
                    stuck_at=stage[6:] if stage.startswith("stuck:") else None,
                    sla=sla or None, text=text.strip() or None, age=age or None,
                    open_only=open_only, low_score=low, repeat=repeat, reopened=reopened,
                    escalated=escalated, page=1)
                go(new.to_params())


def id_buttons(text: str | None) -> None:
    """A search text that is a ticket's or customer's id: a button opening it (ids are
    shown unmasked in every table, so this tells nothing the masking hides)."""
    for candidate in vx.id_candidates(text):
        if data.explore_ticket(version, candidate, filters.as_of) is not None:
            if st.button(_("Open ticket {id}").format(id=candidate), key="explore_open_id_ticket",
                         icon=":material/confirmation_number:", type="primary"):
                go({**state.cleared().to_params(), "x_level": "ticket", "x_ticket": candidate})
            return
        if data.explore_customer(version, candidate, filters.as_of) is not None:
            if st.button(_("Customer 360: {id}").format(id=candidate),
                         key="explore_open_id_customer", icon=":material/person:",
                         type="primary"):
                go({**state.cleared().to_params(), "x_level": "customer",
                    "x_customer": candidate})
            return


def refused_search() -> None:
    """A search that is itself personal data, with masking on: not run, and no list shown
    (a list under the search would read as what it found). Why, what to do instead, and
    a way out: the ticket or customer the text names, or the list without the search."""
    st.warning(vx.refused_search_sentence() + "\n\n" + vx.refused_search_advice(),
               icon=":material/lock:")
    with st.container(horizontal=True):
        id_buttons(state.text)
        if st.button(_("Remove the search"), key="explore_remove_search",
                     icon=":material/search_off:"):
            go(replace(state, text=None, page=1).to_params())


def level_tickets() -> None:
    narrowing_form()
    refused = vx.search_reveals_personal_data(state.text, settings.mask_personal_data)
    chips = state.narrowing(text_refused=refused)
    if chips:
        left, right = st.columns([6, 1])
        left.caption(_("Narrowed to: {what}").format(what=" · ".join(chips)) + " · " +
                     _("the cards above are the whole slice"))
        if right.button(_("Clear"), key="explore_clear_narrowing"):
            go(state.cleared().to_params())
    if refused:
        refused_search()
        return
    selection = state.selection()
    counts = data.explore_ticket_count(version, filters, selection)
    total = counts["tickets"]
    frame = data.explore_tickets(version, filters, selection, state.sort_key,
                                 state.sort_descending, vx.PAGE_SIZE, state.offset)
    top = st.columns([3, 2, 2], vertical_alignment="bottom")
    with top[0]:
        st.markdown("**" + _("{n} tickets").format(n=format_number(total)) + "**")
    with top[1]:
        sort_options = [f"-{k}" for k in SORT_KEYS] + list(SORT_KEYS)
        sort = st.selectbox(
            _("Sort by"), sort_options, index=sort_options.index(state.sort),
            format_func=lambda v: f"{_(vx.SORT_LABELS[v.lstrip('-')])} "
                                  f"{'↓' if v.startswith('-') else '↑'}",
            key=f"explore_sort_{state.sort}")
        if sort != state.sort:
            go(replace(state, sort=sort, page=1).to_params())
    if total == 0:
        st.info(_("No tickets match. Clear a narrowing or widen the filters."),
                icon=":material/filter_alt_off:")
        id_buttons(state.text)
        return
    with top[2]:
        chooser = st.container(horizontal_alignment="right")
    row, table = show_ticket_table(frame, "explore_tickets_table", chooser=chooser)
    if row is not None and row < frame.height:
        go({**state.to_params(), "x_level": "ticket", "x_ticket": frame["ticket_id"][row]})
    pages = max(1, -(-total // vx.PAGE_SIZE))
    nav = st.columns([1.4, 3, 1.4, 4])  # room for "Previous" and "上一页" with the icon
    with nav[0]:
        if st.button(_("Previous"), key="explore_prev", disabled=state.page <= 1,
                     icon=":material/arrow_back:"):
            go(replace(state, page=state.page - 1).to_params())
    with nav[1]:
        st.caption(vx.page_text(state.offset, frame.height, total) + " · " +
                   _("page {page} of {pages}").format(page=state.page, pages=pages))
    with nav[2]:
        if st.button(_("Next"), key="explore_next", disabled=state.page >= pages,
                     icon=":material/arrow_forward:"):
            go(replace(state, page=state.page + 1).to_params())
    st.caption(_("Click a row to open the ticket. Newest first unless sorted otherwise with "
                 "“Sort by”, which sorts the whole list (the column headers do not sort); "
                 "SLA is the first-response SLA at as of; CSAT/NPS are each ticket's latest "
                 "survey; Age is the age at as of of an open ticket, the time to resolution "
                 "of a resolved one."))
    downloads(table, _("Tickets"), "explore_tickets", total=total, all_rows=lambda: vx.ticket_table(
        mask_frame(data.explore_tickets(version, filters, selection, state.sort_key,
                                        state.sort_descending, EXPORT_LIMIT, 0)), minutes=True))


def level_ticket() -> None:
    ticket = data.explore_ticket(version, state.ticket, filters.as_of)
    if ticket is None:
        st.warning(_("There is no ticket {id} in the warehouse.").format(id=state.ticket))
        return
    ticket = mask_record(ticket)
    surveys = mask_frame(data.explore_surveys(version, (ticket["ticket_id"],)))
    st.subheader(_("Ticket {id}").format(id=ticket["ticket_id"]))
    st.caption(" · ".join(x for x in (
        value_label("type", ticket["type"]), ticket["category"],
        value_label("channel", ticket["channel"]),
        f"{ticket['branch_id']} · {branch_names.get(ticket['branch_id'], '')}".rstrip(" ·"),
        ticket.get("region") or "",
        _("priority {p}").format(p=value_label("priority", ticket["priority"]))) if x))
    m = [*st.columns(3), *st.columns(3)]
    m[0].metric(_("First-response SLA"), vx.sla_label(ticket.get("sla_state")), border=True)
    m[1].metric(_("First response"), vx.duration(ticket.get("frt_min")), border=True)
    m[2].metric(_("Resolution"), vx.duration(ticket.get("resolution_min")), border=True)
    m[3].metric(_("Open at as of"), vx.yes_no(ticket.get("is_open")), border=True)
    m[4].metric(_("Reopens"), format_number(ticket.get("reopen_count")), border=True)
    m[5].metric(_("Escalated"), vx.yes_no(ticket.get("escalated")), border=True)
    facts = [
        _("Agent: {agent}").format(agent=ticket.get("agent_id") or _("n/a")),
        _("SLA deadline: {when}").format(when=vx.when(ticket.get("sla_deadline"))),
        _("Repeat complaint: {yes}").format(yes=vx.yes_no(ticket.get("is_repeat"))),
        (_("FCR: pending (resolved less than {days} days before as of)").format(
            days=settings.fcr_window_days) if ticket.get("fcr_pending") else
         _("FCR: {yes}").format(yes=vx.yes_no(ticket.get("is_fcr"))
                                if ticket.get("resolved_at") else _("not resolved"))),
    ]
    st.caption(" · ".join(facts))
    st.plotly_chart(charts_explore.ticket_timeline(ticket, surveys), key="explore_timeline",
                    width="stretch")
    if ticket.get("subject") or ticket.get("description"):
        st.markdown(f"**{ticket.get('subject') or ''}**")
        if ticket.get("description"):
            st.text(ticket["description"])
    st.markdown("#### " + _("Surveys"))
    if surveys.height == 0:
        st.caption(_("No survey for this ticket."))
    else:
        shown_surveys = surveys.select("survey_id", "responded_at", "csat", "nps", "ces",
                                       "comment", "is_latest")
        st.dataframe(shown_surveys, hide_index=True, width="stretch",
                     key="explore_ticket_surveys", placeholder=_("n/a"),
                     column_config={c: vx.column_label(c) for c in surveys.columns})
        downloads(shown_surveys, _("Surveys of ticket {id}").format(id=ticket["ticket_id"]),
                  "explore_ticket_surveys")
    st.markdown("#### " + _("Fixes this ticket falls under"))
    fixes = data.explore_ticket_fixes(version, ticket["ticket_id"])
    if fixes.height == 0:
        st.caption(_("No fix covers this ticket's scope within {days} days of its launch.")
                   .format(days=settings.effect_window_days))
    else:
        shown_fixes = fixes.select("fix_id", "title", "launched_at", "side", "days_from_launch")
        st.dataframe(shown_fixes, hide_index=True, width="stretch", key="explore_ticket_fixes",
                     column_config={c: vx.column_label(c) for c in fixes.columns})
        downloads(shown_fixes, _("Fixes covering ticket {id}").format(id=ticket["ticket_id"]),
                  "explore_ticket_fixes")
    customer = ticket.get("customer_id")
    st.markdown("#### " + _("The customer's other contacts"))
    if not customer:
        st.caption(_("Anonymous contact: no customer id, so it is never a repeat and no "
                     "other ticket breaks its FCR."))
        return
    story = data.explore_customer(version, customer, filters.as_of)
    from queries.explore_model import related_contacts

    related = related_contacts(ticket, story.contacts) if story else pl.DataFrame()
    if st.button(_("Customer 360: {id}").format(id=customer), key="explore_to_customer",
                 icon=":material/person:"):
        go({**state.to_params(), "x_level": "customer", "x_customer": customer})
    if related.height == 0:
        st.caption(_("No other contact of this customer."))
        return
    related = related.with_columns(pl.col("relation").replace_strict(
        {k: _(v) if v else "" for k, v in vx.RELATION_LABELS.items()}, default=""))
    # keyed by the ticket: a click opens another ticket of the same level, whose table must
    # not inherit this selection
    row, table = show_ticket_table(related, f"explore_related_table_{ticket['ticket_id']}",
                                   ("relation",), where="related")
    if row is not None and row < related.height:
        go({**state.to_params(), "x_ticket": related["ticket_id"][row]})
    downloads(table, _("Other contacts of customer {id}").format(id=customer),
              "explore_related")


def level_customer() -> None:
    story = data.explore_customer(version, state.customer, filters.as_of)
    if story is None:
        st.warning(_("There is no customer {id} in the warehouse.").format(id=state.customer))
        return
    st.subheader(_("Customer {id}").format(id=story.customer_id))
    p = story.profile or {}
    m = [*st.columns(3), *st.columns(3)]
    m[0].metric(_("Segment"), p.get("segment") or _("n/a"), border=True)
    m[1].metric(_("Annual value"), vx.money(p.get("annual_value")), border=True)
    m[2].metric(_("Tenure"), vx.tenure_text(p.get("tenure_days")), border=True)
    m[3].metric(_("Churned"), format_date(p["churned_at"]) if p.get("churned_at")
                else _("no"), border=True)
    m[4].metric(_("Contacts"), format_number(max(story.total_contacts,
                                                 story.contacts.height)), border=True)
    home = p.get("home_branch_id")
    m[5].metric(" · ".join(x for x in (_("Home branch"), p.get("home_branch_name")) if x),
                home or _("n/a"), border=True)
    if not story.profile:
        st.caption(_("This id is on tickets but not in the customers extract."))
    if story.total_contacts > story.contacts.height:
        st.caption(_("Showing the latest {shown} of {total} contacts (cxdash customer {id} "
                     "--json gives every one).").format(
            shown=format_number(story.contacts.height),
            total=format_number(story.total_contacts), id=story.customer_id))
    contacts = mask_frame(story.contacts)
    grid = vx.contact_grid(contacts)
    if grid is None:
        st.plotly_chart(charts_explore.customer_timeline(contacts, p.get("churned_at")),
                        key="explore_customer_timeline", width="stretch")
        st.caption(_("Diamonds: repeat complaints (another complaint of the same category in "
                     "the {days} days before).").format(days=settings.repeat_window_days))
    else:
        # one marker per contact overprints beyond a few dozen: counted per period instead
        st.plotly_chart(charts_explore.customer_contact_grid(grid, p.get("churned_at")),
                        key="explore_customer_timeline", width="stretch")
        st.caption(_("{n} contacts: too many to draw one by one, so each cell counts a "
                     "channel's contacts in one period (darker: more). Hover a cell for its "
                     "types and repeat complaints (another complaint of the same category "
                     "in the {days} days before); the contacts are listed below.")
                   .format(n=format_number(contacts.height),
                           days=settings.repeat_window_days))
    st.markdown("#### " + _("Every contact"))
    row, table = show_ticket_table(story.contacts, "explore_customer_table",
                                   where="customer")
    if row is not None and row < story.contacts.height:
        go({**state.to_params(), "x_level": "ticket",
            "x_ticket": story.contacts["ticket_id"][row]})
    downloads(table, _("Contacts of customer {id}").format(id=story.customer_id),
              "explore_customer_contacts")
    st.markdown("#### " + _("Surveys"))
    surveys = mask_frame(story.surveys)
    if surveys.height == 0:
        st.caption(_("No survey from this customer."))
    else:
        shown = surveys.select("survey_id", "ticket_id", "responded_at", "csat", "nps", "ces",
                               "comment", "is_latest")
        st.dataframe(shown, hide_index=True, width="stretch", key="explore_customer_surveys",
                     placeholder=_("n/a"), column_config={c: vx.column_label(c) for c in shown.columns})
        downloads(shown, _("Surveys of customer {id}").format(id=story.customer_id),
                  "explore_customer_surveys")


def level_at_risk() -> None:
    st.subheader(_("Customers at risk"))
    st.caption(_("Two or more complaints in the 90 days up to as of (within the filters; the "
                 "period is replaced by that window) and a low latest score (CSAT ≤ 2 or "
                 "NPS ≤ 6) or an open ticket past its SLA deadline; customers who already "
                 "left are not listed. Highest annual value first."))
    frame = data.explore_at_risk(version, filters)
    if frame.height == 0:
        st.info(_("No customer matches."), icon=":material/sentiment_satisfied:")
        return
    if frame.height >= AT_RISK_LIMIT:
        st.markdown("**" + _("The {n} most valuable customers at risk (the list is cut there; "
                             "narrow the filters to see the rest)").format(
            n=format_number(frame.height)) + "**")
    else:
        st.markdown("**" + ngettext("{n} customer at risk", "{n} customers at risk",
                                    frame.height).format(n=format_number(frame.height)) + "**")
    why = [vx.at_risk_reason(low, n) for low, n in
           zip(frame["low_score"].to_list(), frame["open_breached"].to_list(), strict=True)]
    shown = frame.with_columns(pl.Series("why", why, dtype=pl.String)).select(
        "customer_id", "segment", "annual_value", "why", "complaints", "contacts", "channels",
        "open_breached", "latest_csat", "latest_nps", "last_contact_at")
    config = {c: vx.column_label(c) for c in shown.columns} | {
        "customer_id": st.column_config.TextColumn(_("Customer"), pinned=True),
        "annual_value": st.column_config.NumberColumn(_("Annual value"), format="localized"),
        "open_breached": st.column_config.NumberColumn(
            _("Breached"), help=_("Open tickets past their SLA deadline")),
        "latest_csat": st.column_config.ProgressColumn(
            _("CSAT"), min_value=0, max_value=5, format="%d",
            help=_("The customer's latest survey")),
        "latest_nps": st.column_config.ProgressColumn(
            _("NPS"), min_value=0, max_value=10, format="%d",
            help=_("The customer's latest survey")),
        "last_contact_at": st.column_config.DatetimeColumn(_("Last contact"),
                                                           format="YYYY-MM-DD"),
    }
    config = sized(config, shown, measure=False)
    st.dataframe(shown, hide_index=True, width="stretch", key="explore_at_risk_table",
                 on_select="rerun", selection_mode="single-row", column_config=config,
                 placeholder=_("n/a"))
    downloads(shown, _("Customers at risk"), "explore_at_risk")
    row = selected_row("explore_at_risk_table")
    if row is not None and row < frame.height:
        go({"x_level": "customer", "x_customer": frame["customer_id"][row]})


# --- the page --------------------------------------------------------------------------

st.title(_("Explore"))
st.caption(_("{filters} · as of {as_of}").format(filters=ctx.description, as_of=ctx.as_of_text))
if state.problems:
    st.caption(_("Ignored link values: {values}").format(values=", ".join(state.problems)))
draw_breadcrumb()
if state.level in vx.PATH or state.level == "tickets":
    kpi_strip()
if state.level in vx.PATH:
    level_breakdown(state.level)
elif state.level == "tickets":
    level_tickets()
elif state.level == "ticket":
    level_ticket()
elif state.level == "customer":
    level_customer()
else:
    level_at_risk()
if settings.mask_personal_data:
    st.caption(_("Phone numbers, e-mail addresses, ID-card and bank-card numbers in free text "
                 "are masked (setting mask_personal_data)."))
