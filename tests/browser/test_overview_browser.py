"""The Overview in a real browser: a filter change lands in the URL, and the URL
reproduces the view in a fresh browser context."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import wait_for_run
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def card_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}")))
    return metric.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def pick(page, label: str, value: str) -> None:
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first
    box.click()
    page.keyboard.type(value)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def test_a_filter_change_is_in_the_url_and_the_url_reproduces_the_view(live_app, chromium):
    context = chromium.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.goto(live_app.url)
    wait_for_run(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot', timeout=60_000)
    before = card_value(page, "Tickets")
    page.screenshot(path=ARTIFACTS / "overview-default.png", full_page=True)

    pick(page, "Channel", "email")
    page.wait_for_url(re.compile(r"channel=email"), timeout=30_000)
    wait_for_run(page)
    page.wait_for_function(
        "before => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
        ".some(e => e.innerText.trim() !== before)", arg=before, timeout=30_000)
    after = card_value(page, "Tickets")
    assert after != before
    shared_url = page.url
    assert "channel=email" in shared_url
    page.screenshot(path=ARTIFACTS / "overview-email.png", full_page=True)
    context.close()

    # A colleague opens the link: a new context, no session state, same view.
    fresh = chromium.new_context(viewport={"width": 1500, "height": 1100})
    page2 = fresh.new_page()
    page2.goto(shared_url)
    wait_for_run(page2)
    page2.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    assert card_value(page2, "Tickets") == after
    chips = page2.locator('[data-testid="stMultiSelect"]').filter(has_text="Channel").first
    assert "Email" in chips.inner_text()
    page2.screenshot(path=ARTIFACTS / "overview-shared-link.png", full_page=True)
    fresh.close()


def test_sidebar_navigation_keeps_the_filters(live_app, chromium):
    context = chromium.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.goto(f"{live_app.url}/?period=30d&channel=phone")
    wait_for_run(page)
    tickets_overview = card_value(page, "Tickets")
    page.get_by_role("link", name="Funnel").click()
    wait_for_run(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot', timeout=60_000)
    # filters survive the page change and are written back to the URL
    page.wait_for_url(re.compile(r"channel=phone"), timeout=30_000)
    assert "period=30d" in page.url
    # the funnel's first bar counts the same tickets the Overview card showed
    bar_labels = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot text')
    page.wait_for_function(
        "n => [...document.querySelectorAll('.js-plotly-plot text')]"
        ".some(t => t.textContent.trim() === n)", arg=tickets_overview, timeout=30_000)
    assert tickets_overview in [t.strip() for t in bar_labels.all_text_contents()]
    page.screenshot(path=ARTIFACTS / "funnel-phone.png", full_page=True)
    context.close()


def test_a_link_with_unknown_values_says_what_it_ignored_in_chinese(live_app, chromium):
    """The sidebar names what a shared link asked for that the data does not have."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{live_app.url}/?period=fortnight&branch=NOPE&lang=zh-CN")
    wait_for_run(page)
    warning = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').first
    warning.wait_for(timeout=30_000)
    text = warning.inner_text()
    assert "NOPE" in text and "fortnight" in text and "已忽略" in text
    # the cards still show the default view, labelled in Chinese
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    assert card_value(page, "工单") != ""
    page.screenshot(path=ARTIFACTS / "overview-ignored-link-zh.png", full_page=True)
    context.close()
