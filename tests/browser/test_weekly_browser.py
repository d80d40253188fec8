"""The Weekly review in a real browser: the latest complete week is picked, the cards and
charts draw, the report is built with progress and downloads as HTML and PDF; the week not
over yet reads "so far" in grey; a decomposition bar shows its group's KPI and opens its
tickets in Explore; screenshots in en and zh-CN at 1,400 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import wait_for_cards, wait_for_run
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "weekly"


def full_screenshot(page, path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the viewport is grown to
    the block's height first (width stays 1,400 px)."""
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=stMain] *')]"
        ".slice(0, 400).map(e => e.scrollHeight), 1000)")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 50, 9000)})
    wait_for_run(page)
    page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').last.wait_for(timeout=60_000)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def open_weekly(chromium, url: str):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000},
                                   accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    wait_for_run(page)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=90_000)
    return context, page


def test_the_weekly_review_shows_the_latest_complete_week_and_downloads_its_report(
        live_app, chromium):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = open_weekly(chromium, f"{live_app.url}/weekly")
    page.wait_for_url(re.compile(r"w_week=\d{4}-W\d{2}"), timeout=30_000)
    week = re.search(r"w_week=(\d{4}-W\d{2})", page.url).group(1)
    shown = page.get_by_role("combobox", name="Week").input_value()
    assert shown.startswith(f"{week} · ") and "incomplete" not in shown
    wait_for_cards(page, 10, "stMetric")
    assert page.locator('[data-testid="stMetric"]').count() == 10
    page.get_by_text("Is the change real?").wait_for()
    full_screenshot(page, SHOTS / "weekly-en.png")

    page.get_by_text("Send the review").click()
    page.get_by_role("button", name="Build the report").click()
    with page.expect_download(timeout=120_000) as download_info:
        page.get_by_role("button", name=re.compile("Download the report")).click(
            timeout=120_000)
    download = download_info.value
    assert download.suggested_filename == f"weekly-review-{week}.html"
    html = open(download.path(), encoding="utf-8").read()
    assert week in html and "Data as of" in html

    # the same review as a PDF, with progress while it builds
    page.get_by_text("PDF", exact=True).click()
    wait_for_run(page)
    page.get_by_role("button", name="Build the report").click()
    page.wait_for_selector('[data-testid="stProgress"]', timeout=60_000)
    with page.expect_download(timeout=180_000) as download_info:
        page.get_by_role("button", name="Download the report (PDF)").click(timeout=180_000)
    pdf = download_info.value
    assert pdf.suggested_filename == f"weekly-review-{week}.pdf"
    assert open(pdf.path(), "rb").read(5) == b"%PDF-"
    context.close()


def test_the_weekly_review_in_chinese(live_app, chromium):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = open_weekly(chromium, f"{live_app.url}/weekly?lang=zh-CN")
    page.get_by_text("变化是真实的吗？").wait_for(timeout=60_000)
    assert page.locator("h1").first.inner_text().strip() == "周报"
    full_screenshot(page, SHOTS / "weekly-zh-CN.png")
    context.close()


def _next_week(label: str) -> str:
    from queries.weekly import IsoWeek

    return IsoWeek.parse(label).shift(1).label


def test_the_unfinished_week_reads_so_far_in_grey_without_verdicts(live_app, chromium):
    """The week holding as_of: a "not complete" banner, then values "so far" -- no change
    beyond noise, no "within the noise" for a count outside whole weeks' range, no red."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = open_weekly(chromium, f"{live_app.url}/weekly")
    page.wait_for_url(re.compile(r"w_week=\d{4}-W\d{2}"), timeout=30_000)
    current = _next_week(re.search(r"w_week=(\d{4}-W\d{2})", page.url).group(1))
    context.close()
    for lang, so_far, banner in (("en", "so far", "not complete"), ("zh-CN", "截至目前", "尚未结束")):
        context, page = open_weekly(chromium, f"{live_app.url}/weekly?w_week={current}&lang={lang}")
        page.locator('[data-testid="stAlert"]', has_text=banner).first.wait_for()
        # the cards arrive one by one as the script runs: wait for the tenth, not a count
        # taken while the page is still being drawn
        wait_for_cards(page, 10, "stMetric")
        assert page.locator('[data-testid="stMetric"]').count() == 10
        real = page.locator('[data-testid="stMarkdown"] li')
        real.first.wait_for()
        texts = real.all_inner_texts()
        assert sum(so_far in t for t in texts) >= 9, texts
        if lang == "en":
            assert not any("beyond noise" in t or "within the noise" in t
                           for t in texts if "Churn" not in t), texts
        # no card's change is red or green: every delta of the week itself is grey
        deltas = page.locator('[data-testid="stMetricDelta"]')
        colours = {deltas.nth(i).evaluate("e => getComputedStyle(e).color")
                   for i in range(deltas.count() - 1)}  # the last card: churn's matured week
        assert len(colours) == 1, colours
        full_screenshot(page, SHOTS / f"weekly-unfinished-{lang}.png")
        context.close()


def test_a_decomposition_bar_shows_its_groups_kpi_then_opens_its_tickets_with_the_kpi(
        live_app, chromium):
    """A click on a bar of "Where did it come from?" shows that group's value of the KPI
    that was decomposed (this week and last, its share, mix and rate) and a button to its
    tickets; Explore is opened with the group, the week and x_kpi."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = open_weekly(chromium, f"{live_app.url}/weekly")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    bar = chart.locator(".barlayer .point").first
    bar.wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    wait_for_run(page)
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    detail = page.locator('[class*="st-key-weekly_detail_"]')
    detail.wait_for(timeout=60_000)
    wait_for_run(page)
    kpi = re.search(r"st-key-weekly_detail_(\w+)", detail.get_attribute("class")).group(1)
    text = detail.inner_text()
    assert "(last week" in text and "Its share of the cases" in text and "mix" in text, text
    detail.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "weekly-bar-detail-en.png")
    detail.get_by_role("button", name="Its tickets of the week in Explore").click()
    page.wait_for_url(re.compile(r"/explore\?.*x_kpi="), timeout=60_000)
    wait_for_run(page)
    assert f"x_kpi={kpi}" in page.url and "x_level=tickets" in page.url
    assert "period=custom" in page.url
    context.close()
