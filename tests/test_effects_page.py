"""The Recovery page through Streamlit's AppTest: the fixes register, one fix in depth
(selected by a simulated click on the forest plot or the register, or by the URL), the
honesty notes and the record-a-fix form. Expected numbers come through the CLI."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cli
from tests.conftest import REPO
from tests.test_funnel_effects import EFFECT_CUSTOMERS, EFFECT_FIXES, EFFECT_SURVEYS, EFFECT_TICKETS

APP = str(REPO / "dashboard" / "app.py")
PAGE = "../pages/recovery.py"

FIXES = [{**f, "owner": "Billing Ops"} for f in EFFECT_FIXES]


@pytest.fixture
def wh(make_warehouse):
    return make_warehouse(tickets=EFFECT_TICKETS, surveys=EFFECT_SURVEYS,
                          customers=EFFECT_CUSTOMERS, fixes=FIXES)


def open_page(warehouse: Path, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("CXDASH_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()  # one run: straight to the page
    assert not at.exception, [e.value for e in at.exception]
    return at


def cli_effects(warehouse: Path, *args: str) -> list[dict]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["effects", "--json", "--warehouse", str(warehouse), *args]) == 0
    return json.loads(out.getvalue())


def register(at: AppTest):
    return at.dataframe[0].value


def click_point(at: AppTest, fix_id: str) -> None:
    at.session_state["recovery_forest"] = {"selection": {
        "points": [{"curve_number": 0, "point_index": 0, "customdata": fix_id}],
        "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def detail(at: AppTest):
    """(summary table, DiD table) of the fix shown in depth."""
    return at.dataframe[1].value, at.dataframe[2].value


def test_register_lists_every_fix_with_owner_scope_launch_window_and_the_cli_effect(wh,
                                                                                    monkeypatch):
    at = open_page(wh.path, monkeypatch)
    table = register(at)
    assert sorted(table["ID"].to_list()) == ["F1", "F2", "F3"]
    assert set(table["Owner"]) == {"Billing Ops"}
    row = table[table["ID"] == "F1"].iloc[0]
    assert row["Scope"] == "billing · app"
    assert row["Launched"] == date(2024, 6, 1)
    # stored as_of 2024-07-05 10:00: 34.4 days of 90 are in
    assert row["Window"] == "34/90 d"  # short, so "complete" and this fit at 1,400 px
    expected = {r["fix_id"]: r for r in cli_effects(wh.path) if r["metric"] ==
                "repeat_complaint_pct"}
    # cells here have fewer than 10 complaints: every effect is greyed, not shown as a number
    assert table["Effect"].isna().all()
    assert all(text == "too few cases" for text in table["95 % interval"])
    assert set(expected) == {"F1", "F2", "F3"}


def test_register_shows_the_effect_number_of_the_cli_when_cells_are_large_enough(wh, monkeypatch):
    monkeypatch.setenv("CXDASH_MIN_SAMPLE", "2")
    at = open_page(wh.path, monkeypatch, {"as_of": "2024-12-31 00:00:00"})
    table = register(at)
    expected = {r["fix_id"]: r for r in cli_effects(wh.path, "--as-of", "2024-12-31 00:00:00")
                if r["metric"] == "repeat_complaint_pct"}
    f1 = table[table["ID"] == "F1"].iloc[0]
    assert f1["Effect"] == pytest.approx(expected["F1"]["effect"])  # -25 by hand
    # "low to high": an ellipsis between the bounds read as a cut-off number; the reading
    # is the cell's colour and the caption's words
    assert f1["95 % interval"] == "{:+.1f} to {:+.1f}".format(
        expected["F1"]["ci_low"], expected["F1"]["ci_high"])


def test_clicking_a_point_of_the_forest_plot_opens_that_fix_in_depth(wh, monkeypatch):
    at = open_page(wh.path, monkeypatch)
    click_point(at, "F1")
    assert [s.value for s in at.subheader] == ["F1 · Billing app fix"]
    assert at.query_params["rec_fix"] == ["F1"] or at.query_params["rec_fix"] == "F1"
    _summary, did = detail(at)
    expected = next(r for r in cli_effects(wh.path) if r["fix_id"] == "F1"
                    and r["metric"] == "repeat_complaint_pct")
    assert did["Group"].to_list() == ["Treated", "Control",
                                      "Effect (treated − control)"]
    assert did["n before"].to_list()[:2] == [expected["n_treated_pre"],
                                             expected["n_control_pre"]]
    assert did["n after"].to_list()[:2] == [expected["n_treated_post"],
                                            expected["n_control_post"]]
    # fewer than 10 cases in every cell: greyed with the words
    assert all("too few cases" in v for v in did["Before"][:2])
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the forest plot and the fix's event study
    spec = charts[1].proto.spec if hasattr(charts[1].proto, "spec") else str(charts[1].proto)
    assert "launch" in spec and "Treated" in spec


def test_selecting_a_register_row_opens_that_fix(wh, monkeypatch):
    at = open_page(wh.path, monkeypatch)
    position = register(at)["ID"].to_list().index("F3")
    at.session_state["recovery_register"] = {"selection": {"rows": [position], "columns": []}}
    at.run()
    assert [s.value for s in at.subheader] == ["F3 · Billing everywhere"]


def test_metric_and_fix_come_from_the_url_and_go_back_to_it(wh, monkeypatch):
    at = open_page(wh.path, monkeypatch, {"rec_metric": "csat_avg", "rec_fix": "F1"})
    assert at.session_state["recovery_metric"] == "csat_avg"
    assert [s.value for s in at.subheader] == ["F1 · Billing app fix"]
    assert "CSAT" in " ".join(m.value for m in at.markdown)
    at.session_state["recovery_metric"] = "complaints"
    at.run()
    assert at.query_params["rec_metric"] in ("complaints", ["complaints"])


def test_an_unknown_fix_in_the_link_is_said_not_silently_dropped(wh, monkeypatch):
    at = open_page(wh.path, monkeypatch, {"rec_fix": "F404"})
    assert any("F404" in w.value for w in at.warning)


def test_detail_numbers_equal_the_cli_for_the_same_as_of(wh, monkeypatch):
    monkeypatch.setenv("CXDASH_MIN_SAMPLE", "2")
    at = open_page(wh.path, monkeypatch, {"as_of": "2024-12-31 00:00:00", "rec_fix": "F1",
                                          "rec_metric": "csat_avg"})
    expected = next(r for r in cli_effects(wh.path, "--as-of", "2024-12-31 00:00:00")
                    if r["fix_id"] == "F1" and r["metric"] == "csat_avg")
    _summary, did = detail(at)
    assert did["Before"].to_list()[:2] == [f"{expected['treated_pre']:.2f}",
                                           f"{expected['control_pre']:.2f}"]
    assert did["After"].to_list()[:2] == [f"{expected['treated_post']:.2f}",
                                          f"{expected['control_post']:.2f}"]
    # the effect and its interval are a row of the table, not a line under it
    effect = did.iloc[-1]
    assert effect["Change"] == f"{expected['effect']:+.2f}"  # +2.00 by hand (test_funnel_effects)
    assert effect["95 % interval"] == "{:+.2f} to {:+.2f}".format(expected["ci_low"],
                                                                   expected["ci_high"])
    assert not any(m.value.startswith("**Effect**") for m in at.markdown)


def test_a_fix_without_a_control_group_says_seasonality_is_not_controlled(wh, monkeypatch):
    at = open_page(wh.path, monkeypatch, {"rec_fix": "F2"})
    texts = [w.value for w in at.warning] + [i.value for i in at.info]
    assert any("seasonality is not controlled; read this as a before/after only" in t
               and "F2" in t for t in texts)
    assert any("seasonality is not controlled" in i.value for i in at.info)  # in the detail


def test_a_partial_window_says_how_many_days_are_in_and_when_it_completes(wh, monkeypatch):
    at = open_page(wh.path, monkeypatch)
    assert any("Partial window: 34 of 90 days" in i.value and "30 Aug 2024" in i.value
               for i in at.info)


def test_recording_a_fix_validates_and_stores_it(wh, monkeypatch):
    at = open_page(wh.path, monkeypatch)
    at.text_input(key="recovery_form_id_None").input("F9")
    submit = next(b for b in at.button if b.label == "Save fix")
    submit.click().run()
    assert any("title is required" in e.value for e in at.error)
    at.text_input(key="recovery_form_title_None").input("Callback promise")
    # every required field says so (the launch date did not)
    assert at.date_input(key="recovery_form_date_None").label == "Launch date (required)"
    at.date_input(key="recovery_form_date_None").set_value(date(2024, 6, 1))
    at.selectbox(key="recovery_form_category_None").set_value("billing")
    next(b for b in at.button if b.label == "Save fix").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("F9" in s.value for s in at.success)
    assert "F9" in register(at)["ID"].to_list()
    rows = cli_effects(wh.path, "--fix", "F9")
    assert len(rows) == 4


def test_the_page_speaks_chinese(wh, monkeypatch):
    at = open_page(wh.path, monkeypatch, {"lang": "zh-CN", "rec_fix": "F1"})
    assert at.title[0].value == "服务补救：每项整改措施是否见效？"
    assert [h.value for h in at.header] == ["单项整改措施详情"]
    _summary, did = detail(at)
    assert did.columns.to_list()[:2] == ["组别", "上线前"]
    assert did["组别"].to_list() == ["整改组", "对照组", "效果（整改组 − 对照组）"]
    # stored values (titles, scope values) stay as stored
    assert [s.value for s in at.subheader] == ["F1 · Billing app fix"]


def test_editing_a_fix_replaces_it_and_keeps_its_id(wh, monkeypatch):
    at = open_page(wh.path, monkeypatch)
    at.selectbox(key="recovery_form_fix").set_value("F3").run()
    title = at.text_input(key="recovery_form_title_F3")
    assert title.value == "Billing everywhere"          # the form starts from the stored fix
    title.input("Billing everywhere, second wave")
    next(b for b in at.button if b.label == "Save fix").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("F3" in s.value and "updated" in s.value for s in at.success)
    table = register(at)
    assert table[table["ID"] == "F3"]["Title"].to_list() == ["Billing everywhere, second wave"]
    assert sorted(table["ID"]) == ["F1", "F2", "F3"]    # replaced, not added


def test_without_fixes_the_page_says_how_to_add_one(make_warehouse, monkeypatch):
    wh = make_warehouse(tickets=EFFECT_TICKETS)
    at = open_page(wh.path, monkeypatch)
    assert any("No fixes are recorded yet" in i.value for i in at.info)
    assert any(b.label == "Save fix" for b in at.button)  # the form is there, open
