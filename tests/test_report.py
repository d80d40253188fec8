"""`cxdash report`: a self-contained HTML file and a PDF whose numbers are those of
`cxdash weekly --json` (spec/cli.md `report`)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from contextlib import redirect_stderr

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


def test_the_pdf_report_carries_the_same_numbers_as_the_cli(demo_warehouse, weekly_json,
                                                            tmp_path):
    out = tmp_path / "review.pdf"
    code, stdout, err = run("report", "--week", weekly_json["week"], "--out", str(out),
                            "--warehouse", str(demo_warehouse), "--quiet")
    assert code == 0, err
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


def test_the_chinese_pdf_carries_chinese_text_not_tofu(demo_warehouse, weekly_json, tmp_path):
    import unicodedata

    out = tmp_path / "review-zh.pdf"
    code, stdout, err = run("--lang", "zh-CN", "report", "--week", weekly_json["week"], "--out",
                            str(out), "--warehouse", str(demo_warehouse), "--quiet")
    assert code == 0, err
    # NFKC: the CJK font maps some characters to their Kangxi-radical look-alikes
    text = unicodedata.normalize("NFKC", PdfReader(out).pages[0].extract_text())
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
