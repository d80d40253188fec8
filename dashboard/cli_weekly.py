"""`cxdash weekly`, `cxdash alerts` and `cxdash report` (spec/cli.md): the weekly review on
the command line. The numbers are those of queries.weekly, the sentences those of
dashboard.views.weekly, so the CLI, the page and the report agree."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dashboard.i18n import _, ngettext

EXIT_ALERTS = 3  # spec/cli.md: `alerts` found at least one alert firing


def _week(text: str):
    from queries.weekly import IsoWeek

    try:
        return IsoWeek.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parsers(sub: argparse._SubParsersAction, add_common: Callable[..., None]) -> None:
    """Register the three commands on the `cxdash` sub-parsers."""
    from queries.weekly import ALL_DIMENSIONS, DECOMPOSABLE

    p = sub.add_parser("weekly", help="the weekly scorecard: changes, intervals, flags")
    add_common(p)
    p.add_argument("--week", type=_week, help="ISO week YYYY-Www (default: the latest complete)")
    p.add_argument("--decompose", metavar="KPI", choices=DECOMPOSABLE,
                   help="where the change of this KPI came from (mix and rate by group)")
    p.add_argument("--by", choices=ALL_DIMENSIONS, help="the dimension of --decompose")

    p = sub.add_parser("alerts", help="the alert rules that fire for a week (exit 3 if any)")
    add_common(p)
    p.add_argument("--week", type=_week, help="ISO week YYYY-Www (default: the latest complete)")
    p.add_argument("--rules", type=Path, help="rules file (default: setting alerts_file)")

    p = sub.add_parser("report", help="the weekly review as a self-contained HTML (or PDF) file")
    add_common(p)
    p.add_argument("--week", type=_week, required=True, help="ISO week, YYYY-Www")
    p.add_argument("--out", type=Path,
                   help="file to write; .pdf for a PDF (default weekly-review-YYYY-Www.html)")
    p.add_argument("--quiet", action="store_true", help="no progress messages")


def _no_period(args: argparse.Namespace, command: str) -> None:
    from dashboard.cli import BadUsage

    if getattr(args, "date_from", None) or getattr(args, "date_to", None):
        raise BadUsage(f"`cxdash {command}` reviews one ISO week: give --week YYYY-Www instead of "
                      "--from/--to.")


def _fmt_row(row: dict[str, Any]) -> list[str]:
    from dashboard.views.weekly import (
        format_kpi_change,
        format_kpi_value,
        interval_range,
        label,
        target_text,
    )

    kpi = row["kpi"]
    # a week not over yet is not judged: no interval beside its values so far (the page's
    # rule, interval_range)
    interval = (f"{format_kpi_change(kpi, row['ci_low'])} .. {format_kpi_change(kpi, row['ci_high'])}"
                if interval_range(kpi, row) is not None else "-")
    name = label(kpi) + (f" ({row['week']})" if row.get("week") else "")
    return [name, format_kpi_value(kpi, row["value"]), format_kpi_change(kpi, row["change"]),
            interval, _("yes") if row["flagged"] else "",
            target_text(kpi, row.get("target")) or "-", format_kpi_value(kpi, row["previous"]),
            format_kpi_value(kpi, row["avg_4w"]),
            f"{row['n']:,}" + (" " + _("(thin)") if row.get("thin") else "")]


def cmd_weekly(args: argparse.Namespace) -> int:
    from dashboard.cli import (
        BadUsage,
        Refused,
        _print_json,
        _reader_and_filters,
        _table,
    )
    from dashboard.views.weekly import change_sentences, decomposition_sentence, week_label
    from queries.weekly import IsoWeek, fetch_decomposition, fetch_weekly

    _no_period(args, "weekly")
    if bool(args.decompose) != bool(args.by):
        raise BadUsage("--decompose KPI and --by DIM go together, e.g. "
                      "--decompose repeat_complaint_pct --by region.")
    con, filters = _reader_and_filters(args)
    try:
        if args.decompose:
            result = fetch_decomposition(con, filters, args.decompose, args.by, args.week)
            if args.json:
                _print_json(result["groups"])
                return 0
            from dashboard.views.weekly import (
                dimension_label,
                format_kpi_change,
                format_kpi_value,
                label,
            )

            kpi = args.decompose
            _table(_("Where the change of {kpi} came from, by {by}, {week}").format(
                kpi=label(kpi), by=dimension_label(args.by), week=result["week"]),
                [args.by, _("contribution"), _("mix"), _("rate"), _("share before"), _("share"),
                 _("before"), _("value")],
                [[str(g["group"]) if g["group"] is not None else _("(unknown)"),
                  format_kpi_change(kpi, g["contribution"]), format_kpi_change(kpi, g["mix"]),
                  format_kpi_change(kpi, g["rate"]), f"{100 * g['w_previous']:.1f} %",
                  f"{100 * g['w']:.1f} %", format_kpi_value(kpi, g["value_previous"]),
                  format_kpi_value(kpi, g["value"])] for g in result["groups"]],
                keep=2)
            print(decomposition_sentence(result))
            return 0
        if args.json:  # every number of the page
            from dashboard.report import collect, review_json

            _print_json(review_json(collect(con, filters, args.week)))
            return 0
        review = fetch_weekly(con, filters, args.week)
    except ValueError as exc:
        raise Refused(f"Cannot review the week: {exc}.") from None
    week = IsoWeek.parse(review["week"])
    title = week_label(week, review["as_of"])
    _table(_("Weekly review {week}").format(week=title),
           [_("KPI"), _("value"), _("change"), _("95 % interval"), _("flagged"), _("target"),
            _("previous"), _("4-week avg"), "n"],
           [_fmt_row(r) for r in review["rows"]], keep=3, wrap=(0, 3, 5))
    for flagged, sentence in change_sentences(review["rows"]):
        print(("! " if flagged else "  ") + sentence)
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from dashboard.alerts import AlertRulesError, evaluate, load_rules
    from dashboard.cli import Refused, _print_json, _reader_and_filters

    _no_period(args, "alerts")
    try:
        rules = load_rules(args.rules) if args.rules else load_rules()
    except AlertRulesError as exc:
        raise Refused(f"Cannot evaluate alerts: {exc}.") from None
    con, filters = _reader_and_filters(args)
    try:
        result = evaluate(con, filters, args.week, rules)
    except ValueError as exc:
        raise Refused(f"Cannot evaluate alerts: {exc}.") from None
    for name, reason in result.skipped:
        print(_("Rule {name!r} was not evaluated: {reason}.").format(name=name, reason=reason),
              file=sys.stderr)
    if args.json:
        _print_json(result.alerts)
    elif result.alerts:
        print(ngettext("{n} alert fires for {week}:", "{n} alerts fire for {week}:",
                       len(result.alerts)).format(n=len(result.alerts), week=result.week.label))
        for alert in result.alerts:
            print(f"- [{alert['rule']}] {alert['message']}")
    else:
        print(_("No alert fires for {week}.").format(week=result.week.label))
    return EXIT_ALERTS if result.alerts else 0


def cmd_report(args: argparse.Namespace) -> int:
    from dashboard.cli import (
        Refused,
        _reader_and_filters,
        _warehouse_path,
    )
    from dashboard.i18n import get_language
    from dashboard.report import ReportError, build_report

    _no_period(args, "report")
    out = args.out or Path(f"weekly-review-{args.week.label}.html")
    con, filters = _reader_and_filters(args)

    def progress(fraction: float, step: str) -> None:
        if not args.quiet:
            print(f"[{fraction:4.0%}] {step}", file=sys.stderr)

    try:
        path = build_report(con, filters, args.week, out, lang=get_language(),
                            progress=progress, warehouse=_warehouse_path(args))
    except (ReportError, ValueError) as exc:
        raise Refused(f"Cannot write the report: {exc}.") from None
    if args.json:
        from dashboard.cli import _print_json

        _print_json({"week": args.week.label, "file": str(path),
                     "format": "pdf" if Path(path).suffix.lower() == ".pdf" else "html",
                     "lang": get_language()})
        return 0
    print(_("Weekly review for {week} written to {path}.").format(week=args.week.label,
                                                                  path=path))
    return 0
