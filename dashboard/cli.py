"""`cxdash`: the command line of spec/cli.md. It reads the same query API as the pages.

Exit status: 0 done; 1 refused or failed (one plain sentence on stderr); 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dashboard import cli_weekly
from dashboard.settings import get_settings


class Refused(Exception):
    """A command that cannot be done: its message is the one sentence for stderr."""


class BadUsage(Refused):
    """Options that do not go together (spec/cli.md: bad usage, exit 2), found after
    argparse has parsed them; the message is the one sentence for stderr."""


# --- argument types (bad values are usage errors: exit 2) ----------------------------

def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _timestamp(text: str) -> datetime:
    """--as-of: "2026-03-31 18:00:00", or with an offset ("2026-03-31T18:00:00+08:00"),
    which is converted to the warehouse's timezone (setting) so the host's never matters."""
    from queries.filters import to_warehouse_time

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a timestamp like \"2026-03-31 18:00:00\"") from None
    converted = to_warehouse_time(value)
    assert converted is not None
    return converted


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _by(text: str) -> tuple[str, ...]:
    from queries.registry import parse_by

    try:
        return parse_by(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


FILTER_OPTIONS = {
    "channel": "channel", "branch": "branch", "region": "region", "category": "category",
    "type": "type", "priority": "priority", "segment": "segment",
}


def _add_common(p: argparse.ArgumentParser, *, period: bool = True) -> None:
    p.add_argument("--warehouse", type=Path, help="warehouse file (default: CXDASH_WAREHOUSE)")
    p.add_argument("--json", action="store_true", help="print JSON (spec/cli.md shapes)")
    p.add_argument("--as-of", dest="as_of", type=_timestamp,
                   help='evaluate open/due/matured states at this time, "YYYY-MM-DD HH:MM:SS"')
    if period:
        p.add_argument("--from", dest="date_from", type=_date, help="first day, YYYY-MM-DD")
        p.add_argument("--to", dest="date_to", type=_date, help="last day (inclusive), YYYY-MM-DD")
        for option, dim in FILTER_OPTIONS.items():
            aliases = [f"--{option}"] + (["--branch-id", "--branch_id"] if option == "branch" else [])
            p.add_argument(*aliases, dest=dim, action="append", default=[], metavar="VALUE",
                           help=f"only this {option} (repeat for several)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cxdash", description="CX Recovery Dashboard: warehouse, KPIs and loads.")
    parser.add_argument("--lang", metavar="LANG",
                        help="language of the human-readable output: en or zh-CN, anywhere on "
                             "the line (default: setting CXDASH_LANGUAGE, else en); --json "
                             "output is the same in every language")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="build a realistic demo warehouse")
    p.add_argument("--warehouse", type=Path)
    p.add_argument("--tickets", type=_positive_int, default=300_000, help="tickets (default 300000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--if-missing", action="store_true", help="do nothing when a warehouse exists")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--locale", choices=("en", "zh-CN"), default="en",
                   help="en, or zh-CN for a Chinese operation with the same numbers (default en)")

    p = sub.add_parser("load", help="load extracts (tickets, surveys, customers, branches, fixes)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--kind", choices=("tickets", "surveys", "customers", "branches", "fixes"))
    p.add_argument("--profile", help="source profile (native, cfpb, callcenter, or a .toml path)")
    p.add_argument("--sheet", help="Excel sheet name (default: the first)")
    p.add_argument("--force", action="store_true",
                   help="load again even if these bytes were loaded as this kind with this "
                        "profile before")
    p.add_argument("--warehouse", type=Path)
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("kpis", help="the KPI set of spec/kpis.md")
    _add_common(p)
    p.add_argument("--by", type=_by, metavar="DIM[,DIM2]",
                   help="one row per value of this dimension, or per pair of two: "
                        "channel, region, branch, category, type, priority, segment, "
                        "day, week, month, weekday, hour")

    p = sub.add_parser("funnel", help="the handling funnel")
    _add_common(p)

    p = sub.add_parser("effects", help="before/after of every fix (or one)")
    _add_common(p, period=False)
    p.add_argument("--fix", help="only this fix id")
    p.add_argument("--window-days", dest="window_days", type=_positive_int,
                   help="days before and after launch (default: setting, 90)")

    from dashboard.cli_satisfaction import add_parser as add_outliers_parser

    add_outliers_parser(sub, _add_common)  # `outliers` (dashboard/cli_satisfaction.py)

    p = sub.add_parser("rejects", help="rejected rows with line, column and reason")
    p.add_argument("--extract", help="only rows of this extract (file name)")
    p.add_argument("--warehouse", type=Path)
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=_positive_int, default=None, help="at most this many rows")

    cli_weekly.add_parsers(sub, _add_common)  # `weekly`, `alerts`, `report` (dashboard/cli_weekly.py)
    from dashboard import cli_explore

    cli_explore.add_parsers(sub, _add_common)  # `tickets`, `customer` (dashboard/cli_explore.py)

    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--warehouse", type=Path)
    return parser


# --- helpers ------------------------------------------------------------------------

def _warehouse_path(args: argparse.Namespace) -> Path:
    return Path(args.warehouse) if getattr(args, "warehouse", None) else get_settings().warehouse


def _reader(args: argparse.Namespace):
    from dashboard.warehouse import WarehouseMissing, connect_reader, ensure_current, needs_upgrade

    path = _warehouse_path(args)
    try:
        if needs_upgrade(path):
            ensure_current(path)
        return connect_reader(path)
    except WarehouseMissing:
        raise Refused(
            f"There is no warehouse at {path}: build one with `cxdash demo` or load extracts "
            f"with `cxdash load FILE`.") from None


def _filters(args: argparse.Namespace):
    from queries.api import Filters

    try:
        return Filters(
            date_from=getattr(args, "date_from", None), date_to=getattr(args, "date_to", None),
            as_of=args.as_of,
            **{dim: tuple(getattr(args, dim, []) or []) for dim in FILTER_OPTIONS.values()},
        )
    except ValueError as exc:
        raise Refused(f"Cannot compute: {exc}.") from None


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _print_json(payload: Any) -> None:
    def walk(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: walk(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        return _clean(obj)

    print(json.dumps(walk(payload), ensure_ascii=False, allow_nan=False, indent=1))


def _fmt(value: Any, unit: str = "") -> str:
    from dashboard.format import format_value

    return format_value(value, unit)


def _cell_width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _min_widths(columns: Sequence[str], rows: Sequence[Sequence[str]],
                wrap: Sequence[int] = ()) -> list[int]:
    """Per column, the narrowest width that cuts nothing: its widest cell (numbers and
    names never wrap), or for a `wrap` column its longest word; headers wrap between words."""
    out = []
    for i, col in enumerate(columns):
        words = [_cell_width(w) for w in str(col).split()]
        if i in wrap:
            words += [_cell_width(w) for r in rows for w in str(r[i]).split()]
            out.append(max(words or [1]))
        else:
            out.append(max([*words, *[_cell_width(str(r[i])) for r in rows]] or [1]))
    return out


def fit_columns(columns: Sequence[str], rows: Sequence[Sequence[str]], width: int,
                keep: int = 1, wrap: Sequence[int] = ()) -> list[int]:
    """Indexes of the columns that fit a terminal `width` wide, in order: the first `keep`
    always, then the others left to right while they fit at their narrowest width
    (_min_widths) plus rich's padding and border (3 characters each, 1 at the edge)."""
    needed = [w + 3 for w in _min_widths(columns, rows, wrap)]
    chosen = list(range(min(keep, len(columns))))
    used = 1 + sum(needed[i] for i in chosen)
    for i in range(len(chosen), len(columns)):
        if used + needed[i] <= width:
            chosen.append(i)
            used += needed[i]
    return chosen


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
           keep: int | None = None, wrap: Sequence[int] = ()) -> None:
    """Print a table that fits the terminal without cutting anything to "Tic…": every
    column keeps its narrowest uncut width (headers and `wrap` columns wrap between words).
    With `keep`, columns that would still not fit are left out -- the first `keep` always
    stay -- and a line under the table names them."""
    from rich.console import Console
    from rich.table import Table

    from dashboard.i18n import _

    console = Console()
    cells = [[str(c) for c in row] for row in rows]
    shown = (fit_columns(columns, cells, console.width, keep, wrap) if keep is not None
             else list(range(len(columns))))
    widths = _min_widths(columns, cells, wrap)
    table = Table(title=title, title_justify="left")
    for i in shown:
        # a fixed width: rich would otherwise widen columns for their headers past the
        # terminal and cut the last one
        fixed = widths[i] if keep is not None or i not in wrap else None
        table.add_column(columns[i], justify="left" if i == 0 or i in wrap else "right",
                         width=fixed, min_width=widths[i], overflow="fold")
    for row in cells:
        table.add_row(*[row[i] for i in shown])
    console.print(table)
    left_out = [str(columns[i]) for i in range(len(columns)) if i not in shown]
    if left_out:
        console.print(_("Left out to fit {width} columns: {names} (widen the terminal or use "
                        "--json).").format(width=console.width, names=", ".join(left_out)),
                      highlight=False)


# --- commands -----------------------------------------------------------------------

def _say_unknown_filter_values(con, filters) -> None:
    """spec/kpis.md: a filter value that matches nothing is said on stderr (exit stays 0)."""
    from dashboard.i18n import _
    from dashboard.views.weekly import dimension_label
    from queries.api import fetch_unknown_filter_values

    for dim, values in fetch_unknown_filter_values(con, filters).items():
        print(_("No ticket has {dimension} {values}; that value matches nothing.").format(
            dimension=dimension_label(dim), values=", ".join(repr(v) for v in values)), file=sys.stderr)


def _reader_and_filters(args: argparse.Namespace) -> tuple[Any, Any]:
    """The reader connection and the Filters of a command's arguments, with any filter
    value that matches nothing said on stderr (every command that filters tickets)."""
    con = _reader(args)
    filters = _filters(args)
    _say_unknown_filter_values(con, filters)
    return con, filters


def _print_lines(lines: Sequence[str]) -> None:
    """Plain sentences under a table, wrapped to the terminal between words."""
    from rich.console import Console

    console = Console()
    for line in lines:
        console.print(line, highlight=False, markup=False)


def _kpi_title(dims: Sequence[str], filters: Any, as_of: datetime | None) -> str:
    from dashboard.i18n import _, format_datetime
    from dashboard.views.cards import period_text
    from queries.registry import DIMENSION_REGISTRY

    period = period_text(filters.date_from, filters.date_to)
    when = format_datetime(as_of)
    if filters.as_of is not None:
        when = _("{when} (override)").format(when=when)
    if not dims:
        return _("KPIs, {period} (as of {when})").format(period=period, when=when)
    by = " × ".join(_(DIMENSION_REGISTRY[d].label) for d in dims)
    return _("KPIs by {by}, {period} (as of {when})").format(by=by, period=period, when=when)


def cmd_kpis(args: argparse.Namespace) -> int:
    from dashboard.i18n import _, value_label
    from dashboard.views.cards import (
        as_of_caption,
        build_cards,
        comparison_caption,
        format_kpi_value,
    )
    from queries.api import (
        fetch_kpi_comparison,
        fetch_kpis,
        kpi_row_to_json,
        resolve_as_of,
        stored_as_of,
    )
    from queries.registry import DIMENSION_REGISTRY, MEASURE_KEYS, MEASURES, TABLE_KEYS

    con, filters = _reader_and_filters(args)
    as_of = resolve_as_of(con, filters)
    dims: tuple[str, ...] = args.by or ()
    if not dims:
        comparison = fetch_kpi_comparison(con, filters)
        if args.json:
            _print_json(kpi_row_to_json(comparison.current, as_of, filters))
            return 0
        cards = build_cards(comparison, keys=MEASURE_KEYS)
        _table(_kpi_title(dims, filters, as_of),
               [_("KPI"), _("value"), _("change"), _("n")],
               [[c.label, c.value_text, c.change_text or "", c.n_text or ""] for c in cards],
               keep=2)
        _print_lines([comparison_caption(comparison)]
                     + ([as_of_caption(filters.as_of, stored_as_of(con))]
                        if filters.as_of is not None else [])
                     + [f"{c.label}: " + " · ".join(p for p in c.caption_parts if p != c.n_text)
                        for c in cards if any(p != c.n_text for p in c.caption_parts)])
        return 0
    frame = fetch_kpis(con, filters, by=dims)
    group_keys = ["group"] if len(dims) == 1 else list(dims)
    rows = [{k: r[k] for k in group_keys} | kpi_row_to_json(r, as_of, filters)
            for r in frame.iter_rows(named=True)]
    if args.json:
        _print_json(rows)
        return 0
    unknown = _("(unknown)")
    # the product's words for type, priority...; channels, regions...: as stored (the JSON
    # above keeps the codes)
    _table(_kpi_title(dims, filters, as_of),
           [*[_(DIMENSION_REGISTRY[d].label) for d in dims],
            *[_(MEASURES[k].label) for k in TABLE_KEYS]],
           [[*[value_label(d, r[g]) if r[g] is not None else unknown
               for g, d in zip(group_keys, dims, strict=True)],
             *[format_kpi_value(k, r[k]) for k in TABLE_KEYS]] for r in rows],
           keep=len(dims))
    return 0


def cmd_funnel(args: argparse.Namespace) -> int:
    from queries.api import fetch_funnel

    con, filters = _reader_and_filters(args)
    frame = fetch_funnel(con, filters)
    rows = frame.select("stage", "tickets", "conversion_pct", "median_minutes_from_previous")
    if args.json:
        _print_json(rows.to_dicts())
        return 0
    from dashboard.views import funnel as funnel_view  # wording shared with the page

    view_rows = funnel_view.funnel_rows(frame)
    cells = [r.cells() for r in view_rows]
    _table(funnel_view.funnel_title(), list(cells[0]), [list(c.values()) for c in cells])
    print(funnel_view.bottleneck(view_rows).sentence())
    return 0


EFFECT_KEYS = ("fix_id", "metric", "has_control", "partial", "treated_pre", "treated_post",
               "control_pre", "control_post", "n_treated_pre", "n_treated_post",
               "n_control_pre", "n_control_post", "effect", "ci_low", "ci_high")
# beside spec/cli.md's keys: the pre-trend and regression-to-the-mean checks (issue 12)
EFFECT_CHECK_KEYS = ("pre_trend_diff", "pre_trend_ci_low", "pre_trend_ci_high",
                     "pre_trend_warning", "rtm_warning", "rtm_diff", "rtm_ci_low", "rtm_ci_high",
                     "treated_hist", "control_hist", "n_treated_hist", "n_control_hist",
                     "post_days", "completes_on")


def cmd_effects(args: argparse.Namespace) -> int:
    from dashboard.i18n import _
    from dashboard.views import effects as view
    from queries.effects import fetch_effects

    con = _reader(args)
    frame = fetch_effects(con, fix_id=args.fix, window_days=args.window_days, as_of=args.as_of)
    if args.fix and frame.height == 0:
        raise Refused(f"There is no fix with id {args.fix!r}: `cxdash effects` lists them all.")
    rows = frame.select(*EFFECT_KEYS, *EFFECT_CHECK_KEYS).to_dicts()
    if args.json:
        _print_json(rows)
        return 0
    settings = get_settings()
    window = args.window_days or settings.effect_window_days
    shown = [(r, view.effect_row(r, settings.min_sample, window, settings.churn_window_days))
             for r in rows]
    # the answer first (effect, interval, reading); the cells go when the terminal is narrow
    _table(_("Before/after of fixes: difference-in-differences over {window} days, "
             "95 % interval").format(window=window),
           [_("fix"), _("metric"), _("effect"), _("95 % interval"), _("reading"),
            _("treated before > after"), _("control before > after")],
           [[r["fix_id"], view.metric_label(r["metric"]), v.effect_text,
             view.bounds_text(r["metric"], r["ci_low"], r["ci_high"]), v.reading_text,
             f"{view.value_text(r['metric'], r['treated_pre'])} > "
             f"{view.value_text(r['metric'], r['treated_post'])}",
             f"{view.value_text(r['metric'], r['control_pre'])} > "
             f"{view.value_text(r['metric'], r['control_post'])}" if r["has_control"] else "-"]
            for r, v in shown], keep=3, wrap=(1, 4))
    _print_lines([f"{r['fix_id']} {view.metric_label(r['metric'])}: {note.text}"
                  for r, v in shown for note in v.notes])
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from dashboard.demo import build_demo
    from dashboard.i18n import _, format_number

    path = _warehouse_path(args)
    if args.if_missing and path.exists():
        print(_("A warehouse already exists at {path}; keeping it.").format(path=path))
        return 0
    written = build_demo(path, tickets=args.tickets, seed=args.seed, progress=not args.quiet,
                         locale=args.locale)
    # the tickets written (repeat chains add to the first contacts asked for)
    print(_("Demo warehouse with {n} tickets written to {path}.").format(
        n=format_number(written["tickets"]), path=path))
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from dashboard.load.run import load_files

    results = load_files(_warehouse_path(args), args.files, kind=args.kind, profile=args.profile,
                         sheet=args.sheet, progress=not (args.quiet or args.json),
                         force=args.force)
    if args.json:
        _print_json([r.as_json() for r in results])
    else:
        from dashboard.i18n import _
        from dashboard.views.data import kind_label, status_label

        _table(_("Loads"), [_("File"), _("Kind"), _("Profile"), _("Status"), _("Rows read"),
                            _("New"), _("Updated"), _("Rejected"), _("Skipped")],
               [[r.file, kind_label(r.kind), r.profile or "—", status_label(r.status),
                 r.rows_read, r.new, r.updated, r.rejected, r.skipped] for r in results])
        for r in results:
            if r.message and r.status not in ("refused", "failed"):
                print(f"{r.file}: {r.message}")
    refused = [r for r in results if r.status in ("refused", "failed")]
    for r in refused:
        print(r.message, file=sys.stderr)
    return 1 if refused else 0


def cmd_rejects(args: argparse.Namespace) -> int:
    from queries.api import fetch_rejects

    con = _reader(args)
    frame = fetch_rejects(con, extract=args.extract, limit=args.limit)
    rows = frame.select("extract", "line", "column", "reason", "raw").to_dicts()
    if args.json:
        _print_json(rows)
        return 0
    from dashboard.i18n import _
    from dashboard.views.data import field_label

    _table(_("Rejected rows ({n})").format(n=len(rows)),
           [_("Extract"), _("Line"), _("Column"), _("Reason"), _("Row as in the file")],
           [[r["extract"], r["line"], field_label(r["column"]), r["reason"],
             (r["raw"] or "").replace("\n", " ⏎ ").replace("\t", " ")[:40]] for r in rows],
           keep=3, wrap=(3, 4))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    app = Path(__file__).with_name("app.py")
    env = dict(os.environ)
    if args.warehouse:
        env["CXDASH_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    return subprocess.call(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
         "--browser.gatherUsageStats", "false"], env=env)


COMMANDS = {
    "kpis": cmd_kpis, "funnel": cmd_funnel, "effects": cmd_effects, "demo": cmd_demo,
    "load": cmd_load, "rejects": cmd_rejects, "serve": cmd_serve,
}
COMMANDS.update(weekly=cli_weekly.cmd_weekly, alerts=cli_weekly.cmd_alerts,
                report=cli_weekly.cmd_report)  # bodies in dashboard/cli_weekly.py
COMMANDS["outliers"] = lambda args: __import__(
    "dashboard.cli_satisfaction", fromlist=["cmd_outliers"]).cmd_outliers(args)
COMMANDS["tickets"] = lambda args: __import__(
    "dashboard.cli_explore", fromlist=["cmd_tickets"]).cmd_tickets(args)
COMMANDS["customer"] = lambda args: __import__(
    "dashboard.cli_explore", fromlist=["cmd_customer"]).cmd_customer(args)


def _take_language(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> list[str]:
    """Set the output language from `--lang` (before or after the command) or the setting
    CXDASH_LANGUAGE (default en) before any command runs; returns argv without --lang."""
    from dashboard.i18n import normalise_language, set_language

    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang")
    known, rest = pre.parse_known_args(sys.argv[1:] if argv is None else list(argv))
    wanted = known.lang if known.lang is not None else get_settings().language
    lang = normalise_language(wanted)
    if lang is None and known.lang is not None:
        parser.error(f"--lang {known.lang!r}: choose en or zh-CN")
    set_language(lang)
    return rest


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_take_language(parser, argv))
    try:
        return COMMANDS[args.command](args)
    except BadUsage as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        from dashboard.i18n import _

        print(_("Interrupted; nothing was changed."), file=sys.stderr)
        return 1
    except Exception as exc:  # one plain sentence, never a traceback, for users
        from dashboard.i18n import _

        print(_("cxdash {command} failed: {error}").format(command=args.command, error=exc),
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
