"""The weekly review as a file an executive can send (spec/cli.md `report`).

`collect` reads everything the review shows through the query layer (queries.weekly,
dashboard.alerts); `render_html` lays it out with the Jinja2 template
dashboard/templates/weekly_report.html.j2. The HTML is self-contained: plotly.js is
inlined once and every chart is embedded, so it opens offline. A PDF is the same page
with the charts as PNG images (kaleido with the system chromium) printed by headless
chromium's print-to-PDF. The page's download button and `cxdash report` both call
`build_report`, so they give the same file.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from dashboard import charts_weekly
from dashboard.alerts import AlertRulesError, Evaluation, evaluate
from dashboard.i18n import (
    DURATION_UNITS,
    _,
    format_date,
    format_datetime,
    format_week,
    get_language,
    set_language,
)
from dashboard.settings import Settings, get_settings
from dashboard.views import weekly as view
from dashboard.views.cards import filter_parts
from queries.api import Filters, fetch_branch_names, fetch_loads, resolve_as_of
from queries.weekly import (
    DECOMPOSABLE,
    DECOMPOSE_DIMENSIONS,
    IsoWeek,
    fetch_category_growth,
    fetch_decomposition,
    fetch_phrase_growth,
    fetch_week_fixes,
    fetch_weekly,
)

if TYPE_CHECKING:  # connections are passed in; pages import this module without DuckDB
    import duckdb

CHROMIUM = "/usr/bin/chromium"  # Debian's chromium (stack notes); never kaleido.get_chrome()
TEMPLATES = Path(__file__).with_name("templates")
Progress = Callable[[float, str], None]


class ReportError(RuntimeError):
    """The report could not be written; the message says why."""


@dataclass
class Review:
    """Everything the weekly review shows, read once (numbers and their view models)."""

    week: IsoWeek
    filters: Filters
    weekly: dict[str, Any]
    decompositions: dict[str, list[dict[str, Any]]]  # flagged ratio KPI -> one per dimension
    evaluation: Evaluation | None
    alerts_problem: str | None
    fixes: dict[str, list[dict[str, Any]]]
    growth: list[dict[str, Any]]
    last_load: dict[str, Any] | None
    branch_names: dict[str, str] = field(default_factory=dict)
    phrases: list[dict[str, Any]] | None = None
    bottleneck: str | None = None


def flagged_ratio_kpis(weekly: dict[str, Any]) -> list[str]:
    """The KPIs whose change is flagged and that can be decomposed (shares and means)."""
    return [r["kpi"] for r in weekly["rows"] if r["flagged"] and r["kpi"] in DECOMPOSABLE]


def last_load(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The latest completed load (the data's freshness), or None when nothing was loaded."""
    loads = fetch_loads(con)
    done = [r for r in loads.iter_rows(named=True) if r["status"] == "loaded"]
    return done[0] if done else None


def collect(con: duckdb.DuckDBPyConnection, filters: Filters, week: IsoWeek | None = None,
            settings: Settings | None = None, progress: Progress | None = None) -> Review:
    """Read the review of `week` (default: the latest complete one) for `filters`."""
    settings = settings or get_settings()
    step = progress or (lambda fraction, text: None)
    step(0.05, _("Scorecard"))
    weekly = fetch_weekly(con, filters, week, settings)
    week = IsoWeek.parse(weekly["week"])
    step(0.2, _("Where the changes came from"))
    decompositions = {kpi: [fetch_decomposition(con, filters, kpi, dim, week, settings)
                            for dim in DECOMPOSE_DIMENSIONS]
                      for kpi in flagged_ratio_kpis(weekly)}
    step(0.4, _("Alerts"))
    branch_names = fetch_branch_names(con)
    try:
        evaluation, problem = evaluate(con, filters, week, settings=settings, weekly=weekly,
                                       branch_names=branch_names), None
    except AlertRulesError as exc:
        evaluation, problem = None, str(exc)
    step(0.5, _("Fixes and top issues"))
    fixes = fetch_week_fixes(con, week, resolve_as_of(con, filters), settings)
    growth = fetch_category_growth(con, filters, week, settings=settings)
    phrases = fetch_phrase_growth(con, filters, week, settings)
    return Review(week, filters, weekly, decompositions, evaluation, problem, fixes, growth,
                  last_load(con), branch_names, phrases,
                  funnel_bottleneck(con, week.filters(filters), settings))


def review_json(review: Review) -> dict[str, Any]:
    """Every number of the page (`cxdash weekly --json`): the scorecard of spec/cli.md plus
    the decompositions of the flagged KPIs, the alerts, the top categories and phrases and
    the fixes of the week."""
    weekly = review.weekly
    return {
        **{k: weekly[k] for k in ("week", "complete", "as_of", "from", "to", "rows")},
        "decompositions": {kpi: {r["by"]: r["groups"] for r in results}
                           for kpi, results in review.decompositions.items()},
        "alerts": review.evaluation.alerts if review.evaluation else None,
        "top_categories": review.growth,
        "top_phrases": review.phrases[:20] if review.phrases is not None else None,
        "fixes": review.fixes,  # each fix with its effect rows (`effects --json` shape)
    }


def funnel_bottleneck(con: duckdb.DuckDBPyConnection, filters: Filters,
                      settings: Settings | None = None) -> str | None:
    """The funnel's bottleneck of the week in one sentence (the funnel work's view model),
    None when it is not available."""
    try:
        from dashboard.views.funnel import bottleneck_of
        from queries.funnel import fetch_funnel
    except ImportError:
        return None
    return bottleneck_of(fetch_funnel(con, filters, settings)).sentence()


def filters_text(filters: Filters) -> str:
    """The filters in words ('all tickets' when none); the week replaces any period.
    'Type: Complaint · Channel: app, web' / '类型：投诉 · 渠道：app、web' -- product
    vocabularies in the reader's language, data values as stored."""
    parts = filter_parts(filters)
    if filters.as_of is not None:
        parts.append(_("as of {as_of} (override)").format(as_of=format_datetime(filters.as_of)))
    return " · ".join(parts) if parts else _("all tickets (no filter)")


def freshness_text(load: dict[str, Any] | None) -> str:
    if load is None:
        return _("no load recorded (data built by cxdash demo or loaded before load history)")
    return _("last load {when}: {file} ({kind})").format(
        when=format_datetime(load["started_at"]), file=load["file_name"], kind=load["kind"])


def _quantity_pattern() -> re.Pattern[str]:
    """A number with its unit as the current language writes it: '-2.7 个百分点', '+2.6 pts',
    '3 小时 20 分钟', '1 h 5 min', 'n = 1,143'. A duration's parts count as one quantity."""
    number = r"[+\-\u2212]?\d[\d,]*(?:\.\d+)?%?"
    points = _("{value} pts").format(value="").strip()  # 'pts' / '个百分点'
    durations = "|".join(map(re.escape, DURATION_UNITS[get_language()]))
    duration = rf"{number}\s?(?:{durations})(?![A-Za-z])"
    return re.compile(rf"(?:{duration})(?:\s{duration})*|{number}\s?{re.escape(points)}"
                      rf"|\bn = {number}")


def keep_quantities_whole(text: object) -> Markup:
    """`text`, escaped, with each number-and-unit in a span the page never wraps: Chinese
    may break between any two Han characters, so '-2.7 个百分点' could end a line in
    '个百分' (and an English line could end in '-2.7'). The Jinja filter `quantities`."""
    if text is None:
        return Markup("")
    raw = str(text)
    out, at = [], 0
    for found in _quantity_pattern().finditer(raw):
        out.append(escape(raw[at:found.start()]))
        out.append(Markup('<span class="q">{}</span>').format(found.group(0)))
        at = found.end()
    out.append(escape(raw[at:]))
    return Markup("").join(out)


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string (for a page margin box's `content`)."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
               .replace("<", "\\3C ").replace(">", "\\3E "))
    return Markup(f'"{escaped}"')


def page_number_css() -> Markup:
    """'Page {page} of {pages}' as CSS `content`: 'Page ' counter(page) ' of ' ... ."""
    parts = re.split(r"(\{page\}|\{pages\})", _("Page {page} of {pages}"))
    tokens = [("counter(page)" if part == "{page}" else "counter(pages)" if part == "{pages}"
               else str(css_string(part))) for part in parts if part]
    return Markup(" ".join(tokens))


def _figures(review: Review) -> list[tuple[str, go.Figure]]:
    """(anchor, figure) of every chart, in page order."""
    out = []
    for kpi, results in review.decompositions.items():
        best = view.by_concentration(results)[0]
        out.append((f"decomposition-{kpi}",
                    charts_weekly.decomposition_chart(best, review.branch_names)))
    if any(r["growth"] > 0 for r in review.growth):
        out.append(("growth", charts_weekly.growth_chart(review.growth)))
    return out


def _chart_html(figures: list[tuple[str, go.Figure]], static: bool) -> dict[str, Markup]:
    out = {}
    for anchor, fig in figures:
        if static:
            with warnings.catch_warnings():  # kaleido notes that a server ignores its options
                warnings.simplefilter("ignore", UserWarning)
                png = fig.to_image(format="png", width=900,
                                   height=int(fig.layout.height or 400), scale=2)
            data = base64.b64encode(png).decode("ascii")
            out[anchor] = Markup(f'<img class="chart" alt="" src="data:image/png;base64,{data}">')
        else:
            out[anchor] = Markup(fig.to_html(full_html=False, include_plotlyjs=False,
                                             config={"displaylogo": False, "responsive": True}))
    return out


def context(review: Review, static: bool, settings: Settings | None = None) -> dict[str, Any]:
    """The template's variables: every text in the current language."""
    settings = settings or get_settings()
    weekly = review.weekly
    figures = _figures(review)
    charts = _chart_html(figures, static)
    as_of = weekly["as_of"]
    decomps = []
    for kpi, results in review.decompositions.items():
        decomps.append({
            "kpi": kpi, "label": view.label(kpi),
            "sentences": [view.decomposition_sentence(r, review.branch_names)
                          for r in view.by_concentration(results)],
            "chart": charts.get(f"decomposition-{kpi}"),
        })
    fixes = {kind: [{"id": f["fix_id"], "title": f["title"],
                     "launched": format_date(f["launched_at"]),
                     "lines": view.fix_effect_lines(f, settings.min_sample,
                                                    settings.effect_window_days,
                                                    settings.churn_window_days)}
                    for f in rows]
             for kind, rows in review.fixes.items()}
    return {
        "lang": "zh-CN" if get_language() == "zh-CN" else "en",
        "title": _("Weekly review"),
        "week_text": view.week_label(review.week, as_of),
        "complete": weekly["complete"],
        "as_of": format_datetime(as_of),
        "generated": format_datetime(datetime.now().replace(microsecond=0)),
        "freshness": freshness_text(review.last_load),
        "summary": view.summary_sentence(
            weekly["rows"], review.evaluation.alerts if review.evaluation else None),
        "filters": filters_text(review.filters),
        "cards": [view.card(r, settings.min_sample) for r in weekly["rows"]],
        "sentences": view.change_sentences(weekly["rows"]),
        "decompositions": decomps,
        "decomposition_note": view.decomposition_note(),
        "alerts": review.evaluation.alerts if review.evaluation else [],
        "alerts_skipped": review.evaluation.skipped if review.evaluation else [],
        "alerts_problem": review.alerts_problem,
        "growth_sentence": view.growth_sentence(review.growth),
        "phrase_sentence": view.phrase_growth_sentence(review.phrases,
                                                       complete=weekly["complete"]),
        "no_flagged": view.where_empty_text(weekly),
        "bottleneck": review.bottleneck,
        "growth_chart": charts.get("growth"),
        "fixes": fixes,
        "plotly_js": (Markup(_plotly_js()) if charts and not static else None),
        "static": static,
        "t": _texts(),
        "week_label": format_week(review.week.monday),
        # the printed page's running footer (the page margin box, never a page of its own)
        "footer_css": css_string(" · ".join((
            "CX Recovery Dashboard", _("Weekly review"), format_week(review.week.monday),
            f"{_('Data as of')} {format_datetime(as_of)}"))),
        "page_number_css": page_number_css(),
    }


def _texts() -> dict[str, str]:
    """Headings and column names of the template, in the current language."""
    return {
        # a label's colon: full-width in Chinese ("数据截至：")
        "colon": _("{label}: ").format(label=""),
        "week": _("Week"), "as_of": _("Data as of"), "freshness": _("Freshness"),
        "filters": _("Filters"), "generated": _("Generated"),
        "incomplete": _("This week is not complete yet: its numbers will still change."),
        "alerts": _("Alerts"), "no_alerts": _("No alert fires this week."),
        "scorecard": _("Scorecard"), "kpi": _("KPI"), "value": _("This week"),
        "target": _("Target"), "previous": _("Last week"), "avg_4w": _("4-week average"),
        "change": _("Change"), "interval": _("95 % interval"), "notes": _("Notes"),
        "on_target": _("on target"), "off_target": _("off target"),
        "real": _("Is the change real?"),
        "real_note": _("A change is flagged when its 95 % interval excludes 0; tickets and "
                       "complaints when they leave the usual range (mean ± 2 sd of the 8 "
                       "weeks before)."),
        "where": _("Where did it come from?"),
        "top_issues": _("Top issues"), "fixes": _("Fixes"),
        "bottleneck": _("Funnel bottleneck"),
        "launched": _("Launched this week"),
        "completed": _("After-window completed this week"),
        "no_fixes": _("No fix was launched or completed its after-window this week."),
        "skipped": _("Not evaluated"),
    }


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_html(review: Review, static: bool = False, settings: Settings | None = None) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "j2"]))
    env.filters["quantities"] = keep_quantities_whole
    return env.get_template("weekly_report.html.j2").render(**context(review, static, settings))


def _start_kaleido() -> None:
    """Static images through kaleido and the system chromium (one browser, reused)."""
    import kaleido

    os.environ.setdefault("BROWSER_PATH", CHROMIUM)
    try:
        kaleido.start_sync_server(silence_warnings=True)
    except RuntimeError:
        pass  # already running in this process


def _stop_kaleido() -> None:
    import kaleido

    kaleido.stop_sync_server(silence_warnings=True)


def html_to_pdf(html_path: Path, pdf_path: Path, timeout: int = 180) -> None:
    """Print an HTML file to PDF with headless chromium (A4, no header/footer)."""
    if not Path(CHROMIUM).exists():
        raise ReportError(f"the PDF needs chromium at {CHROMIUM} (`make sysdeps` installs it)")
    with tempfile.TemporaryDirectory(prefix="cxdash-chromium-",
                                     ignore_cleanup_errors=True) as profile:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise ReportError(f"chromium could not print the PDF: {result.stderr.strip()[-300:]}")


def build_report(con: duckdb.DuckDBPyConnection, filters: Filters, week: IsoWeek | None,
                 out: Path, lang: str | None = None, progress: Progress | None = None,
                 warehouse: Path | None = None, settings: Settings | None = None) -> Path:
    """Write the weekly review of `week` to `out`: HTML, or PDF when `out` ends in .pdf.
    `lang`: en or zh-CN (default: the current language). Returns the path written."""
    step = progress or (lambda fraction, text: None)
    previous_lang = get_language()
    if lang:
        set_language(lang)
    try:
        review = collect(con, filters, week, settings, step)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() != ".pdf":
            step(0.7, _("Laying out the page"))
            out.write_text(render_html(review, static=False, settings=settings),
                           encoding="utf-8")
        else:
            step(0.6, _("Drawing the charts"))
            _start_kaleido()
            try:
                html = render_html(review, static=True, settings=settings)
            finally:
                _stop_kaleido()
            step(0.8, _("Printing the PDF"))
            with tempfile.TemporaryDirectory(prefix="cxdash-report-") as tmp:
                page = Path(tmp) / "weekly.html"
                page.write_text(html, encoding="utf-8")
                html_to_pdf(page, out.resolve())
        step(1.0, _("Done"))
        return out
    finally:
        set_language(previous_lang)


def report_bytes(con: duckdb.DuckDBPyConnection, filters: Filters, week: IsoWeek, fmt: str,
                 lang: str | None = None, progress: Progress | None = None) -> bytes:
    """The report as bytes (for the page's download button): fmt 'html' or 'pdf'."""
    with tempfile.TemporaryDirectory(prefix="cxdash-report-") as tmp:
        path = Path(tmp) / f"weekly-review-{week.label}.{fmt}"
        build_report(con, filters, week, path, lang=lang, progress=progress)
        return path.read_bytes()
