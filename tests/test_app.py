"""Every page through Streamlit's AppTest: it runs, and shows what the CLI prints."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cli
from dashboard.format import format_value
from dashboard.state import preset_range
from dashboard.warehouse import connect_reader
from queries.api import KPI_CATALOG, stored_as_of
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")
PAGES = ["../pages/overview.py", "../pages/funnel.py", "../pages/recovery.py", "../pages/data.py"]


def run_app(warehouse: Path, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("CXDASH_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cli_json(*args: str) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return json.loads(out.getvalue())


def url_values(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return value if isinstance(value, list) else [value]


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_cards(payload: dict) -> dict[str, str]:
    from dashboard.format import format_kpi
    from dashboard.kpi_view import CARD_KEYS

    return {KPI_CATALOG[key].label: format_kpi(key, payload[key]) for key in CARD_KEYS}


def default_period(warehouse: Path) -> tuple[str, str]:
    con = connect_reader(warehouse)
    start, end = preset_range("90d", stored_as_of(con))
    con.close()
    return start.isoformat(), end.isoformat()


def test_overview_cards_equal_cxdash_kpis_json(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch)
    start, end = default_period(demo_warehouse)
    payload = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse),
                       "--from", start, "--to", end)
    assert payload["tickets"] > 0
    assert cards(at) == expected_cards(payload)


def test_overview_with_filters_from_the_url_equals_the_cli(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch,
                 {"period": "custom", "from": "2026-01-01", "to": "2026-06-30",
                  "channel": ["email", "phone"], "region": "North"})
    payload = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse), "--from",
                       "2026-01-01", "--to", "2026-06-30", "--channel", "email", "--channel",
                       "phone", "--region", "North")
    assert cards(at) == expected_cards(payload)
    assert at.multiselect(key="filter_channel").value == ["email", "phone"]
    assert url_values(at, "channel") == ["email", "phone"]


def test_changing_a_filter_changes_the_cards_and_the_url(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch)
    before = cards(at)["Tickets"]
    at.multiselect(key="filter_channel").set_value(["chat"]).run()
    assert not at.exception
    assert url_values(at, "channel") == ["chat"]
    assert cards(at)["Tickets"] != before
    start, end = default_period(demo_warehouse)
    payload = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse), "--from", start,
                       "--to", end, "--channel", "chat")
    assert cards(at)["Tickets"] == format_value(payload["tickets"])


def test_a_kpi_without_data_reads_na_with_its_reason(demo_warehouse, monkeypatch):
    # The last 7 days: no complaint has matured 90 days, so churn is unknown, not 0.
    at = run_app(demo_warehouse, monkeypatch, {"period": "7d"})
    assert cards(at)["Churn after complaint"] == "n/a"
    assert any("no known customer has had 90 days" in c.value for c in at.caption)


def test_unknown_url_values_are_ignored_not_errors(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch, {"period": "nonsense", "channel": "fax"})
    assert at.selectbox(key="filter_period").value == "90d"
    assert at.multiselect(key="filter_channel").value == []


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(demo_warehouse, monkeypatch, page):
    at = run_app(demo_warehouse, monkeypatch)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "page shows a title"


def test_funnel_page_shows_the_funnel_of_the_cli(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch)
    at.switch_page("../pages/funnel.py").run()
    start, end = default_period(demo_warehouse)
    rows = cli_json("funnel", "--json", "--warehouse", str(demo_warehouse), "--from", start,
                    "--to", end)
    table = at.dataframe[0].value  # the page has one table
    assert table["Tickets"].to_list() == [format_value(r["tickets"]) for r in rows]


def test_empty_warehouse_says_how_to_get_data(tmp_path, monkeypatch):
    at = run_app(tmp_path / "nothing.duckdb", monkeypatch)
    text = " ".join(i.value for i in at.info)
    assert "cxdash demo" in text and "cxdash load" in text


def test_pages_hold_no_sql_and_no_duckdb():
    import re

    for page in (REPO / "pages").glob("*.py"):
        source = page.read_text()
        assert "import duckdb" not in source, page
        assert not re.search(r"[\"']\s*(select|with|insert|update|delete)\s", source, re.I), page


def test_card_formats_read_like_a_person_writes_them():
    from dashboard.format import format_kpi

    assert format_kpi("tickets", 35998) == "35,998"
    assert format_kpi("tickets", 15.0, signed=True) == "+15"
    assert format_kpi("frt_median_min", 30.04) == "30 min"
    assert format_kpi("frt_median_min", 1112.0) == "18.5 h"       # 1112 / 60
    assert format_kpi("frt_median_min", 4320.0) == "3.0 d"        # 72 h
    assert format_kpi("sla_met_pct", 94.06) == "94.1 %"
    assert format_kpi("sla_met_pct", 0.7, signed=True) == "+0.7 pts"
    assert format_kpi("csat_avg", 3.876) == "3.88"
    assert format_kpi("nps", -4.13) == "-4.1"
    assert format_kpi("fcr_pct", None) == "n/a"


# The Data page's tests are in tests/test_data_page.py.


def test_as_of_override_from_the_url_matches_cli_as_of(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch, {"period": "custom", "from": "2026-05-01",
                                               "to": "2026-05-31", "as_of": "2026-06-15 12:00"})
    payload = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse), "--from",
                       "2026-05-01", "--to", "2026-05-31", "--as-of", "2026-06-15 12:00:00")
    assert cards(at) == expected_cards(payload)
    # churn of May complaints has not matured by mid-June: n/a, not 0
    assert cards(at)["Churn after complaint"] == "n/a"
    assert url_values(at, "as_of") == ["2026-06-15 12:00:00"]


def test_an_unreadable_as_of_is_said_and_ignored(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch, {"as_of": "next friday"})
    assert any("not a date or timestamp" in e.value for e in at.error)
    assert cards(at)["Tickets"] != "n/a"


def test_a_link_with_unknown_values_says_what_was_ignored(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch,
                 {"period": "fortnight", "branch": ["B01", "NOPE"], "from": "2026-13-01"})
    said = " ".join(w.value for w in at.sidebar.warning)
    # the unknown period, the bad date and the unknown branch are named; B01 is kept
    assert "fortnight" in said and "NOPE" in said and "2026-13-01" in said
    assert "B01" not in said
    assert url_values(at, "branch") == ["B01"]
