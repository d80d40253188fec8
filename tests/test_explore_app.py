"""The Explore page through AppTest: each level, arriving with a URL, drilling by a table
click, and what it shows equals what `cxdash tickets --json` prints."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cli
from tests.conftest import REPO
from tests.test_explore_fixture import AS_OF, build_explore_warehouse

APP = str(REPO / "dashboard" / "app.py")
PAGE = "../pages/explore.py"
ALL_TIME = {"period": "all", "as_of": AS_OF}


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    return build_explore_warehouse(tmp_path / "explore.duckdb")


def open_page(wh: Path, monkeypatch, query: dict) -> AppTest:
    monkeypatch.setenv("CXDASH_WAREHOUSE", str(wh))
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in {**ALL_TIME, **query}.items():
        at.query_params[key] = value
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def select_row(at: AppTest, key: str, row: int) -> AppTest:
    """A click on a table row, as stack-notes say: the selection state, then a rerun."""
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def qp(at: AppTest, key: str):
    return at.query_params.get(key)


def cli_json(*args: str):
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return json.loads(out.getvalue())


def table(at: AppTest, key: str):
    return next(d for d in at.dataframe if d.proto.id and key in d.proto.id).value


def frame_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_channel_level_lists_each_channel_with_the_kpis_of_cxdash(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "channel"})
    shown = frame_with(at, "trend")
    rows = cli_json("kpis", "--json", "--by", "channel", "--warehouse", str(wh),
                    "--as-of", AS_OF)
    assert dict(zip(shown["group"], shown["tickets"], strict=True)) == {
        r["group"]: r["tickets"] for r in rows}
    # hand count: phone T1 T4, email T2, social T3, app T5, web T6
    assert dict(zip(shown["group"], shown["tickets"], strict=True)) == {
        "app": 1, "email": 1, "phone": 2, "social": 1, "web": 1}


def test_clicking_a_channel_drills_to_its_regions_with_the_filter_in_the_url(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "channel"})
    groups = list(frame_with(at, "trend")["group"])
    select_row(at, "explore_channel_table", groups.index("phone"))
    assert qp(at, "x_level") == "region"
    assert qp(at, "channel") == "phone"
    regions = frame_with(at, "trend")
    # phone: T1 in North (B1), T4 in South (B2)
    assert dict(zip(regions["group"], regions["tickets"], strict=True)) == {"North": 1,
                                                                            "South": 1}
    # the filter is applied in the sidebar too
    assert at.session_state["filter_channel"] == ["phone"]


def test_the_ticket_list_equals_cxdash_tickets_and_is_masked(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "tickets"})
    shown = frame_with(at, "first_response")
    expected = cli_json("tickets", "--json", "--warehouse", str(wh), "--as-of", AS_OF)
    assert list(shown["ticket_id"]) == [t["ticket_id"] for t in expected]
    assert list(shown["subject"]) == [t["subject"] for t in expected]
    assert "please call me back on 138****5678" in list(shown["subject"])
    # durations read as words: T1 responded after 1 h, resolved after 3 h
    t1 = shown.set_index("ticket_id").loc["T1"]
    assert (t1["first_response"], t1["resolution"]) == ("1 h", "3 h")


def test_arriving_with_narrowing_in_the_url_shows_only_those_tickets(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_sla": "breached",
                                     "x_sort": "created_at"})
    shown = frame_with(at, "first_response")
    assert list(shown["ticket_id"]) == ["T2", "T6"]  # oldest first as the link asks
    assert qp(at, "x_sla") == "breached" and qp(at, "x_sort") == "created_at"


def test_clicking_a_ticket_opens_it_and_the_url_names_it(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "tickets"})
    ids = list(frame_with(at, "first_response")["ticket_id"])
    select_row(at, "explore_tickets_table", ids.index("T2"))
    assert (qp(at, "x_level"), qp(at, "x_ticket")) == ("ticket", "T2")
    assert "Ticket T2" in [s.value for s in at.subheader]
    metrics = {m.label: m.value for m in at.metric}
    # responded 48 h after creation against 24 h: breached
    assert metrics["First-response SLA"] == "Breached"
    assert metrics["First response"] == "2 d"


def test_a_ticket_link_shows_its_repeat_source_and_the_customer_button(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "ticket", "x_ticket": "T2"})
    related = frame_with(at, "relation")
    assert dict(zip(related["ticket_id"], related["relation"], strict=True)) == {
        "T1": "makes this a repeat", "T3": ""}
    # the relation is read first, right after the ticket id (it was the last column, out
    # of sight at 1,400 px)
    assert list(related.columns[:2]) == ["ticket_id", "relation"]
    at.button(key="explore_to_customer").click().run()
    assert (qp(at, "x_level"), qp(at, "x_customer")) == ("customer", "C1")


def test_the_customer_level_shows_every_contact_in_time_order(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "customer", "x_customer": "C1"})
    contacts = frame_with(at, "first_response")
    assert list(contacts["ticket_id"]) == ["T1", "T2", "T3"]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Segment"], metrics["Annual value"], metrics["Contacts"]) == (
        "premium", "5,000", "3")


def test_the_breadcrumb_goes_back_up_to_all_channels_clearing_the_drill(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "branch", "channel": "phone",
                                     "region": "North"})
    assert at.session_state["filter_channel"] == ["phone"]
    # phone in North: T1 at B1 (Harbour) only
    branches = frame_with(at, "trend")
    assert dict(zip(branches["group"], branches["tickets"], strict=True)) == {"B1 · Harbour": 1}
    at.button(key="explore_crumb_0").click().run()
    assert qp(at, "x_level") == "channel"
    assert qp(at, "channel") is None and qp(at, "region") is None
    assert at.session_state["filter_channel"] == []


def test_the_at_risk_list_puts_the_most_valuable_customer_first(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "at_risk"})
    shown = frame_with(at, "open_breached")
    assert list(shown["customer_id"]) == ["C1", "C2"]
    select_row(at, "explore_at_risk_table", 1)
    assert (qp(at, "x_level"), qp(at, "x_customer")) == ("customer", "C2")


def test_bad_link_values_are_named_and_ignored(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_sla": "late"})
    assert any("x_sla=late" in c.value for c in at.caption)
    assert len(frame_with(at, "first_response")) == 6


def test_the_page_reads_in_chinese(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "ticket", "x_ticket": "T2", "lang": "zh-CN"})
    assert at.title[0].value == "探索"
    # T2: an email complaint of priority normal, answered after 48 h against 24 h. The
    # product's words in Chinese; the channel capitalised as everywhere (extracts.md)
    caption = next(c.value for c in at.caption if "B1" in c.value)
    assert caption.split(" · ")[:3] == ["投诉", "billing", "Email"]
    assert "优先级 普通" in caption
    assert {m.label: m.value for m in at.metric}["首次响应 SLA"] == "超时"


def test_a_funnel_stage_link_lists_the_tickets_that_reached_it(wh, monkeypatch):
    # what the Funnel page sends for a click on "resolved"
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_stage": "resolved"})
    shown = frame_with(at, "first_response")
    expected = cli_json("tickets", "--json", "--stage", "resolved", "--warehouse", str(wh),
                        "--as-of", AS_OF)
    assert list(shown["ticket_id"]) == [t["ticket_id"] for t in expected] == ["T1", "T5", "T4"]


def test_a_backlog_band_link_lists_the_open_tickets_of_that_age(wh, monkeypatch):
    # open at 03-10 20:00: T3 (12 h old), T6 (35 h), T2 (5 days 11 h)
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_open": "1", "x_age": "3to7d"})
    assert list(frame_with(at, "first_response")["ticket_id"]) == ["T2"]
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_open": "1", "x_age": "1to3d"})
    assert list(frame_with(at, "first_response")["ticket_id"]) == ["T6"]


def test_the_narrowing_form_applies_to_the_url_and_clear_resets_it(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "tickets"})
    at.selectbox(key="explore_f_sla").set_value("breached")
    at.checkbox(key="explore_f_open").check()
    at.button(key="FormSubmitter:explore_narrow-Apply").click().run()
    assert (qp(at, "x_sla"), qp(at, "x_open")) == ("breached", "1")
    # breached and open: T6 and T2 (newest first)
    assert list(frame_with(at, "first_response")["ticket_id"]) == ["T6", "T2"]
    at.button(key="explore_clear_narrowing").click().run()
    assert qp(at, "x_sla") is None and qp(at, "x_open") is None
    # the form shows the cleared URL, not the values typed before
    assert at.selectbox(key="explore_f_sla").value == ""
    assert at.checkbox(key="explore_f_open").value is False
    assert len(frame_with(at, "first_response")) == 6


def test_clicking_a_related_contact_opens_that_ticket_and_stays_there(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "ticket", "x_ticket": "T2"})
    related = list(frame_with(at, "relation")["ticket_id"])
    select_row(at, "explore_related_table_T2", related.index("T1"))
    assert qp(at, "x_ticket") == "T1"
    at.run()  # another run (any interaction): the earlier click must not fire again
    assert qp(at, "x_ticket") == "T1"
    assert "Ticket T1" in [s.value for s in at.subheader]


def test_the_at_risk_list_says_how_many_customers_it_holds(wh, monkeypatch):
    # the fixture's at-risk customers: C2 (two complaints, latest CSAT 1) and C1 (two
    # complaints, T2 open past its deadline) -- test_customers_at_risk_high_value_first.
    # The list was silently cut at 200 on the demo (537 customers) and said no count.
    at = open_page(wh, monkeypatch, {"x_level": "at_risk"})
    shown = table(at, "explore_at_risk_table")
    assert len(shown) == 2
    assert any(m.value == "**2 customers at risk**" for m in at.markdown)


def proto_of(at: AppTest, key: str):
    return next(d.proto for d in at.dataframe if d.proto.id and key in d.proto.id)


def test_a_missing_survey_score_reads_n_a_not_none(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "ticket", "x_ticket": "T4"})
    # S1 of T4 has a CSAT of 5 and no NPS: the empty NPS cell reads "n/a"
    surveys = next(d for d in at.dataframe if "survey_id" in d.value.columns)
    assert surveys.value["nps"].isna().all() and surveys.proto.placeholder == "n/a"
    at = open_page(wh, monkeypatch, {"x_level": "ticket", "x_ticket": "T4", "lang": "zh-CN"})
    surveys = next(d for d in at.dataframe if "survey_id" in d.value.columns)
    assert surveys.proto.placeholder not in ("", "None", "n/a")


def test_the_ticket_list_headers_do_not_sort_only_the_page_and_the_age_is_shown(wh,
                                                                               monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "tickets"})
    proto = proto_of(at, "explore_tickets_table")
    # a column selection mode is what turns the header sort of the grid off
    assert len(proto.selection_mode) == 2
    shown = frame_with(at, "first_response").set_index("ticket_id")
    # T2 open since 03-05 09:00, as_of 03-10 20:00; T1 resolved after 3 h
    assert (shown.loc["T2", "age"], shown.loc["T1", "age"]) == ("5 d 11 h", "3 h")


def test_a_breakdown_sort_chosen_on_the_page_is_written_to_the_url_and_read_back(
        wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "channel", "x_bsort": "group"})
    # a to z by name: app, email, phone, social, web
    assert list(frame_with(at, "trend")["group"]) == ["app", "email", "phone", "social", "web"]
    box = next(s for s in at.selectbox if s.key.startswith("explore_bsort_channel"))
    box.set_value("-group").run()
    assert qp(at, "x_bsort") == "-group"
    assert list(frame_with(at, "trend")["group"]) == ["web", "social", "phone", "email", "app"]
    # a click drills on the row shown, not on the row of the query's own order
    select_row(at, "explore_channel_table", 2)
    assert qp(at, "channel") == "phone" and qp(at, "x_bsort") == "-group"


def test_a_search_for_a_phone_number_is_not_run_says_why_and_what_to_do_and_lists_nothing(
        wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_q": "13812345678"})
    warning = " ".join(w.value for w in at.warning)
    assert "masked text" in warning                   # why
    assert "customer id" in warning                   # what to do instead
    # no list: the whole list under the search read as what the number found (T1)
    assert not [d for d in at.dataframe if "first_response" in d.value.columns]
    assert any("(not searched)" in c.value for c in at.caption)
    at.button(key="explore_remove_search").click().run()
    assert qp(at, "x_q") is None and qp(at, "x_level") == "tickets"
    assert len(frame_with(at, "first_response")) == 6


def test_a_search_for_an_e_mail_address_is_refused_in_chinese_too(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_q": "li.si@example.com",
                                     "lang": "zh-CN"})
    warning = " ".join(w.value for w in at.warning)
    assert "脱敏" in warning and "客户编号" in warning, warning
    assert "masked" not in warning
    assert not [d for d in at.dataframe if "first_response" in d.value.columns]
    assert at.button(key="explore_remove_search").label == "取消搜索"


def test_a_ticket_or_customer_id_in_the_search_box_opens_it(wh, monkeypatch):
    # no subject, description or comment holds "T2": the list is empty, the ticket a click
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_q": "T2"})
    at.button(key="explore_open_id_ticket").click().run()
    assert (qp(at, "x_level"), qp(at, "x_ticket"), qp(at, "x_q")) == ("ticket", "T2", None)
    # a customer id, typed in small letters
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_q": "c2"})
    at.button(key="explore_open_id_customer").click().run()
    assert (qp(at, "x_level"), qp(at, "x_customer")) == ("customer", "C2")


def shown_widths(at: AppTest, key: str) -> dict[str, int]:
    """The width of each column a table shows (its column order), by column key."""
    proto = proto_of(at, key)
    config = json.loads(proto.columns)
    return {c: config[c]["width"] for c in proto.column_order}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_ticket_tables_show_columns_that_fit_a_1400_px_page(wh, monkeypatch, lang):
    from dashboard.views.explore import (
        RELATED_DEFAULT_COLUMNS,
        TABLE_BUDGET_PX,
        TICKET_DEFAULT_COLUMNS,
    )

    at = open_page(wh, monkeypatch, {"x_level": "tickets", "lang": lang})
    widths = shown_widths(at, "explore_tickets_table")
    # twenty columns scrolled sideways; nine fit (902 px: the grid's 938 less the checkbox)
    assert tuple(widths) == TICKET_DEFAULT_COLUMNS
    assert sum(widths.values()) <= TABLE_BUDGET_PX, widths
    # the other columns are still the table's (and the downloads')
    assert "subject" in frame_with(at, "first_response").columns
    at = open_page(wh, monkeypatch, {"x_level": "ticket", "x_ticket": "T2", "lang": lang})
    widths = shown_widths(at, "explore_related_table_T2")
    assert tuple(widths) == ("ticket_id", "relation", *RELATED_DEFAULT_COLUMNS[1:])
    assert sum(widths.values()) <= TABLE_BUDGET_PX, widths
    at = open_page(wh, monkeypatch, {"x_level": "customer", "x_customer": "C1", "lang": lang})
    widths = shown_widths(at, "explore_customer_table")
    assert tuple(widths) == TICKET_DEFAULT_COLUMNS
    assert sum(widths.values()) <= TABLE_BUDGET_PX, widths


def test_more_columns_are_one_choice_away_kept_in_the_link_and_reset(wh, monkeypatch):
    at = open_page(wh, monkeypatch, {"x_level": "tickets"})
    assert at.pills(key="explore_cols_tickets").value == [
        "created_at", "age", "channel", "branch_id", "category", "type", "sla", "csat"]
    at.pills(key="explore_cols_tickets").set_value(["created_at", "sla", "subject"])
    at.button(key="FormSubmitter:explore_cols_tickets_form-Show these columns").click().run()
    assert qp(at, "x_cols") == "ticket_id,created_at,sla,subject"
    assert list(shown_widths(at, "explore_tickets_table")) == [
        "ticket_id", "created_at", "sla", "subject"]
    # the choice holds for a customer's contacts too, and the link carries it
    at = open_page(wh, monkeypatch, {"x_level": "customer", "x_customer": "C1",
                                     "x_cols": "subject,nps,bogus"})
    assert list(shown_widths(at, "explore_customer_table")) == ["ticket_id", "nps", "subject"]
    assert any("x_cols=bogus" in c.value for c in at.caption)
    at.button(key="FormSubmitter:explore_cols_customer_form-Default columns").click().run()
    assert qp(at, "x_cols") is None
    assert len(shown_widths(at, "explore_customer_table")) == 9


def test_a_customer_with_many_contacts_gets_counts_per_channel_and_period(wh, monkeypatch):
    from dashboard.views import explore as vx

    at = open_page(wh, monkeypatch, {"x_level": "customer", "x_customer": "C1"})
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {t["type"] for t in figure["data"]} == {"scatter"}   # three contacts: markers
    monkeypatch.setattr(vx, "TIMELINE_DOTS_LIMIT", 2)          # as if three were many
    at = open_page(wh, monkeypatch, {"x_level": "customer", "x_customer": "C1"})
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    (heat,) = figure["data"]
    assert heat["type"] == "heatmap"
    # C1: T1 phone 03-01, T2 email 03-05, T3 social 03-10 -> one a day, ten days across
    assert heat["y"] == ["Email (1)", "Phone (1)", "Social (1)"]
    assert [sum(v or 0 for v in row) for row in heat["z"]] == [1, 1, 1]
    assert len(heat["x"]) == 10
    assert any("too many to draw one by one" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_at_risk_list_fits_a_1400_px_page_with_no_header_cut(wh, monkeypatch, lang):
    at = open_page(wh, monkeypatch, {"x_level": "at_risk", "lang": lang})
    config = json.loads(proto_of(at, "explore_at_risk_table").columns)
    widths = {k: v.get("width") for k, v in config.items() if not k.startswith("_")}
    # every column has a width (none left to the grid, which cut "CS…"); at 1,400 px the
    # main column is about 940 px wide, 34 of them for the row checkbox
    assert all(isinstance(w, int) and w >= 50 for w in widths.values()), widths
    assert sum(widths.values()) <= 940 - 34, widths


def test_a_column_is_as_wide_as_its_header_in_either_script():
    from dashboard.views.explore import column_px

    # 6 px a Latin character, 13 px a Chinese one, 20 px padding:
    # "客户满意度 (CSAT)": 5 x 13 + 7 x 6 = 107 -> 127
    assert column_px("客户满意度 (CSAT)") == 127
    assert column_px("Created", content_chars=16) == 116   # 16 x 6 + 20
    assert column_px("NPS") == 50                          # never below 50


def test_a_link_with_a_kpi_shows_its_card_first_and_a_bad_one_is_said(wh, monkeypatch):
    # the Weekly page's drill from "where did the Resolved change come from" carries x_kpi
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_kpi": "resolved_pct"})
    labels = [m.label for m in at.metric]
    assert labels[0] == "Resolved" and "Tickets" in labels
    assert qp(at, "x_kpi") == "resolved_pct"  # written back: the link still carries it
    # a card already in the strip moves to the front; an unknown one is named, not shown
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_kpi": "nps"})
    labels = [m.label for m in at.metric]
    assert labels[0] == "NPS" and labels.count("NPS") == 1
    at = open_page(wh, monkeypatch, {"x_level": "tickets", "x_kpi": "bogus"})
    assert any("x_kpi=bogus" in c.value for c in at.caption)
