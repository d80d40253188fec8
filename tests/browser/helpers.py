"""Locator helpers shared by the real-browser tests."""

from __future__ import annotations

RUN_FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_for_run(page, timeout_ms: int = 120_000) -> None:
    """Wait until the script has finished its run (never a fixed sleep). The timeout is
    only a safety net for a busy machine; the wait ends as soon as the run does."""
    page.wait_for_selector(RUN_FINISHED, timeout=timeout_ms)


PLOT = '[data-testid="stPlotlyChart"] .js-plotly-plot'


def wait_for_cards(page, n: int, testid: str = "stMetricValue") -> None:
    """Wait until the run has finished and `n` KPI cards are drawn: a fresh session draws
    a page in several deltas, and a count read after the first saw 3 or 6 cards of 10."""
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-testid=\"{testid}\"]').length >= {n}",
        timeout=60_000)
    wait_for_run(page)


def open_page(chromium, url: str, height: int = 1100, wait_for: str | None = None):
    """A new browser context 1,400 px wide at `url`, once the script has run and, with
    `wait_for`, that selector is on the page (e.g. a chart's points). Returns
    (context, page); the caller closes the context."""
    context = chromium.new_context(viewport={"width": 1400, "height": height})
    page = context.new_page()
    page.goto(url)
    wait_for_run(page)
    if wait_for:
        page.wait_for_selector(wait_for, timeout=60_000)
    return context, page
