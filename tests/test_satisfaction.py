"""Satisfaction by group and outliers (spec/kpis.md), worked by hand on tiny fixtures."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import polars as pl
import pytest
from scipy import stats

from dashboard.warehouse import connect_reader
from queries.api import Filters
from queries.phrases import distinguishing_phrases, phrases_of, weighted_log_odds
from queries.satisfaction import (
    OUTLIER_KEYS,
    benjamini_hochberg,
    fetch_comment_corpus,
    fetch_low_comments,
    fetch_outliers,
    fetch_satisfaction_groups,
    outliers,
)
from tests.fixtures import survey, ticket


def comment_survey(survey_id: str, ticket_id: str, responded_at: str, csat: int | None,
                   nps: int | None, comment: str | None) -> dict:
    return survey(survey_id, ticket_id, responded_at, csat, nps) | {"comment": comment}


@pytest.fixture
def small_wh(make_warehouse):
    """B1: csat 1, 2, 3 (nps 10, 9, 3); B2: csat 4, 5, 5, 5; B3: a ticket without survey;
    T8 (B2) has two surveys, the latest without a csat: it adds nothing to csat."""
    tickets = [
        ticket("T1", "2024-05-01 10:00", branch_id="B1"),
        ticket("T2", "2024-05-02 10:00", branch_id="B1"),
        ticket("T3", "2024-05-03 10:00", branch_id="B1"),
        ticket("T4", "2024-05-01 10:00", branch_id="B2"),
        ticket("T5", "2024-05-02 10:00", branch_id="B2"),
        ticket("T6", "2024-05-03 10:00", branch_id="B2"),
        ticket("T7", "2024-05-04 10:00", branch_id="B2"),
        ticket("T8", "2024-05-05 10:00", branch_id="B2"),
        ticket("T9", "2024-05-05 10:00", branch_id="B3"),
    ]
    surveys = [
        comment_survey("S1", "T1", "2024-05-02 10:00", 1, 10, "Waited two hours, nobody called"),
        comment_survey("S2", "T2", "2024-05-03 10:00", 2, 9, "等了两个小时还没人处理"),
        comment_survey("S3", "T3", "2024-05-04 10:00", 3, 3, "ok"),
        comment_survey("S4", "T4", "2024-05-02 10:00", 4, None, "friendly agent"),
        comment_survey("S5", "T5", "2024-05-03 10:00", 5, None, None),
        comment_survey("S6", "T6", "2024-05-04 10:00", 5, None, "   "),
        comment_survey("S7", "T7", "2024-05-05 10:00", 5, None, "quick fix"),
        comment_survey("S8a", "T8", "2024-05-06 10:00", 1, None, "older, not used"),
        comment_survey("S8b", "T8", "2024-05-07 10:00", None, 0, "called twice, no answer"),
    ]
    return make_warehouse(tickets=tickets, surveys=surveys)


def _groups(wh, by="branch") -> dict:
    con = connect_reader(wh.path)
    try:
        frame = fetch_satisfaction_groups(con, Filters(), by)
    finally:
        con.close()
    return {r["group"]: r for r in frame.iter_rows(named=True)}


def test_group_means_variances_and_others_use_the_latest_survey_per_ticket(small_wh):
    g = _groups(small_wh)
    # B1: 1, 2, 3 -> mean 2, variance ((1)^2 + 0 + 1^2) / 2 = 1
    assert g["B1"]["n"] == 3
    assert g["B1"]["csat_avg"] == pytest.approx(2.0)
    assert g["B1"]["csat_var"] == pytest.approx(1.0)
    # B2: 4, 5, 5, 5 (T8's latest survey has no csat, its earlier 1 is never used)
    # mean 19/4 = 4.75, variance (0.5625 + 3 x 0.0625) / 3 = 0.25
    assert g["B2"]["n"] == 4
    assert g["B2"]["csat_avg"] == pytest.approx(4.75)
    assert g["B2"]["csat_var"] == pytest.approx(0.25)
    # B1's others are B2's surveys and the reverse
    assert g["B1"]["others_n"] == 4 and g["B1"]["others_avg"] == pytest.approx(4.75)
    assert g["B1"]["others_var"] == pytest.approx(0.25)
    assert g["B2"]["others_avg"] == pytest.approx(2.0)
    # B3 has tickets but no survey: listed, n 0, no mean, no limits
    assert g["B3"]["n"] == 0
    assert g["B3"]["csat_avg"] is None and g["B3"]["limit95_low"] is None


def test_funnel_plot_limits_are_the_overall_mean_plus_minus_z_sd_over_root_n(small_wh):
    g = _groups(small_wh)
    # all latest csat: 1, 2, 3, 4, 5, 5, 5 -> n 7, sum 25, m = 25/7 = 3.571429
    # sum of squares 105 -> s^2 = (105 - 625/7) / 6 = 2.619048, s = 1.618347
    assert g["B1"]["overall_avg"] == pytest.approx(3.571429, abs=1e-6)
    assert g["B1"]["overall_sd"] == pytest.approx(1.618347, abs=1e-6)
    # B1, n 3: s / sqrt(3) = 0.934353; 1.96 x that = 1.831332; 3.09 x that = 2.887151
    assert g["B1"]["limit95_low"] == pytest.approx(3.571429 - 1.831332, abs=1e-5)
    assert g["B1"]["limit95_high"] == pytest.approx(3.571429 + 1.831332, abs=1e-5)
    assert g["B1"]["limit998_low"] == pytest.approx(3.571429 - 2.887151, abs=1e-5)
    assert g["B1"]["limit998_high"] == pytest.approx(3.571429 + 2.887151, abs=1e-5)
    # B2, n 4: s / 2 = 0.809174; x 1.96 = 1.585981
    assert g["B2"]["limit95_low"] == pytest.approx(3.571429 - 1.585981, abs=1e-5)


def test_nps_margin_of_error_uses_promoter_and_detractor_shares(small_wh):
    g = _groups(small_wh)
    # B1 nps answers 10, 9, 3: p = 2/3, d = 1/3, NPS = 33.3
    # moe = 1.96 x 100 x sqrt((2/3 + 1/3 - (1/3)^2) / 3) = 196 x sqrt(0.296296) = 106.688
    assert g["B1"]["nps"] == pytest.approx(100 / 3)
    assert g["B1"]["nps_moe"] == pytest.approx(106.688, abs=1e-3)
    # B2: only T8's latest answers NPS (0): n 1 -> NPS -100, margin null (n < 2)
    assert g["B2"]["nps_n"] == 1 and g["B2"]["nps"] == pytest.approx(-100.0)
    assert g["B2"]["nps_moe"] is None


def _summary(rows: list[tuple]) -> pl.DataFrame:
    """Group summaries as fetch_satisfaction_groups gives them (only what the test reads)."""
    cols = ["group", "n", "csat_avg", "csat_var", "others_n", "others_avg", "others_var"]
    frame = pl.DataFrame(rows, schema=cols, orient="row")
    extra = ["limit95_low", "limit95_high", "limit998_low", "limit998_high", "nps", "nps_moe"]
    return frame.with_columns(*[pl.lit(None, pl.Float64).alias(c) for c in extra],
                              pl.lit(0).alias("nps_n"))


def test_welch_and_benjamini_hochberg_decide_the_low_outliers():
    frame = _summary([
        # A: clearly low. t = (3.0 - 3.8) / sqrt(1/40 + 1/400) = -0.8 / 0.165831 = -4.8242
        ("A", 40, 3.0, 1.0, 400, 3.8, 1.0),
        # B: t = (3.48 - 3.85) / sqrt(1/36 + 1/400) = -0.37 / 0.174005 = -2.12638
        #    df = 0.0302778^2 / ((1/36)^2 / 35 + (1/400)^2 / 399) = 41.5541 -> p = 0.0394:
        #    below 0.05 before BH; BH (m = 3): 0.0394 x 3 / 2 = 0.0591 -> not an outlier
        ("B", 36, 3.48, 1.0, 400, 3.85, 1.0),
        # C: no difference: t = 0, p = 1
        ("C", 50, 3.8, 1.0, 400, 3.8, 1.0),
        # D: 5 surveys, all 1: terrible but too small -> not tested
        ("D", 5, 1.0, 0.0, 400, 3.8, 1.0),
        # E: zero variance on both sides -> not tested
        ("E", 30, 4.0, 0.0, 30, 5.0, 0.0),
        # F: no survey at all
        ("F", 0, None, None, 400, 3.8, 1.0),
    ])
    rows = {r["group"]: r for r in outliers(frame, min_surveys=30)}
    assert rows["A"]["t"] == pytest.approx(-4.8242, abs=1e-4)
    assert rows["B"]["t"] == pytest.approx(-2.12638, abs=1e-4)
    assert rows["B"]["df"] == pytest.approx(41.5541, abs=1e-3)
    # p from the t distribution (a table lookup, not the code under test)
    p_b = 2 * stats.t.sf(2.12638, 41.5541)
    assert p_b == pytest.approx(0.0394, abs=5e-4)
    assert rows["B"]["p"] == pytest.approx(p_b, rel=1e-4)
    assert rows["B"]["p"] < 0.05
    assert rows["B"]["p_adj"] == pytest.approx(p_b * 3 / 2, rel=1e-4)
    assert rows["B"]["low_outlier"] is False
    assert rows["A"]["low_outlier"] is True
    assert rows["A"]["p_adj"] == pytest.approx(rows["A"]["p"] * 3, rel=1e-6)
    assert rows["C"]["p_adj"] == pytest.approx(1.0)
    for untested in ("D", "E", "F"):
        assert rows[untested]["tested"] is False
        assert rows[untested]["t"] is None and rows[untested]["p_adj"] is None
        assert rows[untested]["low_outlier"] is False
    # lowest csat_avg first; the group without surveys last
    assert [r["group"] for r in outliers(frame, 30)] == ["D", "A", "B", "C", "E", "F"]


def test_benjamini_hochberg_is_step_up_monotone_and_capped():
    # sorted 0.01, 0.02, 0.03, 0.04, 0.5 with m = 5: raw x m / rank = 0.05, 0.05, 0.05,
    # 0.05, 0.5; the minimum over later ranks keeps it monotone
    assert benjamini_hochberg([0.04, 0.5, 0.01, 0.03, 0.02]) == pytest.approx(
        [0.05, 0.5, 0.05, 0.05, 0.05])
    # 0.9 x 2 / 1 = 1.8 is capped: min over later ranks -> 0.95
    assert benjamini_hochberg([0.9, 0.95]) == pytest.approx([0.95, 0.95])


def test_the_outlier_test_equals_scipy_ttest_ind_on_the_raw_values(make_warehouse):
    # 3 branches; B1 low. The query layer tests from SQL aggregates: it must give what
    # scipy.stats.ttest_ind(a, b, equal_var=False) gives on the surveys themselves.
    values = {"B1": [1, 2, 2, 3, 1, 2, 3, 4] * 4, "B2": [4, 5, 3, 4, 5, 4] * 6,
              "B3": [3, 4, 5, 5, 4] * 7}
    tickets, surveys = [], []
    for branch, csats in values.items():
        for i, c in enumerate(csats):
            tid = f"{branch}-{i}"
            tickets.append(ticket(tid, "2024-05-01 10:00", branch_id=branch))
            surveys.append(survey(f"S{tid}", tid, "2024-05-02 10:00", c, None))
    wh = make_warehouse(tickets=tickets, surveys=surveys)
    con = connect_reader(wh.path)
    try:
        rows = {r["group"]: r for r in fetch_outliers(con, Filters(), "branch")}
    finally:
        con.close()
    for branch, csats in values.items():
        others = [c for b, cs in values.items() if b != branch for c in cs]
        ref = stats.ttest_ind(np.array(csats), np.array(others), equal_var=False)
        assert rows[branch]["t"] == pytest.approx(ref.statistic, rel=1e-9)
        assert rows[branch]["p"] == pytest.approx(ref.pvalue, rel=1e-9)
        assert rows[branch]["df"] == pytest.approx(ref.df, rel=1e-9)
    assert rows["B1"]["low_outlier"] is True
    assert set(rows["B1"]) == set(OUTLIER_KEYS)


def test_low_comments_are_the_latest_low_surveys_newest_first_and_paged(small_wh):
    con = connect_reader(small_wh.path)
    try:
        page = fetch_low_comments(con, Filters(), limit=2, offset=0)
        second = fetch_low_comments(con, Filters(), limit=2, offset=2)
        calls = fetch_low_comments(con, Filters(), phrase="CALLED")
    finally:
        con.close()
    # low (csat <= 2 or nps <= 6) with a comment: S8b (nps 0, 05-07), S3 (nps 3, 05-04),
    # S2 (csat 2, 05-03), S1 (csat 1, 05-02); S8a is not T8's latest survey
    assert page.total == 4
    assert page.rows["survey_id"].to_list() == ["S8b", "S3"]
    assert second.rows["survey_id"].to_list() == ["S2", "S1"]
    # case-insensitive phrase: S8b "called twice", S1 "nobody called"
    assert calls.rows["survey_id"].to_list() == ["S8b", "S1"] and calls.total == 2


def test_the_corpus_classes_each_latest_comment_as_low_high_or_mid(small_wh):
    con = connect_reader(small_wh.path)
    try:
        corpus = fetch_comment_corpus(con, Filters())
    finally:
        con.close()
    classes = dict(zip(corpus["survey_id"], corpus["score_class"], strict=True))
    # blank and missing comments (S5, S6) left out; S8a is not a latest survey
    assert classes == {"S1": "low", "S2": "low", "S3": "low", "S4": "high", "S7": "high",
                       "S8b": "low"}


def test_phrases_are_words_and_adjacent_pairs_that_never_bridge_punctuation():
    assert phrases_of("Friendly agent, quick fix!")[1] == {
        "friendly", "agent", "quick", "fix", "friendly agent", "quick fix"}
    lang, found = phrases_of("等了两个小时还没人处理")
    # jieba: 等 / 了 / 两个 / 小时 / 还 / 没人 / 处理; 了 and 还 are function words
    assert lang == "zh"
    assert {"等", "两个小时", "没人处理", "小时"} <= found
    assert "等了" not in found and "小时还" not in found


def test_weighted_log_odds_match_monroe_et_al_by_hand():
    # low: wait x3 of 4 phrase counts, fix x1; high: fix x3 of 4, wait x1
    low, high = Counter({"wait": 3, "fix": 1}), Counter({"wait": 1, "fix": 3})
    prior = Counter({"wait": 4, "fix": 4})  # pooled counts, alpha_0 = 8
    scores = weighted_log_odds(low, high, prior)
    # wait: log((3+4)/(4+8-3-4)) - log((1+4)/(4+8-1-4)) = log(7/5) - log(5/7) = 0.672944
    # var = 1/7 + 1/5 = 0.342857 -> z = 0.672944 / 0.585540 = 1.14927
    assert scores["wait"][0] == pytest.approx(math.log(7 / 5) - math.log(5 / 7))
    assert scores["wait"][1] == pytest.approx(1.14927, abs=5e-6)
    assert scores["fix"][1] == pytest.approx(-1.14927, abs=5e-6)


def test_distinguishing_phrases_in_english_and_chinese_count_comments_per_side():
    corpus = [
        ("low", "Waited on hold for an hour"), ("low", "waited again, on hold"),
        ("low", "等了很久，没人处理"), ("low", "又等了两个小时，没人处理"),
        ("high", "friendly agent, quick fix"), ("high", "quick fix, thanks"),
        ("high", "客服态度很好"), ("high", "客服态度好，解决很快"),
        ("mid", "ok"),
    ]
    frame = distinguishing_phrases(corpus, min_comments=2, top=20)
    rows = {r["phrase"]: r for r in frame.iter_rows(named=True)}
    # distinct phrases per comment (words + pairs): low 3 + 2 + 7 + 9 = 21, high 6 + 4 + 4 + 8
    # = 22, mid 1 -> alpha_0 = 44. "hold": in 2 low comments, 0 high, prior 2:
    # delta = log(4 / (21 + 44 - 2 - 2)) - log(2 / (22 + 44 - 0 - 2)) = log(4/61) - log(2/64)
    #       = -2.724580 + 3.465736 = 0.741156; z = 0.741156 / sqrt(1/4 + 1/2) = 0.855814
    assert rows["hold"]["low_comments"] == 2 and rows["hold"]["high_comments"] == 0
    assert rows["hold"]["log_odds"] == pytest.approx(0.741156, abs=1e-6)
    assert rows["hold"]["z"] == pytest.approx(0.855814, abs=1e-6)
    # Chinese through jieba: 处理 (handled) in both low comments, 客服态度 (the agent's
    # attitude, a pair) in both high ones; same counts, so the same scores by symmetry
    assert rows["处理"]["lang"] == "zh" and rows["处理"]["z"] == pytest.approx(0.855814, abs=1e-6)
    assert rows["客服态度"]["side"] == "high" and rows["客服态度"]["high_comments"] == 2
    # high side: log(2/(21+44-0-2)) - log(4/(22+44-2-2)) = log(2/63) - log(4/62) = -0.709148
    assert rows["quick fix"]["log_odds"] == pytest.approx(-0.709148, abs=1e-6)
    # low side first, strongest first; "ok" (mid only) is in no side's list
    assert frame["side"].to_list()[0] == "low" and "ok" not in rows


def test_funnel_plot_labels_of_nearby_points_take_different_places():
    from dashboard.charts_satisfaction import label_positions

    # x over 100..200 and y over 2.5..4.5 fill 1,000 x 380 px: 10 px per survey, 190 px per
    # CSAT point. B17 (150, 3.60) sits at (500, 171) px and B52 (152, 3.61) at (520, 169).
    # B17 (lower, placed first): its right-hand box (506..531 px) would cover B52's marker
    # (514..526), so it goes left (469..494); B52 then takes the right (526..551), free. The
    # far points keep the right, and an unnamed point keeps the default.
    xs, ys = [100, 150, 152, 200, 120], [4.5, 3.60, 3.61, 2.5, 4.0]
    labels = ["B01", "B17", "B52", "B42", ""]
    places, shown = label_positions(xs, ys, labels, plot_px=(1000.0, 380.0))
    assert places[1] == "middle left" and places[2] == "middle right"
    assert places[0] == "middle right" and places[3] == "middle right"
    assert shown == labels
    assert label_positions([], [], []) == ([], [])


def test_funnel_plot_leaves_out_a_label_with_no_free_place(monkeypatch):
    from dashboard.charts_satisfaction import label_positions

    # one data unit = one pixel (x 0..1000, y 0..380 on a 1,000 x 380 plot). "B1" at
    # (500, 190) has a box 18 x 14 px; each of its eight places (6 px from the centre)
    # holds another point (+-15 px across, +-13 px up/down, and the corners), whose
    # 12 px marker covers that box. Unnamed points: B1 is written over one (right).
    around = [(15, 0), (-15, 0), (0, 13), (0, -13), (15, 13), (15, -13), (-15, 13), (-15, -13)]
    xs = [500.0] + [500.0 + dx for dx, _ in around] + [0.0, 1000.0]
    ys = [190.0] + [190.0 + dy for _, dy in around] + [0.0, 380.0]
    places, shown = label_positions(xs, ys, ["B1"] + [""] * 8 + ["", "B9"],
                                    plot_px=(1000.0, 380.0))
    assert shown[0] == "B1" and places[0] == "middle right" and shown[-1] == "B9"
    # a name is never written over a name: two named points on one spot, and one place to
    # try (right), leave the upper one out
    from dashboard import charts_satisfaction

    monkeypatch.setattr(charts_satisfaction, "_PLACES", ("middle right",))
    places, shown = label_positions([500.0, 500.0, 0.0, 1000.0], [190.0, 190.5, 0.0, 380.0],
                                    ["LOW", "UP", "", ""], plot_px=(1000.0, 380.0))
    assert shown[:2] == ["LOW", ""]
