"""`cxdash report`: a self-contained HTML file and a PDF whose numbers are those of
`cxdash weekly --json` (spec/cli.md `report`)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import unicodedata
from contextlib import redirect_stderr
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from dashboard import cli
from dashboard.i18n import set_language
from dashboard.views.weekly import format_kpi_value
from tests.conftest import ARTIFACTS
from tests.fixtures import run_cli as run


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    set_language("en")  # `--lang zh-CN` sets the language of this thread


@pytest.fixture(scope="module")
def weekly_json(demo_warehouse) -> dict:
    code, out, err = run("weekly", "--json", "--warehouse", str(demo_warehouse))
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def pdfs(demo_warehouse, weekly_json, tmp_path_factory) -> dict[str, Path]:
    """The week's PDF in each language, printed once for the tests that read them."""
    folder = tmp_path_factory.mktemp("pdf")
    out = {}
    for lang in ("en", "zh-CN"):
        out[lang] = folder / f"review-{lang}.pdf"
        code, _stdout, err = run("--lang", lang, "report", "--week", weekly_json["week"],
                                 "--out", str(out[lang]), "--warehouse", str(demo_warehouse),
                                 "--quiet")
        assert code == 0, err
    set_language("en")
    return out


def _page_texts(pdf: Path) -> list[str]:
    # NFKC: the CJK font maps some characters to their Kangxi-radical look-alikes
    return [unicodedata.normalize("NFKC", page.extract_text() or "")
            for page in PdfReader(pdf).pages]


def _values(payload: dict) -> list[str]:
    set_language("en")
    return [format_kpi_value(r["kpi"], r["value"]) for r in payload["rows"]]


def test_the_html_report_is_self_contained_and_shows_the_weekly_numbers(demo_warehouse,
                                                                          weekly_json, tmp_path):
    out = tmp_path / "review.html"
    code, stdout, err = run("report", "--week", weekly_json["week"], "--out", str(out),
                            "--warehouse", str(demo_warehouse), "--quiet")
    assert code == 0, err
    assert stdout.strip() == f"Weekly review for {weekly_json['week']} written to {out}."
    html = out.read_text(encoding="utf-8")
    # opens offline: no script or stylesheet is fetched from anywhere
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=\"?https?:", html)
    assert 'src="http' not in html  # (plotly.js names a topojson CDN only for maps)
    assert "Plotly.newPlot" in html and html.count("Plotly.newPlot") >= 1  # charts embedded
    # the week, as_of and freshness are stated
    assert weekly_json["week"] in html
    assert "Data as of" in html and "Freshness" in html and "Filters" in html
    # every scorecard value of `cxdash weekly --json` is on the page
    for value in _values(weekly_json):
        assert f"<strong>{value}</strong>" in html, value


def test_the_pdf_report_carries_the_same_numbers_as_the_cli(weekly_json, pdfs):
    out = pdfs["en"]
    assert out.read_bytes()[:5] == b"%PDF-"
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    flat = re.sub(r"\s+", " ", text)
    assert weekly_json["week"] in flat
    assert "Scorecard" in flat and "Is the change real?" in flat
    for value in _values(weekly_json):
        assert value in flat, value
    artifacts = ARTIFACTS / "weekly"
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(out, artifacts / "report.pdf")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(out),
                        str(artifacts / "report-page")], check=True)


def test_the_report_in_chinese_says_the_week_the_chinese_way(demo_warehouse, weekly_json,
                                                              tmp_path):
    out = tmp_path / "review-zh.html"
    code, stdout, err = run("--lang", "zh-CN", "report", "--week", weekly_json["week"], "--out",
                            str(out), "--warehouse", str(demo_warehouse), "--quiet")
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    year, week = weekly_json["week"].split("-W")
    assert f"{year}年第{int(week)}周" in html
    assert 'lang="zh-CN"' in html
    assert "周报" in html or "每周" in html
    # labels end with the full-width colon in Chinese ("数据截至:" read as a typo)
    assert "数据截至：</strong>" in html and "数据截至:</strong>" not in html


def test_a_report_of_a_week_that_is_not_an_iso_week_is_a_usage_error(demo_warehouse, tmp_path):
    with pytest.raises(SystemExit) as exit_info, redirect_stderr(io.StringIO()):
        cli.main(["report", "--week", "2026-13", "--out", str(tmp_path / "x.html"),
                  "--warehouse", str(demo_warehouse)])
    assert exit_info.value.code == 2


def test_the_chinese_pdf_carries_chinese_text_not_tofu(weekly_json, pdfs):
    text = _page_texts(pdfs["zh-CN"])[0]
    year, week = weekly_json["week"].split("-W")
    assert "周报" in text and "指标记分卡" in text
    assert f"{year}年第{int(week)}周" in text


def test_the_report_with_json_says_what_it_wrote_as_json(demo_warehouse, weekly_json, tmp_path):
    out = tmp_path / "review.html"
    code, stdout, err = run("--lang", "zh-CN", "report", "--week", weekly_json["week"], "--out",
                            str(out), "--warehouse", str(demo_warehouse), "--quiet", "--json")
    assert code == 0, err
    assert json.loads(stdout) == {"week": weekly_json["week"], "file": str(out),
                                  "format": "html", "lang": "zh-CN"}
    assert out.stat().st_size > 0


FOOTER = re.compile(r"CX Recovery Dashboard[^\n]*?\d{1,2}:\d{2}")
PAGE_NUMBER = re.compile(r"Page \d+ of \d+|第 \d+ \S,共 \d+ \S")  # NFKC: "，" -> ","


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_printed_page_carries_the_running_footer_and_more_than_it(pdfs, lang):
    """The footer runs in the page margin of every page; no page holds only the footer (an
    in-flow footer that did not fit used to print a last page of its own)."""
    pages = _page_texts(pdfs[lang])
    assert len(pages) >= 2  # the scorecard and the readings do not fit on one page
    for number, text in enumerate(pages, start=1):
        assert FOOTER.search(text), f"page {number} has no footer: {text[:200]!r}"
        numbers = [int(n) for n in re.findall(r"\d+", PAGE_NUMBER.search(text).group(0))]
        assert numbers == [number, len(pages)]
        body = PAGE_NUMBER.sub("", FOOTER.sub("", text))
        assert re.search(r"\w{2,}", body), f"page {number} of {len(pages)} holds only the footer"


def test_the_chinese_pdf_never_splits_a_number_from_its_unit_at_a_line_end(pdfs):
    """'-2.7 个百分点' stays on one line (Chinese may break between any two characters)."""
    text = "\n".join(_page_texts(pdfs["zh-CN"]))
    assert "个百分点" in text
    split = re.findall(r".{0,12}(?:个\n百分点|个百\n分点|个百分\n点|分\n钟|小\n时"
                       r"|\d ?\n ?(?:个百分点|分钟|小时|天))", text)
    assert not split, split


def test_in_the_html_every_number_keeps_its_unit_and_value_cells_do_not_wrap(demo_warehouse,
                                                                              weekly_json,
                                                                              tmp_path):
    out = tmp_path / "review-zh.html"
    code, _stdout, err = run("--lang", "zh-CN", "report", "--week", weekly_json["week"],
                             "--out", str(out), "--warehouse", str(demo_warehouse), "--quiet")
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    points = html.count("个百分点")
    kept = re.findall(r'<span class="q">[+\-\u2212]?\d[\d,.]* ?个百分点</span>', html)
    assert points > 0 and len(kept) == points
    # the scorecard's change column is a value cell like the others (white-space: nowrap)
    assert '<td class="num"><span style="color:' in html


def test_the_report_names_product_words_in_chinese_and_data_values_as_stored():
    from dashboard.report import filters_text
    from queries.api import Filters

    set_language("zh-CN")
    assert filters_text(Filters(type=("complaint",), priority=("urgent", "high"),
                                channel=("app", "web"))) == \
        "渠道：App、Web · 类型：投诉 · 优先级：紧急、高"
    set_language("en")
    assert filters_text(Filters(type=("complaint",), channel=("app",))) == \
        "Channel: App · Type: Complaint"


def test_the_report_of_a_week_not_over_judges_no_change(demo_warehouse, weekly_json, tmp_path):
    # the week after the latest complete one is the demo's unfinished week: the report says
    # it is not over, and neither "no change beyond noise" nor a flagged change
    year, week = map(int, weekly_json["week"].split("-W"))
    following = date.fromisocalendar(year, week, 1) + timedelta(days=7)
    label = "{}-W{:02d}".format(*following.isocalendar()[:2])
    out = tmp_path / "unfinished.html"
    code, _stdout, err = run("report", "--week", label, "--out", str(out),
                             "--warehouse", str(demo_warehouse), "--quiet")
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "This week is not complete yet" in html
    assert "The week is not over: no change is judged yet, so none is explained." in html
    assert "No share or average changed beyond noise this week." not in html
