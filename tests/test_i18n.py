"""Bilingual from birth: every marked string is translated, user-facing literals are marked,
Chinese renders in static charts, every page runs in Chinese, the CLI speaks Chinese."""

from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import sys
from contextlib import redirect_stdout
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dashboard import cli, i18n
from dashboard.i18n import (
    format_date,
    format_datetime,
    format_duration_minutes,
    format_number,
    format_percent_value,
    format_week,
    set_language,
)
from tests.conftest import REPO

CATALOG = REPO / "dashboard" / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
SOURCES = ("dashboard", "pages", "queries")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    set_language("en")  # the CLI and tests set the language of this thread


def marked_strings() -> dict[str, list[str]]:
    """msgid -> where it is marked ("file:line"), by Babel's own extractor."""
    found: dict[str, list[str]] = {}
    for folder in SOURCES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
                REPO / folder, method_map=[("**.py", "python")], keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, []).append(f"{folder}/{filename}:{lineno}")
    return found


def catalog():
    with CATALOG.open("rb") as fh:
        return read_po(fh, locale="zh_CN")


# --- the catalog ---------------------------------------------------------------------

def test_every_marked_string_has_a_chinese_translation():
    marked = marked_strings()
    assert len(marked) > 20  # the extractor found the code's strings at all
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog() if m.id}
    missing = {k: v[0] for k, v in marked.items() if k not in translated}
    empty = {k: marked[k][0] for k, m in translated.items() if k in marked and (
        m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))}
    assert not missing, f"{len(missing)} marked strings are not in {CATALOG.name} " \
                        f"(run `make catalogs`): {list(missing.items())[:15]}"
    assert not empty, f"{len(empty)} strings have no Chinese translation: {list(empty.items())[:15]}"


def _msgids_in_file(text: str) -> list[str]:
    """Every msgid of a .po file as written, duplicates kept (Babel's reader merges them)."""
    out, current, in_id = [], None, False
    for line in text.splitlines():
        if line.startswith("msgid "):
            current, in_id = json.loads(line[6:]), True
        elif line.startswith('"') and in_id:
            current += json.loads(line)
        else:
            if in_id and current:
                out.append(current)
            in_id = False
    if in_id and current:
        out.append(current)
    return out


def test_the_catalog_has_each_msgid_once():
    ids = _msgids_in_file(CATALOG.read_text(encoding="utf-8"))
    twice = sorted({i for i in ids if ids.count(i) > 1})
    assert not twice, f"msgids appended twice (gettext refuses such a file): {twice[:10]}"


def test_translations_keep_the_named_placeholders_of_their_english():
    wrong = []
    for message in catalog():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for s in strings:
            if s and set(PLACEHOLDER.findall(s)) != wanted:
                wrong.append((ids[0], s))
    assert not wrong, f"placeholders differ between English and Chinese: {wrong[:10]}"


def test_the_catalog_reader_gives_chinese_and_falls_back_to_english():
    set_language("zh-CN")
    assert i18n._("Overview") == "总览"
    assert i18n._("a string nobody translated") == "a string nobody translated"
    set_language("en")
    assert i18n._("Overview") == "Overview"


# --- user-facing literals that are not marked ------------------------------------------

ST_TEXT_CALLS = {
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning",
    "error", "success", "toast", "button", "download_button", "link_button", "selectbox",
    "multiselect", "radio", "checkbox", "toggle", "slider", "select_slider", "date_input",
    "time_input", "text_input", "text_area", "number_input", "file_uploader", "expander",
    "popover", "metric", "spinner", "status", "form_submit_button", "segmented_control",
    "pills", "tabs", "color_picker",
}
ST_TEXT_KEYWORDS = {"label", "help", "placeholder"}
CHART_KEYWORDS = {"title", "title_text", "xaxis_title", "yaxis_title", "legend_title",
                  "legend_title_text", "coloraxis_colorbar_title", "colorbar_title",
                  "hovertemplate", "texttemplate", "name"}
COLUMN_CONFIG_CALLS = {"Column", "TextColumn", "NumberColumn", "ProgressColumn",
                       "LinkColumn", "DateColumn", "DatetimeColumn", "CheckboxColumn",
                       "SelectboxColumn", "ListColumn", "BarChartColumn", "LineChartColumn"}
SKIP_FILES = {"dashboard/i18n.py", "dashboard/demo.py", "dashboard/demo_text.py"}
OK_COMMENT = "# i18n: ok"


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _words(node: ast.AST) -> str | None:
    """The English words of a literal (str, f-string or "a" + b) that no _() wraps."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _words(node.left) or _words(node.right)
    elif isinstance(node, (ast.List, ast.Tuple)):
        return next((w for w in map(_words, node.elts) if w), None)
    else:
        return None
    if CJK.search(text):  # written in both languages on purpose ("Language / 语言")
        return None
    text = re.sub(r"%\{[^}]*\}|<[^>]*>|:material/\w+:|\{[^}]*\}", " ", text)
    if re.fullmatch(r"[A-Z0-9\s%±()/.,:+-]*", text):  # "CSAT", "NPS ±", "p90": the same in zh
        return None
    return text.strip() if re.search(r"[A-Za-z]{2,}", text) else None


def unwrapped_literals(root: Path = REPO) -> list[str]:
    """'file:line: text' for each user-facing literal not wrapped in _() / N_() / ngettext."""
    found: list[str] = []
    files = sorted((root / "pages").glob("*.py")) + sorted((root / "dashboard").rglob("*.py"))
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel in SKIP_FILES:
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        is_cli = rel.startswith("dashboard/cli")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = _dotted(node.func)
            leaf = name.rsplit(".", 1)[-1]
            suspects: list[ast.AST] = []
            if name.startswith("st.") and leaf in ST_TEXT_CALLS and ".column_config" not in name:
                suspects += node.args[:1]
                suspects += [k.value for k in node.keywords if k.arg in ST_TEXT_KEYWORDS]
            if name.startswith("st.column_config.") and leaf in COLUMN_CONFIG_CALLS:
                suspects += node.args[:1]
                suspects += [k.value for k in node.keywords if k.arg in ST_TEXT_KEYWORDS]
            for k in node.keywords:
                if k.arg in CHART_KEYWORDS and (k.arg != "name" or name.startswith("go.")):
                    suspects.append(k.value)
                if k.arg == "labels" and isinstance(k.value, ast.Dict):
                    suspects += k.value.values
                if k.arg in {"title", "xaxis", "yaxis", "legend"} and isinstance(k.value, ast.Dict):
                    suspects += [v for key, v in zip(k.value.keys, k.value.values, strict=True)
                                 if isinstance(key, ast.Constant) and key.value in {"text", "title"}]
            if is_cli and leaf == "_table":
                suspects += node.args[:2]
            if is_cli and name == "print":
                suspects += node.args[:1]
            for suspect in suspects:
                words = _words(suspect)
                line = lines[suspect.lineno - 1] if hasattr(suspect, "lineno") else ""
                if words and OK_COMMENT not in line:
                    found.append(f"{rel}:{suspect.lineno}: {words[:60]!r}")
    return found


def test_the_literal_check_finds_what_it_is_meant_to_find(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "pages" / "x.py").write_text(
        'st.title("Tickets per week")\n'                 # 1 unwrapped
        'st.title(_("Tickets per week"))\n'              # wrapped
        'st.sidebar.caption(f"Data up to {x}")\n'        # 3 unwrapped f-string
        'fig.update_layout(title="Backlog", xaxis_title=_("Week"))\n'  # 4 title unwrapped
        'px.bar(df, labels={"n": "Tickets"})\n'         # 5 labels unwrapped
        'go.Bar(name=_("Treated"), hovertemplate="%{x}<extra></extra>")\n'  # fine
        'st.selectbox("Language / 语言", opts)\n'        # bilingual on purpose
        'st.tabs([_("A b"), "Cd ef"])\n'                 # 8 one tab unwrapped
        'st.caption("Warehouse file")  # i18n: ok\n'     # opted out
        'st.metric(label=_("FCR"), value="84.1%", help="Share of resolved")\n'  # 10 help
    )
    (tmp_path / "dashboard" / "cli.py").write_text(
        '_table("Funnel", ["stage", "tickets"], rows)\n'  # 1 title, 1 columns
        'print(f"{a}: {b}")\n'                             # no words
    )
    found = unwrapped_literals(tmp_path)
    lines = sorted(f.split(": ", 1)[0] for f in found)
    assert lines == ["dashboard/cli.py:1", "dashboard/cli.py:1", "pages/x.py:1", "pages/x.py:10",
                     "pages/x.py:3", "pages/x.py:4", "pages/x.py:5", "pages/x.py:8"]


def test_user_facing_literals_in_screens_charts_and_cli_tables_are_marked():
    found = unwrapped_literals()
    assert not found, f"{len(found)} user-facing literals are not wrapped in _():\n" + \
        "\n".join(found[:40])


def test_no_f_string_or_concatenation_is_handed_to_gettext():
    bad = []
    for folder in SOURCES:
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                        node.func.id in KEYWORDS and node.args and \
                        isinstance(node.args[0], (ast.JoinedStr, ast.BinOp)):
                    bad.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not bad, f"_() needs a literal with named placeholders, .format() after: {bad}"


# --- locale formatting (hand-written expectations) -------------------------------------

def test_numbers_dates_weeks_and_durations_read_as_a_chinese_reader_expects():
    set_language("zh-CN")
    assert format_number(1234) == "1,234"
    assert format_percent_value(84.06) == "84.1%"
    assert format_date(date(2026, 11, 20)) == "2026年11月20日"
    assert format_datetime(datetime(2026, 11, 20, 14, 5)) == "2026年11月20日 14:05"
    assert format_week(date(2026, 11, 20)) == "2026年第47周"  # Friday of ISO week 47
    assert format_week("2026-W03") == "2026年第3周"
    assert format_duration_minutes(200) == "3 小时 20 分钟"  # 200 min = 3 h 20 min
    assert format_duration_minutes(3120) == "2 天 4 小时"    # 3120 min = 2 d 4 h
    assert format_number(None) == "无数据"
    set_language("en")
    assert format_date(date(2026, 11, 20)) == "20 Nov 2026"
    assert format_week(date(2026, 11, 20)) == "2026-W47"
    assert format_duration_minutes(200) == "3 h 20 min"
    assert format_number(None) == "n/a"


# --- static charts: Chinese glyphs, not tofu ------------------------------------------

RENDER = r'''
import io, json, sys
import numpy as np
import plotly.graph_objects as go
from PIL import Image

out = {}
for text in sys.argv[1:]:
    fig = go.Figure()
    fig.update_layout(width=400, height=120, margin=dict(l=0, r=0, t=0, b=0),
                      xaxis_visible=False, yaxis_visible=False,
                      plot_bgcolor="white", paper_bgcolor="white")
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=40, color="black"))
    png = fig.to_image(format="png")
    out[text] = np.asarray(Image.open(io.BytesIO(png)).convert("L")).tolist()
print(json.dumps(out))
'''
NO_CJK_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def _render(texts: list[str], fontconfig: Path | None = None):
    import numpy as np

    env = dict(os.environ, BROWSER_PATH="/usr/bin/chromium")  # never kaleido.get_chrome()
    if fontconfig:
        env["FONTCONFIG_FILE"] = str(fontconfig)
    done = subprocess.run([sys.executable, "-c", RENDER, *texts], env=env, capture_output=True,
                          text=True, timeout=180, check=True)
    return {k: np.array(v) for k, v in json.loads(done.stdout).items()}


def test_a_static_chart_draws_chinese_glyphs_not_tofu(tmp_path):
    fc = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn"],
                        capture_output=True, text=True, check=True).stdout
    assert "CJK" in fc, f"no CJK font for Chinese (fonts-noto-cjk missing?): {fc}"
    a, b, tofu1, tofu2 = "工单投诉", "满意渠道", "\ue000\ue001\ue002\ue003", "\ue010\ue011\ue012\ue013"
    shown = _render([a, b, tofu1, tofu2])
    # A font without the glyphs draws one identical box per character: two private-use
    # strings of the same length give the same pixels; real glyphs differ text by text.
    assert (shown[tofu1] == shown[tofu2]).all()
    assert (shown[a] != shown[b]).sum() > 500
    assert (shown[a] != shown[tofu1]).sum() > 500
    assert (shown[a] < 128).sum() > 1000  # ink of four 40 px characters
    # The same check fails when Chromium cannot see the CJK font: Chinese becomes tofu.
    conf = tmp_path / "fonts.conf"
    conf.write_text(NO_CJK_FONTS.format(cache=tmp_path / "fc-cache"))
    blind = _render([a, b], fontconfig=conf)
    assert (blind[a] == blind[b]).all()


# --- every page in Chinese (AppTest) ----------------------------------------------------

APP = str(REPO / "dashboard" / "app.py")
PAGE_FILES = sorted(p.stem for p in (REPO / "pages").glob("*.py"))


def run_app(warehouse: Path, monkeypatch, query: dict):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CXDASH_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page_file", PAGE_FILES)
def test_every_page_runs_in_chinese_and_shows_chinese_headings(demo_warehouse, monkeypatch,
                                                                page_file):
    # AppTest calls a select box's format_func in this thread on a rerun: speak its language
    set_language("zh-CN")
    at = run_app(demo_warehouse, monkeypatch, {"lang": "zh-CN"})
    at.switch_page(f"../pages/{page_file}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    headings = [e.value for e in (*at.title, *at.header, *at.subheader)]
    assert headings, "the page shows a heading"
    assert CJK.search(headings[0]), f"{page_file}: first heading not in Chinese: {headings[0]!r}"
    english = [h for h in headings if not CJK.search(h) and re.search(r"[a-z]{3,}", h)]
    assert not english, f"{page_file}: headings left in English: {english}"
    assert at.query_params["lang"] in ("zh-CN", ["zh-CN"])


def test_the_sidebar_speaks_chinese_and_english_is_the_default(demo_warehouse, monkeypatch):
    set_language("zh-CN")
    at = run_app(demo_warehouse, monkeypatch, {"lang": "zh-CN"})
    labels = [w.label for w in (*at.sidebar.selectbox, *at.sidebar.multiselect)]
    assert labels and all(CJK.search(label) for label in labels), labels
    set_language("en")
    en = run_app(demo_warehouse, monkeypatch, {})
    assert en.query_params["lang"] in ("en", ["en"])
    assert not any(CJK.search(w.label) for w in en.sidebar.multiselect)


# --- the CLI in Chinese -----------------------------------------------------------------

def _cli(*args: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return out.getvalue()


def test_cli_lang_zh_cn_prints_chinese_headers_with_the_numbers_of_json(demo_warehouse,
                                                                          monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps a table at the terminal width
    common = ("--warehouse", str(demo_warehouse), "--from", "2026-08-01", "--to", "2026-10-31")
    data = json.loads(_cli("kpis", "--json", *common))
    zh = _cli("--lang", "zh-CN", "kpis", *common)
    after = _cli("kpis", *common, "--lang", "zh-CN")  # --lang after the command works too
    assert zh == after
    for term in ("工单", "投诉", "首次解决率", "客户满意度", "净推荐值", "重复投诉率"):
        assert term in zh, term
    for english in ("Tickets", "Complaints", "First-contact resolution", "Repeat complaints"):
        assert english not in zh, english
    # the same numbers: counts with thousands separators, CSAT with two decimals
    assert f"{data['tickets']:,}" in zh
    assert f"{data['complaints']:,}" in zh
    assert f"{data['csat_avg']:.2f}" in zh
    # JSON does not change with the language
    assert json.loads(_cli("--lang", "zh-CN", "kpis", "--json", *common)) == data
    # the setting CXDASH_LANGUAGE does the same as --lang
    monkeypatch.setenv("CXDASH_LANGUAGE", "zh-CN")
    from dashboard.settings import get_settings

    get_settings.cache_clear()
    assert _cli("kpis", *common) == zh
    assert "工单" not in _cli("--lang", "en", "kpis", *common)


def test_an_unknown_cli_language_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--lang", "fr", "kpis"])
    assert exc.value.code == 2
    assert "en or zh-CN" in capsys.readouterr().err



def test_chinese_charts_get_chinese_date_ticks_and_numeric_axes_are_left_alone():
    import numpy as np
    import plotly.graph_objects as go

    from dashboard.i18n import localise_figure, plotly_date_format

    def figure():
        fig = go.Figure(go.Scatter(x=np.array(["2026-09-07", "2026-09-14"], dtype="datetime64[D]"),
                                   y=[3, 4]))
        fig.add_trace(go.Bar(x=[1, 2], y=[5, 6], xaxis="x2", yaxis="y2"))
        return fig

    set_language("en")
    assert localise_figure(figure()).layout.xaxis.tickformatstops == ()
    assert plotly_date_format() == "%d %b %Y"
    set_language("zh-CN")
    layout = localise_figure(figure()).layout.to_plotly_json()
    stops = {s["value"] for s in layout["xaxis"]["tickformatstops"]}
    assert "%Y年%-m月" in stops  # monthly ticks read 2026年9月
    assert "xaxis2" not in layout and "yaxis" not in layout  # numbers keep plotly's ticks
    own = figure().update_layout(xaxis_tickformat="%d.%m")
    assert not localise_figure(own).layout.xaxis.tickformatstops  # a chosen format stays
    assert plotly_date_format() == "%Y年%-m月%-d日"
