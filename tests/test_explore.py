"""`cxdash tickets` / `cxdash customer` and the Explore queries against a hand-made
warehouse (tests/test_explore_fixture.py says what each ticket is and why)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from dashboard.views.explore import ExploreState, breadcrumb
from dashboard.warehouse import connect_reader
from queries.api import Filters
from queries.explore import (
    fetch_at_risk,
    fetch_customer_contacts,
    fetch_ticket,
    fetch_ticket_fixes,
)
from queries.explore_model import TicketSelection, related_contacts
from tests.fixtures import run_cli as run
from tests.test_explore_fixture import AS_OF, build_explore_warehouse


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    return build_explore_warehouse(tmp_path / "explore.duckdb")


def tickets(wh: Path, *args: str) -> list[dict]:
    code, out, err = run("tickets", "--json", "--warehouse", str(wh), "--as-of", AS_OF, *args)
    assert code == 0, err
    return json.loads(out)


def ids(rows: list[dict]) -> list[str]:
    return [r["ticket_id"] for r in rows]


def test_tickets_are_listed_newest_first_with_every_field_of_a_ticket_object(wh):
    rows = tickets(wh)
    assert ids(rows) == ["T3", "T6", "T2", "T1", "T5", "T4"]
    t2 = rows[2]
    # every native column plus region, segment, sla_state, is_repeat, latest_csat/nps
    assert list(t2) == ["ticket_id", "customer_id", "channel", "branch_id", "category", "type",
                        "priority", "created_at", "assigned_at", "first_response_at",
                        "resolved_at", "closed_at", "status", "reopen_count", "escalated",
                        "agent_id", "subject", "description", "region", "segment",
                        "sla_state", "is_repeat", "latest_csat", "latest_nps"]
    assert t2["created_at"] == "2026-03-05T09:00:00"
    assert (t2["region"], t2["segment"]) == ("North", "premium")
    # responded after 48 h against a 24 h target: breached; T1 4 days earlier: a repeat
    assert (t2["sla_state"], t2["is_repeat"]) == ("breached", True)
    by_id = {r["ticket_id"]: r for r in rows}
    assert by_id["T3"]["sla_state"] == "pending"   # deadline 03-11 08:00 is after as_of
    assert by_id["T6"]["sla_state"] == "breached"  # no response, deadline passed at 09:00
    assert by_id["T6"]["is_repeat"] is False       # anonymous: never a repeat
    assert by_id["T5"]["is_repeat"] is True        # T4 19 days before
    assert by_id["T5"]["latest_csat"] == 1


def test_free_text_is_masked_in_the_cli_output(wh):
    by_id = {r["ticket_id"]: r for r in tickets(wh)}
    assert by_id["T1"]["subject"] == "please call me back on 138****5678"
    assert by_id["T5"]["subject"] == "fee again, mail me at l***@example.com"


def test_sla_stage_and_open_narrow_the_list(wh):
    assert ids(tickets(wh, "--sla", "breached")) == ["T6", "T2"]
    assert ids(tickets(wh, "--sla", "pending")) == ["T3"]
    # reached resolved: T1 (resolved), T5 (surveyed), T4 (satisfied)
    assert ids(tickets(wh, "--stage", "resolved")) == ["T1", "T5", "T4"]
    assert ids(tickets(wh, "--stage", "satisfied")) == ["T4"]
    # open and stuck right after the first response: T2 only
    assert ids(tickets(wh, "--stage", "stuck:responded")) == ["T2"]
    assert ids(tickets(wh, "--stage", "stuck:received")) == ["T3", "T6"]
    assert ids(tickets(wh, "--open")) == ["T3", "T6", "T2"]
    # T5's latest CSAT 1 is low; T1's CSAT 3 / NPS 7 and T4's CSAT 5 are not
    assert ids(tickets(wh, "--low-score")) == ["T5"]
    assert ids(tickets(wh, "--repeat")) == ["T2", "T5"]


def test_filters_and_period_apply_like_the_kpis(wh):
    assert ids(tickets(wh, "--channel", "phone")) == ["T1", "T4"]
    assert ids(tickets(wh, "--region", "South")) == ["T3", "T5", "T4"]
    assert ids(tickets(wh, "--from", "2026-03-01", "--to", "2026-03-05")) == ["T2", "T1"]


def test_text_search_finds_raw_text_in_subjects_and_comments(wh, monkeypatch):
    from dashboard.settings import get_settings

    # with masking off, searching the real number finds the ticket
    monkeypatch.setenv("CXDASH_MASK_PERSONAL_DATA", "false")
    get_settings.cache_clear()
    rows = tickets(wh, "--text", "13812345678")
    assert ids(rows) == ["T1"]
    monkeypatch.delenv("CXDASH_MASK_PERSONAL_DATA")
    get_settings.cache_clear()
    assert ids(tickets(wh, "--text", "call me")) == ["T1"]      # words still search
    assert ids(tickets(wh, "--text", "calc")) == ["T4"]         # a survey comment
    assert ids(tickets(wh, "--text", "100%")) == []             # % is literal, not a wildcard


def test_limit_and_offset_page_in_sql(wh):
    assert ids(tickets(wh, "--limit", "2", "--offset", "1")) == ["T6", "T2"]
    assert ids(tickets(wh, "--sort", "created_at", "--limit", "2")) == ["T4", "T5"]


def test_bad_stage_is_a_usage_error(wh):
    code, _out, err = run("tickets", "--warehouse", str(wh), "--stage", "lost")
    assert code == 2, err


def test_customer_json_has_the_profile_every_contact_in_time_order_and_surveys(wh):
    code, out, err = run("customer", "C2", "--json", "--warehouse", str(wh), "--as-of", AS_OF)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["customer"] == {"customer_id": "C2", "segment": "retail",
                                   "home_branch_id": "B2", "joined_at": "2024-01-01",
                                   "churned_at": "2026-03-20", "annual_value": 100.0}
    assert ids(payload["contacts"]) == ["T4", "T5"]
    assert [s["survey_id"] for s in payload["surveys"]] == ["S1", "S2"]
    assert payload["surveys"][1]["comment"] == "terrible, 139****5678"


def test_unknown_customer_is_refused_with_one_sentence(wh):
    code, _out, err = run("customer", "C404", "--warehouse", str(wh))
    assert code == 1 and "C404" in err and err.count("\n") == 1


def con_of(wh: Path):
    return connect_reader(wh)


def test_related_contacts_name_what_makes_a_repeat_and_what_breaks_fcr(wh):
    from datetime import datetime

    con = con_of(wh)
    as_of = datetime.fromisoformat(AS_OF)
    contacts = fetch_customer_contacts(con, "C1", as_of)
    t2 = fetch_ticket(con, "T2", as_of)
    rel = dict(related_contacts(t2, contacts).select("ticket_id", "relation").iter_rows())
    assert rel == {"T1": "makes this a repeat", "T3": ""}
    t1 = fetch_ticket(con, "T1", as_of)
    rel = dict(related_contacts(t1, contacts).select("ticket_id", "relation").iter_rows())
    # T2 came 4 days after T1 was resolved (within 7): it breaks T1's FCR
    assert rel == {"T2": "breaks this FCR", "T3": ""}
    con.close()


def test_a_ticket_lists_the_fixes_whose_scope_and_window_it_falls_in(wh):
    con = con_of(wh)
    assert fetch_ticket_fixes(con, "T1").select("fix_id", "side").rows() == [("F1", "post")]
    # T4: phone billing in South -> both, oldest launch first
    assert fetch_ticket_fixes(con, "T4").select("fix_id", "side").rows() == [
        ("F1", "pre"), ("F2", "pre")]
    assert fetch_ticket_fixes(con, "T3").select("fix_id", "side").rows() == [("F2", "post")]
    assert fetch_ticket_fixes(con, "T2").height == 0  # e-mail in North: outside both scopes
    con.close()


def test_customers_at_risk_high_value_first(wh):
    from datetime import datetime

    con = con_of(wh)
    frame = fetch_at_risk(con, Filters(as_of=datetime.fromisoformat(AS_OF)))
    # C1: 2 complaints, open breached T2; C2: 2 complaints, latest CSAT 1 (not churned yet)
    assert frame.select("customer_id", "complaints", "open_breached", "low_score").rows() == [
        ("C1", 2, 1, False), ("C2", 2, 0, True)]
    # after C2's churn date C2 has left: not listed any more (and C1's complaints are
    # more than 90 days old by then)
    later = fetch_at_risk(con, Filters(as_of=datetime(2026, 6, 10)))
    assert later.height == 0
    con.close()


def test_url_state_round_trips_and_drops_bad_values():
    params = {"x_level": "tickets", "x_stage": "stuck:assigned", "x_sla": "breached",
              "x_q": "fee", "x_score": "low", "x_week": "2026-03-02", "x_weekday": "1",
              "x_hour": "9", "x_open": "1", "x_age": "3to7d", "x_repeat": "1",
              "x_reopened": "1", "x_escalated": "1", "x_sort": "frt", "x_page": "3"}
    state = ExploreState.from_params(params)
    assert state.to_params() == params
    assert state.selection() == TicketSelection(
        stuck_at="assigned", sla="breached", text="fee", low_score=True,
        week=__import__("datetime").date(2026, 3, 2), weekday=1, hour=9, open_only=True,
        age="3to7d", repeat=True, reopened=True, escalated=True)
    bad = ExploreState.from_params({"x_level": "moon", "x_week": "2026-03-03", "x_hour": "24",
                                    "x_sla": "late"})
    assert bad.level == "channel"
    assert set(bad.problems) == {"x_level=moon", "x_week=2026-03-03", "x_hour=24", "x_sla=late"}
    # a ticket level without its id falls back to the list
    assert ExploreState.from_params({"x_level": "ticket"}).level == "tickets"


def test_breadcrumb_steps_back_up_clearing_the_deeper_filters():
    state = ExploreState(level="tickets")
    crumbs = breadcrumb(state, Filters(channel=("phone",), region=("North",), branch=("B1",)),
                        {"B1": "Harbour"})
    # a channel is shown capitalised (extracts.md), as the sidebar and the tables show it
    assert [c.label for c in crumbs] == ["All channels", "Phone", "North", "B1 · Harbour",
                                        "Ticket list"]
    assert [c.level for c in crumbs] == ["channel", "region", "branch", "tickets", "tickets"]
    assert crumbs[0].clear == ("channel", "region", "branch")
    assert crumbs[1].clear == ("region", "branch")      # back to the regions of phone
    assert crumbs[-1].current


def test_open_means_the_backlog_a_closed_or_unknown_ticket_is_not_open(make_warehouse):
    from datetime import datetime

    from queries.explore import count_tickets
    from tests.fixtures import ticket

    w = make_warehouse(tickets=[
        ticket("A", "2026-03-01 09:00", closed_at="2026-03-02 09:00"),  # closed, no resolution
        ticket("B", "2026-03-01 10:00", not_carried=["resolved_at", "closed_at", "status"]),
        ticket("C", "2026-03-01 11:00"),                                 # plainly open
        ticket("D", "2026-03-09 12:00", resolved_at="2026-03-10 12:00"),  # resolved after as_of
    ])
    con = connect_reader(w.path)
    as_of = datetime(2026, 3, 10, 9, 0)
    # A is closed; B's source cannot say whether it is done; D is still open at 03-10 09:00
    assert count_tickets(con, Filters(as_of=as_of), TicketSelection(open_only=True))[
        "tickets"] == 2
    # ages at as_of: C 9 days (7to30d), D 21 h (lt1d)
    assert count_tickets(con, Filters(as_of=as_of), TicketSelection(age="7to30d"))[
        "tickets"] == 1
    assert count_tickets(con, Filters(as_of=as_of), TicketSelection(age="lt1d"))[
        "tickets"] == 1
    con.close()


def test_each_backlog_band_of_the_funnel_page_opens_as_many_tickets(demo_warehouse):
    from queries import funnel as qf
    from queries.explore import count_tickets
    from queries.explore_model import AGE_BANDS

    con = connect_reader(demo_warehouse)
    backlog = qf.fetch_backlog(con, Filters())
    for band in AGE_BANDS:
        expected = int(backlog.filter(backlog["band"] == band)["tickets"].sum())
        assert count_tickets(con, Filters(), TicketSelection(age=band))["tickets"] == expected
    con.close()


def test_the_human_ticket_table_fits_80_columns_with_whole_ticket_ids(wh, monkeypatch):
    # It once squeezed all ten columns into 80 characters: "T3" survived but real ids
    # (T00282855) were folded over five lines and several columns were 0 wide.
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _err = run("tickets", "--warehouse", str(wh), "--as-of", AS_OF)
    assert code == 0
    assert all(len(line) <= 80 for line in out.splitlines()), out
    lines = out.splitlines()
    # one row per ticket: each id starts a row of its own, newest first
    starts = [line.split("│")[1].strip() for line in lines if line.startswith("│")
              and line.split("│")[1].strip()]
    assert starts == ["T3", "T6", "T2", "T1", "T5", "T4"]
    header = next(line for line in lines if line.startswith("┃"))
    assert [h.strip() for h in header.strip("┃").split("┃")][:4] == [
        "ticket", "created", "channel", "branch"]  # headers whole, not folded to "ti/ck/et"
    assert "Left out to fit 80 columns" in out  # ten columns do not fit: the rest are named


def test_stages_minutes_apart_share_one_timeline_label_so_names_never_overprint():
    from datetime import datetime

    from dashboard.charts_explore import ticket_timeline

    # received 10:00, assigned 10:01, responded 10:03, resolved the next day 18:00: the
    # first three are 3 minutes of a 32-hour span and once overprinted each other
    ticket = {"created_at": datetime(2026, 3, 2, 10, 0), "assigned_at": datetime(2026, 3, 2, 10, 1),
              "first_response_at": datetime(2026, 3, 2, 10, 3),
              "resolved_at": datetime(2026, 3, 3, 18, 0), "closed_at": None,
              "sla_deadline": datetime(2026, 3, 3, 10, 0), "sla_state": "met"}
    fig = ticket_timeline(ticket)
    labels = [a.text for a in fig.layout.annotations if a.showarrow]
    assert labels == ["Received<br>Assigned (+1 min)<br>Responded (+2 min)", "Resolved"]
    gaps = [a.text for a in fig.layout.annotations if not a.showarrow and a.yshift == -18]
    assert len(gaps) == 1  # only the 10:03 -> next day 18:00 gap is written on the axis


def test_a_customer_opened_from_the_at_risk_list_steps_back_to_that_list():
    # the at-risk rows open a customer without a ticket; the breadcrumb once offered only
    # "Ticket list", so the retention team lost its call list
    state = ExploreState.from_params({"x_level": "customer", "x_customer": "C9"})
    crumbs = breadcrumb(state, Filters())
    assert [c.label for c in crumbs] == ["All channels", "Customers at risk", "Customer C9"]
    assert crumbs[1].params == {"x_level": "at_risk"}
    # from a ticket, the way back stays the ticket and its list
    via_ticket = ExploreState(level="customer", customer="C9", ticket="T1")
    assert [c.label for c in breadcrumb(via_ticket, Filters())] == [
        "All channels", "Ticket list", "Ticket T1", "Customer C9"]


def test_the_score_bars_sit_next_to_the_sla_state_so_they_show_without_scrolling():
    from dashboard.views.explore import TICKET_TABLE_COLUMNS

    # at 1,400 px the grid shows about twelve columns; CSAT/NPS were the 12th and 13th
    order = list(TICKET_TABLE_COLUMNS)
    assert order[order.index("sla") + 1: order.index("sla") + 3] == ["csat", "nps"]
    assert order.index("nps") < 10


def test_a_ticket_download_carries_the_durations_as_numbers_of_minutes(wh):
    from dashboard.export import to_xlsx
    from dashboard.views.explore import ticket_table
    from queries.explore import fetch_tickets

    frame = fetch_tickets(con_of(wh), Filters(as_of=datetime.fromisoformat(AS_OF)),
                          sort="created_at", descending=False)
    table = ticket_table(frame, minutes=True)
    by_id = {r["ticket_id"]: r for r in table.to_dicts()}
    # T1: created 09:00, responded 10:00, resolved 12:00 -> 60 and 180 minutes
    assert (by_id["T1"]["first_response"], by_id["T1"]["first_response_min"]) == ("1 h", 60.0)
    assert by_id["T1"]["resolution_min"] == 180.0
    # T2 responded after 48 h (2,880 min) and is not resolved: null, not 0
    assert by_id["T2"]["first_response_min"] == 2880.0
    assert by_id["T2"]["resolution_min"] is None
    # the page's own table stays in words only
    assert "first_response_min" not in ticket_table(frame).columns
    book = to_xlsx(table)
    assert book[:2] == b"PK"  # a real workbook; the numbers are written with write_number


def test_the_ticket_table_says_type_priority_and_sla_in_the_reader_s_words(wh):
    """投诉/普通/超时 in Chinese, the words of the sidebar (value_label), where the table
    showed the codes 'complaint'/'normal'; a channel is capitalised as everywhere (Email),
    a category stays as stored."""
    from dashboard.i18n import set_language
    from dashboard.views.explore import ticket_table
    from queries.explore import fetch_tickets

    frame = fetch_tickets(con_of(wh), Filters(as_of=datetime.fromisoformat(AS_OF)),
                          sort="created_at", descending=False)
    set_language("zh-CN")
    try:
        by_id = {r["ticket_id"]: r for r in ticket_table(frame).to_dicts()}
        narrowing = ExploreState(level="tickets", sla="breached").narrowing()
    finally:
        set_language("en")
    # T2: an email complaint of priority normal, answered after 48 h against 24 h
    t2 = by_id["T2"]
    assert (t2["type"], t2["priority"], t2["sla"]) == ("投诉", "普通", "超时")
    assert (t2["channel"], t2["category"]) == ("Email", "billing")
    assert by_id["T3"]["type"] == "咨询"  # T3: an inquiry
    assert narrowing == ["SLA：超时"]
    english = {r["ticket_id"]: r for r in ticket_table(frame).to_dicts()}["T2"]
    assert (english["type"], english["priority"], english["sla"]) == (
        "Complaint", "Normal", "Breached")


def test_the_cli_ticket_table_says_the_type_in_chinese(wh, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # wide enough for every column
    code, out, _err = run("tickets", "--warehouse", str(wh), "--as-of", AS_OF,
                          "--lang", "zh-CN")
    assert code == 0
    assert "投诉" in out and "complaint" not in out


def test_a_customer_with_more_contacts_than_the_limit_keeps_the_newest_and_says_how_many(wh):
    from queries.explore import fetch_customer_story

    # C1 has T1 (03-01), T2 (03-05), T3 (03-10). The page's story was cut to the OLDEST
    # 5,000 contacts and the card said 5,000 for a demo customer with 6,356.
    story = fetch_customer_story(con_of(wh), "C1", datetime.fromisoformat(AS_OF), limit=2)
    assert story.contacts["ticket_id"].to_list() == ["T2", "T3"]  # newest two, oldest first
    assert story.total_contacts == 3
    every = fetch_customer_story(con_of(wh), "C1", datetime.fromisoformat(AS_OF), limit=None)
    assert every.contacts["ticket_id"].to_list() == ["T1", "T2", "T3"]
    assert every.total_contacts == 3


def test_with_masking_on_a_search_that_is_itself_personal_data_is_refused_with_why(wh):
    # T1's subject holds 13812345678: finding T1 by it would say whose text hides it
    for query in ("13812345678", "138 1234 5678", "1234", "li.si@example.com"):
        code, out, err = run("tickets", "--json", "--warehouse", str(wh), "--as-of", AS_OF,
                             "--text", query)
        assert (code, out) == (1, ""), query
        assert "masked text" in err
        assert "cxdash customer ID" in err                      # and what to do instead
    # a part of the number is enough to find whose it is: 12345 would find T1 and T5
    assert run("tickets", "--warehouse", str(wh), "--as-of", AS_OF, "--text", "12345")[0] == 1
    # three digits are searched as usual (no ticket holds "999")
    assert ids(tickets(wh, "--text", "999")) == []


def test_search_refusal_rules_of_the_view_model():
    from dashboard.views.explore import search_reveals_personal_data as reveals

    assert reveals("13812345678", masking=True)
    assert reveals("１３８-1234-5678", masking=True)   # full-width digits and dashes
    assert reveals("zhang@", masking=True)             # part of an address
    assert not reveals("13812345678", masking=False)   # masking off: nothing to hide
    assert not reveals("refund 200", masking=True)
    assert not reveals("fee 12 yuan", masking=True)
    assert reveals("fee 2000", masking=True)           # four digits: refused, said so


def test_each_ticket_reads_its_age_open_ones_at_as_of_resolved_ones_to_resolution(wh):
    from dashboard.views.explore import TICKET_TABLE_COLUMNS, ticket_table
    from queries.explore import fetch_tickets

    frame = fetch_tickets(con_of(wh), Filters(as_of=datetime.fromisoformat(AS_OF)))
    table = ticket_table(frame, minutes=True)
    by_id = {r["ticket_id"]: r for r in table.to_dicts()}
    # T2 open, created 03-05 09:00, as_of 03-10 20:00: 5 d 11 h (7,860 min)
    assert (by_id["T2"]["age"], by_id["T2"]["age_min"]) == ("5 d 11 h", 7860.0)
    # T1 resolved 3 h after creation: its age is its time to resolution
    assert (by_id["T1"]["age"], by_id["T1"]["age_min"]) == ("3 h", 180.0)
    # T4 created 02-01 10:00, resolved 02-02 10:00: 1 d
    assert by_id["T4"]["age"] == "1 d"
    # shown beside the creation time, where it is read without scrolling
    assert list(TICKET_TABLE_COLUMNS).index("age") == 2


def test_a_breakdown_sort_is_kept_in_the_url_and_orders_unknowns_last():
    import polars as pl

    from dashboard.views.explore import ExploreState, sort_breakdown

    state = ExploreState.from_params({"x_level": "branch", "x_bsort": "csat_avg"})
    assert state.bsort == "csat_avg" and state.to_params()["x_bsort"] == "csat_avg"
    assert "x_bsort" not in ExploreState().to_params()           # the default stays out
    assert ExploreState.from_params({"x_bsort": "drop table"}).problems == (
        "x_bsort=drop table",)
    table = pl.DataFrame({"group": ["A", "B", "C"], "tickets": [5, 9, 1],
                          "csat_avg": [4.0, None, 3.0]})
    # ascending CSAT: C 3.0, A 4.0, then B (n/a) last; descending: A, C, B (n/a still last)
    assert sort_breakdown(table, "csat_avg")["group"].to_list() == ["C", "A", "B"]
    assert sort_breakdown(table, "-csat_avg")["group"].to_list() == ["A", "C", "B"]
    assert sort_breakdown(table, "-tickets")["group"].to_list() == ["B", "A", "C"]


def test_the_whole_list_sorts_by_age_oldest_open_first(wh):
    # ages at as_of 03-10 20:00 (minutes): T2 open 7,860; T6 open 2,100; T4 and T5
    # resolved after 1,440 (tie: by ticket id); T3 open 720; T1 resolved after 180
    assert ids(tickets(wh, "--sort=-age")) == ["T2", "T6", "T4", "T5", "T3", "T1"]
    assert ids(tickets(wh, "--sort", "age", "--limit", "2")) == ["T1", "T3"]


def test_the_latest_survey_of_a_ticket_is_marked_ties_by_the_greater_survey_id(tmp_path):
    # is_latest marks the survey the KPIs use (facts.sql's latest_survey_id): the latest
    # responded_at, and of two answered at the same moment the greater survey_id
    from queries.explore import fetch_surveys
    from tests.fixtures import build_warehouse, survey, ticket

    path = build_warehouse(tmp_path / "s.duckdb",
                           tickets=[ticket("T1", "2024-05-01 10:00"),
                                    ticket("T2", "2024-05-01 11:00")],
                           surveys=[survey("S1", "T1", "2024-05-02 10:00", csat=5),
                                    survey("S3", "T1", "2024-05-03 10:00", csat=2),
                                    survey("S2", "T1", "2024-05-03 10:00", csat=4),
                                    survey("S9", "T2", "2024-05-01 12:00", csat=1)])
    con = connect_reader(path)
    rows = fetch_surveys(con, ["T1", "T2"]).select("survey_id", "is_latest").rows()
    con.close()
    # oldest first; S2 and S3 tie on time: S3 is the latest; T2's only survey is its latest
    assert sorted(rows) == [("S1", False), ("S2", False), ("S3", True), ("S9", True)]


def test_a_search_box_id_is_offered_as_that_id_and_nothing_else_is():
    from dashboard.views.explore import id_candidates

    assert id_candidates(" T2 ") == ["T2"]
    assert id_candidates("c0103167") == ["c0103167", "C0103167"]   # typed in small letters
    assert id_candidates("li.si@example.com") == []                  # an address, not an id
    assert id_candidates("call me") == [] and id_candidates("") == []


def test_a_refused_search_reads_as_not_searched_in_the_chips():
    state = ExploreState.from_params({"x_level": "tickets", "x_q": "13812345678"})
    assert state.narrowing() == ["text contains “13812345678”"]
    assert state.narrowing(text_refused=True) == ["text “13812345678” (not searched)"]


def test_the_chosen_columns_are_kept_in_the_link_in_the_table_order():
    from dashboard.views.explore import (
        RELATED_DEFAULT_COLUMNS,
        TICKET_DEFAULT_COLUMNS,
        shown_ticket_columns,
    )

    state = ExploreState.from_params({"x_level": "tickets", "x_cols": "subject, sla,drop"})
    # table order, the ticket id always first; an unknown key is named and left out
    assert state.columns == ("ticket_id", "sla", "subject")
    assert state.problems == ("x_cols=drop",)
    assert state.to_params()["x_cols"] == "ticket_id,sla,subject"
    assert "x_cols" not in ExploreState().to_params()
    assert "x_cols" not in ExploreState(columns=TICKET_DEFAULT_COLUMNS).to_params()
    assert state.cleared().columns == state.columns         # Clear keeps the columns
    assert shown_ticket_columns(None) == list(TICKET_DEFAULT_COLUMNS)
    assert shown_ticket_columns(None, ("relation",)) == [
        "ticket_id", "relation", *RELATED_DEFAULT_COLUMNS[1:]]
    assert shown_ticket_columns(state.columns, ("relation",)) == [
        "ticket_id", "relation", "sla", "subject"]


def test_a_column_is_as_wide_as_its_widest_value_in_either_script():
    from dashboard.views.explore import column_px

    # "14 小时 21 分": 7 Latin characters (digits, spaces) x 6 + 3 Chinese x 13 = 81, +20;
    # the 10 characters allowed for an age (80 px) cut its last character
    assert column_px("已等待", 10, ["3 小时", "14 小时 21 分", None]) == 101
    assert column_px("Age", 10, ["3 h"]) == 80                   # never below the usual
    assert column_px("Subject", 0, ["x" * 200]) == 320           # a long text stops at 300


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_default_ticket_columns_fit_1400_px_with_the_widest_demo_values(lang):
    from dashboard.i18n import set_language
    from dashboard.views.explore import (
        CONTENT_CHARS,
        RELATED_DEFAULT_COLUMNS,
        TABLE_BUDGET_PX,
        TICKET_DEFAULT_COLUMNS,
        column_label,
        column_px,
        duration,
        sla_label,
    )

    set_language(lang)
    try:
        # the widest value of each column in the demo warehouses (English and Chinese)
        widest = {"age": [duration(14 * 60 + 21), duration(3 * 1440 + 18 * 60)],
                  "channel": ["branch counter"], "category": ["branch services", "网点服务"],
                  "type": ["suggestion"], "branch_id": ["B57"], "ticket_id": ["T00245506"],
                  "sla": [sla_label("breached")],
                  "relation": ["its FCR is broken by this", "其首次解决被本工单破坏"]}

        def width(c: str) -> int:
            return column_px(column_label(c), CONTENT_CHARS.get(c, 0), widest.get(c, ()))

        assert sum(map(width, TICKET_DEFAULT_COLUMNS)) <= TABLE_BUDGET_PX
        related = ("ticket_id", "relation", *RELATED_DEFAULT_COLUMNS[1:])
        assert sum(map(width, related)) <= TABLE_BUDGET_PX
    finally:
        set_language("en")


def contacts_frame(rows: list[tuple[str, str, str, bool]]):
    """Contacts as fetch_customer_contacts gives them: (created_at, channel, type, repeat)."""
    import polars as pl

    return pl.DataFrame({
        "ticket_id": [f"T{i}" for i in range(len(rows))],
        "created_at": [datetime.fromisoformat(r[0]) for r in rows],
        "channel": [r[1] for r in rows], "type": [r[2] for r in rows],
        "is_repeat": [r[3] for r in rows]})


def test_the_contact_grain_is_the_finest_that_keeps_forty_periods_across():
    from dashboard.views.explore import contact_grain

    day = datetime(2025, 1, 1)
    assert contact_grain(day, datetime(2025, 2, 9)) == "day"      # 40 days
    assert contact_grain(day, datetime(2025, 2, 10)) == "week"    # 41 days
    assert contact_grain(day, datetime(2025, 10, 7)) == "week"    # 280 days = 40 weeks
    assert contact_grain(day, datetime(2025, 10, 8)) == "month"


def test_many_contacts_are_counted_per_channel_and_week_with_types_and_repeats():
    from dashboard.views.explore import contact_grid

    rows = [("2025-06-02 09:00", "phone", "complaint", False),   # Monday
            ("2025-06-08 23:00", "phone", "complaint", True),    # Sunday, same week
            ("2025-06-09 08:00", "phone", "inquiry", False),     # next Monday
            ("2025-06-04 10:00", "email", "praise", False)]
    rows += [("2025-08-25 10:00", "app", "inquiry", False)]      # 12 weeks later
    assert contact_grid(contacts_frame(rows)) is None             # 5: drawn one by one
    grid = contact_grid(contacts_frame(rows), limit=4)
    assert grid is not None and grid.grain == "week"               # 85 days across
    by_key = {(r["channel"], r["period"].date().isoformat()): r
              for r in grid.frame.iter_rows(named=True)}
    week = by_key[("phone", "2025-06-02")]
    assert (week["contacts"], week["complaints"], week["repeats"]) == (2, 2, 1)
    assert (week["type_complaint"], week["type_inquiry"]) == (2, 0)
    assert by_key[("phone", "2025-06-09")]["contacts"] == 1
    assert by_key[("email", "2025-06-02")]["type_praise"] == 1
    # every week from the first to the last, the empty ones too: 2 Jun .. 25 Aug = 13
    assert len(grid.periods) == 13
    assert grid.periods[0] == datetime(2025, 6, 2) and grid.periods[-1] == datetime(2025, 8, 25)
    assert grid.midpoints()[0] == datetime(2025, 6, 5, 12)        # Thursday noon


def test_the_contact_grid_chart_puts_each_count_in_its_cell_and_names_the_totals():
    from dashboard.charts_explore import customer_contact_grid
    from dashboard.views.explore import contact_grid

    rows = [("2025-06-02 09:00", "phone", "complaint", False),
            ("2025-06-08 23:00", "phone", "complaint", True),
            ("2025-06-20 08:00", "email", "inquiry", False)]
    grid = contact_grid(contacts_frame(rows), limit=2)             # 19 days: by day
    assert grid is not None and grid.grain == "day"
    (heat,) = customer_contact_grid(grid).data
    assert list(heat.y) == ["Email (1)", "Phone (2)"]
    assert heat.z[1][0] == 1 and heat.z[1][6] == 1 and heat.z[0][18] == 1
    assert heat.z[1][1] is None                                    # no contact: a blank cell
    assert "Complaint 1 (repeats: 1)" in heat.customdata[1][6]


def test_the_kpi_of_a_link_goes_round_the_url_and_leads_the_cards():
    state = ExploreState.from_params({"x_level": "tickets", "x_kpi": "resolved_pct"})
    assert state.to_params()["x_kpi"] == "resolved_pct"
    assert state.card_keys() == ("resolved_pct", "tickets", "sla_met_pct", "fcr_pct",
                                 "repeat_complaint_pct", "csat_avg", "nps")
    assert ExploreState.from_params({"x_kpi": "fcr_pct"}).card_keys() == (
        "fcr_pct", "tickets", "sla_met_pct", "repeat_complaint_pct", "csat_avg", "nps")
    assert ExploreState.from_params({}).card_keys()[0] == "tickets"
    assert ExploreState.from_params({"x_kpi": "nope"}).problems == ("x_kpi=nope",)
