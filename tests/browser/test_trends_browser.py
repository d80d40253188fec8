"""Trend charts as a reader sees them in chromium at 1,400 px: date ticks that read as
dates (never times of day), and a legend that covers nothing, in English and Chinese."""

from __future__ import annotations

import pytest

from tests.browser.helpers import PLOT, open_page
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

# The boxes of one chart's title, legend and x tick labels, found by a words of its title.
BOXES = """title => {
  const plot = [...document.querySelectorAll('.js-plotly-plot')]
    .find(p => (p.querySelector('.gtitle')?.textContent || '').includes(title));
  if (!plot) return null;
  const box = e => { const r = e.getBoundingClientRect();
                     return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  return {
    title: box(plot.querySelector('.gtitle')),
    legend: plot.querySelector('.legend') ? box(plot.querySelector('.legend')) : null,
    ticks: [...plot.querySelectorAll('.xtick text')].map(t => ({text: t.textContent, ...box(t)})),
  };
}"""


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and \
        a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize(("lang", "title"), [("en", "SLA met, by week"),
                                             ("zh-CN", "每周首次响应 SLA 达成率")])
def test_the_sla_trends_legend_covers_neither_its_dates_nor_its_title(live_app, chromium,
                                                                    lang, title):
    """The legend under the weekly SLA chart covered the year under "Aug 23"."""
    context, page = open_page(chromium, f"{live_app.url}/funnel?period=90d&lang={lang}",
                              height=2400, wait_for=PLOT)
    page.wait_for_function(f"() => ({BOXES})({title!r}) !== null", timeout=60_000)
    boxes = page.evaluate(BOXES, title)
    assert boxes["legend"] is not None and boxes["ticks"]
    assert not overlap(boxes["legend"], boxes["title"])
    for tick in boxes["ticks"]:
        assert not overlap(boxes["legend"], tick), tick["text"]
    page.screenshot(path=ARTIFACTS / f"funnel-sla-trend-{lang}.png", full_page=True)
    context.close()


@pytest.mark.parametrize(("lang", "title"), [("en", "Tickets per day"), ("zh-CN", "每日工单数")])
def test_a_weeks_trend_is_ticked_in_dates_not_times(live_app, chromium, lang, title):
    """A week by ISO week read "23:59:59.9996 Nov 8, 2026 / 00:00:00.0002": by day, each
    tick is a different date and none has a time of day."""
    context, page = open_page(chromium, f"{live_app.url}/?period=7d&lang={lang}",
                              height=2000, wait_for=PLOT)
    page.wait_for_function(f"() => ({BOXES})({title!r}) !== null", timeout=60_000)
    texts = [t["text"] for t in page.evaluate(BOXES, title)["ticks"]]
    assert len(texts) >= 3 and len(set(texts)) == len(texts)
    assert not any(":" in t for t in texts), texts
    page.screenshot(path=ARTIFACTS / f"overview-week-{lang}.png", full_page=True)
    context.close()
