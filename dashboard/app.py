"""Entry script: `streamlit run dashboard/app.py`.

Navigation, the global filters (kept in the URL) and the empty-warehouse state
live here, before the page runs, so filters survive moving between pages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from dashboard import data
from dashboard.i18n import (
    LANGUAGE_NAMES,
    N_,
    _,
    format_datetime,
    format_number,
    normalise_language,
    set_language,
)
from dashboard.settings import get_settings
from dashboard.state import FilterState, sidebar_filters
from queries.api import Filters

st.set_page_config(page_title="CX Recovery Dashboard", page_icon=":material/support_agent:",
                   layout="wide")

PAGES = Path(__file__).resolve().parent.parent / "pages"
LOG = logging.getLogger("cxdash.app")


@dataclass(frozen=True)
class PageContext:
    """What every page gets: the warehouse version, the filters and their description.

    as_of: the moment the page evaluates at (the override when one is set, converted to
    warehouse time, else the data's own); stored_as_of: the data's own as_of.
    """

    version: tuple[int, int, int]
    filters: Filters
    preset: str
    description: str
    as_of: datetime | None
    stored_as_of: datetime | None = None

    @property
    def as_of_text(self) -> str:
        """Follows "as of": "20 Nov 2026 17:54", or with an override
        "31 Mar 2026 18:00 (override) · as of 20 Nov 2026 17:54 in the data"."""
        if self.filters.as_of is None:
            return format_datetime(self.as_of)
        return _("{when} (override) · as of {data} in the data").format(
            when=format_datetime(self.filters.as_of), data=format_datetime(self.stored_as_of))


def _page(name: str, title: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(str(PAGES / f"{name}.py"), title=title, icon=icon, default=default,
                   url_path=None if default else name)


# (section, [(page file, title, icon)]): a page appears once its file exists. Titles are
# marked here and translated for each run.
LAYOUT: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (N_("Executive"), (
        ("overview", N_("Overview"), ":material/dashboard:"),
        ("weekly", N_("Weekly review"), ":material/event_note:"),
    )),
    (N_("Analysis"), (
        ("funnel", N_("Funnel"), ":material/filter_alt:"),
        ("satisfaction", N_("Satisfaction"), ":material/sentiment_satisfied:"),
        ("recovery", N_("Recovery"), ":material/healing:"),
        ("explore", N_("Explore"), ":material/travel_explore:"),
    )),
    (N_("Data"), (
        ("data", N_("Data"), ":material/database:"),
    )),
)


def sections() -> dict[str, list[st.Page]]:
    """The navigation in the current language: pages whose file exists, Overview first."""
    out: dict[str, list[st.Page]] = {}
    for section, pages in LAYOUT:
        found = [_page(name, _(title), icon, default=name == "overview")
                 for name, title, icon in pages if (PAGES / f"{name}.py").exists()]
        if found:
            out[_(section)] = found
    return out


def _empty_state(path: Path, reason: str) -> None:
    st.title(_("CX Recovery Dashboard"))
    st.info(
        f"{reason}\n\n" + _(
            "**To explore right away**, build the demo warehouse:\n\n```\n{demo}\n```\n\n"
            "**To use your own data**, load extracts on the **Data** page, or:\n\n"
            "```\n{load}\n```\n\nWarehouse file: `{path}` (setting `CXDASH_WAREHOUSE`)."
        ).format(demo=".venv/bin/cxdash demo",
                 load=".venv/bin/cxdash load tickets.csv surveys.csv", path=path),
        icon=":material/inventory_2:",
    )


LANG_KEY = "app_language"


def _is_choice(value: Any) -> bool:
    """A value a choice widget (selectbox, radio, multiselect, pills) or a text box keeps:
    text, or a list of texts. Buttons (bool), chart and table selections (dicts), uploads
    and dates are none of these, and Streamlit refuses to have some of them set."""
    if isinstance(value, str):
        return True
    return isinstance(value, list | tuple) and bool(value) and all(
        isinstance(v, str) for v in value)


def relabel_choices() -> None:
    """On a language switch: have every choice widget's value sent to the browser again.

    The browser keeps a selectbox's or radio's choice as the label it shows ("Last 90
    days"), not the option, and sends that label back on the next run that carries widget
    values -- a click in the page menu. After a switch the labels are "最近 90 天", the old
    label matches no option and Streamlit falls back to the first one (Last 7 days). A
    value written to session_state before its widget is drawn is sent to the browser with
    the widget, in the new language, so assigning each kept value to itself is enough."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key != LANG_KEY and not key.startswith("_"):
            value = st.session_state[key]
            if _is_choice(value):
                st.session_state[key] = value


def choose_language() -> str:
    """The UI language: the URL's `lang`, else the setting, else the browser's, else en.

    Seeded once per session (like the filters) and written back to the URL on every run,
    so a shared link opens in the same language.
    """
    if LANG_KEY not in st.session_state:
        wanted = normalise_language(st.query_params.get("lang"))
        if wanted is None:
            wanted = normalise_language(get_settings().language)
        if wanted is None:
            wanted = normalise_language(getattr(st.context, "locale", None))
        st.session_state[LANG_KEY] = wanted or "en"
    languages: list[str] = list(LANGUAGE_NAMES)
    st.sidebar.selectbox("Language / 语言", languages, key=LANG_KEY,
                         format_func=lambda tag: LANGUAGE_NAMES[tag],
                         on_change=relabel_choices)
    lang = set_language(st.session_state[LANG_KEY])
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    return lang


def main() -> None:
    choose_language()
    version = data.current_version()
    st.session_state["warehouse_version"] = version
    summary = data.summary(version) if version else None
    if version is None or not summary or summary["tickets"] == 0:
        page = st.navigation({_("Data"): [_page("data", _("Data"), ":material/database:")],
                              _("Start"): [st.Page(
            lambda: _empty_state(data.warehouse_path(),
                                 _("There is no data yet.") if version else
                                 _("There is no warehouse yet.")),
            title=_("Start"), icon=":material/home:", default=True)]})
        st.session_state["ctx"] = None
        page.run()
        return

    as_of = data.as_of(version)
    state: FilterState = sidebar_filters(data.dimension_values(version), as_of,
                                         data.branch_names(version))
    st.sidebar.caption(
        _("Data up to {when} · {n} tickets").format(
            when=format_datetime(as_of), n=format_number(summary["tickets"]))
        if as_of else _("No timestamps loaded yet"))
    st.session_state["ctx"] = PageContext(version, state.filters, state.preset,
                                          state.describe(), state.filters.as_of or as_of, as_of)
    run_page(st.navigation(sections()))


def run_page(page: Any) -> None:
    """Run the chosen page; if it fails, say so in one plain sentence and log the trace
    (client.showErrorDetails is off, so Streamlit shows no trace to users either).
    Streamlit's own control flow (st.rerun, st.stop, st.switch_page) passes through."""
    try:
        page.run()
    except ScriptControlException:
        raise
    except Exception:
        LOG.exception("page %s failed", getattr(page, "title", "?"))
        st.error(_("This page could not be shown because of an internal error; it has been "
                   "logged. Try another period or filter, or reload the page."),
                 icon=":material/error:")


main()
