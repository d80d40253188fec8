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
from queries.api import stored_as_of
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


CARD_LABELS = {  # the Overview's cards in English, written out here, not taken from the code
    "tickets": "Tickets", "complaints": "Complaints", "resolved_pct": "Resolved",
    "frt_median_min": "First response", "sla_met_pct": "SLA met",
    "fcr_pct": "FCR", "repeat_complaint_pct": "Repeat complaints",
    "csat_avg": "CSAT (1-5)", "nps": "NPS", "post_complaint_churn_pct": "Churn",
}


def duration_text(minutes: float) -> str:
    """How the app writes a duration, worked out independently: 45 min, 3 h 20 min, 2 d 4 h."""
    total = round(minutes)
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days:,} d" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {mins} min" if mins else "")
    return f"{mins} min"


def card_text(key: str, value: float | None) -> str:
    """A CLI JSON value as an English card shows it (an oracle independent of dashboard.*)."""
    if value is None:
        return "n/a"
    if key in ("tickets", "complaints"):
        return f"{int(value):,}"
    if key == "frt_median_min":
        return duration_text(value)
    if key == "csat_avg":
        return f"{value:.2f}"
    if key == "nps":
        return f"{value:.1f}"
    return f"{value:.1f}%"


def expected_cards(payload: dict, churn_payload: dict | None = None) -> dict[str, str]:
    out = {label: card_text(key, payload[key]) for key, label in CARD_LABELS.items()}
    if churn_payload is not None:
        out["Churn"] = card_text("post_complaint_churn_pct",
                                                 churn_payload["post_complaint_churn_pct"])
    return out


def matured_churn_period(warehouse: Path, days: int) -> tuple[str, str]:
    """The latest `days`-day period whose complaints have all had the 90-day churn window:
    it ends 90 days before as_of's date."""
    from datetime import timedelta

    con = connect_reader(warehouse)
    as_of = stored_as_of(con)
    con.close()
    end = as_of.date() - timedelta(days=90)
    return (end - timedelta(days=days - 1)).isoformat(), end.isoformat()


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
    # the last 90 days' complaints have not all matured: churn is that of the 90 days
    # ending 90 days before as_of, whose dates the card names
    c_start, c_end = matured_churn_period(demo_warehouse, 90)
    churn = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse),
                     "--from", c_start, "--to", c_end)
    assert payload["tickets"] > 0
    assert cards(at) == expected_cards(payload, churn)


def test_overview_with_filters_from_the_url_equals_the_cli(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch,
                 {"period": "custom", "from": "2026-01-01", "to": "2026-06-30",
                  "channel": ["email", "phone"], "region": "North"})
    payload = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse), "--from",
                       "2026-01-01", "--to", "2026-06-30", "--channel", "email", "--channel",
                       "phone", "--region", "North")
    # (the demo's data ends in November 2026: every complaint of this period has matured)
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
    assert cards(at)["Tickets"] == f"{payload['tickets']:,}"


def test_a_kpi_without_data_reads_na_with_its_reason(demo_warehouse, monkeypatch):
    # The last 7 days: every resolution is younger than the 7-day FCR window, so FCR is
    # unknown (pending), not 0 or 100.
    at = run_app(demo_warehouse, monkeypatch, {"period": "7d"})
    assert cards(at)["FCR"] == "n/a"
    assert any("every resolution is younger than the FCR window" in c.value for c in at.caption)


def test_churn_of_a_young_period_is_that_of_the_latest_matured_one_named_by_its_dates(
        demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch, {"period": "7d"})
    c_start, c_end = matured_churn_period(demo_warehouse, 7)
    churn = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse),
                     "--from", c_start, "--to", c_end)
    assert cards(at)["Churn"] == card_text(
        "post_complaint_churn_pct", churn["post_complaint_churn_pct"])
    from datetime import date

    end = date.fromisoformat(c_end)
    named = f"churn of {date.fromisoformat(c_start):%-d %b %Y} – {end:%-d %b %Y}"
    assert any(named in c.value for c in at.caption), [c.value for c in at.caption]


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


def test_a_warehouse_with_nothing_loaded_opens_the_empty_state_and_the_data_page(tmp_path,
                                                                                  monkeypatch):
    # the file exists with its schema but holds no row: no as_of (null), no ticket
    from tests.fixtures import build_warehouse

    path = build_warehouse(tmp_path / "empty.duckdb")
    at = run_app(path, monkeypatch)
    text = " ".join(i.value for i in at.info)
    assert "There is no data yet." in text and "cxdash load" in text
    at.switch_page("../pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Data"]
    for section in ("Rejected rows", "Load history", "Data quality"):
        at.radio(key="data_section").set_value(section).run()
        assert not at.exception, (section, [e.value for e in at.exception])
        assert not at.error, (section, [e.value for e in at.error])


def test_pages_hold_no_sql_and_no_duckdb():
    import re

    sql = re.compile(r"[\"']\s*(select\s[^\"'\n]*\sfrom|insert\s+into|update\s+\w+\s+set|"
                     r"delete\s+from|with\s+\w+\s+as\s*\()\s", re.I)
    for page in (REPO / "pages").glob("*.py"):
        source = page.read_text()
        assert "import duckdb" not in source, page
        assert not sql.search(source), page


def test_card_formats_read_like_a_person_writes_them():
    from dashboard.format import format_kpi

    assert format_kpi("tickets", 35998) == "35,998"
    assert format_kpi("tickets", 15.0, signed=True) == "+15"
    assert format_kpi("frt_median_min", 30.04) == "30 min"
    assert format_kpi("frt_median_min", 1112.0) == "18 h 32 min"  # 1112 = 18 x 60 + 32
    assert format_kpi("frt_median_min", 4320.0) == "3 d"          # 72 h
    assert format_kpi("resolution_median_h", 1.5) == "1 h 30 min"  # the app's unit for both
    assert format_kpi("sla_met_pct", 94.06) == "94.1%"
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
    # churn of May complaints has not matured by mid-June: the card shows the 31 days
    # ending 90 days before 15 June (15 Feb - 17 Mar 2026), evaluated at the same as_of
    churn = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse), "--from",
                     "2026-02-15", "--to", "2026-03-17", "--as-of", "2026-06-15 12:00:00")
    assert cards(at) == expected_cards(payload, churn)
    assert url_values(at, "as_of") == ["2026-06-15 12:00:00"]
    # the caption names both moments: the override and the data's own as_of
    assert any("as of 15 Jun 2026 12:00 (override) · as of" in c.value and "in the data"
               in c.value for c in at.caption)


def test_an_as_of_with_an_offset_is_converted_to_the_warehouse_timezone(demo_warehouse,
                                                                         monkeypatch):
    # 20:00 at +08:00 is 12:00 UTC, the warehouse's timezone (the default setting)
    at = run_app(demo_warehouse, monkeypatch, {"period": "custom", "from": "2026-05-01",
                                               "to": "2026-05-31",
                                               "as_of": "2026-06-15T20:00:00+08:00"})
    shifted = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse), "--from",
                       "2026-05-01", "--to", "2026-05-31", "--as-of", "2026-06-15T20:00:00+08:00")
    assert shifted["as_of"] == "2026-06-15T12:00:00"
    plain = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse), "--from",
                     "2026-05-01", "--to", "2026-05-31", "--as-of", "2026-06-15 12:00:00")
    assert shifted == plain
    assert cards(at)["SLA met"] == card_text("sla_met_pct", plain["sla_met_pct"])


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


def test_a_page_that_fails_shows_one_plain_sentence_and_no_trace(demo_warehouse, monkeypatch,
                                                                  caplog):
    from dashboard import data
    from dashboard.settings import get_settings

    get_settings.cache_clear()  # importing dashboard.data read the settings (cache ttl)

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /srv/path")

    monkeypatch.setattr(data, "kpi_comparison", broken)
    at = run_app(demo_warehouse, monkeypatch)   # asserts no exception reached Streamlit
    said = [e.value for e in at.error]
    assert said == ["This page could not be shown because of an internal error; it has been "
                    "logged. Try another period or filter, or reload the page."]
    assert "secret internals" not in " ".join(said)
    assert any("secret internals" in r.getMessage() or (r.exc_info and "secret internals"
               in str(r.exc_info[1])) for r in caplog.records)


def test_error_details_are_off_for_users():
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


# --- the Overview's changes and trends ---------------------------------------------------

def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def latest_complete_week(warehouse: Path) -> tuple[str, str]:
    """Monday and Sunday of the week before the one holding as_of, worked out here."""
    from datetime import timedelta

    con = connect_reader(warehouse)
    as_of = stored_as_of(con)
    con.close()
    monday = as_of.date() - timedelta(days=as_of.weekday() + 7)
    return monday.isoformat(), (monday + timedelta(days=6)).isoformat()


def test_a_card_change_the_weekly_review_calls_noise_is_grey_and_says_so(demo_warehouse,
                                                                        monkeypatch):
    """One ISO week against the week before: the cards colour what `cxdash weekly` flags
    and nothing else (the demo's week: CSAT, NPS and SLA within the noise)."""
    from streamlit.proto.Metric_pb2 import Metric

    start, end = latest_complete_week(demo_warehouse)
    at = run_app(demo_warehouse, monkeypatch, {"period": "custom", "from": start, "to": end})
    weekly = cli_json("weekly", "--json", "--warehouse", str(demo_warehouse))
    assert (weekly["from"], weekly["to"]) == (start, end)
    flagged = {r["kpi"]: r["flagged"] for r in weekly["rows"]}
    captions = [c.value for c in at.caption]
    for key in ("sla_met_pct", "csat_avg", "nps"):
        card = metric(at, CARD_LABELS[key])
        assert not flagged[key], key
        assert card.proto.delta, key  # there is a change ...
        assert card.proto.color == Metric.MetricColor.GRAY, key  # ... and it is grey
    assert any("within the noise" in c for c in captions)
    # a median is not tested, on the Weekly page or here
    assert metric(at, "First response").proto.color == Metric.MetricColor.GRAY


def test_a_zero_change_reads_plus_minus_zero_without_an_arrow(make_warehouse, monkeypatch):
    """A change that rounds to zero showed nothing, which read as "no comparison"."""
    from streamlit.proto.Metric_pb2 import Metric

    from tests.fixtures import survey, ticket

    # one ticket a week, each first answered after 30 minutes and surveyed with CSAT 4
    wh = make_warehouse(
        tickets=[ticket("A", "2026-03-03 10:00", first_response_at="2026-03-03 10:30"),
                 ticket("B", "2026-03-10 10:00", first_response_at="2026-03-10 10:30")],
        surveys=[survey("sA", "A", "2026-03-04 09:00", csat=4),
                 survey("sB", "B", "2026-03-11 09:00", csat=4)])
    at = run_app(wh.path, monkeypatch,
                 {"period": "custom", "from": "2026-03-09", "to": "2026-03-15"})
    for label, text in (("Tickets", "±0"), ("CSAT (1-5)", "±0.00"), ("First response", "±0 min"),
                        ("SLA met", "±0.0 pts")):
        card = metric(at, label)
        assert card.proto.delta == text, label
        assert card.proto.direction == Metric.MetricDirection.NONE, label
        assert card.proto.color == Metric.MetricColor.GRAY, label


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_a_week_is_drawn_by_day_with_dates_for_ticks(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch, {"period": "7d"})
    assert "Daily trends" in [s.value for s in at.subheader]
    volume = chart_specs(at)[0]
    # one bar a day with tickets (by week, the 7 days were one or two bars)
    xs = volume["data"][0]["x"]
    assert len(xs) == len(set(xs)) > 2
    axis = volume["layout"]["xaxis"]
    assert axis["dtick"] == 86_400_000 and "%H" not in axis["tickformat"]


def test_a_one_day_period_says_there_is_no_trend_instead_of_drawing_one_point(
        demo_warehouse, monkeypatch):
    from dashboard.settings import get_settings
    from queries.api import Filters, fetch_kpis

    con = connect_reader(demo_warehouse)
    days = fetch_kpis(con, Filters(), by="day")["group"].to_list()  # the days with tickets
    con.close()
    get_settings.cache_clear()  # the app reads CXDASH_WAREHOUSE afresh
    day = days[-1]
    at = run_app(demo_warehouse, monkeypatch, {"period": "custom", "from": day, "to": day})
    assert metric(at, "Tickets").value != "0"
    assert chart_specs(at) == []
    messages = [i.value for i in at.info]
    assert sum("Fewer than two days with a value" in m for m in messages) == 1  # one, not four


def test_a_quarter_is_drawn_by_week_with_weeks_mondays_for_ticks(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch, {"period": "90d"})
    assert "Weekly trends" in [s.value for s in at.subheader]
    volume = chart_specs(at)[0]
    assert volume["layout"]["xaxis"]["dtick"] % (7 * 86_400_000) == 0
    assert "%H" not in volume["layout"]["xaxis"]["tickformat"]


def test_the_funnels_sla_trend_of_a_week_is_drawn_by_day(demo_warehouse, monkeypatch):
    at = run_app(demo_warehouse, monkeypatch, {"period": "7d"})
    at.switch_page("../pages/funnel.py").run()
    assert not at.exception
    trend = [s for s in chart_specs(at)
             if "SLA met, by" in s["layout"].get("title", {}).get("text", "")]
    assert len(trend) == 1 and "by day" in trend[0]["layout"]["title"]["text"]
    xs = trend[0]["data"][0]["x"]
    assert len(xs) == len(set(xs)) > 2  # by week, the 7 days were one or two points
    assert trend[0]["layout"]["xaxis"]["dtick"] == 86_400_000


def test_the_funnels_sla_trend_of_one_day_says_there_is_no_trend(demo_warehouse, monkeypatch):
    from dashboard.settings import get_settings
    from queries.api import Filters, fetch_kpis

    con = connect_reader(demo_warehouse)
    day = fetch_kpis(con, Filters(), by="day")["group"].to_list()[-1]
    con.close()
    get_settings.cache_clear()
    at = run_app(demo_warehouse, monkeypatch, {"period": "custom", "from": day, "to": day})
    at.switch_page("../pages/funnel.py").run()
    assert not at.exception
    assert not [s for s in chart_specs(at)
                if "SLA met, by" in s["layout"].get("title", {}).get("text", "")]
    assert any("Fewer than two days with a value" in i.value for i in at.info)


def test_the_sidebar_names_product_words_in_chinese_in_their_own_order(demo_warehouse,
                                                                          monkeypatch):
    # priority is a product vocabulary: urgent > high > normal > low, in the reader's words;
    # a channel is data, shown capitalised; the value a filter keeps is still the code
    at = run_app(demo_warehouse, monkeypatch, {"lang": "zh-CN", "priority": "urgent"})
    priority = at.multiselect(key="filter_priority")
    assert list(priority.options) == ["紧急", "高", "普通", "低"]
    assert priority.value == ["urgent"]
    assert list(at.multiselect(key="filter_type").options)[0] == "投诉"
    assert "App" in at.multiselect(key="filter_channel").options
