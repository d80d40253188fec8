"""The Data page (AppTest): sections run only when chosen, rejects and history a page at a
time, labels instead of field names, coverage at a grain a chart can draw."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.load.run import load_file
from dashboard.settings import get_settings
from tests.conftest import REAL_DATA
from tests.test_app import cli_json, run_app


def _data_page(warehouse: Path, monkeypatch, section: str = "load"):
    get_settings.cache_clear()  # a load in the test read the settings before the app's own
    at = run_app(warehouse, monkeypatch)
    at.switch_page("../pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    if section != "load":
        at.radio(key="data_section").set_value(section).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def real_warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("real") / "warehouse.duckdb"
    for name in ("cfpb_complaints_2019_2020.csv", "callcenter_january_1999.txt"):
        assert load_file(path, REAL_DATA / name).status == "loaded"
    return path


def _texts(frame) -> set[str]:
    return {str(v) for col in frame.columns for v in frame[col].to_list()} | set(frame.columns)


def test_rejects_of_real_loads_are_counted_like_the_cli_and_read_in_pages(real_warehouse,
                                                                            monkeypatch):
    at = _data_page(real_warehouse, monkeypatch, "rejects")
    rejected = cli_json("rejects", "--json", "--warehouse", str(real_warehouse))
    n = len(rejected)
    assert {r["extract"] for r in rejected} == {"callcenter_january_1999.txt"}
    pages = -(-n // 50)   # 50 rows a page
    assert any(c.value == f"{n:,} of {n:,} rejected rows match · page 1 of {pages}"
               for c in at.caption)
    table = at.dataframe[0].value
    assert len(table) == min(n, 50)
    assert "Row as in the file" in table.columns and "raw" not in table.columns
    assert "None" not in _texts(table)


def test_the_download_is_built_only_when_asked(real_warehouse, monkeypatch):
    from dashboard import data

    calls = []
    monkeypatch.setattr(data, "rejects_csv", lambda *a: calls.append(a) or b"")
    _data_page(real_warehouse, monkeypatch, "rejects")
    assert calls == []


def test_history_names_what_was_loaded_in_words_not_field_names(real_warehouse, monkeypatch):
    at = _data_page(real_warehouse, monkeypatch, "history")
    table = at.dataframe[0].value
    assert set(table["File"]) == {"cfpb_complaints_2019_2020.csv", "callcenter_january_1999.txt"}
    assert set(table["Status"]) == {"Loaded"} and set(table["Kind"]) == {"Tickets"}
    for raw_name in ("rows_read", "file_name", "accepted_pct", "None"):
        assert raw_name not in _texts(table)
    assert any("2 load attempts, newest first · page 1 of 1" == c.value for c in at.caption)


def test_quality_over_27_years_is_drawn_per_month(real_warehouse, monkeypatch):
    at = _data_page(real_warehouse, monkeypatch, "quality")
    metrics = {m.label: m.value for m in at.metric}
    # neither extract comes with a branches table: every ticket's branch is unknown
    assert metrics["Tickets with an unknown branch"] == metrics["Tickets"]
    assert metrics["Loads below 95.0% accepted"] == "0"
    # January 1999 to March 2020: months, so a few hundred bars at most, not 7,000 days
    assert any(h.value == "Tickets and surveys per month" for h in at.subheader)
    (chart,) = [c for c in at.get("plotly_chart")]
    import json

    bars = json.loads(chart.proto.spec)["data"][0]["x"]
    assert bars[0] == "1999-01-01" and bars[-1] == "2020-03-01" and len(bars) == 255
    # 1999-01 .. 2020-03 inclusive: 21 * 12 + 3 = 255 months
    tables = [d.value for d in at.dataframe]
    for t in tables:
        assert not {"null_pct", "looks_like", "dimension"} & set(t.columns)


def test_spelling_variants_name_a_different_spelling_never_the_same_value(tmp_path, monkeypatch):
    f = tmp_path / "t.csv"
    f.write_text("ticket_id,channel,branch_id,category,created_at\n"
                 "T1,web,B1,Billing,2024-05-01 10:00\nT2,web,B1,Billing,2024-05-01 10:00\n"
                 "T3,E-mail,B1,billing,2024-05-01 10:00\nT4,referral,B1,Billing,2024-05-01\n")
    wh = tmp_path / "wh.duckdb"
    load_file(wh, f)
    at = _data_page(wh, monkeypatch, "quality")
    (table,) = [d.value for d in at.dataframe if "Probably meant" in d.value.columns]
    rows = sorted(tuple(r) for r in table.itertuples(index=False))
    # billing (1 ticket) is a variant of Billing (3); e-mail is email; referral is unusual
    assert rows == [("Category", "billing", "Billing", 1),
                    ("Channel", "e-mail", "email", 1),
                    ("Channel", "referral", "(not a usual channel)", 1)]


def test_the_sidebar_says_its_filters_do_not_apply_here(real_warehouse, monkeypatch):
    at = _data_page(real_warehouse, monkeypatch)
    assert any("do not apply to the Data page" in c.value for c in at.sidebar.caption)


def test_data_page_without_a_warehouse_still_offers_loading(tmp_path, monkeypatch):
    at = _data_page(tmp_path / "none.duckdb", monkeypatch)
    assert at.selectbox(key="data_kind").options[1:] == ["Tickets", "Surveys", "Customers",
                                                          "Branches", "Fixes"]
    at.radio(key="data_section").set_value("rejects").run()
    assert any("No warehouse yet" in i.value for i in at.info)


def test_a_load_below_the_target_is_named_with_its_share(tmp_path, monkeypatch):
    f = tmp_path / "half.csv"
    f.write_text("ticket_id,channel,branch_id,category,created_at\n"
                 "T1,web,B1,x,2024-05-01 10:00\nT2,web,B1,x,someday\n")
    wh = tmp_path / "wh.duckdb"
    load_file(wh, f)
    at = _data_page(wh, monkeypatch, "quality")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Loads below 95.0% accepted"] == "1"
    # 1 of 2 rows accepted: 50 %
    assert [w.value for w in at.warning] == ["Loads below the 95.0% target: half.csv (50.0%)."]


def test_the_second_page_of_rejects_holds_the_rest(real_warehouse, monkeypatch, tmp_path):
    # the real files leave 33 rejects: 30 tickets without a date make a second page
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(real_warehouse, warehouse)
    bad = tmp_path / "undated.csv"
    bad.write_text("ticket_id,channel,branch_id,category,created_at\n"
                   + "".join(f"U{i},web,B1,billing,not a date\n" for i in range(30)),
                   encoding="utf-8")
    assert load_file(warehouse, bad).rejected == 30
    n = len(cli_json("rejects", "--json", "--warehouse", str(warehouse)))
    assert n > 50, "the fixture needs more than one page of rejects"
    at = _data_page(warehouse, monkeypatch, "rejects")
    at.number_input(key="data_rejects_page").set_value(2).run()
    assert len(at.dataframe[0].value) == n - 50          # 50 on the first page
    assert any(c.value.endswith("page 2 of 2") for c in at.caption)


def test_without_data_there_are_no_filters_and_no_note_about_them(tmp_path, monkeypatch):
    at = _data_page(tmp_path / "none.duckdb", monkeypatch)
    assert not any("do not apply" in c.value for c in at.sidebar.caption)


def test_the_load_form_offers_each_shipped_profile_with_its_description(tmp_path, monkeypatch):
    at = _data_page(tmp_path / "none.duckdb", monkeypatch)
    box = at.selectbox(key="data_profile")
    assert box.options[0] == "Detect from the header"
    # written out from dashboard/profiles/callcenter.toml and servicenow.toml
    assert ("callcenter — Call-centre telephony export: a call per row, date and times in "
            "separate columns") in box.options
    assert sum(o.startswith("servicenow — ") for o in box.options) == 1
    assert len(box.options) == 1 + 6  # detect + the six shipped .toml files


def test_the_pages_upload_service_loads_a_file_and_audits_it(tmp_path):
    # the page loads through dashboard.uploads (it may not import the loader itself)
    from dashboard import uploads

    f = tmp_path / "t.csv"
    f.write_text("ticket_id,channel,branch_id,category,created_at\n"
                 "T1,web,B1,billing,2024-05-01 10:00\nT2,web,B1,billing,not a date\n")
    wh = tmp_path / "wh.duckdb"
    steps: list[float] = []
    result = uploads.load_upload(wh, f, kind=None, profile=None, sheet=None, force=False,
                                 step=lambda what, frac: steps.append(frac))
    out = result.as_json()
    # T1 lands, T2's created_at is no date: 1 new, 1 rejected
    assert (out["status"], out["kind"], out["new"], out["rejected"]) == ("loaded", "tickets", 1, 1)
    assert steps and max(steps) <= 1.0
    again = uploads.load_upload(wh, f, kind="tickets", profile=None, sheet=None, force=False)
    assert again.status == "already_loaded"
    assert uploads.kind_names() == ["tickets", "surveys", "customers", "branches", "fixes"]
