"""The Satisfaction page through AppTest and `cxdash outliers`: every heatmap cell is the
CLI's `kpis --by A,B` value, the outlier JSON has the spec's shape, and every click (cell,
funnel-plot point, outlier row, phrase) opens Explore narrowed to exactly that selection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import format_number
from tests.conftest import REPO
from tests.fixtures import run_cli, survey, ticket

APP = str(REPO / "dashboard" / "app.py")
PAGE = "../pages/satisfaction.py"
OUTLIER_KEYS = {"group", "n", "csat_avg", "others_avg", "tested", "t", "df", "p", "p_adj",
                "low_outlier", "limit95_low", "limit95_high", "limit998_low",
                "limit998_high", "nps", "nps_n", "nps_moe"}


def satisfaction_page(warehouse: Path, monkeypatch, **query: str) -> AppTest:
    monkeypatch.setenv("CXDASH_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in {"period": "all", **query}.items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cli_json(*args: str) -> Any:
    code, out, err = run_cli(*args)
    assert code == 0, err
    return json.loads(out)


def url(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return value if isinstance(value, list) else [value]


def heatmap_values(at: AppTest) -> dict[tuple[str, str], float | None]:
    """{(row key, column key): coloured value, None for an insufficient (grey) cell}, read
    from the figure JSON through the click overlay's customdata."""
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    main = next(t for t in fig["data"] if t["type"] == "heatmap" and "colorbar" in t)
    overlay = next(t for t in fig["data"] if t["type"] == "scatter" and t.get("customdata"))
    ys, xs = list(main["y"]), list(main["x"])
    out = {}
    for (row, col), x, y in zip(overlay["customdata"], overlay["x"], overlay["y"], strict=True):
        out[(row, col)] = main["z"][ys.index(y)][xs.index(x)]
    return out


def select_point(at: AppTest, key: str, customdata: Any) -> AppTest:
    at.session_state[key] = {"selection": {"points": [{"customdata": customdata}],
                                           "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def select_row(at: AppTest, key: str, row: int) -> AppTest:
    at.session_state[key] = {"selection": {"rows": [row], "columns": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- cxdash outliers ------------------------------------------------------------------

def test_outliers_json_is_a_list_with_the_spec_keys_lowest_csat_first(demo_warehouse):
    rows = cli_json("outliers", "--json", "--warehouse", str(demo_warehouse))
    assert rows and all(set(r) == OUTLIER_KEYS for r in rows)
    means = [r["csat_avg"] for r in rows if r["csat_avg"] is not None]
    assert means == sorted(means)
    for r in rows:
        if not r["tested"]:
            assert r["t"] is None and r["df"] is None and r["p"] is None
            assert r["p_adj"] is None and r["low_outlier"] is False
        else:
            assert r["n"] >= 30 and 0 <= r["p"] <= r["p_adj"] <= 1
    # default --by branch: the groups are the branches of `kpis --by branch`
    branches = {r["group"] for r in cli_json("kpis", "--json", "--by", "branch",
                                             "--warehouse", str(demo_warehouse))}
    assert {r["group"] for r in rows} == branches


def test_outliers_by_channel_takes_period_and_filters(demo_warehouse):
    rows = cli_json("outliers", "--json", "--by", "channel", "--region", "North",
                    "--from", "2026-01-01", "--to", "2026-06-30", "--warehouse",
                    str(demo_warehouse))
    kpis = {r["group"]: r for r in cli_json(
        "kpis", "--json", "--by", "channel", "--region", "North", "--from", "2026-01-01",
        "--to", "2026-06-30", "--warehouse", str(demo_warehouse))}
    assert {r["group"] for r in rows} == set(kpis)
    for r in rows:  # the group's csat_avg and nps are the KPI set's
        assert r["csat_avg"] == pytest.approx(kpis[r["group"]]["csat_avg"])
        assert r["nps"] == pytest.approx(kpis[r["group"]]["nps"])


def test_outliers_by_an_unknown_dimension_is_bad_usage(demo_warehouse):
    code, _out, err = run_cli("outliers", "--by", "week", "--warehouse", str(demo_warehouse))
    assert code == 2 and "invalid choice" in err


def test_outliers_table_prints_each_group_with_its_result(demo_warehouse):
    code, out, _err = run_cli("outliers", "--by", "region", "--warehouse", str(demo_warehouse))
    assert code == 0 and "North" in out and "CSAT" in out


# --- heatmap cells are the CLI's ------------------------------------------------------

@pytest.mark.parametrize(("layout", "rows_dim", "cols_dim"), [
    ("branch_channel", "branch", "channel"),
    ("region_channel", "region", "channel"),
    ("weekday_hour", "weekday", "hour"),
    ("category_week", "week", "category"),
])
def test_every_heatmap_cell_equals_cxdash_kpis_by_two_dimensions(
        demo_warehouse, monkeypatch, layout, rows_dim, cols_dim):
    at = satisfaction_page(demo_warehouse, monkeypatch)
    at.selectbox(key="sat_layout").set_value(layout).run()
    assert not at.exception
    shown = heatmap_values(at)
    expected = {(str(r[rows_dim]), str(r[cols_dim])): r for r in cli_json(
        "kpis", "--json", "--by", f"{rows_dim},{cols_dim}", "--warehouse",
        str(demo_warehouse))}
    assert set(shown) == set(expected)
    coloured = 0
    for key, value in shown.items():
        if value is not None:  # a grey cell (n < 10) has no colour and no value
            coloured += 1
            assert value == pytest.approx(expected[key]["csat_avg"]), key
    assert coloured > 0 or layout == "category_week"  # all time: weekly cells are small


def test_nps_cells_equal_the_cli_and_say_their_margin_of_error(demo_warehouse, monkeypatch):
    at = satisfaction_page(demo_warehouse, monkeypatch)
    at.selectbox(key="sat_layout").set_value("region_channel").run()
    at.selectbox(key="sat_metric").set_value("nps").run()
    assert not at.exception
    shown = heatmap_values(at)
    expected = {(r["region"], r["channel"]): r["nps"] for r in cli_json(
        "kpis", "--json", "--by", "region,channel", "--warehouse", str(demo_warehouse))}
    for key, value in shown.items():
        if value is not None:
            assert value == pytest.approx(expected[key])
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    overlay = next(t for t in fig["data"] if t["type"] == "scatter" and t.get("customdata"))
    assert all("margin of error" in h for h in overlay["hovertext"])


@pytest.mark.parametrize("metric", ["csat_pct", "fcr_pct", "repeat_complaint_pct",
                                    "frt_median_min"])
def test_every_metric_draws_and_orange_always_means_worse(demo_warehouse, monkeypatch, metric):
    at = satisfaction_page(demo_warehouse, monkeypatch)
    at.selectbox(key="sat_layout").set_value("region_channel").run()
    at.selectbox(key="sat_metric").set_value(metric).run()
    assert not at.exception
    expected = {(r["region"], r["channel"]): r[metric] for r in cli_json(
        "kpis", "--json", "--by", "region,channel", "--warehouse", str(demo_warehouse))}
    for key, value in heatmap_values(at).items():
        if value is not None:
            assert value == pytest.approx(expected[key])
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    main = next(t for t in fig["data"] if t["type"] == "heatmap" and "colorbar" in t)
    low_end = main["colorscale"][0][1]  # the colour of the lowest values
    lower_is_better = metric in ("repeat_complaint_pct", "frt_median_min")
    assert low_end == ("#1f4e99" if lower_is_better else "#b35806")  # blue / orange


def test_the_switches_are_kept_in_the_url_and_a_link_reopens_them(demo_warehouse, monkeypatch):
    at = satisfaction_page(demo_warehouse, monkeypatch)
    at.selectbox(key="sat_layout").set_value("weekday_hour").run()
    at.selectbox(key="sat_metric").set_value("nps").run()
    at.radio(key="sat_dim").set_value("region").run()
    assert url(at, "s_layout") == ["weekday_hour"] and url(at, "s_metric") == ["nps"]
    assert url(at, "s_dim") == ["region"] and url(at, "s_centre") == []  # default: not written
    again = satisfaction_page(demo_warehouse, monkeypatch, s_layout="weekday_hour",
                              s_metric="nps", s_dim="region", s_centre="nonsense")
    assert again.selectbox(key="sat_layout").value == "weekday_hour"
    assert again.selectbox(key="sat_metric").value == "nps"
    assert again.radio(key="sat_dim").value == "region"
    assert again.radio(key="sat_centre").value == "overall"  # unknown value ignored


def test_the_legend_says_what_the_centre_is_overall_or_target(demo_warehouse, monkeypatch):
    at = satisfaction_page(demo_warehouse, monkeypatch)
    overall = cli_json("kpis", "--json", "--warehouse", str(demo_warehouse))["csat_avg"]
    assert f"Centre: overall {format_number(overall, 2)}" in at.caption[1].value
    at.radio(key="sat_centre").set_value("target").run()
    # the default CSAT target is 4.2 (settings)
    assert "Centre: target 4.20" in at.caption[1].value


# --- clicks drill to Explore ------------------------------------------------------------

def test_a_heatmap_cell_click_opens_explore_on_that_branch_and_channel(
        demo_warehouse, monkeypatch):
    at = satisfaction_page(demo_warehouse, monkeypatch, region="North")
    select_point(at, "sat_heatmap", ["B01", "phone"])
    assert url(at, "branch") == ["B01"] and url(at, "channel") == ["phone"]
    assert url(at, "x_level") == ["tickets"]
    # the rest of the selection is restated: the region filter and the whole period
    # (all time = the data's first to last day)
    assert url(at, "region") == ["North"]
    first = cli_json("tickets", "--json", "--limit", "1", "--warehouse", str(demo_warehouse))
    assert url(at, "period") == ["custom"] and url(at, "to") == [first[0]["created_at"][:10]]
    assert at.session_state["filter_branch"] == ["B01"]
    assert at.session_state["filter_channel"] == ["phone"]


def test_a_weekday_hour_cell_opens_explore_at_that_weekday_and_hour(
        demo_warehouse, monkeypatch):
    at = satisfaction_page(demo_warehouse, monkeypatch)
    at.selectbox(key="sat_layout").set_value("weekday_hour").run()
    select_point(at, "sat_heatmap", ["2", "14"])
    assert url(at, "x_weekday") == ["2"] and url(at, "x_hour") == ["14"]
    assert url(at, "x_level") == ["tickets"]


def test_a_funnel_plot_point_and_an_outlier_row_open_that_group(demo_warehouse, monkeypatch):
    at = satisfaction_page(demo_warehouse, monkeypatch)
    select_point(at, "sat_funnel", "B03")
    assert url(at, "branch") == ["B03"]
    at = satisfaction_page(demo_warehouse, monkeypatch)
    at.radio(key="sat_dim").set_value("channel").run()
    lowest = cli_json("outliers", "--json", "--by", "channel", "--warehouse",
                      str(demo_warehouse))[0]["group"]
    select_row(at, "sat_outliers", 0)
    assert url(at, "channel") == [lowest]


def test_a_phrase_click_opens_the_low_score_comments_containing_it(demo_warehouse, monkeypatch):
    at = satisfaction_page(demo_warehouse, monkeypatch)
    phrases = at.dataframe[1].value  # 0: outliers, 1: phrases
    first = phrases.iloc[0, 0]
    select_row(at, "sat_phrases", 0)
    assert url(at, "x_q") == [first] and url(at, "x_score") == ["low"]


def test_low_score_comments_are_newest_first_paged_and_masked(make_warehouse, monkeypatch):
    # 12 low-score comments (csat 1), one per day; the newest carries a phone number
    tickets = [ticket(f"T{i:02d}", f"2024-05-{i:02d} 10:00") for i in range(1, 13)]
    surveys = [survey(f"S{i:02d}", f"T{i:02d}", f"2024-05-{i:02d} 12:00", 1, None)
               | {"comment": f"comment {i:02d}"} for i in range(1, 12)]
    surveys.append(survey("S12", "T12", "2024-05-12 12:00", 1, None)
                   | {"comment": "call me on 13812345678"})
    wh = make_warehouse(tickets=tickets, surveys=surveys)
    at = satisfaction_page(wh.path, monkeypatch)
    texts = [t.value for t in at.text]
    # page 1: the 10 newest, newest first; the phone number masked
    assert texts[0] == "call me on 138****5678"
    assert texts[1:10] == [f"comment {i:02d}" for i in range(11, 2, -1)]
    at.number_input(key="sat_comments_page").set_value(2).run()
    assert [t.value for t in at.text] == ["comment 02", "comment 01"]


def test_the_page_speaks_chinese(demo_warehouse, monkeypatch):
    at = satisfaction_page(demo_warehouse, monkeypatch, lang="zh-CN")
    assert at.title[0].value == "满意度"
    assert [s.value for s in at.subheader][:2] == ["哪里满意度低", "考虑样本量的异常值"]


def test_a_cell_below_the_minimum_sample_is_grey_and_says_its_n(make_warehouse, monkeypatch):
    # branch B1: 10 phone surveys (csat 5) -> coloured; 9 email surveys (csat 1) -> grey,
    # "n=9" (min_sample 10: a cell needs at least 10)
    tickets, surveys = [], []
    for channel, count, csat in (("phone", 10, 5), ("email", 9, 1)):
        for i in range(count):
            tid = f"{channel}-{i}"
            tickets.append(ticket(tid, "2024-05-01 10:00", channel=channel))
            surveys.append(survey(f"S{tid}", tid, "2024-05-02 10:00", csat, None))
    wh = make_warehouse(tickets=tickets, surveys=surveys)
    at = satisfaction_page(wh.path, monkeypatch)
    shown = heatmap_values(at)
    assert shown == {("B1", "phone"): 5.0, ("B1", "email"): None}
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    grey = next(t for t in fig["data"] if t["type"] == "heatmap" and "colorbar" not in t)
    assert "n=9" in [text for row in grey["text"] for text in row]
    legend = [t["name"] for t in fig["data"] if t.get("showlegend")]
    assert legend == ["insufficient data (n < 10)"]


def test_a_selection_without_surveys_says_so_instead_of_drawing_colours(make_warehouse,
                                                                       monkeypatch):
    wh = make_warehouse(tickets=[ticket("T1", "2024-05-01 10:00"),
                                 ticket("T2", "2024-05-02 10:00", channel="email")])
    at = satisfaction_page(wh.path, monkeypatch)
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert not [t for t in fig["data"] if t["type"] == "heatmap" and "colorbar" in t]
    infos = [i.value for i in at.info]
    assert "No survey with a CSAT answer in this selection." in infos
    assert "No low-score comments in this selection." in infos
    # the outlier table still lists the branch (n 0), not tested
    assert at.dataframe[0].value["Result"].to_list() == ["not tested (n < 30)"]


def test_a_category_week_cell_opens_explore_at_that_category_and_week(
        demo_warehouse, monkeypatch):
    at = satisfaction_page(demo_warehouse, monkeypatch)
    at.selectbox(key="sat_layout").set_value("category_week").run()
    select_point(at, "sat_heatmap", ["2026-03-02", "billing"])  # rows weeks, columns categories
    assert url(at, "x_week") == ["2026-03-02"] and url(at, "category") == ["billing"]
    assert url(at, "x_level") == ["tickets"]
