"""The Recovery page in a real browser: clicking a fix's point on the forest plot opens that
fix in depth (and names it in the URL), and the page is screenshotted at 1,400 px in
English and Chinese."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import PLOT, open_page, wait_for_run
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "recovery"


def open_recovery(chromium, live_app, query: str = "", height: int = 1000):
    return open_page(chromium, f"{live_app.url}/recovery?{query}", height,
                     wait_for=f"{PLOT} .scatterlayer .point")


def test_clicking_a_fix_on_the_forest_plot_opens_its_detail(live_app, chromium):
    context, page = open_recovery(chromium, live_app)
    forest = page.locator('[data-testid="stPlotlyChart"]').first
    box = forest.locator(".scatterlayer .point").nth(2).bounding_box()
    centre = box["y"] + box["height"] / 2
    # the y-axis label level with the point names its fix ("F-06 · Named owner ...")
    ticks = forest.locator(".yaxislayer-above .ytick text")
    labels = []
    for i in range(ticks.count()):
        tick = ticks.nth(i).bounding_box()
        labels.append((abs(tick["y"] + tick["height"] / 2 - centre),
                       ticks.nth(i).text_content() or ""))
    label = min(labels)[1]
    fix_id = label.split(" · ")[0].strip()
    assert re.fullmatch(r"F-\d+", fix_id), label
    # plotly's drag layer takes the pointer events: click where the point is drawn
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(rf"rec_fix={fix_id}"), timeout=60_000)
    wait_for_run(page)
    heading = page.locator("h3").filter(has_text=re.compile(rf"^{fix_id} · "))
    heading.first.wait_for(timeout=60_000)
    # the detail: difference-in-differences table and the event-study chart
    assert page.get_by_text("Difference-in-differences").first.is_visible()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot').length >= 2",
        timeout=60_000)
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 2
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_screenshot_of_the_recovery_page(live_app, chromium, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = open_recovery(chromium, live_app, f"lang={lang}&rec_fix=F-10", height=4400)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot').length >= 2",
        timeout=60_000)
    expected = "双重差分" if lang == "zh-CN" else "Difference-in-differences"
    assert page.get_by_text(expected).first.is_visible()
    page.screenshot(path=SHOTS / f"recovery-browser-{lang}.png")
    context.close()
