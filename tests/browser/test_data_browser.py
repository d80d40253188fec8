"""The Data page in a real browser: an analyst drops files, sees the per-file summary,
then finds the rejected row with its reason."""

from __future__ import annotations

import pytest

from tests.browser.test_overview_browser import wait_for_run
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_dropping_files_loads_them_and_shows_rejects_with_reasons(live_app_own_warehouse,
                                                                  chromium, tmp_path):
    tickets = tmp_path / "weekly-tickets.csv"
    tickets.write_text("ticket_id,channel,branch_id,category,created_at\n"
                       "W1,App,B01,billing,2026-11-19 10:00\n"
                       "W2,web,B01,billing,last tuesday\n")
    surveys = tmp_path / "weekly-surveys.csv"
    surveys.write_text("survey_id,ticket_id,responded_at,csat\nWS1,W1,2026-11-20 09:00,5\n")

    page = chromium.new_context(viewport={"width": 1500, "height": 1100}).new_page()
    page.goto(f"{live_app_own_warehouse.url}/data")
    wait_for_run(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([tickets, surveys])
    page.get_by_text("weekly-surveys.csv").wait_for()
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    page.get_by_text("Result of the last load").wait_for(timeout=60_000)
    wait_for_run(page)
    summary = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("weekly-tickets.csv: 1 row(s) rejected (50.0 % accepted)" in s for s in summary)
    assert any("weekly-surveys.csv: 1 new, 0 updated" in s for s in summary)
    page.screenshot(path=ARTIFACTS / "data-load-result.png", full_page=True)

    page.get_by_role("tab", name="Rejected rows").click()
    # the demo warehouse had no rejects: the one bad row is now listed (the grid is a canvas,
    # so the count in the caption is what the test can read)
    page.get_by_text("1 of 1 rejected rows").wait_for(timeout=30_000)
    page.get_by_role("textbox", name="Reason or column contains").fill("created_at")
    page.keyboard.press("Enter")
    wait_for_run(page)
    page.get_by_text("1 of 1 rejected rows").wait_for(timeout=30_000)
    page.get_by_role("textbox", name="Reason or column contains").fill("no such reason")
    page.keyboard.press("Enter")
    page.get_by_text("0 of 1 rejected rows").wait_for(timeout=30_000)
    page.screenshot(path=ARTIFACTS / "data-rejects.png", full_page=True)
    page.get_by_role("tab", name="Load history").click()
    page.screenshot(path=ARTIFACTS / "data-history.png", full_page=True)
