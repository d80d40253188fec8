"""`cxdash outliers`: satisfaction per group with the low-outlier test (spec/cli.md).

The parser entry and the command body live here; dashboard/cli.py only registers them.
Numbers come from queries.satisfaction.fetch_outliers, the function the Satisfaction page
reads, so the page and the CLI agree by construction.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from dashboard.i18n import _


def add_parser(sub, add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `outliers [period] [filters] [--by DIM] [--json]` on the subcommand set."""
    from queries.satisfaction import OUTLIER_DIMENSIONS

    p = sub.add_parser("outliers",
                       help="satisfaction per group with the low-outlier test "
                            "(Welch + Benjamini-Hochberg)")
    add_common(p)
    p.add_argument("--by", default="branch",
                   type=lambda text: "branch" if text == "branch_id" else text,
                   choices=OUTLIER_DIMENSIONS, help="group by this dimension (default branch)")


def cmd_outliers(args: argparse.Namespace) -> int:
    """Print the groups lowest csat_avg first; --json gives the spec/cli.md list."""
    from dashboard import cli
    from dashboard.i18n import format_number
    from dashboard.settings import get_settings
    from dashboard.views.cards import period_text
    from dashboard.views.satisfaction import format_p, outlier_status
    from queries.satisfaction import fetch_outliers

    con, filters = cli._reader_and_filters(args)
    rows = fetch_outliers(con, filters, by=args.by)
    min_surveys = get_settings().outlier_min_surveys
    if args.json:
        cli._print_json(rows)
        return 0

    period = period_text(filters.date_from, filters.date_to)
    cli._table(
        _("CSAT by {dim}, {period}: low outliers (Welch t-test, Benjamini-Hochberg)").format(
            dim=args.by, period=period),
        [args.by, "n", _("CSAT avg"), _("others"), "p", _("adjusted p"), _("result"), "NPS",
         _("NPS ±")],
        [[r["group"] if r["group"] is not None else _("(unknown)"), format_number(r["n"]),
          format_number(r["csat_avg"], 2), format_number(r["others_avg"], 2), format_p(r["p"]),
          format_p(r["p_adj"]), outlier_status(r, min_surveys), format_number(r["nps"], 1),
          format_number(r["nps_moe"], 1)] for r in rows],
        keep=7)  # group .. result always; NPS columns left out (and named) when narrow
    return 0

