"""Locator helpers shared by the real-browser tests."""

from __future__ import annotations

RUN_FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_for_run(page, timeout_ms: int = 120_000) -> None:
    """Wait until the script has finished its run (never a fixed sleep). The timeout is
    only a safety net for a busy machine; the wait ends as soon as the run does."""
    page.wait_for_selector(RUN_FINISHED, timeout=timeout_ms)
