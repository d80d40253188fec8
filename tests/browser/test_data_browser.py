"""The Data page in a real browser: an analyst drops files, sees the per-file summary,
then finds the rejected row with its reason; the quality section over 27 years of data
shows quickly, in English and in Chinese."""

from __future__ import annotations

import time

import pytest

from dashboard.load.run import load_file
from tests.browser.test_overview_browser import wait_for_run
from tests.conftest import ARTIFACTS, REAL_DATA

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "data"


def _section(page, name: str) -> None:
    page.locator('[data-testid="stRadio"] label').filter(has_text=name).click()
    wait_for_run(page)


def test_dropping_files_loads_them_and_shows_rejects_with_reasons(live_app_own_warehouse,
                                                                  chromium, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tickets = tmp_path / "weekly-tickets.csv"
    tickets.write_text("ticket_id;channel;branch_id;category;created_at\n"
                       "W1;App;B01;billing;2026-11-19 10:00\n"
                       "W2;web;B01;billing;last tuesday\n")
    surveys = tmp_path / "weekly-surveys.csv"
    surveys.write_text("survey_id,ticket_id,responded_at,csat\nWS1,W1,2026-11-20 09:00,5\n")

    page = chromium.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    page.goto(f"{live_app_own_warehouse.url}/data")
    wait_for_run(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([tickets, surveys])
    page.get_by_text("weekly-surveys.csv").wait_for()
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    page.get_by_text("Result of the last load").wait_for(timeout=60_000)
    wait_for_run(page)
    summary = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("weekly-tickets.csv: 1 new, 0 updated, 1 rejected, 0 skipped. 1 row(s) "
               "rejected (50.0% of the rows considered accepted)" in s for s in summary)
    assert any("weekly-surveys.csv: 1 new, 0 updated, 0 rejected, 0 skipped." in s
               for s in summary)
    assert not any(". the" in s or "None" in s for s in summary)
    page.screenshot(path=SHOTS / "data-load-result.png", full_page=True)

    _section(page, "Rejected rows")
    # the demo warehouse had no rejects: the one bad row is now listed (the grid is a canvas,
    # so the count in the caption is what the test can read)
    page.get_by_text("1 of 1 rejected rows match · page 1 of 1").wait_for(timeout=30_000)
    page.get_by_role("textbox", name="Reason or column contains").fill("created_at")
    page.keyboard.press("Enter")
    wait_for_run(page)
    page.get_by_text("1 of 1 rejected rows match").wait_for(timeout=30_000)
    page.get_by_role("textbox", name="Reason or column contains").fill("no such reason")
    page.keyboard.press("Enter")
    page.get_by_text("0 of 1 rejected rows match").wait_for(timeout=30_000)
    page.screenshot(path=SHOTS / "data-rejects.png", full_page=True)
    _section(page, "Load history")
    page.get_by_text("load attempts, newest first").wait_for(timeout=30_000)
    page.screenshot(path=SHOTS / "data-history.png", full_page=True)

    # the same bytes again (saved under another name): nothing added, and it says as what
    # they were loaded; ticking "Load again" loads them anyway (the good row now replaces
    # itself: 1 updated)
    again = tmp_path / "tickets-again.csv"
    again.write_bytes(tickets.read_bytes())
    _section(page, "Load extracts")
    page.get_by_text("Re-sent rows replace the old ones").wait_for()  # the section is drawn
    wait_for_run(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([again])
    page.get_by_test_id("stFileUploader").get_by_text("tickets-again.csv").wait_for()
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    page.get_by_text("tickets-again.csv was loaded before as tickets with profile native").wait_for(
        timeout=60_000)
    wait_for_run(page)
    forced = tmp_path / "tickets-forced.csv"
    forced.write_bytes(tickets.read_bytes())
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([forced])
    page.get_by_test_id("stFileUploader").get_by_text("tickets-forced.csv").wait_for()
    page.get_by_text("Load again even if this file was loaded before").click()
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    page.get_by_text("tickets-forced.csv: 0 new, 1 updated, 1 rejected, 0 skipped.").wait_for(
        timeout=60_000)
    page.screenshot(path=SHOTS / "data-load-again.png", full_page=True)


def test_quality_over_27_years_shows_in_both_languages(
        live_app_own_warehouse, chromium):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # the demo's 2024-2026 tickets plus a call-centre log of January 1999
    assert load_file(live_app_own_warehouse.warehouse,
                     REAL_DATA / "callcenter_january_1999.txt").status == "loaded"
    page = chromium.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    page.goto(live_app_own_warehouse.url)  # the Overview, then the Data page from the sidebar
    wait_for_run(page)
    started = time.monotonic()
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Data").click()
    page.get_by_text("Re-sent rows replace the old ones").wait_for(timeout=30_000)
    wait_for_run(page)
    from_sidebar = time.monotonic() - started
    timings = []
    for _visit in range(2):  # the first visit also imports plotly's validators
        _section(page, "Load history")
        started = time.monotonic()
        _section(page, "Data quality")
        page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=30_000)
        timings.append(time.monotonic() - started)
    (SHOTS / "data-quality-seconds.txt").write_text(
        f"from the sidebar {from_sidebar:.2f}; quality section "
        + " then ".join(f"{t:.2f}" for t in timings) + "\n")
    # the seconds are recorded, never asserted (a busy machine would fail a timed test;
    # speed is measured by `make bench`): 1.1-2.0 s measured on this shared 2-core VM
    page.get_by_text("Tickets and surveys per month").wait_for()
    page.screenshot(path=SHOTS / "data-quality-en.png", full_page=True)

    page.goto(f"{live_app_own_warehouse.url}/data?lang=zh-CN")
    wait_for_run(page)
    page.screenshot(path=SHOTS / "data-load-zh.png", full_page=True)
    _section(page, "数据质量")
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=30_000)
    page.get_by_text("每月工单与调查数").wait_for()
    page.screenshot(path=SHOTS / "data-quality-zh.png", full_page=True)
    _section(page, "载入历史")
    page.get_by_text("最新在前").wait_for()
    page.screenshot(path=SHOTS / "data-history-zh.png", full_page=True)
    _section(page, "被拒绝的行")
    page.get_by_text("行匹配").wait_for()
    page.screenshot(path=SHOTS / "data-rejects-zh.png", full_page=True)
