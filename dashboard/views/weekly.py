"""Display rules of the weekly review, in plain Python (no Streamlit, no queries).

How a scorecard row reads (value, target, previous, 4-week average, colour that knows
whether up is good, thin-week and churn-week notes, the n/a reason), the sentences of "Is
the change real?" and "Where did it come from?", and the week picker's labels. A week not
over yet gets no verdict anywhere: its values read "so far", grey, without an interval,
an on/off-target mark or a comparison of its counts with whole weeks. The page, the CLI and
the report all read these, so they say the same thing. Numbers come from
queries.weekly; nothing is computed here except wording and colour choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.lists import format_list

from dashboard.i18n import (
    N_,
    _,
    babel_locale,
    format_date,
    format_duration_minutes,
    format_number,
    format_percent_value,
    format_week,
    na,
    named_value,
    ngettext,
    value_label,
)
from queries.registry import DIMENSION_REGISTRY, MEASURES
from queries.weekly import COUNTS, IsoWeek

GOOD = "#1a7f4b"
BAD = "#c0392b"
NEUTRAL = "#5f6b7a"

def label(kpi: str) -> str:
    """The KPI's label of the metrics registry (one entry per measure), translated."""
    return _(MEASURES[kpi].label) if kpi in MEASURES else kpi


def short_label(kpi: str) -> str:
    """The registry's shorter card label ("FCR", "SLA met"; else the label), translated:
    five cards a row at 1,400 px leave about 140 px for a label."""
    measure = MEASURES.get(kpi)
    return _(measure.card_label or measure.label) if measure else kpi


def dimension_label(dim: str) -> str:
    """A dimension's label of the metrics registry, translated, for running text: "channel"
    in English, "渠道" in Chinese; an unknown key is returned as it is."""
    dimension = DIMENSION_REGISTRY.get(dim)
    return _(dimension.label).lower() if dimension else dim


def format_kpi_value(kpi: str, value: float | None) -> str:
    """A KPI value in the current language: counts whole, shares '84.1%', CSAT 2 digits."""
    if value is None:
        return na()
    if kpi in COUNTS:
        return format_number(value)
    unit = MEASURES[kpi].unit if kpi in MEASURES else ""
    if unit == "%":
        return format_percent_value(value, 1)
    if unit == "min":
        return format_duration_minutes(value)
    return format_number(value, MEASURES[kpi].digits if kpi in MEASURES else 1)


def format_kpi_change(kpi: str, change: float | None) -> str:
    """A change: '+2.6 pts' for shares, '+47' for counts, '+0.04' for CSAT."""
    if change is None:
        return na()
    if kpi in COUNTS:
        return format_number(change, signed=True)
    unit = MEASURES[kpi].unit if kpi in MEASURES else ""
    if unit == "%":
        return format_percent_value(change, 1, signed=True)
    if unit == "min":
        text = format_duration_minutes(abs(change))
        return text if round(change) == 0 else ("+" if change > 0 else "-") + text
    digits = MEASURES[kpi].digits if kpi in MEASURES else 1
    return format_number(change, digits, signed=True)


def shows_zero(kpi: str, change: float | None) -> bool:
    """Whether the change reads as zero once formatted ('0 min', '+0.0 pts'): such a
    change gets no arrow (an up arrow beside '0 min' read as a rise)."""
    if change is None:
        return False
    if kpi in COUNTS:
        return change == 0
    unit = MEASURES[kpi].unit if kpi in MEASURES else ""
    digits = 0 if unit == "min" else 1 if unit == "%" else (
        MEASURES[kpi].digits if kpi in MEASURES else 1)
    return round(change, digits) == 0


def higher_is_better(kpi: str) -> bool | None:
    return MEASURES[kpi].higher_is_better if kpi in MEASURES else None


def change_colour(kpi: str, change: float | None, flagged: bool) -> str:
    """Green for a change in the good direction, red for the bad one, grey when the KPI
    has no good direction, the change is unknown or zero, or it is not flagged (noise)."""
    better = higher_is_better(kpi)
    if change is None or change == 0 or better is None or not flagged:
        return NEUTRAL
    return GOOD if (change > 0) == better else BAD


def target_met(kpi: str, value: float | None, target: float | None) -> bool | None:
    better = higher_is_better(kpi)
    if value is None or target is None or better is None:
        return None
    return value >= target if better else value <= target


def target_text(kpi: str, target: float | None) -> str | None:
    if target is None:
        return None
    sign = "≥" if higher_is_better(kpi) else "≤"
    return _("target {sign} {value}").format(sign=sign, value=format_kpi_value(kpi, target))


def so_far(row: dict[str, Any]) -> bool:
    """Whether a scorecard row (or a top-issues row) is of a week not over yet: its values
    are so far, not the week's (spec: never shown as if the week were complete)."""
    return row.get("complete") is False


def na_reason(row: dict[str, Any]) -> str | None:
    """Why a scorecard row's value is n/a, in the metrics registry's words ("every
    resolution is younger than the FCR window"); None when it has a value."""
    if row.get("value") is not None:
        return None
    measure = MEASURES.get(row["kpi"])
    facts = row.get("na_facts")
    if measure is None or facts is None:
        return _("no data this week")
    return measure.na_reason({row["kpi"]: None, **facts}) or _("no data this week")


def na_text(row: dict[str, Any]) -> str | None:
    """'every resolution is younger than the FCR window; 1,342 cases pending: not decided
    yet' -- the reason, and how many cases wait when all of them do; None with a value."""
    reason = na_reason(row)
    if reason is None:
        return None
    if row.get("pending") and not row.get("n"):
        reason = _("{reason}; {n} cases pending: not decided yet").format(
            reason=reason, n=format_number(row["pending"]))
    return reason


def week_label(week: IsoWeek, as_of: datetime | None = None) -> str:
    """'2026-W46 · 9 Nov 2026 – 15 Nov 2026', with '(incomplete)' until the week ends."""
    text = _("{week} · {start} – {end}").format(
        week=format_week(week.monday), start=format_date(week.monday), end=format_date(week.sunday))
    if as_of is not None and not week.complete(as_of):
        text += " " + _("(incomplete, data up to {as_of})").format(as_of=format_date(as_of))
    return text


@dataclass(frozen=True)
class Card:
    """One scorecard row as every surface shows it."""

    kpi: str
    label: str
    short_label: str  # for a narrow card; the help names the measure in full
    arrow: bool  # False when the change reads as zero (or is unknown)
    value: str
    previous: str
    avg_4w: str
    change: str  # "–" for a count of a week not over yet (not comparable)
    delta: str | None  # the change as a card shows it beside the value; None: none shown
    interval: str | None
    interval_range: str | None
    target: str | None
    target_short: str | None
    on_target: bool | None
    colour: str
    flagged: bool
    thin_note: str | None
    notes: tuple[str, ...]
    help: str
    so_far: bool = False  # the week is not over: the value is so far, not judged


def interval_text(kpi: str, row: dict[str, Any]) -> str | None:
    if row.get("ci_low") is None or so_far(row):
        return None
    return _("95 % interval {low} to {high}").format(
        low=format_kpi_change(kpi, row["ci_low"]), high=format_kpi_change(kpi, row["ci_high"]))


def interval_range(kpi: str, row: dict[str, Any]) -> str | None:
    """The interval alone, for a column headed '95 % interval': '+0.2 pts to +4.9 pts'."""
    if row.get("ci_low") is None or so_far(row):
        return None
    return _("{low} to {high}").format(
        low=format_kpi_change(kpi, row["ci_low"]), high=format_kpi_change(kpi, row["ci_high"]))


def card(row: dict[str, Any], min_sample: int) -> Card:
    kpi = row["kpi"]
    partial = so_far(row)
    count_so_far = partial and kpi in COUNTS  # a part of a week: no change, no range
    notes: list[str] = []
    missing = na_text(row)
    if count_so_far:
        notes.append(_("so far: the week is not over, so not compared with whole weeks"))
    elif partial and missing is None:
        notes.append(_("so far: not judged until the week is over"))
    if row.get("week"):
        notes.append(_("for {week}, the latest week whose complaints have all matured").format(
            week=format_week(row["week"])))
    # a small sample shown as a number is labelled; an n/a says why instead
    thin = (_("thin week: n = {n} (below {min})").format(
        n=format_number(row["n"]), min=format_number(min_sample))
        if row.get("thin") and missing is None else None)
    if not thin and missing is None and row.get("n") is not None and kpi not in COUNTS:
        notes.append(_("n = {n}").format(n=format_number(row["n"])))
    if missing is not None:
        notes.append(_("n/a: {reason}").format(reason=missing))
    elif row.get("pending"):
        notes.append(_("{n} cases still too young to decide: the value may still move").format(
            n=format_number(row["pending"])))
    if kpi == "frt_median_min" and not partial:
        notes.append(_("medians are not tested"))
    if kpi in COUNTS and row.get("expected_low") is not None and not partial:
        notes.append(_("usual range {low} to {high}").format(
            low=format_number(max(row["expected_low"], 0)), high=format_number(row["expected_high"])))
    change = "–" if count_so_far else format_kpi_change(kpi, row.get("change"))
    return Card(
        kpi=kpi, label=label(kpi), short_label=short_label(kpi),
        arrow=(not count_so_far and row.get("change") is not None
               and not shows_zero(kpi, row.get("change"))),
        value=format_kpi_value(kpi, row.get("value")),
        previous=format_kpi_value(kpi, row.get("previous")),
        avg_4w=format_kpi_value(kpi, row.get("avg_4w")),
        change=change,
        delta=None if count_so_far or row.get("change") is None else change,
        interval=interval_text(kpi, row),
        interval_range=interval_range(kpi, row),
        target=target_text(kpi, row.get("target")),
        target_short=(None if row.get("target") is None else "{sign} {value}".format(
            sign="≥" if higher_is_better(kpi) else "≤",
            value=format_kpi_value(kpi, row["target"]))),
        on_target=None if partial else target_met(kpi, row.get("value"), row.get("target")),
        colour=change_colour(kpi, row.get("change"), bool(row.get("flagged"))),
        flagged=bool(row.get("flagged")), thin_note=thin, notes=tuple(notes),
        help=MEASURES[kpi].help if kpi in MEASURES else "", so_far=partial,
    )


def so_far_sentence(row: dict[str, Any]) -> str:
    """A row of a week not over yet, without a verdict: 'Resolved so far: 72.0% (last week
    93.9%, -21.9 pts): not judged until the week is over; 523 cases are still too young
    to decide.' Counts name last week's whole count and are not compared with it."""
    kpi = row["kpi"]
    name, value = label(kpi), format_kpi_value(kpi, row.get("value"))
    missing = na_text(row)
    if missing is not None:
        return _("{kpi} so far: {value} ({reason}).").format(kpi=name, value=value,
                                                             reason=missing)
    if kpi in COUNTS:
        return _("{kpi} so far: {value} (last week {previous} in all): the week is not over, "
                 "so it is not compared with whole weeks.").format(
            kpi=name, value=value, previous=format_kpi_value(kpi, row.get("previous")))
    if row.get("previous") is None or row.get("change") is None:
        text = _("{kpi} so far: {value}: not judged until the week is over.").format(
            kpi=name, value=value)
    else:
        text = _("{kpi} so far: {value} (last week {previous}, {change}): not judged until "
                 "the week is over.").format(
            kpi=name, value=value, previous=format_kpi_value(kpi, row["previous"]),
            change=format_kpi_change(kpi, row["change"]))
    if row.get("pending"):  # one template: Chinese joins sentences without a space
        text = _("{sentence} {n} cases are still too young to decide.").format(
            sentence=text, n=format_number(row["pending"]))
    return text


def change_sentence(row: dict[str, Any]) -> str:
    """'Repeat complaints rose from 9.8% to 12.4% (+2.6 pts, 95 % interval +0.9 pts to
    +4.3 pts).' Counts name their usual range instead of an interval."""
    kpi = row["kpi"]
    if so_far(row):
        return so_far_sentence(row)
    name = label(kpi)
    value, previous, change = row.get("value"), row.get("previous"), row.get("change")
    missing = na_text(row)
    if missing is not None:
        return _("{kpi}: n/a this week ({reason}), so no comparison.").format(
            kpi=name, reason=missing)
    if previous is None or change is None:
        return _("{kpi}: no comparison (no data last week).").format(kpi=name)
    details = format_kpi_change(kpi, change)
    interval = interval_text(kpi, row)
    bounds = interval or (_("usual range {low} to {high}").format(
        low=format_number(max(row["expected_low"], 0)), high=format_number(row["expected_high"]))
        if kpi in COUNTS and row.get("expected_low") is not None else None)
    if bounds:
        details = _("{change}, {bounds}").format(change=details, bounds=bounds)
    if change > 0:
        template = _("{kpi} rose from {previous} to {value} ({details})")
    elif change < 0:
        template = _("{kpi} fell from {previous} to {value} ({details})")
    else:
        template = _("{kpi} stayed at {value} ({details})")
    text = template.format(kpi=name, previous=format_kpi_value(kpi, previous),
                           value=format_kpi_value(kpi, value), details=details)
    if row.get("week"):
        text += " " + _("in {week}").format(week=format_week(row["week"]))
    if row.get("flagged") and row.get("pending"):
        text += _(": beyond noise, but {n} cases of the week are still too young to decide, "
                  "so part of it may be timing.").format(n=format_number(row["pending"]))
    elif row.get("flagged"):
        text += _(": a real change.")
    elif kpi == "frt_median_min":
        text += _(": medians are not tested.")
    elif interval is None and kpi not in COUNTS:
        text += _(": too few cases to tell.")
    elif kpi in COUNTS and row.get("expected_low") is None:
        text += _(": fewer than 4 of the 8 weeks before had tickets, so not tested.")
    else:
        text += _(": within the noise.")
    return text


def change_sentences(rows: list[dict[str, Any]]) -> list[tuple[bool, str]]:
    """(flagged, sentence) for every scorecard row, flagged changes first (scorecard
    order kept within each part)."""
    flagged = [(True, change_sentence(r)) for r in rows if r.get("flagged")]
    others = [(False, change_sentence(r)) for r in rows if not r.get("flagged")]
    return flagged + others


def group_text(dim: str, group: Any, branch_names: dict[str, str] | None = None,
               named: bool = True) -> str:
    """'region North', 'branch B03 East Hillside', 'type Complaint' (named=False: without
    the dimension); in Chinese '区域「North」', '类型「投诉」' (dashboard.i18n.named_value)."""
    if group is None:
        return (_("{dimension} unknown").format(dimension=dimension_label(dim)) if named
                else _("unknown"))
    name = value_label(dim, group)  # type/priority words translated; data as stored
    if dim == "branch" and branch_names and group in branch_names:
        name = f"{group} {branch_names[group]}"
    return named_value(dimension_label(dim), name) if named else name


def _share_words(share: float, digits: int = 0) -> str:
    return format_percent_value(100.0 * share, digits)


def decomposition_sentence(result: dict[str, Any], branch_names: dict[str, str] | None = None,
                           top: int = 3) -> str:
    """'80% of the rise of First-contact resolution (+2.4 pts) comes from region North
    (+1.2 pts) and region East (+1.1 pts).' The groups named are the largest contributions
    in the direction of the change (at most `top`, stopping once they explain it all)."""
    kpi, dim, change = result["kpi"], result["by"], result.get("change")
    name = label(kpi)
    if change is None:
        return _("{kpi}: no change to explain.").format(kpi=name)
    if change == 0:
        return _("{kpi} did not change.").format(kpi=name)
    same = [g for g in result["groups"] if g["contribution"] * change > 0]
    chosen: list[dict[str, Any]] = []
    total = 0.0
    for g in same[:top]:
        chosen.append(g)
        total += g["contribution"]
        if abs(total) >= abs(change):
            break
    if not chosen:
        return _("{kpi}: no single group moved in the direction of the change.").format(kpi=name)
    parts = [_("{group} ({contribution})").format(
        group=group_text(dim, g["group"], branch_names),
        contribution=format_kpi_change(kpi, g["contribution"])) for g in chosen]
    # the locale's list ("a, b, and c" / "a、b和c"): a comma between Chinese phrases jarred
    joined = format_list(parts, locale=babel_locale())
    if total / change > 1.0:  # these groups alone moved more; others offset part of it
        template = (_("The rise of {kpi} ({change}) comes from {groups}; other groups moved "
                      "the other way.") if change > 0 else
                    _("The fall of {kpi} ({change}) comes from {groups}; other groups moved "
                      "the other way."))
    else:
        template = (_("{share} of the rise of {kpi} ({change}) comes from {groups}.")
                    if change > 0 else
                    _("{share} of the fall of {kpi} ({change}) comes from {groups}."))
    return template.format(share=_share_words(total / change), kpi=name,
                           change=format_kpi_change(kpi, change), groups=joined)


CROSS_SHARE = 2 / 3   # "two thirds of the rise": the share a cross reading must explain
CROSS_MAX_CELLS = 4   # more cells than this is no concentration worth a sentence


def smallest_explaining_cells(result: dict[str, Any], share: float = CROSS_SHARE,
                              max_cells: int = CROSS_MAX_CELLS) -> list[dict[str, Any]] | None:
    """The fewest groups (cells of a pair decomposition) whose contributions, in the
    direction of the change, add up to at least `share` of it: the largest first, which
    is the smallest such set. None when the change is null or 0, or when more than
    `max_cells` would be needed (the change is spread out)."""
    change = result.get("change")
    if not change:
        return None
    same = sorted((g for g in result["groups"] if g["contribution"] * change > 0),
                  key=lambda g: -abs(g["contribution"]))
    chosen: list[dict[str, Any]] = []
    total = 0.0
    for g in same[:max_cells]:
        chosen.append(g)
        total += g["contribution"]
        if total / change >= share:
            return chosen
    return None


def cross_reading(results: list[dict[str, Any]], share: float = CROSS_SHARE,
                  max_cells: int = CROSS_MAX_CELLS) -> tuple[dict[str, Any],
                                                             list[dict[str, Any]]] | None:
    """Of pair decompositions (queries.weekly.DECOMPOSE_PAIRS) of one KPI, the one whose
    change is explained by the fewest cells (ties: the larger share explained), with
    those cells; None when no pair has such a concentration."""
    best = None
    for result in results:
        cells = smallest_explaining_cells(result, share, max_cells)
        if cells is None:
            continue
        explained = sum(c["contribution"] for c in cells) / result["change"]
        rank = (len(cells), -explained)
        if best is None or rank < best[0]:
            best = (rank, result, cells)
    return (best[1], best[2]) if best else None


def _share_fraction(share: float) -> str:
    """'Two thirds' / '三分之二' for shares near 2/3 and 3/4, otherwise '72%'."""
    for value, words in ((2 / 3, N_("Two thirds")), (3 / 4, N_("Three quarters"))):
        if abs(share - value) < 0.02:
            return _(words)
    return _share_words(share)


def cross_sentence(results: list[dict[str, Any]],
                   branch_names: dict[str, str] | None = None) -> str | None:
    """'Two thirds of the rise of Repeat complaints (+2.0 pts) comes from category cards
    in branch B1, branch B2 and branch B3.' -- the cross-dimension reading of issue 13:
    the smallest set of cells of one pair of dimensions explaining at least two thirds of
    the change. None when the change is spread out (no pair concentrates it in at most
    CROSS_MAX_CELLS cells)."""
    found = cross_reading(results)
    if found is None:
        return None
    result, cells = found
    kpi, (d1, d2), change = result["kpi"], result["by"], result["change"]
    explained = sum(c["contribution"] for c in cells) / change
    firsts = {c["group"][0] for c in cells}
    if len(firsts) == 1:
        groups = _("{first} in {seconds}").format(
            first=group_text(d1, cells[0]["group"][0], branch_names),
            seconds=format_list([group_text(d2, c["group"][1], branch_names) for c in cells],
                                locale=babel_locale()))
    else:
        groups = format_list([_("{first} in {second}").format(
            first=group_text(d1, c["group"][0], branch_names),
            second=group_text(d2, c["group"][1], branch_names)) for c in cells],
            locale=babel_locale())
    template = (_("{share} of the rise of {kpi} ({change}) comes from {groups}.")
                if change > 0 else
                _("{share} of the fall of {kpi} ({change}) comes from {groups}."))
    text = template.format(share=_share_fraction(min(explained, 1.0)), kpi=label(kpi),
                           change=format_kpi_change(kpi, change), groups=groups)
    return text[:1].upper() + text[1:]


def decomposition_note() -> str:
    return _("Mix: the group's share of the cases moved; rate: the group's own value moved. "
             "Contributions add up to the change.")


def growth_sentence(rows: list[dict[str, Any]], top: int = 3) -> str:
    """The categories that grew most against their 4-week average; for a week not over
    yet, that its counts so far are not compared with whole weeks."""
    if any(so_far(r) for r in rows):
        return _("The week is not over: complaints so far by category are not compared with "
                 "the 4-week average of whole weeks.")
    grown = [r for r in rows if r["growth"] > 0][:top]
    if not grown:
        return _("No category grew against its 4-week average.")
    parts = [_("{category} ({value} against {avg} a week)").format(
        category=r["group"] if r["group"] is not None else na(), value=format_number(r["value"]),
        avg=format_number(r["avg_4w"], 1)) for r in grown]
    return _("Grew most against the 4-week average: {items}.").format(items="; ".join(parts))


def drill_params(dim: str, group: Any, week_monday: date, kpi: str | None = None
                 ) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The Explore drill of a decomposition bar: the group as a filter, the week as the
    period, the ticket list of that week, and the KPI that was decomposed (x_kpi), so
    that Explore can show that KPI's card beside the tickets."""
    sunday = IsoWeek(week_monday).sunday
    filters: dict[str, list[str]] = {"from": [week_monday.isoformat()], "to": [sunday.isoformat()]}
    if group is not None:
        filters[dim] = [str(group)]
    params = {"x_level": "tickets", "x_week": week_monday.isoformat()}
    if kpi is not None:
        params["x_kpi"] = kpi
    return filters, params


def group_detail(result: dict[str, Any], group: dict[str, Any],
                 branch_names: dict[str, str] | None = None) -> list[str]:
    """A clicked bar of a decomposition in words: the group's value of the KPI that was
    decomposed this week and last, its share of the KPI's cases, and how its contribution
    splits into mix and rate (all from the fetch_decomposition result)."""
    kpi, dim = result["kpi"], result["by"]
    return [
        _("{group}, {kpi}: {value} in {week} (last week {previous}).").format(
            group=group_text(dim, group["group"], branch_names), kpi=label(kpi),
            value=format_kpi_value(kpi, group["value"]), week=format_week(result["week"]),
            previous=format_kpi_value(kpi, group["value_previous"])),
        _("Its share of the cases: {share} (last week {share_previous}).").format(
            share=_share_words(group["w"], 1), share_previous=_share_words(group["w_previous"], 1)),
        _("Contribution {contribution} = mix {mix} (its share moved) + rate {rate} (its own "
          "value moved).").format(
            contribution=format_kpi_change(kpi, group["contribution"]),
            mix=format_kpi_change(kpi, group["mix"]), rate=format_kpi_change(kpi, group["rate"])),
    ]



def where_empty_text(weekly: dict[str, Any]) -> str:
    """What "Where did it come from?" says when no change is decomposed."""
    if not weekly.get("complete", True):
        return _("The week is not over: no change is judged yet, so none is explained.")
    return _("No share or average changed beyond noise this week.")


def phrase_growth_sentence(rows: list[dict[str, Any]] | None, top: int = 5,
                           complete: bool = True) -> str | None:
    """'Phrases of unhappy customers that grew most: “came back” (5 against 1.2 a week); …'.
    A phrase inside an already named one (or holding it) is skipped. None when the
    satisfaction work's phrase API is missing. A week not over yet (complete False) is
    part of a week: a phrase above its whole-week average has already passed it, and
    none doing so is not yet news."""
    if rows is None:
        return None
    chosen: list[dict[str, Any]] = []
    for r in rows:
        if r["growth"] <= 0 or len(chosen) == top:
            break
        if any(r["phrase"] in c["phrase"] or c["phrase"] in r["phrase"] for c in chosen):
            continue
        chosen.append(r)
    if not chosen:
        return (_("No phrase of unhappy customers' comments grew against its 4-week average.")
                if complete else
                _("The week is not over: no phrase of unhappy customers' comments has passed "
                  "its 4-week average so far."))
    parts = [_("“{phrase}” ({value} against {avg} a week)").format(
        phrase=r["phrase"], value=format_number(r["value"]), avg=format_number(r["avg_4w"], 1))
        for r in chosen]
    template = (_("Phrases of unhappy customers' comments that grew most: {items}.") if complete
                else _("The week is not over, yet these phrases of unhappy customers' comments "
                       "have already passed their 4-week average: {items}."))
    return template.format(items="; ".join(parts))


def fix_effect_lines(fix: dict[str, Any], min_sample: int, window_days: int,
                     churn_days: int = 90) -> list[str]:
    """Each effect of a fix in one line, as the Recovery page reads it
    (dashboard.views.effects.effect_sentence: effect, interval, reading and notes)."""
    from dashboard.views.effects import effect_sentence

    return [effect_sentence(effect, min_sample, window_days, churn_days)
            for effect in fix.get("effects", [])]


def concentration(result: dict[str, Any]) -> float:
    """How much of a change its largest group in the same direction explains (a fetch_
    decomposition result): 0.8 = one group gives 80 % of it; 0 without a change."""
    change = result.get("change")
    if not change:
        return 0.0
    same = [g["contribution"] for g in result["groups"] if g["contribution"] * change > 0]
    return max(same, key=abs, default=0.0) / change


def by_concentration(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decompositions of one KPI, the dimension where one group explains most first (the
    one a reader should look at; the page and the report chart it)."""
    return sorted(results, key=lambda r: -concentration(r))


def summary_sentence(rows: list[dict[str, Any]], alerts: list[dict[str, Any]] | None) -> str:
    """The week in one line: 'On target 2 of 4 · 2 changes beyond noise · 1 alert fires'.
    A week not over yet gets no verdict: 'The week is not over: values so far, not judged
    · 1 alert fires'."""
    if any(so_far(r) for r in rows):
        parts = [_("The week is not over: values so far, not judged")]
    else:
        judged = [target_met(r["kpi"], r.get("value"), r.get("target")) for r in rows]
        known = [m for m in judged if m is not None]
        parts = [_("On target: {met} of {total}").format(met=sum(known), total=len(known))]
        flagged = sum(1 for r in rows if r.get("flagged"))
        parts.append(ngettext("{n} change beyond noise", "{n} changes beyond noise",
                              flagged).format(n=flagged))
    if alerts is not None:
        parts.append(ngettext("{n} alert fires", "{n} alerts fire", len(alerts)).format(
            n=len(alerts)))
    return " · ".join(parts)
