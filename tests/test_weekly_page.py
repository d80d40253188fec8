"""The Weekly review page through AppTest: it runs, picks the latest complete week, shows
the numbers `cxdash weekly --json` prints, gives an unfinished week no verdicts, and a
decomposition bar shows its group's value of the KPI, then drills to Explore."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import cli
from dashboard.i18n import set_language
from dashboard.settings import get_settings
from dashboard.views.weekly import format_kpi_change, format_kpi_value, short_label
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")
PAGE = "../pages/weekly.py"


def run_page(warehouse: Path, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("CXDASH_WAREHOUSE", str(warehouse))
    get_settings.cache_clear()  # an earlier CLI call may have cached settings without it
    set_language("en")  # AppTest formats select boxes in this thread's language
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cli_json(*args: str):
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return json.loads(out.getvalue())


def test_the_page_shows_the_latest_complete_week_with_the_cli_numbers(demo_warehouse,
                                                                        monkeypatch):
    at = run_page(demo_warehouse, monkeypatch)
    payload = cli_json("weekly", "--json", "--warehouse", str(demo_warehouse))
    assert payload["complete"] is True
    assert at.selectbox(key="weekly_week").value == payload["week"]
    assert at.query_params["w_week"] == [payload["week"]] or \
        at.query_params["w_week"] == payload["week"]
    shown = {m.label: (m.value, m.delta) for m in at.metric}
    for row in payload["rows"]:
        value, delta = shown[short_label(row["kpi"])]
        assert value == format_kpi_value(row["kpi"], row["value"]), row["kpi"]
        assert delta == format_kpi_change(row["kpi"], row["change"]), row["kpi"]


def test_the_scorecard_cards_use_the_short_labels_that_fit_five_to_a_row(demo_warehouse,
                                                                          monkeypatch):
    """At 1,400 px five cards a row leave ~140 px per label: "First-contact resolution"
    was cut to "First-contact resol…"; the cards carry the registry's card labels and
    the help names the measure in full."""
    at = run_page(demo_warehouse, monkeypatch)
    labels = [m.label for m in at.metric]
    assert {"FCR", "SLA met", "First response", "Churn", "CSAT (1-5)"} <= set(labels)
    assert "First-contact resolution" not in labels
    assert all(len(text) <= 18 for text in labels), labels


def test_an_incomplete_week_is_said_to_be_incomplete(demo_warehouse, monkeypatch):
    payload = cli_json("weekly", "--json", "--warehouse", str(demo_warehouse))
    from queries.weekly import IsoWeek

    current = IsoWeek.parse(payload["week"]).shift(1).label  # the week holding as_of
    at = run_page(demo_warehouse, monkeypatch, {"w_week": current})
    assert at.selectbox(key="weekly_week").value == current
    assert any("not complete" in w.value for w in at.warning)


def test_an_incomplete_week_shows_values_so_far_grey_and_without_verdicts(demo_warehouse,
                                                                          monkeypatch):
    """The demo's current week (2026-W47 on Friday 20 Nov) read "Tickets fell from 2,897
    to 1,865 (usual range 2,758 to 2,968): within the noise", Resolved -21.9 pts red and
    "beyond noise", CSAT and NPS "a real change", FCR "thin week: n = 0" / "no data"."""
    from streamlit.proto.Metric_pb2 import Metric

    from queries.weekly import IsoWeek

    payload = cli_json("weekly", "--json", "--warehouse", str(demo_warehouse))
    current = IsoWeek.parse(payload["week"]).shift(1).label
    at = run_page(demo_warehouse, monkeypatch, {"w_week": current})
    cards = {m.label: m for m in at.metric}
    churn = short_label("post_complaint_churn_pct")  # its matured week is over
    assert all(Metric.MetricColor.Name(m.proto.color) == "GRAY"
               for label, m in cards.items() if label != churn)
    assert cards["Tickets"].delta == "" and cards["Complaints"].delta == ""  # not comparable
    captions = "\n".join(c.value for c in at.caption)
    assert "so far: the week is not over, so not compared with whole weeks" in captions
    assert not re.search(r"usual range \d", captions) and "on target" not in captions
    assert "every resolution is younger than the FCR window" in captions
    assert "thin week: n = 0" not in captions and "no data this week" not in captions
    text = "\n".join(m.value for m in at.markdown)
    sentences = [line for line in text.splitlines() if line.startswith("- ")
                 and churn not in line and "Churn" not in line]
    assert sentences and all("so far" in line for line in sentences[:9]), sentences
    assert "beyond noise" not in text.split("Churn")[0] and "a real change" not in text
    assert "The week is not over: values so far, not judged" in text
    assert any("The week is not over" in i.value for i in at.info)  # nothing decomposed


def test_the_change_sentences_list_flagged_changes_first(demo_warehouse, monkeypatch):
    at = run_page(demo_warehouse, monkeypatch)
    payload = cli_json("weekly", "--json", "--warehouse", str(demo_warehouse))
    flagged = [r for r in payload["rows"] if r["flagged"]]
    text = "\n".join(m.value for m in at.markdown)
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    sentences = [b for b in bullets if " from " in b or "stayed" in b]
    # the first len(flagged) sentences are bold (flagged), the next ones are not
    assert all(s.startswith("- **") for s in sentences[:len(flagged)])
    assert not any(s.startswith("- **") for s in sentences[len(flagged):len(payload["rows"])])


def test_a_click_on_a_decomposition_bar_shows_the_kpi_then_opens_its_tickets(
        make_warehouse, monkeypatch):
    # the tiny warehouse of test_weekly: resolved 0 % (W09) -> 100 % (W10) is flagged
    from tests.test_weekly import _weekly_warehouse

    wh = _weekly_warehouse(make_warehouse)
    at = run_page(wh.path, monkeypatch, {"as_of": "2026-03-10 00:00", "w_week": "2026-W10"})
    assert at.selectbox(key="weekly_week").value == "2026-W10"
    groups = cli_json("weekly", "--json", "--warehouse", str(wh.path), "--as-of",
                      "2026-03-10 00:00", "--week", "2026-W10", "--decompose", "resolved_pct",
                      "--by", "channel")
    key = "weekly_decomp_resolved_pct_channel"
    at.segmented_control(key="weekly_by_resolved_pct").set_value("channel").run()
    at.session_state[key] = {"selection": {"points": [{"point_index": 0}], "point_indices": [0],
                                           "box": [], "lasso": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # the click lands on the KPI that was decomposed, for that group, this week and last:
    # email (first by name of two +50 pts groups) had no ticket in W09, 100 % in W10
    assert groups[0]["group"] == "email"
    detail = "\n".join(m.value for m in at.markdown)
    assert "channel Email, Resolved: 100.0% in 2026-W10 (last week n/a)." in detail
    assert "Its share of the cases: 50.0% (last week 0.0%)." in detail
    assert at.query_params.get("x_level") in (None, [])  # still on the weekly page

    at.button(key="weekly_drill_resolved_pct").click().run()
    assert not at.exception, [e.value for e in at.exception]

    def param(name):
        value = at.query_params.get(name)
        return value[0] if isinstance(value, list) and len(value) == 1 else value

    assert param("channel") == groups[0]["group"]
    assert (param("from"), param("to")) == ("2026-03-02", "2026-03-08")  # Mon..Sun of W10
    assert param("x_level") == "tickets" and param("x_week") == "2026-03-02"
    assert param("x_kpi") == "resolved_pct"  # for Explore to show the Resolved card


def test_the_decomposition_by_choice_is_kept_in_the_url_and_read_from_a_link(
        make_warehouse, monkeypatch):
    # the tiny warehouse of test_weekly: resolved 0 % (W09) -> 100 % (W10) is flagged
    from tests.test_weekly import _weekly_warehouse

    wh = _weekly_warehouse(make_warehouse)
    query = {"as_of": "2026-03-10 00:00", "w_week": "2026-W10"}
    at = run_page(wh.path, monkeypatch, query)
    shown = at.segmented_control(key="weekly_by_resolved_pct").value
    assert at.query_params.get("w_by_resolved_pct") in (None, [])   # the default stays out
    other = next(d for d in ("channel", "region", "branch", "category") if d != shown)
    at.segmented_control(key="weekly_by_resolved_pct").set_value(other).run()
    value = at.query_params.get("w_by_resolved_pct")
    assert (value[0] if isinstance(value, list) else value) == other
    # a fresh session with that link shows the same breakdown
    again = run_page(wh.path, monkeypatch, {**query, "w_by_resolved_pct": other})
    assert again.segmented_control(key="weekly_by_resolved_pct").value == other
