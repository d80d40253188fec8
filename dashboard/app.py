"""Entry script: `streamlit run dashboard/app.py`.

Navigation, the global filters (kept in the URL) and the empty-warehouse state
live here, before the page runs, so filters survive moving between pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import streamlit as st

from dashboard import data
from dashboard.state import FilterState, sidebar_filters
from queries.api import Filters

st.set_page_config(page_title="CX Recovery Dashboard", page_icon=":material/support_agent:",
                   layout="wide")

PAGES = Path(__file__).resolve().parent.parent / "pages"


@dataclass(frozen=True)
class PageContext:
    """What every page gets: the warehouse version, the filters and their description."""

    version: tuple[int, int, int]
    filters: Filters
    preset: str
    description: str
    as_of: datetime | None

    @property
    def as_of_text(self) -> str:
        return self.as_of.strftime("%d %b %Y %H:%M") if self.as_of else "n/a"


def _page(name: str, title: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(str(PAGES / f"{name}.py"), title=title, icon=icon, default=default,
                   url_path=None if default else name)


SECTIONS = {
    "Executive": [_page("overview", "Overview", ":material/dashboard:", default=True)],
    "Analysis": [
        _page("funnel", "Funnel", ":material/filter_alt:"),
        _page("recovery", "Recovery", ":material/healing:"),
    ],
    "Data": [_page("data", "Data", ":material/database:")],
}
DATA_PAGE_ONLY = {"Data": SECTIONS["Data"]}


def _empty_state(path: Path, reason: str) -> None:
    st.title("CX Recovery Dashboard")
    st.info(
        f"{reason}\n\n"
        "**To explore right away**, build the demo warehouse:\n\n"
        "```\n.venv/bin/cxdash demo\n```\n\n"
        "**To use your own data**, load extracts on the **Data** page, or:\n\n"
        "```\n.venv/bin/cxdash load tickets.csv surveys.csv\n```\n\n"
        f"Warehouse file: `{path}` (setting `CXDASH_WAREHOUSE`).",
        icon=":material/inventory_2:",
    )


def main() -> None:
    version = data.current_version()
    st.session_state["warehouse_version"] = version
    summary = data.summary(version) if version else None
    if version is None or not summary or summary["tickets"] == 0:
        page = st.navigation(DATA_PAGE_ONLY | {"Start": [st.Page(
            lambda: _empty_state(data.warehouse_path(),
                                 "There is no data yet." if version else
                                 "There is no warehouse yet."),
            title="Start", icon=":material/home:", default=True)]})
        st.session_state["ctx"] = None
        page.run()
        return

    as_of = data.as_of(version)
    state: FilterState = sidebar_filters(data.dimension_values(version), as_of,
                                         data.branch_names(version))
    st.sidebar.caption(
        f"Data up to {as_of:%d %b %Y %H:%M} · {summary['tickets']:,} tickets"
        if as_of else "No timestamps loaded yet")
    st.session_state["ctx"] = PageContext(version, state.filters, state.preset,
                                          state.describe(), state.filters.as_of or as_of)
    st.navigation(SECTIONS).run()


main()
