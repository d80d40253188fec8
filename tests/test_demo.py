"""The demo: its Chinese operation has the English one's shape; its texts follow the cases."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

import duckdb
import phonenumbers
import polars as pl
import pytest

from dashboard import cli
from dashboard.demo import ZH_CATEGORIES, ZH_REGIONS, generate

CJK = re.compile(r"[\u4e00-\u9fff]")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def cli_json(*args: str):
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def frames() -> dict[str, dict[str, pl.DataFrame]]:
    return {loc: generate(8000, 5, locale=loc) for loc in ("en", "zh-CN")}


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for loc in ("en", "zh-CN"):
        path = tmp_path_factory.mktemp(f"demo-{loc}") / "warehouse.duckdb"
        buf = io.StringIO()
        with redirect_stdout(buf):
            assert cli.main(["demo", "--tickets", "4000", "--seed", "3", "--quiet",
                             "--locale", loc, "--warehouse", str(path)]) == 0
        out[loc] = path
        out[f"{loc}-printed"] = buf.getvalue()
    return out


def test_the_chinese_demo_draws_the_same_numbers_with_chinese_labels(frames):
    en, zh = frames["en"], frames["zh-CN"]
    labels = {"tickets": {"category", "subject", "description"}, "surveys": {"comment"},
              "customers": {"segment"}, "branches": {"branch_name", "region", "latitude",
                                                     "longitude"},
              "fixes": {"title", "category", "region", "owner", "description"}}
    for table, own in labels.items():
        same = [c for c in en[table].columns if c not in own]
        assert en[table].select(same).equals(zh[table].select(same)), table
    # the stored labels are Chinese, one-to-one with the English ones
    assert set(zh["branches"]["region"]) == {"华北", "华东", "华南", "西南", "西北", "东北"}
    assert "北京朝阳支行" in set(zh["branches"]["branch_name"])
    assert zh["branches"]["branch_name"].n_unique() == 60
    assert {"信用卡", "转账汇款", "理财", "贷款", "手机银行", "网点服务"} <= set(zh["tickets"]["category"])
    mapped = en["tickets"]["category"].replace_strict(ZH_CATEGORIES)
    assert mapped.equals(zh["tickets"]["category"])
    assert en["branches"]["region"].replace_strict(ZH_REGIONS).equals(zh["branches"]["region"])
    # channel, type and priority stay the codes of spec/extracts.md
    assert set(zh["tickets"]["channel"]) == {"phone", "app", "web", "email", "social", "chat",
                                             "branch counter"}
    # Chinese branches lie in China (roughly 18-54 N, 73-135 E)
    assert zh["branches"]["latitude"].is_between(18, 54).all()
    assert zh["branches"]["longitude"].is_between(73, 135).all()


def test_both_demos_give_the_same_kpis_per_branch_and_per_channel(warehouses):
    for by in ("branch", "channel"):
        rows = {loc: {r["group"]: r for r in cli_json(
            "kpis", "--by", by, "--json", "--warehouse", str(warehouses[loc]))}
            for loc in ("en", "zh-CN")}
        assert rows["en"].keys() == rows["zh-CN"].keys()
        for group, row in rows["en"].items():
            other = rows["zh-CN"][group]
            for key in ("tickets", "complaints", "fcr_pct", "repeat_complaint_pct", "csat_avg",
                        "nps", "sla_met_pct", "post_complaint_churn_pct"):
                assert row[key] == other[key], (by, group, key)
    # by region: the same numbers under the Chinese names
    en = {r["group"]: r for r in cli_json("kpis", "--by", "region", "--json", "--warehouse",
                                          str(warehouses["en"]))}
    zh = {r["group"]: r for r in cli_json("kpis", "--by", "region", "--json", "--warehouse",
                                          str(warehouses["zh-CN"]))}
    for name, row in en.items():
        assert zh[ZH_REGIONS[name]]["csat_avg"] == row["csat_avg"]
        assert zh[ZH_REGIONS[name]]["tickets"] == row["tickets"]


def test_cxdash_demo_prints_the_number_of_tickets_written(warehouses):
    for loc in ("en", "zh-CN"):
        with duckdb.connect(str(warehouses[loc]), read_only=True) as con:
            n = con.sql("select count(*) from tickets").fetchall()[0][0]
        printed = re.search(r"with ([\d,]+) tickets", warehouses[f"{loc}-printed"]).group(1)
        assert int(printed.replace(",", "")) == n
        assert n != 4000  # repeat chains add tickets to the 4,000 first contacts asked for


def test_about_forty_percent_of_surveys_have_a_comment_in_the_demo_language(frames):
    for loc, frame in frames.items():
        surveys = frame["surveys"]
        share = surveys["comment"].is_not_null().mean()
        assert 0.33 <= share <= 0.45, (loc, share)
        tickets = frame["tickets"]
        assert tickets["subject"].null_count() == 0
        assert tickets["description"].null_count() == 0
        texts = surveys["comment"].drop_nulls().to_list() + tickets["description"].to_list()
        with_cjk = sum(bool(CJK.search(t)) for t in texts)
        if loc == "zh-CN":
            assert with_cjk == len(texts)
        else:
            assert with_cjk == 0


def _scored(frame: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return frame["surveys"].drop_nulls("comment").join(
        frame["tickets"].select("ticket_id", "escalated", "reopen_count", "category"),
        on="ticket_id")


def test_low_scores_say_negative_things_and_high_scores_positive_ones(frames):
    # phrases written for each tone (dashboard/demo_text.py); a low CSAT never praises,
    # a top CSAT never complains
    praise = {"en": r"Quick fix|friendly|Solved within|first call|recommend",
              "zh-CN": r"很快就解决|态度很好|态度好|一次就解决|推荐给朋友"}
    blame = {"en": r"passed around|transferred four times|waited|Waited|came back|disappointed",
             "zh-CN": r"转来转去|推来推去|等了|又出现|非常失望"}
    for loc, frame in frames.items():
        s = _scored(frame)
        low = s.filter(pl.col("csat") <= 2)["comment"]
        top = s.filter(pl.col("csat") == 5)["comment"]
        assert low.len() > 20 and top.len() > 100
        assert not low.str.contains(praise[loc]).any(), loc
        assert not top.str.contains(blame[loc]).any(), loc
        assert low.str.contains(blame[loc]).mean() > 0.3, loc
        assert top.str.contains(praise[loc]).mean() > 0.3, loc


def test_a_low_score_on_an_escalated_case_says_it_was_passed_around(frames):
    passed = {"en": r"passed|transferred|Escalated", "zh-CN": r"转来转去|转了四次|推诿|推来推去|升级处理"}
    repeat = {"en": r"again|Third time|back", "zh-CN": r"又|第三次"}
    for loc, frame in frames.items():
        s = _scored(frame).filter(pl.col("csat") <= 2)
        esc = s.filter(pl.col("escalated") & (pl.col("reopen_count") == 0))["comment"]
        reopened = s.filter(pl.col("reopen_count") > 0)["comment"]
        assert esc.len() > 0 and reopened.len() > 0
        # a repeat outranks being passed around; among not-reopened ones most are first-time
        # complaints, whose low comment names the escalation
        assert esc.str.contains(passed[loc]).mean() > 0.6, loc
        assert reopened.str.contains(repeat[loc]).all(), loc


def test_a_few_texts_carry_made_up_phone_numbers_and_email_addresses(frames):
    for loc, frame in frames.items():
        texts = (frame["surveys"]["comment"].drop_nulls().to_list()
                 + frame["tickets"]["description"].to_list())
        emails = [t for t in texts if EMAIL.search(t)]
        phones = [t for t in texts
                  if any(True for _ in phonenumbers.PhoneNumberMatcher(t, "CN" if loc == "zh-CN" else "GB"))]
        assert 0 < len(emails) < 0.02 * len(texts), loc
        assert 0 < len(phones) < 0.03 * len(texts), loc
        if loc == "zh-CN":  # a Chinese mobile, a landline and an international number
            joined = "\n".join(phones)
            assert "138 1234 5678" in joined or "139-0011-2233" in joined
            assert "010-6552 8899" in joined or "(021) 5888 1234" in joined
            assert "+44 20 7946 0958" in joined or "+1 415 555 0134" in joined


def test_a_repeat_complaint_says_in_its_description_that_it_is_back(frames):
    zh = frames["zh-CN"]["tickets"]
    # the first ticket of every chain is not a repeat; the demo marks repeats only in words,
    # so compare the two languages: where the English says "again"/"second time"/"already
    # reported", the Chinese says 第二次/又/已经反映
    en = frames["en"]["tickets"]
    back_en = en["description"].str.contains(r"second time|already reported|Same problem again")
    back_zh = zh["description"].str.contains(r"第二次反映|之前已经反映过|又出现了")
    assert back_en.sum() > 0
    assert back_en.equals(back_zh)
