"""The Satisfaction page in a real browser: a click on a heatmap cell (through the invisible
overlay that reports heatmap clicks) opens that cell's tickets on Explore, and the page is
screenshotted at 1,400 px in English and Chinese."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import PLOT, open_page, wait_for_run
from tests.conftest import ARTIFACTS
from tests.test_satisfaction_page import cli_json

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "satisfaction"

# The centre, in page pixels, of the heatmap cell at (row 0, column 0), from plotly's own
# axes (the overlay marker sits exactly there), and that cell's [row key, column key].
CELL_JS = """
() => {
  const gd = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[0];
  const fl = gd._fullLayout;
  const overlay = gd._fullData.find(t => t.type === 'scatter' && t.customdata);
  const rect = gd.getBoundingClientRect();
  const i = overlay.y.indexOf(fl.yaxis.categoryarray[0]);
  const x = fl.xaxis.l2p(fl.xaxis.d2l(overlay.x[i])) + fl.xaxis._offset;
  const y = fl.yaxis.l2p(fl.yaxis.d2l(overlay.y[i])) + fl.yaxis._offset;
  return {x: rect.left + x, y: rect.top + y, keys: overlay.customdata[i]};
}
"""


def test_clicking_a_heatmap_cell_opens_that_cells_tickets(live_app, chromium, demo_warehouse):
    context = chromium.new_context(viewport={"width": 1400, "height": 1200})
    page = context.new_page()
    page.goto(f"{live_app.url}/satisfaction?period=all")
    wait_for_run(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot .hm', timeout=60_000)
    cell = page.evaluate(CELL_JS)
    branch, channel = cell["keys"]
    page.mouse.click(cell["x"], cell["y"])
    # Streamlit writes the new query string a moment before the new page's path: wait for
    # both, not for the first URL that carries x_level
    page.wait_for_url(re.compile(r"/explore\?.*x_level=tickets"), timeout=60_000)
    wait_for_run(page)
    assert f"branch={branch}" in page.url
    assert f"channel={channel.replace(' ', '+')}" in page.url or \
        f"channel={channel.replace(' ', '%20')}" in page.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Explore lists the tickets of exactly that branch and channel
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    wait_for_run(page)
    expected = cli_json("kpis", "--json", "--branch", branch, "--channel", channel,
                        "--warehouse", str(demo_warehouse))["tickets"]
    shown = page.get_by_text(re.compile(r"^[\d,]+ tickets$")).first.inner_text()
    assert shown == f"{expected:,} tickets"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "satisfaction-drill-cell.png")
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_screenshot_of_the_satisfaction_page(live_app, chromium, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = open_page(chromium, f"{live_app.url}/satisfaction?period=all&lang={lang}",
                              3800, wait_for=PLOT)
    expected = "满意度" if lang == "zh-CN" else "Satisfaction"
    assert page.locator("h1").first.inner_text().strip() == expected
    page.screenshot(path=SHOTS / f"satisfaction-{lang}.png", full_page=True)
    context.close()
