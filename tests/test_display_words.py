"""What a Chinese reader sees around the numbers: KPI help texts in Chinese with the windows
of the settings, the product's own words (type, priority, status, SLA state) translated
wherever they are shown while data values stay as stored, durations in 分钟/小时/天, and
data values set apart inside Chinese sentences."""

from __future__ import annotations

import re

import pytest

from dashboard.format import option_formatter, option_label, ordered_options
from dashboard.i18n import (
    VOCABULARIES,
    format_duration_minutes,
    format_values,
    named_value,
    quote_value,
    set_language,
    value_label,
)
from dashboard.settings import get_settings
from queries.registry import CARD_KEYS, MEASURES

# Abbreviations the glossary keeps in Latin letters inside Chinese text ("首次解决率 (FCR)").
GLOSSARY_LATIN = {"FCR", "CSAT", "NPS", "SLA", "CES", "KPI"}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    set_language("en")


def english_words(text: str) -> list[str]:
    """Latin words of three letters or more that are not glossary abbreviations: what is
    left of an English sentence in a text meant to be Chinese."""
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in GLOSSARY_LATIN]


def test_the_english_check_finds_a_sentence_and_spares_the_glossary_abbreviations():
    assert english_words("首次解决率 (FCR)：Resolved without reopen") == ["Resolved", "without",
                                                                      "reopen"]
    assert english_words("客户满意度 (CSAT) 平均值；服务水平 (SLA)，n = 12") == []


@pytest.fixture
def windows(monkeypatch):
    """Windows unlike the defaults (7 / 30 / 90), so a number can only come from them."""
    monkeypatch.setenv("CXDASH_FCR_WINDOW_DAYS", "14")
    monkeypatch.setenv("CXDASH_REPEAT_WINDOW_DAYS", "45")
    monkeypatch.setenv("CXDASH_CHURN_WINDOW_DAYS", "120")
    get_settings.cache_clear()
    return get_settings()


def test_every_kpi_help_text_reads_in_chinese_with_the_windows_of_the_settings(windows):
    set_language("zh-CN")
    helps = {key: m.help_text(windows) for key, m in MEASURES.items()}
    left = {key: english_words(text) for key, text in helps.items() if english_words(text)}
    assert not left, f"English left in the Chinese help texts: {left}"
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in helps.values())
    assert "14 天" in helps["fcr_pct"] and "7 天" not in helps["fcr_pct"]
    assert "45 天" in helps["repeat_complaint_pct"]
    assert "120 天" in helps["post_complaint_churn_pct"]
    set_language("en")
    assert "within 14 days" in MEASURES["fcr_pct"].help_text(windows)


def test_the_help_behind_the_overview_and_weekly_question_marks_is_chinese(windows):
    """The "?" of each Overview card (name: help) and of each Weekly scorecard card."""
    from dashboard.views import weekly
    from dashboard.views.cards import build_card

    set_language("zh-CN")
    shown = {f"overview {key}": build_card(key, {"tickets": 100, key: 50.0}, None, windows).help
             for key in CARD_KEYS}
    shown |= {f"weekly {key}": weekly.card({"kpi": key, "value": 50.0}, windows.min_sample).help
              for key in CARD_KEYS}
    left = {where: english_words(text) for where, text in shown.items() if english_words(text)}
    assert not left, f"English left behind the question marks: {left}"
    assert "14 天" in shown["overview fcr_pct"] and "14 天" in shown["weekly fcr_pct"]


# --- the product's words and the data's ------------------------------------------------

def test_type_priority_status_and_sla_state_are_words_of_the_reader_s_language():
    set_language("zh-CN")
    assert [value_label("priority", p) for p in ("urgent", "high", "normal", "low")] == \
        ["紧急", "高", "普通", "低"]  # as the Funnel's SLA heatmap says them
    assert [value_label("type", t) for t in ("complaint", "inquiry", "suggestion", "praise")] == \
        ["投诉", "咨询", "建议", "表扬"]
    assert value_label("status", "in_progress") == "处理中"
    assert value_label("sla_state", "breached") == "超时"
    assert value_label("type", None) == "未知"
    set_language("en")
    assert value_label("priority", "urgent") == "Urgent"
    assert value_label("type", "complaint") == "Complaint"


def test_data_values_are_shown_as_stored_in_either_language():
    for lang in ("zh-CN", "en"):
        set_language(lang)
        # channels are stored lower-cased and shown capitalised (extracts.md)
        assert value_label("channel", "app") == "App"
        assert value_label("channel", "branch counter") == "Branch counter"
        assert value_label("channel", "电话") == "电话"
        assert value_label("category", "信用卡") == "信用卡"
        assert value_label("segment", "retail") == "retail"  # customers' own segments: data
        assert value_label("region", "urgent") == "urgent"  # a vocabulary word, but not its column


def test_the_vocabularies_are_exactly_the_codes_the_loader_accepts():
    from dashboard.load.kinds import KINDS

    allowed = {c.name: set(c.allowed) for c in KINDS["tickets"].columns if c.allowed}
    for dimension in ("type", "priority", "status"):
        assert set(VOCABULARIES[dimension]) == allowed[dimension], dimension


def test_sidebar_options_use_the_same_words_and_name_branches():
    set_language("zh-CN")
    assert option_label("priority", "urgent") == "紧急"
    assert option_label("type", "praise") == "表扬"
    assert option_label("channel", "app") == "App"
    names = {"B03": "East Hillside"}
    assert option_label("branch", "B03", names) == "B03 · East Hillside"
    assert option_label("branch", "B99", names) == "B99"
    assert [option_formatter("priority")(p) for p in ("high", "low")] == ["高", "低"]
    set_language("en")
    assert option_formatter("type")("complaint") == "Complaint"


def test_vocabulary_options_come_in_their_own_order_and_data_options_as_given():
    assert ordered_options("priority", ["high", "low", "normal", "urgent"]) == \
        ["urgent", "high", "normal", "low"]
    assert ordered_options("type", ["praise", "complaint", "other"]) == \
        ["complaint", "praise", "other"]  # a code the product does not know: last
    assert ordered_options("channel", ["web", "app"]) == ["web", "app"]


def test_a_list_of_values_uses_the_chinese_enumeration_comma():
    set_language("zh-CN")
    assert format_values("priority", ["urgent", "high"]) == "紧急、高"
    assert format_values("channel", ["app", "web"]) == "App、Web"
    set_language("en")
    assert format_values("channel", ["app", "web"]) == "App, Web"


# --- durations --------------------------------------------------------------------------

def test_durations_read_in_minutes_hours_and_days_never_as_a_score():
    set_language("zh-CN")
    assert format_duration_minutes(30) == "30 分钟"          # "30 分" reads as 30 points
    assert format_duration_minutes(200) == "3 小时 20 分钟"   # 200 min = 3 h 20 min
    assert format_duration_minutes(3120) == "2 天 4 小时"     # 3120 min = 2 d 4 h
    assert format_duration_minutes(-45) == "-45 分钟"
    set_language("en")
    assert format_duration_minutes(200) == "3 h 20 min"


# --- data values inside sentences ----------------------------------------------------

def test_a_data_value_inside_a_chinese_sentence_is_set_apart():
    set_language("zh-CN")
    # the Weekly review's "{second}的{first}" used to read "区域 Coast的渠道 app"
    text = "{second}的{first}".format(second=named_value("区域", "Coast"),
                                     first=named_value("渠道", "app"))
    assert text == "区域「Coast」的渠道「app」"
    assert quote_value("北京朝阳支行") == "「北京朝阳支行」"
    set_language("en")
    assert named_value("region", "Coast") == "region Coast"
    assert quote_value("app") == "app"


def test_a_group_inside_a_weekly_sentence_is_named_in_the_readers_words():
    from dashboard.views.weekly import group_text

    set_language("zh-CN")
    # a vocabulary word is translated and set apart; a data value keeps its spelling
    assert group_text("type", "complaint") == "类型「投诉」"
    assert group_text("region", "Coast") == "区域「Coast」"
    assert group_text("type", "complaint", named=False) == "投诉"
    set_language("en")
    assert group_text("type", "complaint") == "type Complaint"
    assert group_text("region", "Coast") == "region Coast"


def test_a_load_summary_lists_what_the_extract_lacks_the_chinese_way(tmp_path):
    from dashboard.load.run import load_file

    f = tmp_path / "t.csv"
    f.write_text("ticket_id,channel,branch_id,category,created_at\n"
                 "T1,web,B1,billing,2024-05-01 10:00:00\n", encoding="utf-8")
    set_language("zh-CN")
    try:
        message = load_file(tmp_path / "w.duckdb", f).message
    finally:
        set_language("en")
    # the missing columns joined with the enumeration comma, never ", "
    assert "客户编号、分派时间、首次响应时间" in message and ", " not in message
