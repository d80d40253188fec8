"""`cxdash` against spec/cli.md: JSON shapes, options and exit codes."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.fixtures import run_cli as run
from tests.fixtures import ticket

KPI_KEYS = {"as_of", "from", "to", "tickets", "complaints", "resolved_pct", "frt_median_min",
            "frt_p90_min", "resolution_median_h", "resolution_p90_h", "sla_met_pct",
            "reopen_pct", "fcr_pct", "repeat_complaint_pct", "survey_response_pct", "csat_avg",
            "csat_pct", "nps", "post_complaint_churn_pct"}
EFFECT_KEYS = {"fix_id", "metric", "has_control", "partial", "treated_pre", "treated_post",
               "control_pre", "control_post", "n_treated_pre", "n_treated_post",
               "n_control_pre", "n_control_post", "effect", "ci_low", "ci_high"}


@pytest.fixture
def wh(make_warehouse):
    w = make_warehouse(
        tickets=[
            ticket("T1", "2024-05-01 10:00", customer_id="C1", channel="app",
                   priority="urgent", first_response_at="2024-05-01 10:30",
                   resolved_at="2024-05-01 12:00"),
            ticket("T2", "2024-05-03 10:00", customer_id="C1", channel="web"),
            ticket("T3", "2024-06-01 09:00", channel="web", type="inquiry"),
        ],
        fixes=[{"fix_id": "F1", "title": "x", "launched_at": date(2024, 5, 2),
                "category": "billing"}],
    )
    return str(w.path)


def test_kpis_json_is_one_object_with_exactly_the_spec_keys(wh):
    code, out, _ = run("kpis", "--json", "--warehouse", wh, "--from", "2024-05-01",
                       "--to", "2024-05-31")
    payload = json.loads(out)
    assert code == 0 and set(payload) == KPI_KEYS
    assert payload["from"] == "2024-05-01" and payload["to"] == "2024-05-31"
    assert payload["as_of"] == "2024-06-01T09:00:00"   # the latest timestamp loaded
    assert payload["tickets"] == 2 and isinstance(payload["tickets"], int)
    assert payload["csat_avg"] is None                  # unknown is null, never 0
    assert payload["repeat_complaint_pct"] == pytest.approx(50.0)  # T2 repeats T1


def test_kpis_without_a_period_have_null_dates(wh):
    payload = json.loads(run("kpis", "--json", "--warehouse", wh)[1])
    assert payload["from"] is None and payload["to"] is None and payload["tickets"] == 3


def test_kpis_by_dimension_is_a_list_with_a_group_key(wh):
    code, out, _ = run("kpis", "--by", "channel", "--json", "--warehouse", wh)
    rows = json.loads(out)
    assert code == 0 and isinstance(rows, list)
    assert {r["group"] for r in rows} == {"app", "web"}
    assert all(set(r) == KPI_KEYS | {"group"} for r in rows)


def test_filters_repeat_and_match_spelling_variants(wh):
    payload = json.loads(run("kpis", "--json", "--warehouse", wh, "--channel", " APP ",
                             "--channel", "Web", "--type", "Complaint")[1])
    assert payload["tickets"] == 2


def test_as_of_overrides_the_stored_one(wh):
    # T2 (normal, no response) is due 2024-05-04 10:00: pending before, breached after
    early = json.loads(run("kpis", "--json", "--warehouse", wh, "--to", "2024-05-31",
                           "--as-of", "2024-05-04 09:00:00")[1])
    late = json.loads(run("kpis", "--json", "--warehouse", wh, "--to", "2024-05-31",
                          "--as-of", "2024-05-04 10:00:01")[1])
    assert early["as_of"] == "2024-05-04T09:00:00"
    assert early["sla_met_pct"] == pytest.approx(100.0)  # T1 met, T2 pending
    assert late["sla_met_pct"] == pytest.approx(50.0)


def test_funnel_json_lists_the_stages_in_order(wh):
    rows = json.loads(run("funnel", "--json", "--warehouse", wh)[1])
    assert [r["stage"] for r in rows] == ["received", "assigned", "responded", "resolved",
                                           "closed", "surveyed", "satisfied"]
    assert all(set(r) == {"stage", "tickets", "conversion_pct",
                          "median_minutes_from_previous"} for r in rows)
    assert rows[0]["conversion_pct"] is None and rows[0]["tickets"] == 3


def test_effects_json_has_the_spec_keys_per_fix_and_metric(wh):
    rows = json.loads(run("effects", "--json", "--warehouse", wh)[1])
    assert [r["metric"] for r in rows] == ["repeat_complaint_pct", "csat_avg", "churn_pct",
                                           "complaints"]
    # every key of spec/cli.md (issue 12 adds its pre-trend / regression checks beside them)
    assert all(EFFECT_KEYS <= set(r) for r in rows)
    assert rows[0]["fix_id"] == "F1" and rows[0]["partial"] is True


def test_effects_of_an_unknown_fix_is_refused(wh):
    code, _, err = run("effects", "--fix", "F404", "--warehouse", wh)
    assert code == 1 and "F404" in err


def test_bad_usage_exits_2_and_a_missing_warehouse_exits_1(tmp_path):
    assert run("kpis", "--from", "May first")[0] == 2
    assert run("kpis", "--by", "colour")[0] == 2
    assert run("frobnicate")[0] == 2
    code, _, err = run("kpis", "--warehouse", str(tmp_path / "none.duckdb"))
    assert code == 1 and "cxdash demo" in err and len(err.strip().splitlines()) == 1


def test_a_period_that_ends_before_it_starts_is_refused(wh):
    code, _, err = run("kpis", "--warehouse", wh, "--from", "2024-05-31", "--to", "2024-05-01")
    assert code == 1 and "starts" in err


def test_human_tables_print_na_and_read_like_the_cards(wh):
    code, out, _ = run("kpis", "--warehouse", wh)
    assert code == 0 and "n/a" in out and "Tickets" in out
    # T1's first response took 30 minutes: the table says so the way a card does
    assert "30 min" in out and "30.0 min" not in out


def test_counts_are_json_integers_everywhere(wh):
    kpis = json.loads(run("kpis", "--json", "--warehouse", wh)[1])
    funnel = json.loads(run("funnel", "--json", "--warehouse", wh)[1])
    effects = json.loads(run("effects", "--json", "--warehouse", wh)[1])
    assert isinstance(kpis["complaints"], int)
    # stages the source does not carry (no survey loaded here) are null, the rest integers
    assert all(isinstance(r["tickets"], int) for r in funnel if r["tickets"] is not None)
    assert all(isinstance(r["n_treated_pre"], int) for r in effects)
    # the text a person reads says 61, not 61.0
    assert "3.0" not in run("funnel", "--warehouse", wh)[1]


def test_by_branch_id_and_branch_id_filters_use_the_spec_names(wh):
    rows = json.loads(run("kpis", "--by", "branch_id", "--json", "--warehouse", wh)[1])
    assert [r["group"] for r in rows] == ["B1"]
    one = json.loads(run("kpis", "--json", "--warehouse", wh, "--branch-id", "B1")[1])
    assert one["tickets"] == 3


def test_kpis_by_two_dimensions_name_a_key_after_each(wh):
    code, out, _ = run("kpis", "--by", "channel,branch", "--json", "--warehouse", wh)
    rows = json.loads(out)
    assert code == 0
    assert all(set(r) == KPI_KEYS | {"channel", "branch"} for r in rows)
    # T1 is app/B1; T2 and T3 are web/B1
    assert {(r["channel"], r["branch"]): r["tickets"] for r in rows} == {
        ("app", "B1"): 1, ("web", "B1"): 2}


def test_kpis_by_weekday_and_hour_are_json_integers(wh):
    rows = json.loads(run("kpis", "--by", "weekday,hour", "--json", "--warehouse", wh)[1])
    # T1 Wed 1 May 10:00, T2 Fri 3 May 10:00, T3 Sat 1 June 09:00
    assert {(r["weekday"], r["hour"]) for r in rows} == {(3, 10), (5, 10), (6, 9)}
    rows = json.loads(run("kpis", "--by", "month", "--json", "--warehouse", wh)[1])
    assert [r["group"] for r in rows] == ["2024-05", "2024-06"]


def test_kpis_by_a_vocabulary_names_its_values_in_the_reader_s_words_and_json_keeps_codes(
        wh, monkeypatch):
    """The table of `kpis --by priority,channel --lang zh-CN` says 紧急/普通 (the sidebar's
    words) with channels as stored; the JSON keeps the stored codes."""
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run("kpis", "--by", "priority,channel", "--warehouse", wh, "--lang", "zh-CN")
    assert code == 0
    # T1 urgent on app; T2, T3 normal on web
    rows = [[c.strip() for c in line.strip("│").split("│")[:2]]
            for line in out.splitlines() if line.startswith("│")]
    assert sorted(rows) == [["普通", "Web"], ["紧急", "App"]]
    assert "urgent" not in out and "normal" not in out
    rows = json.loads(run("kpis", "--by", "priority", "--json", "--warehouse", wh,
                          "--lang", "zh-CN")[1])
    assert {r["group"] for r in rows} == {"urgent", "normal"}


def test_a_bad_breakdown_is_a_usage_error(wh):
    assert run("kpis", "--by", "channel,channel", "--warehouse", wh)[0] == 2
    assert run("kpis", "--by", "colour", "--warehouse", wh)[0] == 2


def test_a_filter_value_matching_nothing_is_said_on_stderr_with_exit_0(wh):
    code, out, err = run("kpis", "--json", "--warehouse", wh, "--branch", "B9")
    assert code == 0 and json.loads(out)["tickets"] == 0
    assert "B9" in err and "branch" in err
    code, out, err = run("kpis", "--json", "--warehouse", wh, "--channel", "app")
    assert err == ""
    # in Chinese the dimension is named in Chinese too (网点 = branch), not as its key
    code, out, err = run("kpis", "--json", "--warehouse", wh, "--branch", "B9", "--lang", "zh-CN")
    assert err.strip() == "没有网点为 'B9' 的工单；该取值没有匹配项。"


def test_an_as_of_with_an_offset_is_read_in_the_warehouse_timezone(wh):
    # 17:00 at +08:00 is 09:00 UTC, the warehouse's timezone by default
    payload = json.loads(run("kpis", "--json", "--warehouse", wh,
                             "--as-of", "2024-06-01T17:00:00+08:00")[1])
    assert payload["as_of"] == "2024-06-01T09:00:00"


# spec/kpis.md: a filter value that matches nothing is said on stderr and the exit stays 0
# (alerts exits 3 when one of its rules fires: that is its own contract, not an error)
@pytest.mark.parametrize("command", [
    ["kpis", "--json"],
    ["funnel", "--json"],
    ["tickets", "--json"],
    ["outliers", "--json"],
    ["weekly", "--json", "--week", "2024-W22"],
    ["alerts", "--json", "--week", "2024-W22"],
])
def test_every_command_with_filters_says_a_value_matching_nothing(wh, command):
    code, out, err = run(*command, "--warehouse", wh, "--branch", "B9")
    assert code in (0, 3), err
    assert "No ticket has branch 'B9'" in err, (command, err)
    # a value that matches (T1 is on app) is not mentioned
    code, out, err = run(*command, "--warehouse", wh, "--channel", "app")
    assert "No ticket has" not in err, (command, err)


def test_the_report_says_a_filter_value_matching_nothing(wh, tmp_path):
    code, out, err = run("report", "--week", "2024-W22", "--warehouse", wh, "--branch", "B9",
                         "--out", str(tmp_path / "r.html"), "--quiet")
    assert code == 0, err
    assert "No ticket has branch 'B9'" in err


@pytest.mark.parametrize("command", ["kpis", "outliers"])
@pytest.mark.parametrize(("bounds", "title"), [
    ((), "all time"),
    (("--from", "2024-05-02"), "from 2 May 2024"),
    (("--to", "2024-05-31"), "until 31 May 2024"),
    (("--from", "2024-05-01", "--to", "2024-05-31"), "1 May 2024 – 31 May 2024"),
])
def test_the_table_title_says_the_period_asked_for(wh, command, bounds, title):
    # one open end is not "all time": --from alone counts T2 and T3 only
    code, out, _ = run(command, *bounds, "--warehouse", wh)
    assert code == 0 and title in " ".join(out.split())


@pytest.mark.parametrize("args", [
    ["weekly", "--decompose", "fcr_pct"],                 # --decompose without --by
    ["weekly", "--by", "region"],                         # --by without --decompose
    ["weekly", "--from", "2024-05-01", "--to", "2024-05-31"],
    ["alerts", "--from", "2024-05-01"],
    ["report", "--week", "2024-W22", "--to", "2024-05-31"],
])
def test_options_that_do_not_go_together_are_bad_usage(wh, args):
    # spec/cli.md: exit 2 for bad usage, with one sentence on stderr
    code, out, err = run(*args, "--warehouse", wh)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, (code, err)
