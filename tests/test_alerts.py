"""Alert rules (spec/kpis.md "Weekly review" -> Alerts; spec/cli.md `alerts`): the shipped
example, threshold / change / outlier rules over a tiny warehouse, and exit status 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.alerts import EXAMPLE_FILE, AlertRulesError, load_rules
from tests.fixtures import run_cli
from tests.test_weekly import _weekly_warehouse

AS_OF = "2026-03-10 00:00"  # W10 (2-8 March 2026) is complete


def alerts(wh, rules: Path, *extra: str) -> tuple[int, list | str, str]:
    code, text, err = run_cli("alerts", "--warehouse", str(wh.path), "--as-of", AS_OF,
                              "--week", "2026-W10", "--rules", str(rules), *extra)
    return code, (json.loads(text) if "--json" in extra and text else text), err


def rules_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_example_has_the_fcr_threshold_and_the_regional_csat_outlier_rule():
    rules = {r.name: r for r in load_rules(EXAMPLE_FILE)}
    fcr = rules["FCR below 85 %"]
    assert (fcr.kind, fcr.kpi, fcr.op, fcr.value, fcr.by) == ("threshold", "fcr_pct", "<", 85.0,
                                                               None)
    csat = rules["CSAT of any region a significant low outlier"]
    assert (csat.kind, csat.kpi, csat.by) == ("outlier", "csat_avg", "region")


def test_a_threshold_that_is_crossed_fires_and_alerts_exit_3(make_warehouse, tmp_path):
    # W10: 4 of 4 tickets resolved (100 %); 100 < 150 fires, 100 < 50 does not
    wh = _weekly_warehouse(make_warehouse)
    rules = rules_file(tmp_path, """
[[rules]]
name = "resolved below 150"
kind = "threshold"
kpi = "resolved_pct"
op = "<"
value = 150

[[rules]]
name = "resolved below 50"
kind = "threshold"
kpi = "resolved_pct"
op = "<"
value = 50
""")
    code, payload, _ = alerts(wh, rules, "--json")
    assert code == 3
    assert payload == [{"rule": "resolved below 150", "kpi": "resolved_pct", "group": None,
                        "value": 100.0, "threshold": 150.0, "kind": "threshold",
                        "message": payload[0]["message"], "n": 4,
                        "title": "resolved below 150"}]  # no names: the title is the name
    assert "100.0%" in payload[0]["message"]


def test_no_alert_firing_exits_0(make_warehouse, tmp_path):
    wh = _weekly_warehouse(make_warehouse)
    rules = rules_file(tmp_path, """
[[rules]]
name = "resolved below 50"
kind = "threshold"
kpi = "resolved_pct"
op = "<"
value = 50
""")
    code, text, _ = alerts(wh, rules)
    assert code == 0 and "No alert fires for 2026-W10" in text


def test_a_threshold_per_group_fires_for_every_group_that_crosses(make_warehouse, tmp_path):
    # spec: "optionally per group of one dimension" -- every group that crosses fires.
    # W10: phone 2 tickets, email 2 tickets, both 100 % resolved (<= 100): both fire, each
    # labelled a small sample (n = 2 < min_sample 10); a rule's min_n = 3 skips both
    wh = _weekly_warehouse(make_warehouse)
    base = """
[[rules]]
name = "resolved below 150 in a channel"
kind = "threshold"
kpi = "resolved_pct"
op = "<="
value = 100
by = "channel"
"""
    code, payload, _ = alerts(wh, rules_file(tmp_path, base), "--json")
    assert code == 3
    assert sorted(a["group"] for a in payload) == ["email", "phone"]
    assert all(a["n"] == 2 and a["message"].endswith("Small sample.") for a in payload)
    code, payload, _ = alerts(wh, rules_file(tmp_path, base + "min_n = 3\n"), "--json")
    assert code == 0 and payload == []


def test_a_change_rule_fires_for_a_flagged_change_either_way_unless_told_worse(make_warehouse,
                                                                                tmp_path):
    # resolved 0 % -> 100 % is flagged (interval 48.1 .. 151.9, see test_weekly). spec: a
    # change rule fires when the change is flagged -- by default either way; with
    # direction = "worse" a change for the better stays quiet
    wh = _weekly_warehouse(make_warehouse)
    rule = """
[[rules]]
name = "resolved moved"
kind = "change"
kpi = "resolved_pct"
"""
    code, payload, _ = alerts(wh, rules_file(tmp_path, rule), "--json")
    assert code == 3
    assert payload[0]["kind"] == "change" and payload[0]["value"] == pytest.approx(100.0)
    assert payload[0]["ci_low"] == pytest.approx(48.134, abs=1e-2)
    code, payload, _ = alerts(wh, rules_file(tmp_path, rule + 'direction = "worse"\n'),
                              "--json")
    assert code == 0 and payload == []


def test_an_outlier_rule_never_fires_for_groups_with_too_few_surveys(make_warehouse, tmp_path):
    # 4 surveys in W10: below the 30 a group needs to be tested
    wh = _weekly_warehouse(make_warehouse)
    rule = """
[[rules]]
name = "csat outlier"
kind = "outlier"
kpi = "csat_avg"
by = "channel"
"""
    code, payload, err = alerts(wh, rules_file(tmp_path, rule), "--json")
    assert code == 0 and payload == []


def test_a_broken_rules_file_is_refused_with_one_sentence(make_warehouse, tmp_path):
    wh = _weekly_warehouse(make_warehouse)
    code, _, err = alerts(wh, rules_file(tmp_path, '[[rules]]\nname = "x"\nkind = "threshold"\n'
                                                   'kpi = "nope"\n'))
    assert code == 1 and "unknown kpi 'nope'" in err
    with pytest.raises(AlertRulesError, match="does not exist"):
        load_rules(tmp_path / "missing.toml")


def test_a_change_rule_by_group_tests_each_groups_own_change(make_warehouse, tmp_path):
    # phone: 0 of 2 resolved (W09) -> 2 of 2 (W10): v = (3/4)(1/4)/4 × 100² = 468.75 each
    # week; 100 ± 1.96 × √937.5 = 100 ± 60.01 -> 39.99 .. 160.01, flagged.
    # email has no tickets in W09: no change to test.
    wh = _weekly_warehouse(make_warehouse)
    rule = """
[[rules]]
name = "resolved moved in a channel"
kind = "change"
kpi = "resolved_pct"
by = "channel"
direction = "any"
"""
    code, payload, _ = alerts(wh, rules_file(tmp_path, rule), "--json")
    assert code == 3
    assert [a["group"] for a in payload] == ["phone"]
    assert payload[0]["ci_low"] == pytest.approx(39.99, abs=1e-2)
    assert payload[0]["ci_high"] == pytest.approx(160.01, abs=1e-2)


def test_an_outlier_rule_fires_for_a_region_whose_csat_is_significantly_low(make_warehouse,
                                                                             tmp_path):
    # W10: North 30 surveys csat 4,5,4,5.. (mean 4.5); South 30 surveys 1,2,1,2.. (mean 1.5).
    # Welch t of South against North: difference -3 with s² = 0.2586 each side ->
    # t = -3 / √(2 × 0.2586 / 30) = -22.8, p ~ 1e-30; BH over 2 tested groups stays < 0.05.
    # North is above the others, so only South is a low outlier.
    from tests.fixtures import survey, ticket

    tickets, surveys = [], []
    for i in range(60):
        branch = "B1" if i < 30 else "B2"
        csat = (4 + i % 2) if i < 30 else (1 + i % 2)
        tickets.append(ticket(f"T{i}", "2026-03-03 10:00", branch_id=branch,
                              resolved_at="2026-03-03 11:00"))
        surveys.append(survey(f"S{i}", f"T{i}", "2026-03-04 09:00", csat=csat))
    wh = make_warehouse(tickets=tickets, surveys=surveys, branches=[
        {"branch_id": "B1", "branch_name": "North One", "region": "North"},
        {"branch_id": "B2", "branch_name": "South One", "region": "South"}])
    code, payload, err = alerts(wh, EXAMPLE_FILE, "--json")
    outliers = [a for a in payload if a["kind"] == "outlier"]
    assert code == 3, err
    assert [(a["group"], a["value"], a["threshold"]) for a in outliers] == [("South", 1.5, 4.5)]
    assert outliers[0]["rule"] == "CSAT of any region a significant low outlier"


def test_a_rule_can_name_itself_in_chinese_for_the_chinese_page_and_report(make_warehouse,
                                                                           tmp_path):
    """The shipped rules' English names stood in the Chinese page ("FCR below 85 %"): a
    rule may carry names per language; the alert's title follows the current language,
    its `rule` stays the name scripts match on."""
    from dashboard.alerts import evaluate
    from dashboard.i18n import set_language
    from dashboard.warehouse import connect_reader
    from queries.api import Filters
    from queries.weekly import IsoWeek
    from tests.test_weekly import AS_OF as WEEKLY_AS_OF

    shipped = {r.name: r for r in load_rules(EXAMPLE_FILE)}
    assert all(dict(r.names).get("zh-CN") for r in shipped.values())
    wh = _weekly_warehouse(make_warehouse)  # W10: 4 of 4 resolved, 100 % < 150 fires
    rules = load_rules(rules_file(tmp_path, """
[[rules]]
name = "resolved below 150"
names = { "zh-CN" = "解决率低于 150%" }
kind = "threshold"
kpi = "resolved_pct"
op = "<"
value = 150
"""))
    con = connect_reader(wh.path)
    try:
        set_language("zh-CN")
        fired = evaluate(con, Filters(as_of=WEEKLY_AS_OF), IsoWeek.parse("2026-W10"),
                         rules=rules).alerts
        set_language("en")
        english = evaluate(con, Filters(as_of=WEEKLY_AS_OF), IsoWeek.parse("2026-W10"),
                           rules=rules).alerts
    finally:
        set_language("en")
        con.close()
    assert [(a["rule"], a["title"]) for a in fired] == [("resolved below 150", "解决率低于 150%")]
    assert [a["title"] for a in english] == ["resolved below 150"]
    with pytest.raises(AlertRulesError, match="names must map a language"):
        load_rules(rules_file(tmp_path, '[[rules]]\nname = "x"\nnames = "y"\n'
                                        'kind = "threshold"\nkpi = "fcr_pct"\nop = "<"\n'
                                        'value = 1\n'))
