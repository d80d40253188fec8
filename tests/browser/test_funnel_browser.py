"""The Funnel page in a real browser: clicking a stage's bar opens the tickets behind it,
and the page is screenshotted at 1,400 px in English and Chinese."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import PLOT, open_page, wait_for_run
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "funnel"


def open_funnel(chromium, live_app, query: str = "period=all", height: int = 1000):
    return open_page(chromium, f"{live_app.url}/funnel?{query}", height,
                     wait_for=f"{PLOT} .barlayer .point")


def test_clicking_a_funnel_stage_opens_its_ticket_list(live_app, chromium):
    context, page = open_funnel(chromium, live_app)
    funnel = page.locator('[data-testid="stPlotlyChart"]').first
    # bars top to bottom: received, assigned, responded, resolved, ...
    # plotly's drag layer takes the pointer events: click where the bar is drawn
    box = funnel.locator(".barlayer .point").nth(3).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # Streamlit writes the new query string a moment before the new page's path: wait for both
    page.wait_for_url(re.compile(r"/explore\?.*x_stage=resolved"), timeout=60_000)
    assert "x_level=tickets" in page.url
    wait_for_run(page)
    # the Explore page lists the tickets that reached the stage
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    wait_for_run(page)
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    page.screenshot(path=SHOTS / "funnel-drill-resolved.png")
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_screenshot_of_the_funnel_page(live_app, chromium, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = open_funnel(chromium, live_app, f"period=all&lang={lang}", height=3300)
    expected = "处理漏斗" if lang == "zh-CN" else "Funnel"
    assert page.locator("h1", has_text=expected).count() >= 1
    page.screenshot(path=SHOTS / f"funnel-page-{lang}.png", full_page=True)
    context.close()
