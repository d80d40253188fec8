"""Switching the language in a real browser: Chinese headings, the same numbers, and a URL
that keeps both the language and the filters (a shared link opens in the same language)."""

from __future__ import annotations

import re

import pytest

from tests.browser import helpers
from tests.browser.helpers import wait_for_run
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
CJK = re.compile(r"[\u4e00-\u9fff]")
SHOTS = ARTIFACTS / "i18n"


CARDS = 10  # the Overview's KPI cards


def wait_for_cards(page) -> None:
    helpers.wait_for_cards(page, CARDS)


def card_numbers(page) -> list[list[str]]:
    """The digits of every KPI card, in order (units and words differ by language)."""
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return [re.findall(r"[-+]?\d[\d,]*(?:\.\d+)?", v) for v in values]


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def test_switching_to_chinese_keeps_the_numbers_and_the_filters_in_the_url(live_app, chromium):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.goto(f"{live_app.url}/?period=30d&channel=phone")
    wait_for_cards(page)
    english = card_numbers(page)
    assert len(english) == CARDS and any(english)
    assert not CJK.search(heading(page))
    page.wait_for_url(re.compile(r"lang=en"), timeout=30_000)

    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Language").first
    box.click()
    page.get_by_role("option", name="中文").click()
    page.wait_for_url(re.compile(r"lang=zh-CN"), timeout=30_000)
    wait_for_run(page)
    page.wait_for_function(
        "() => /[\\u4e00-\\u9fff]/.test(document.querySelector('h1')?.innerText || '')",
        timeout=30_000)
    wait_for_cards(page)
    assert CJK.search(heading(page))
    assert card_numbers(page) == english  # the same numbers, only the words changed
    url = page.url
    assert "lang=zh-CN" in url and "channel=phone" in url and "period=30d" in url
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot', timeout=60_000)
    page.screenshot(path=SHOTS / "overview-zh-CN.png", full_page=True)
    context.close()

    # A colleague opens the link: a new session, the same language, filters and numbers.
    fresh = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page2 = fresh.new_page()
    page2.goto(url)
    wait_for_cards(page2)
    assert CJK.search(heading(page2))
    assert card_numbers(page2) == english
    sidebar = page2.locator('[data-testid="stSidebar"]').inner_text()
    assert "Phone" in sidebar or "phone" in sidebar or "电话" in sidebar
    fresh.close()


def switch_language(page, to: str) -> None:
    """Choose `to` ("中文" / "English") in the sidebar's Language / 语言 box and wait for the
    run in the new language."""
    tag = "zh-CN" if to == "中文" else "en"
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Language").first
    box.click()
    page.get_by_role("option", name=to).click()
    page.wait_for_url(re.compile(f"lang={tag}"), timeout=30_000)
    wait_for_cards(page)


def follow_page_menu(page, name: str, path: str) -> None:
    """Click `name` in the sidebar's page menu and wait until that page's run has written
    the filters back to the URL (the link itself carries none)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(path + ".*period="), timeout=30_000)
    wait_for_run(page)


@pytest.mark.parametrize(("start", "to", "menu"), [
    # English -> Chinese with 90 days; Chinese -> English with a custom range
    ("period=90d&channel=phone&lang=en", "中文", (("漏斗", "/funnel"), ("总览", "/\\?"))),
    ("period=custom&from=2026-10-01&to=2026-10-20&priority=high&lang=zh-CN", "English",
     (("Funnel", "/funnel"), ("Overview", "/\\?"))),
])
def test_a_language_switch_keeps_the_period_through_the_next_page_change(
        live_app, chromium, start, to, menu):
    """The period fell back to Last 7 days on the first click in the page menu after a
    language switch (the browser sent the old language's label of the Period box)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.goto(f"{live_app.url}/?{start}")
    wait_for_cards(page)
    numbers = card_numbers(page)
    wanted = [p for p in start.split("&") if not p.startswith("lang=")]

    switch_language(page, to)
    assert card_numbers(page) == numbers
    for name, path in menu:  # to the Funnel and back to the Overview
        follow_page_menu(page, name, path)
        for param in wanted:  # period, dates and the other filter, all kept
            assert param in page.url, (name, param, page.url)
    wait_for_cards(page)
    assert card_numbers(page) == numbers  # the same period: the same numbers
    context.close()
