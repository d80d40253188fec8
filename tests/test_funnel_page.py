"""The Funnel page through Streamlit's AppTest: its numbers are the CLI's, a stage the data
does not carry reads "not in the data", and every click opens the tickets behind it."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cli
from dashboard.i18n import format_duration_minutes, format_number, format_percent_value
from tests.conftest import REPO
from tests.fixtures import ticket

APP = str(REPO / "dashboard" / "app.py")
PAGE = "../pages/funnel.py"


def funnel_page(warehouse: Path, monkeypatch, **query: str) -> AppTest:
    monkeypatch.setenv("CXDASH_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in {"period": "all", **query}.items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()  # one run: straight to the page
    assert not at.exception, [e.value for e in at.exception]
    return at


def cli_json(*args: str) -> Any:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return json.loads(out.getvalue())


TABLES = {"funnel_table": 0, "funnel_sla_table": 1, "funnel_backlog_table": 2}


def table(at: AppTest, key: str):
    """A table of the page by its widget key (AppTest's dataframes carry no key: the page
    draws them in this order)."""
    return at.dataframe[TABLES[key]].value


def url(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return value if isinstance(value, list) else [value]


def select(at: AppTest, key: str, point: dict[str, Any]) -> AppTest:
    """Simulate a click on a chart point (stack-notes: a plain dict in session_state)."""
    at.session_state[key] = {"selection": {"points": [point], "point_indices": [0],
                                           "box": [], "lasso": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_funnel_table_equals_cxdash_funnel_json(demo_warehouse, monkeypatch):
    at = funnel_page(demo_warehouse, monkeypatch)
    rows = cli_json("funnel", "--json", "--warehouse", str(demo_warehouse))
    shown = table(at, "funnel_table")
    assert shown["Tickets"].to_list() == [format_number(r["tickets"]) for r in rows]
    assert shown["Of previous"].to_list()[1:] == [
        format_percent_value(r["conversion_pct"]) for r in rows[1:]]
    assert shown["Median from previous"].to_list()[1:5] == [
        format_duration_minutes(r["median_minutes_from_previous"]) for r in rows[1:5]]
    # the bottleneck sentence names the lowest conversion of the CLI's funnel
    worst = min(rows[1:], key=lambda r: r["conversion_pct"])
    sentence = at.markdown[0].value
    assert f"{100 - worst['conversion_pct']:.1f}%" in sentence
    assert worst["stage"] in sentence


def test_the_sla_table_equals_cxdash_kpis_per_priority_tier(demo_warehouse, monkeypatch):
    at = funnel_page(demo_warehouse, monkeypatch)
    shown = {r["Tier"]: r["Met share"] for r in table(at, "funnel_sla_table").to_dict("records")}
    wh = str(demo_warehouse)
    for tier, label in (("urgent", "Urgent"), ("high", "High"), ("normal", "Normal"),
                        ("low", "Low")):
        expected = cli_json("kpis", "--json", "--warehouse", wh, "--priority", tier)
        assert shown[label] == format_percent_value(expected["sla_met_pct"]), tier
    overall = cli_json("kpis", "--json", "--warehouse", wh)
    assert shown["All tiers"] == format_percent_value(overall["sla_met_pct"])
    # urgent first, as the product orders its tiers (not alphabetically), the total last
    assert list(shown) == ["Urgent", "High", "Normal", "Low", "All tiers"]


def test_with_a_channel_filter_the_page_still_equals_the_cli(demo_warehouse, monkeypatch):
    at = funnel_page(demo_warehouse, monkeypatch, channel="email")
    rows = cli_json("funnel", "--json", "--warehouse", str(demo_warehouse), "--channel", "email")
    assert table(at, "funnel_table")["Tickets"].to_list() == [
        format_number(r["tickets"]) for r in rows]


def test_a_stage_no_source_carries_reads_not_in_the_data(make_warehouse, monkeypatch):
    wh = make_warehouse(tickets=[
        ticket("T1", "2024-05-01 10:00", resolved_at="2024-05-01 12:00",
               not_carried=["closed_at", "status"]),
        ticket("T2", "2024-05-01 11:00", not_carried=["closed_at", "status"]),
    ])
    at = funnel_page(wh.path, monkeypatch)
    shown = {r["Stage"]: r for r in table(at, "funnel_table").to_dict("records")}
    assert shown["Closed"]["Tickets"] == "not in the data"
    assert shown["Closed"]["Of previous"] == "n/a"      # never 0.0 %
    assert shown["Surveyed"]["Tickets"] == "not in the data"   # no survey in the warehouse
    assert shown["Resolved"]["Tickets"] == "1"


def test_clicking_a_stage_opens_its_tickets(demo_warehouse, monkeypatch):
    at = select(funnel_page(demo_warehouse, monkeypatch), "funnel_chart",
                {"customdata": "resolved", "point_index": 3, "y": "Resolved", "x": 10})
    assert url(at, "x_level") == ["tickets"]
    assert url(at, "x_stage") == ["resolved"]


def test_a_stage_click_without_customdata_uses_the_point_index(demo_warehouse, monkeypatch):
    at = select(funnel_page(demo_warehouse, monkeypatch), "funnel_chart",
                {"point_index": 5, "x": 1234.5})   # go.Funnel-like: x is the bar centre
    assert url(at, "x_stage") == ["surveyed"]


def test_clicking_a_channel_cell_opens_that_channels_tickets_at_that_stage(
        demo_warehouse, monkeypatch):
    at = select(funnel_page(demo_warehouse, monkeypatch), "funnel_compare_chart",
                {"customdata": ["email", "responded"]})
    assert url(at, "channel") == ["email"]
    assert url(at, "x_stage") == ["responded"]


def test_clicking_an_sla_cell_opens_its_breached_tickets(demo_warehouse, monkeypatch):
    at = select(funnel_page(demo_warehouse, monkeypatch), "funnel_sla_chart",
                {"customdata": ["urgent", "web"]})
    assert url(at, "priority") == ["urgent"]
    assert url(at, "channel") == ["web"]
    assert url(at, "x_sla") == ["breached"]


def test_clicking_the_all_column_of_a_tier_keeps_every_channel(demo_warehouse, monkeypatch):
    at = select(funnel_page(demo_warehouse, monkeypatch), "funnel_sla_chart",
                {"customdata": ["high", "All"]})
    assert url(at, "priority") == ["high"]
    assert url(at, "channel") == []


def test_clicking_a_backlog_band_opens_the_open_tickets_of_that_age(
        demo_warehouse, monkeypatch):
    at = select(funnel_page(demo_warehouse, monkeypatch), "funnel_backlog_chart",
                {"customdata": "gt30d"})
    assert url(at, "x_open") == ["1"]
    assert url(at, "x_age") == ["gt30d"]


def test_the_page_speaks_chinese(demo_warehouse, monkeypatch):
    at = funnel_page(demo_warehouse, monkeypatch, lang="zh-CN")
    assert at.title[0].value == "处理漏斗"
    assert "环节" in table(at, "funnel_table").columns
    assert "流失最多的是" in at.markdown[0].value


def test_the_chinese_page_names_tiers_and_sla_states_in_the_product_s_words(demo_warehouse,
                                                                           monkeypatch):
    """The SLA table and heatmap say 紧急/高/普通/低 and 达成/超时/未到期 (value_label's
    words, as the sidebar says them), urgent first -- not the codes or English."""
    at = funnel_page(demo_warehouse, monkeypatch, lang="zh-CN")
    sla = table(at, "funnel_sla_table")
    assert sla["优先级"].to_list() == ["紧急", "高", "普通", "低", "全部优先级"]
    assert {"达成", "超时", "未到期"} <= set(sla.columns)
    assert figure(at, 2)["data"][0]["y"] == ["紧急", "高", "普通", "低"]


def test_the_backlog_figures_have_labels_that_fit_a_quarter_of_the_page(demo_warehouse,
                                                                        monkeypatch):
    """"Complaints past the resolution …" was cut on the 1,400 px page; the help says what
    the overdue complaints are."""
    at = funnel_page(demo_warehouse, monkeypatch)
    labels = [m.label for m in at.metric]
    assert labels == ["Open tickets", "SLA breached, still open", "Overdue complaints",
                      "Oldest open ticket"]
    assert "working days" in at.metric[2].help


@pytest.mark.parametrize("by", ["region", "branch"])
def test_the_comparison_switches_to_regions_and_branches(demo_warehouse, monkeypatch, by):
    at = funnel_page(demo_warehouse, monkeypatch)
    at.radio(key="funnel_compare_by").set_value(by).run()
    assert not at.exception
    at.radio(key="funnel_compare_measure").set_value("time").run()
    assert not at.exception


def figure(at: AppTest, index: int) -> dict[str, Any]:
    """The plotly figure JSON of the page's index-th chart (0 funnel, 1 comparison, 2 SLA)."""
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def heatmap_cell(fig: dict[str, Any], row: str, column: str) -> str:
    heat = fig["data"][0]
    return heat["text"][list(heat["y"]).index(row)][list(heat["x"]).index(column)]


def test_a_channel_cell_of_the_comparison_equals_cxdash_funnel_for_that_channel(
        demo_warehouse, monkeypatch):
    at = funnel_page(demo_warehouse, monkeypatch)
    rows = {r["stage"]: r for r in cli_json("funnel", "--json", "--warehouse",
                                            str(demo_warehouse), "--channel", "email")}
    fig = figure(at, 1)
    for stage, label in (("surveyed", "Surveyed"), ("resolved", "Resolved")):
        assert heatmap_cell(fig, "email", label).startswith(
            format_percent_value(rows[stage]["conversion_pct"])), stage


def test_an_sla_cell_equals_cxdash_kpis_for_that_tier_and_channel(demo_warehouse, monkeypatch):
    at = funnel_page(demo_warehouse, monkeypatch)
    fig = figure(at, 2)
    expected = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse),
                        "--priority", "urgent", "--channel", "web")
    assert heatmap_cell(fig, "Urgent", "web") == format_percent_value(expected["sla_met_pct"])


def test_the_sla_trend_reads_its_dates_in_chinese_on_the_chinese_page():
    """The weekly SLA trend's axis showed "Jan 2025" on the zh-CN page: its figure gets the
    Chinese date tick formats (2026年9月) like the app's other date charts."""
    from datetime import date

    from dashboard import charts_funnel
    from dashboard.i18n import set_language

    weeks = [date(2026, 1, 5), date(2026, 1, 12)]
    try:
        set_language("zh-CN")
        fig = charts_funnel.sla_trend(weeks, {None: [90.0, 95.0]}, [True, False], 90.0)
        stops = fig.layout.xaxis.tickformatstops
        assert stops and any("年" in s.value for s in stops)
        set_language("en")
        assert not charts_funnel.sla_trend(weeks, {None: [90.0, 95.0]}, [True, False],
                                           90.0).layout.xaxis.tickformatstops
    finally:
        set_language("en")


def test_the_heatmaps_end_at_their_outer_cells_without_a_blank_band():
    """With 60 branches the comparison showed a blank band above its first row: plotly
    padded the autorange for the invisible click markers. The axes now end half a cell
    beyond the outer cells (3 groups x 2 stages: y from 2.5 down to -0.5, x -0.5 .. 1.5)."""
    from dashboard import charts_funnel
    from dashboard.views import funnel as vm

    cells = [vm.CompareCell(group=g, stage=s, value=90.0, overall=90.0, received=100,
                            score=0.0, text="90%")
             for g in ("a", "b", "c") for s in ("assigned", "responded")]
    fig = charts_funnel.compare_heatmap(cells, ["a", "b", "c"], ["assigned", "responded"], "t")
    assert list(fig.layout.yaxis.range) == [2.5, -0.5]
    assert list(fig.layout.xaxis.range) == [-0.5, 1.5]
    sla = charts_funnel.sla_heatmap([("urgent", "All", 0.1, "80%", "")], ["urgent"], ["All"],
                                    "t")
    assert list(sla.layout.yaxis.range) == [0.5, -0.5]


def test_the_comparison_switches_are_kept_in_the_url_and_read_from_a_link(demo_warehouse,
                                                                          monkeypatch):
    at = funnel_page(demo_warehouse, monkeypatch)
    # the defaults stay out of the link
    assert url(at, "f_by") == [] and url(at, "f_measure") == []
    at.radio(key="funnel_compare_by").set_value("region").run()
    at.radio(key="funnel_compare_measure").set_value("time").run()
    assert (url(at, "f_by"), url(at, "f_measure")) == (["region"], ["time"])
    # a fresh session opened with that link shows the same comparison
    again = funnel_page(demo_warehouse, monkeypatch, f_by="branch", f_measure="time")
    assert again.radio(key="funnel_compare_by").value == "branch"
    assert again.radio(key="funnel_compare_measure").value == "time"
    # a link changed in place (back button) is read on the next run
    again.query_params["f_by"] = "channel"
    again.run()
    assert again.radio(key="funnel_compare_by").value == "channel"
    # a value that is not a switch shows the default
    bad = funnel_page(demo_warehouse, monkeypatch, f_by="planet")
    assert bad.radio(key="funnel_compare_by").value == "channel"
