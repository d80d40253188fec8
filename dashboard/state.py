"""Global filters: sidebar widgets whose state lives in the URL.

Opening a URL starts a new session with empty session_state, and a sidebar link
drops the query string. So: seed widget state from st.query_params once per
session, and write the filters back to the URL on every run. A copied link then
reproduces the view in any browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import streamlit as st

from dashboard.format import option_formatter, ordered_options
from dashboard.i18n import _
from dashboard.views.cards import filters_text
from queries.filters import DEFAULT_PRESET as DEFAULT_PRESET
from queries.filters import DIMENSIONS, Filters, normalise_value, to_warehouse_time
from queries.filters import PRESETS as PRESETS  # labels marked for translation
from queries.filters import preset_range as preset_range  # one definition, shared with the CLI

SEEDED = "_filters_seeded_from_url"
PENDING_DRILL = "_pending_drill"
PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
# URL keys the global filters own; a page's own state uses other keys (e.g. x_stage).
FILTER_URL_KEYS = ("period", "from", "to", "as_of", *DIMENSIONS)


def drill_to(page: str, set_filters: Mapping[str, list[str]] | None = None,
             params: Mapping[str, str | list[str]] | None = None) -> None:
    """Open another page (e.g. "explore") narrowed to a selection, keeping the other filters.

    set_filters: global filters to replace, e.g. {"channel": ["phone"], "branch": ["B01"]};
    a key "from"/"to" ("YYYY-MM-DD") sets a custom period. params: the target page's own
    URL keys (e.g. {"x_level": "tickets", "x_stage": "resolved"}). The language and the
    untouched filters stay. The filters are applied before the sidebar's widgets are drawn
    in the next run (a drawn widget's state cannot be changed in the same run).
    """
    set_filters = dict(set_filters or {})
    st.session_state[PENDING_DRILL] = set_filters
    query: dict[str, str | list[str]] = {
        key: (values if len(values) > 1 else values[0])
        for key in (*FILTER_URL_KEYS, "lang") if (values := st.query_params.get_all(key))
    }
    for key, value in set_filters.items():
        query[key] = value if len(value) != 1 else value[0]
    if "from" in set_filters and "to" in set_filters:
        query["period"] = "custom"
    query.update(params or {})
    # A switch to another page from Python clears every widget's state (streamlit's
    # script runner does so on a page change whose rerun carries no widget states), so the
    # sidebar would fall back to its first option (Last 7 days) while the browser still
    # showed the old choice. The query above holds every filter: seed the widgets from it.
    st.session_state[SEEDED] = False
    st.switch_page(str(PAGES_DIR / f"{page}.py"), query_params=query)


def _apply_pending_drill(options: dict[str, list[str]]) -> None:
    pending = st.session_state.pop(PENDING_DRILL, None)
    if not pending:
        return
    for dim in DIMENSIONS:
        if dim in pending:
            st.session_state[widget_key(dim)] = [v for v in pending[dim]
                                                 if v in options.get(dim, [])]
    start = _parse_date((pending.get("from") or [None])[0])
    end = _parse_date((pending.get("to") or [None])[0])
    if start and end and start <= end:
        st.session_state[widget_key("period")] = "custom"
        st.session_state[widget_key("dates")] = (start, end)


def widget_key(dim: str) -> str:
    return f"filter_{dim}"


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


IGNORED = "_filters_ignored_from_url"


def seed_from_url(options: dict[str, list[str]]) -> None:
    """Once per session: URL -> widget state.

    A value the link names but the data does not have (an unknown period, a date that is
    not a date, a branch no ticket has) is not used, and it is remembered in
    session_state[IGNORED] as (URL key, value) pairs so the sidebar can say what was ignored.
    """
    if st.session_state.get(SEEDED):
        return
    qp = st.query_params
    ignored: list[tuple[str, str]] = []
    preset = qp.get("period", DEFAULT_PRESET)
    if preset not in PRESETS:
        ignored.append(("period", preset))
    st.session_state[widget_key("period")] = preset if preset in PRESETS else DEFAULT_PRESET
    raw_start, raw_end = qp.get("from"), qp.get("to")
    start, end = _parse_date(raw_start), _parse_date(raw_end)
    for key, raw, parsed in (("from", raw_start, start), ("to", raw_end, end)):
        if raw and parsed is None:
            ignored.append((key, raw))
    if start and end and start <= end:
        st.session_state[widget_key("dates")] = (start, end)
        if "period" not in qp:
            st.session_state[widget_key("period")] = "custom"
    elif start and end:
        ignored.append(("from", f"{start} > {end}"))
    for dim in DIMENSIONS:
        known = options.get(dim, [])
        chosen: list[str] = []
        for raw_value in qp.get_all(dim):
            value = normalise_value(dim, raw_value)
            if value in known:
                if value not in chosen:
                    chosen.append(value)
            elif raw_value.strip():
                ignored.append((dim, raw_value))
        st.session_state[widget_key(dim)] = chosen
    st.session_state[widget_key("as_of")] = qp.get("as_of", "")
    st.session_state[IGNORED] = ignored
    st.session_state[SEEDED] = True


def ignored_text(ignored: list[tuple[str, str]]) -> str | None:
    """One sentence naming what a link asked for that is not used, or None."""
    if not ignored:
        return None
    names = {"period": _("period"), "from": _("start date"), "to": _("end date")}
    parts = [f"{names.get(key) or _(DIMENSIONS.get(key, key))} “{value}”" for key, value in ignored]
    return _("The link's {items} matched nothing in the data and was ignored.").format(
        items=", ".join(parts))


def parse_as_of(text: str) -> datetime | None:
    """'2026-03-31' or '2026-03-31 18:00[:00]' -> datetime; empty -> None; else ValueError.
    An offset ('2026-03-31T18:00:00+08:00') is converted to the warehouse's timezone."""
    text = (text or "").strip()
    if not text:
        return None
    return to_warehouse_time(datetime.fromisoformat(text))


@dataclass(frozen=True)
class FilterState:
    filters: Filters
    preset: str

    def describe(self) -> str:
        """The period and the chosen filters in one translated line (dashboard.views.cards)."""
        return filters_text(self.filters, self.preset)


def sidebar_filters(options: dict[str, list[str]], as_of: datetime | None,
                    branch_names: dict[str, str]) -> FilterState:
    """Draw the global filters in the sidebar and return the request they make."""
    seed_from_url(options)
    _apply_pending_drill(options)
    sb = st.sidebar
    sb.markdown("### " + _("Filters"))
    ignored = ignored_text(st.session_state.get(IGNORED, []))
    if ignored:
        sb.warning(ignored, icon=":material/link_off:")
    # The as-of box is drawn last (it is rarely used), but the periods need its value
    # first: a widget's value is in session_state before the run that draws it.
    as_of_text = st.session_state.get(widget_key("as_of"), "")
    try:
        override, as_of_problem = parse_as_of(as_of_text), None
    except ValueError:
        override, as_of_problem = None, as_of_text
    if override is not None:
        as_of = override
    preset = sb.selectbox(_("Period"), list(PRESETS), format_func=lambda p: _(PRESETS[p]),
                          key=widget_key("period"),
                          help=_("Periods end on the data's as-of day, not today."))
    if preset == "custom":
        default = preset_range("90d", as_of)
        if widget_key("dates") not in st.session_state and default[0]:
            st.session_state[widget_key("dates")] = default
        picked = sb.date_input(_("From – to"), key=widget_key("dates"), format="YYYY-MM-DD")
        start, end = (picked if isinstance(picked, tuple) and len(picked) == 2 else (None, None))
    else:
        start, end = preset_range(preset, as_of)

    chosen: dict[str, tuple[str, ...]] = {}
    for dim, label in DIMENSIONS.items():
        # one label function for every surface: product words translated (紧急, 投诉),
        # channels capitalised, branches with their names, other data as stored
        values = sb.multiselect(_(label), ordered_options(dim, options.get(dim, [])),
                                key=widget_key(dim),
                                format_func=option_formatter(dim, branch_names),
                                placeholder=_("All"))
        chosen[dim] = tuple(values)
    if any(chosen.values()):
        sb.button(_("Clear filters"), key="filter_clear", on_click=_clear_filters)
    with sb.expander(_("As of"), expanded=bool(as_of_text)):
        st.text_input(
            _("Evaluate as of (optional)"), key=widget_key("as_of"),
            placeholder=_("the data's latest timestamp"),
            help=_("Evaluate open / due / matured states (SLA pending, churn maturity, partial "
                   "windows) at this moment instead of the data's latest timestamp, e.g. "
                   "2026-03-31 18:00, or with an offset 2026-03-31T18:00+08:00 (converted to "
                   "the warehouse's timezone). Periods then end on this day."))
        if as_of_problem:
            st.error(_("“{text}” is not a date or timestamp like 2026-03-31 18:00; using the "
                       "data's latest timestamp.").format(text=as_of_problem))

    filters = Filters(date_from=start, date_to=end, as_of=override, **chosen)
    _write_url(preset, filters)
    return FilterState(filters, preset)


def _clear_filters() -> None:
    st.session_state[IGNORED] = []
    for dim in DIMENSIONS:
        st.session_state[widget_key(dim)] = []


def _write_url(preset: str, filters: Filters) -> None:
    qp = st.query_params
    wanted: dict[str, str | list[str]] = {"period": preset}
    if preset == "custom" and filters.date_from and filters.date_to:
        wanted["from"] = filters.date_from.isoformat()
        wanted["to"] = filters.date_to.isoformat()
    for dim, values in filters.dimension_values().items():
        if values:
            wanted[dim] = list(values)
    if filters.as_of is not None:
        wanted["as_of"] = filters.as_of.isoformat(sep=" ")
    for key in ("period", "from", "to", "as_of", *DIMENSIONS):
        if key in wanted:
            current = qp.get_all(key)
            value = wanted[key]
            if current != (value if isinstance(value, list) else [value]):
                qp[key] = value
        elif key in qp:
            del qp[key]
