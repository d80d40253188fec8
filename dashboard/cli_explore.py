"""`cxdash tickets` and `cxdash customer` (spec/cli.md): the tickets behind any number and
one customer's whole story.

The parser entries and the command bodies live here; dashboard/cli.py only registers
them. Rows come from queries.explore -- the functions the Explore page reads -- and free
text goes through dashboard.masking.mask_text like on the page and in the exports.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dashboard.i18n import N_, _


def _stage(text: str) -> str:
    from queries.explore_model import STAGES

    value = text.strip().lower()
    if value in STAGES or (value.startswith("stuck:") and value[6:] in STAGES):
        return value
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a stage: {', '.join(STAGES)} (or stuck:STAGE for open tickets "
        "whose deepest stage is STAGE)")


def _monday(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-30") from None
    if day.isoweekday() != 1:
        raise argparse.ArgumentTypeError(f"{text} is not a Monday (weeks start on Monday)")
    return day


def _timestamp(text: str) -> datetime:
    from dashboard.cli import _timestamp as parse

    return parse(text)


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must be 0 or more")
    return value


def add_parsers(sub, add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `tickets [period] [filters] [--stage S] [--sla STATE] [--limit N]
    [--offset N] [--json]` and `customer ID [--json]`."""
    from queries.explore_model import AGE_BANDS, SLA_STATES, SORT_KEYS

    p = sub.add_parser("tickets", help="the tickets behind any number, newest first")
    add_common(p)
    p.add_argument("--stage", type=_stage,
                   help="funnel stage reached (received .. satisfied); stuck:STAGE = open "
                        "tickets whose deepest stage is STAGE")
    p.add_argument("--sla", choices=SLA_STATES, help="first-response SLA state at as of")
    p.add_argument("--text", help="text in the subject, description or a survey comment")
    p.add_argument("--low-score", dest="low_score", action="store_true",
                   help="latest survey CSAT <= 2 or NPS <= 6")
    p.add_argument("--open", dest="open_only", action="store_true",
                   help="only tickets not resolved at as of")
    p.add_argument("--age", choices=tuple(AGE_BANDS), help="open tickets by age at as of")
    p.add_argument("--week", type=_monday, help="only the ISO week starting this Monday")
    p.add_argument("--weekday", type=int, choices=range(1, 8), metavar="1-7",
                   help="ISO weekday of creation (1 = Monday)")
    p.add_argument("--hour", type=int, choices=range(24), metavar="0-23",
                   help="hour of creation")
    p.add_argument("--repeat", action="store_true", help="only repeat complaints")
    p.add_argument("--reopened", action="store_true", help="only reopened tickets")
    p.add_argument("--escalated", action="store_true", help="only escalated tickets")
    p.add_argument("--sort", default="-created_at",
                   choices=[*[f"-{k}" for k in SORT_KEYS], *SORT_KEYS],
                   help="order (leading - = descending; default -created_at, newest first)")
    p.add_argument("--limit", type=_non_negative, default=50,
                   help="at most this many tickets (default 50)")
    p.add_argument("--offset", type=_non_negative, default=0,
                   help="skip this many tickets first (paging)")

    p = sub.add_parser("customer", help="one customer's profile and every contact, in time order")
    p.add_argument("customer_id", metavar="ID")
    p.add_argument("--warehouse", type=Path, help="warehouse file (default: CXDASH_WAREHOUSE)")
    p.add_argument("--json", action="store_true", help="print JSON (spec/cli.md shapes)")
    p.add_argument("--as-of", dest="as_of", type=_timestamp,
                   help='evaluate open/due states at this time, "YYYY-MM-DD HH:MM:SS"')


def _selection(args: argparse.Namespace):
    from queries.explore_model import TicketSelection

    stage = args.stage or ""
    return TicketSelection(
        stage=stage if stage and not stage.startswith("stuck:") else None,
        stuck_at=stage[6:] if stage.startswith("stuck:") else None,
        sla=args.sla, text=args.text, low_score=args.low_score, week=args.week,
        weekday=args.weekday, hour=args.hour, open_only=args.open_only, age=args.age,
        repeat=args.repeat, reopened=args.reopened, escalated=args.escalated)


def _objects(frame) -> list[dict[str, Any]]:
    from dashboard.masking import mask_record
    from queries.explore import ticket_objects

    return [mask_record(row) for row in ticket_objects(frame)]


def _ticket_rows(objects: list[dict[str, Any]]) -> list[list[str]]:
    from dashboard.i18n import value_label
    from dashboard.views.explore import sla_label, yes_no

    return [[o["ticket_id"], o["created_at"].strftime("%Y-%m-%d %H:%M"), o["channel"],
             o["branch_id"], o["category"], value_label("type", o["type"]),
             sla_label(o["sla_state"]),
             yes_no(o["is_repeat"]),
             "" if o["latest_csat"] is None else str(o["latest_csat"]),
             ((o["subject"] or "")[:40])] for o in objects]


TICKET_HEADERS = (N_("ticket"), N_("created"), N_("channel"), N_("branch"), N_("category"),
                  N_("type"), N_("SLA"), N_("repeat"), N_("CSAT"), N_("subject"))
# the subject wraps between words; columns that still do not fit are named under the table
SUBJECT = (TICKET_HEADERS.index("subject"),)


def cmd_tickets(args: argparse.Namespace) -> int:
    """A page of tickets (newest first): `--json` prints the ticket objects of spec/cli.md."""
    from dashboard import cli
    from queries.explore import count_tickets, fetch_tickets

    con, filters = cli._reader_and_filters(args)
    selection = _selection(args)
    from dashboard.settings import get_settings
    from dashboard.views.explore import refused_search_sentence, search_reveals_personal_data

    masking = bool(getattr(get_settings(), "mask_personal_data", True))
    if search_reveals_personal_data(selection.text, masking):
        raise cli.Refused(refused_search_sentence() + " " + _(
            "To see one customer's contacts: cxdash customer ID (the id from the customer "
            "record); to find tickets by what they are about, search words of the subject "
            "or description."))
    frame = fetch_tickets(con, filters, selection, sort=args.sort.lstrip("-"),
                          descending=args.sort.startswith("-"), limit=args.limit,
                          offset=args.offset)
    objects = _objects(frame)
    if args.json:
        cli._print_json(objects)
        return 0
    total = count_tickets(con, filters, selection)["tickets"]
    first = args.offset + 1 if objects else 0
    cli._table(_("Tickets {first}-{last} of {total}").format(
        first=first, last=args.offset + len(objects), total=f"{total:,}"),
        [_(h) for h in TICKET_HEADERS], _ticket_rows(objects), keep=1, wrap=SUBJECT)
    return 0


def cmd_customer(args: argparse.Namespace) -> int:
    """One customer: `--json` prints {"customer": {...}, "contacts": [...], "surveys": [...]}."""
    from dashboard import cli
    from dashboard.masking import mask_record
    from queries.explore import fetch_customer_story
    from queries.explore_model import CUSTOMER_COLUMNS, SURVEY_COLUMNS

    as_of = args.as_of
    con = cli._reader(args)
    story = fetch_customer_story(con, args.customer_id, as_of, limit=None)  # every contact
    if story is None:
        raise cli.Refused(f"There is no customer {args.customer_id!r}: neither the customers "
                          "extract nor any ticket has this id.")
    profile = {c: (story.profile or {}).get(c) for c in CUSTOMER_COLUMNS}
    profile["customer_id"] = story.customer_id
    contacts = _objects(story.contacts)
    surveys = [mask_record(s) for s in story.surveys.select(SURVEY_COLUMNS).to_dicts()]
    if args.json:
        cli._print_json({"customer": profile, "contacts": contacts, "surveys": surveys})
        return 0
    p = story.profile or {}
    cli._table(_("Customer {id}").format(id=story.customer_id), [_("field"), _("value")], [
        [_("segment"), p.get("segment") or "n/a"],
        [_("annual value"), cli._fmt(p.get("annual_value"))],
        [_("joined"), str(p.get("joined_at") or "n/a")],
        [_("churned"), str(p.get("churned_at") or "-")],
        [_("contacts"), str(len(contacts))],
    ])
    cli._table(_("Every contact, oldest first"), [_(h) for h in TICKET_HEADERS],
               _ticket_rows(contacts), keep=1, wrap=SUBJECT)
    if surveys:
        cli._table(_("Surveys"), [_("survey"), _("ticket"), _("answered"), "CSAT", "NPS",
                                  _("comment")],
                   [[s["survey_id"], s["ticket_id"], s["responded_at"].strftime("%Y-%m-%d"),
                     "" if s["csat"] is None else str(s["csat"]),
                     "" if s["nps"] is None else str(s["nps"]), (s["comment"] or "")[:50]]
                    for s in surveys], keep=1, wrap=(5,))
    return 0
