"""The Explore page in a real browser: drill from a channel down to one ticket and its
customer by clicking table rows, back up by the breadcrumb, and a copied ticket link opens
the same ticket in a fresh browser context."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import PLOT, open_page, wait_for_run
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

ROW_HEIGHT = 35  # st.dataframe's default row height (header row the same)


def click_row(page, table_index: int, row: int) -> None:
    """Tick a row's selection box in the n-th dataframe (a canvas grid: by position)."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(table_index)
    grid.wait_for(state="visible", timeout=60_000)
    grid.locator("canvas").first.wait_for(timeout=60_000)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)


# What each level shows once its run is done (the URL changes before the new run starts).
LEVEL_READY = {"region": "Regions — click", "branch": "Branches — click",
               "tickets": "Narrow the list", "ticket": "Timeline of this ticket"}


def drill(page, table_index: int, level: str) -> None:
    click_row(page, table_index, 0)
    page.wait_for_url(re.compile(rf"x_level={level}(&|$)"), timeout=60_000)
    page.get_by_text(LEVEL_READY[level]).first.wait_for(timeout=60_000)
    wait_for_run(page)


def test_drill_from_a_channel_to_a_ticket_and_its_customer_and_back(live_app, chromium):
    (ARTIFACTS / "explore").mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.goto(f"{live_app.url}/explore?x_level=channel&period=all")
    wait_for_run(page)
    drill(page, 0, "region")
    assert re.search(r"[?&]channel=", page.url)
    drill(page, 0, "branch")
    assert re.search(r"[?&]region=", page.url)
    drill(page, 0, "tickets")
    assert re.search(r"[?&]branch=", page.url)
    page.screenshot(path=ARTIFACTS / "explore" / "browser-tickets.png", full_page=True)
    drill(page, 0, "ticket")
    ticket = re.search(r"x_ticket=([^&]+)", page.url).group(1)
    page.get_by_role("heading", name=f"Ticket {ticket}").wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot', timeout=60_000)
    page.screenshot(path=ARTIFACTS / "explore" / "browser-ticket.png", full_page=True)

    page.get_by_role("button", name=re.compile("^Customer 360")).click()
    page.wait_for_url(re.compile(r"x_level=customer(&|$)"), timeout=60_000)
    wait_for_run(page)
    customer = re.search(r"x_customer=([^&]+)", page.url).group(1)
    page.get_by_role("heading", name=f"Customer {customer}").wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot', timeout=60_000)
    page.screenshot(path=ARTIFACTS / "explore" / "browser-customer.png", full_page=True)

    # back up: the ticket list keeps the drill's filters, "All channels" clears them
    page.get_by_role("button", name="Ticket list").click()
    page.wait_for_url(re.compile(r"x_level=tickets(&|$)"), timeout=60_000)
    wait_for_run(page)
    assert re.search(r"[?&]channel=", page.url) and "x_customer" not in page.url
    page.get_by_role("button", name="All channels").click()
    page.wait_for_url(re.compile(r"x_level=channel(&|$)"), timeout=60_000)
    wait_for_run(page)
    assert not re.search(r"[?&](channel|region|branch)=", page.url)
    context.close()


def test_a_copied_ticket_link_opens_the_same_ticket_in_a_fresh_browser(live_app, chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.goto(f"{live_app.url}/explore?x_level=tickets&period=all&x_sla=breached")
    wait_for_run(page)
    drill(page, 0, "ticket")
    ticket = re.search(r"x_ticket=([^&]+)", page.url).group(1)
    shared = page.url
    assert "x_sla=breached" in shared  # the list's narrowing rides along for the way back
    context.close()

    fresh = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page2 = fresh.new_page()
    page2.goto(shared)
    wait_for_run(page2)
    page2.get_by_role("heading", name=f"Ticket {ticket}").wait_for(timeout=60_000)
    sla = page2.locator('[data-testid="stMetric"]').filter(has_text="First-response SLA")
    assert sla.locator('[data-testid="stMetricValue"]').inner_text().strip() == "Breached"
    page2.screenshot(path=ARTIFACTS / "explore" / "browser-shared-ticket.png", full_page=True)
    fresh.close()


def test_a_funnel_click_keeps_the_sidebar_period_and_filters_on_the_explore_page(
        live_app, chromium):
    """st.switch_page to another page clears every widget's state; the Explore page once
    showed "Last 7 days" (the period box's first option) in its caption and numbers while
    the sidebar still read "All time". The drill must keep the funnel page's filters."""
    context, page = open_page(chromium, f"{live_app.url}/funnel?period=all&channel=phone",
                              wait_for=f"{PLOT} .barlayer .point")
    bar = page.locator('[data-testid="stPlotlyChart"]').first.locator(".barlayer .point").nth(3)
    box = bar.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/explore\?.*x_stage=resolved"), timeout=60_000)
    page.get_by_text("Narrow the list").first.wait_for(timeout=60_000)
    wait_for_run(page)
    assert re.search(r"[?&]period=all(&|$)", page.url), page.url
    assert re.search(r"[?&]channel=phone(&|$)", page.url), page.url
    caption = page.locator('[data-testid="stMainBlockContainer"] '
                           '[data-testid="stCaptionContainer"]').first.inner_text()
    assert caption.startswith("All time · Channel: Phone"), caption
    context.close()


COLUMNS_BUTTON = re.compile(r"^(Columns|显示列)")
SUBJECT = {"en": "Subject", "zh-CN": "标题"}
SHOW_COLUMNS = {"en": "Show these columns", "zh-CN": "显示所选列"}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_ticket_list_fits_1400_px_without_scrolling_sideways_and_shows_more_on_request(
        live_app, chromium, lang):
    """The list's default columns fit the page; the subject is one choice away."""
    (ARTIFACTS / "explore").mkdir(parents=True, exist_ok=True)
    context, page = open_page(
        chromium, f"{live_app.url}/explore?x_level=tickets&period=all&lang={lang}",
        wait_for='[data-testid="stDataFrame"] canvas')
    scroller = page.locator('[data-testid="stDataFrame"] .dvn-scroller').first
    content, visible = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert content <= visible, (content, visible)  # twenty columns were 1,854 px of 938
    page.screenshot(path=ARTIFACTS / "explore" / f"browser-tickets-fit-{lang}.png",
                    full_page=True)
    page.get_by_role("button", name=COLUMNS_BUTTON).click()
    body = page.locator('[data-testid="stPopoverBody"]')
    body.get_by_role("button", name=SUBJECT[lang], exact=True).click()
    body.get_by_role("button", name=SHOW_COLUMNS[lang]).click()
    page.wait_for_url(re.compile(r"x_cols=[^&]*subject"), timeout=60_000)
    wait_for_run(page)
    assert f"lang={lang}" in page.url
    context.close()


def test_the_busiest_customer_s_contacts_are_counted_per_channel_and_period(
        live_app, chromium, demo_warehouse):
    """Beyond 60 contacts the timeline is a grid of counts, not overprinted markers."""
    from dashboard.warehouse import connect_reader

    con = connect_reader(demo_warehouse)
    customer, contacts = con.sql(
        "select customer_id, count(*) as n from tickets where customer_id is not null "
        "group by customer_id order by n desc, customer_id limit 1").fetchall()[0]
    con.close()
    assert contacts > 60, contacts  # the demo's busiest customer has more than a marker row holds
    context, page = open_page(
        chromium, f"{live_app.url}/explore?x_level=customer&x_customer={customer}&period=all",
        wait_for=f"{PLOT} .heatmaplayer image")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    assert chart.locator(".scatterlayer .point").count() == 0
    labels = chart.locator(".ytick text").all_text_contents()
    # each channel row with its total; the totals add up to every contact shown
    assert sum(int(re.search(r"\((\d+)\)$", t).group(1)) for t in labels) == contacts
    chart.screenshot(path=ARTIFACTS / "explore" / "browser-customer-grid.png")
    context.close()
