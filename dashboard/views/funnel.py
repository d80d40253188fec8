"""Display rules of the Funnel page, in plain Python (no Streamlit, no queries).

What each stage is called, how a funnel row reads ("not in the data" for a stage the
source does not carry), which stage is the bottleneck and the one sentence that names it
(the weekly report reuses `bottleneck()`), how the channel comparison is coloured
(better / worse than the whole funnel, so it reads without numbers), how SLA cells and
backlog bands read, and which Explore selection a click on each opens.

Frames come from queries.funnel (columns documented there); nothing here computes a
metric -- it picks, compares and words the numbers the query layer returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from dashboard.i18n import (
    N_,
    VOCABULARIES,
    _,
    format_datetime,
    format_duration_minutes,
    format_number,
    format_percent_value,
    value_label,
)

STAGE_LABELS: dict[str, str] = {
    "received": N_("Received"),
    "assigned": N_("Assigned"),
    "responded": N_("Responded"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "surveyed": N_("Surveyed"),
    "satisfied": N_("Satisfied"),
}
# "x % of <previous> tickets are never <stage>": the verb phrase of each stage.
STAGE_NEVER: dict[str, str] = {
    "assigned": N_("never assigned"),
    "responded": N_("never answered"),
    "resolved": N_("never resolved"),
    "closed": N_("never closed"),
    "surveyed": N_("never surveyed"),
    "satisfied": N_("not satisfied"),
}
# The priority tiers in their own order (urgent first), the product's one list of them.
TIERS: tuple[str, ...] = tuple(VOCABULARIES["priority"])
AGE_BAND_LABELS: dict[str, str] = {
    "gt30d": N_("> 30 days"),
    "7to30d": N_("7–30 days"),
    "3to7d": N_("3–7 days"),
    "1to3d": N_("1–3 days"),
    "lt1d": N_("< 1 day"),
}
COMPARE_LABELS: dict[str, str] = {
    "channel": N_("Channel"), "region": N_("Region"), "branch": N_("Branch"),
}
NOT_IN_DATA = N_("not in the data")

# Colour-blind-safe diverging scale (blue = better, orange = worse, light middle = like the
# whole funnel); grey = not in the data or too few tickets to say.
WORSE = "#b35806"
NEUTRAL = "#f7f7f7"
BETTER = "#1f4e99"
MISSING = "#c8c8c8"
BREACHED = "#c0392b"
DIVERGING = [[0.0, WORSE], [0.25, "#f1a340"], [0.5, NEUTRAL], [0.75, "#6fa8dc"], [1.0, BETTER]]
# A cell 20 points of conversion (or 2x the median time) away from the whole funnel is at
# the end of the scale; closer ones are paler.
CONVERSION_SPAN_PTS = 20.0
TIME_SPAN_LOG2 = 1.0


def stage_label(stage: str) -> str:
    return _(STAGE_LABELS.get(stage, stage))


def band_label(band: str | None) -> str:
    return _(AGE_BAND_LABELS[band]) if band in AGE_BAND_LABELS else _("unknown")


def _pct(value: float | None) -> str:
    return format_percent_value(value) if value is not None else _(NOT_IN_DATA)


@dataclass(frozen=True)
class FunnelRow:
    """One stage as the page, CLI and report show it (numbers as the query returned)."""

    stage: str
    tickets: int | None
    conversion_pct: float | None
    from_received_pct: float | None
    median_minutes: float | None

    @property
    def carried(self) -> bool:
        return self.tickets is not None

    @property
    def label(self) -> str:
        return stage_label(self.stage)

    def cells(self) -> dict[str, str]:
        """The table row: stage, tickets, of previous, of received, median from previous."""
        dash = "—"
        return {
            _("Stage"): self.label,
            _("Tickets"): format_number(self.tickets) if self.carried else _(NOT_IN_DATA),
            _("Of previous"): (dash if self.stage == "received" else
                                     format_percent_value(self.conversion_pct)),
            _("Of received"): (dash if self.stage == "received" else
                               format_percent_value(self.from_received_pct)),
            _("Median from previous"): (
                format_duration_minutes(self.median_minutes)
                if self.stage in ("assigned", "responded", "resolved", "closed") else dash),
        }


def funnel_rows(frame: pl.DataFrame) -> list[FunnelRow]:
    """queries.funnel.fetch_funnel (one funnel) -> rows in stage order."""
    return [FunnelRow(r["stage"], r["tickets"], r["conversion_pct"],
                      r["conversion_from_received_pct"], r["median_minutes_from_previous"])
            for r in frame.iter_rows(named=True)]


@dataclass(frozen=True)
class Bottleneck:
    """Where the funnel loses most, and its slowest step.

    loss_stage: the stage (after received) with the lowest conversion from its previous
    stage, among stages whose conversion is known; previous_stage its predecessor;
    lost_pct = 100 - that conversion. slow_stage: the stage with the longest median time
    from its previous stage (assigned..closed), with slow_minutes. Either may be None.
    """

    loss_stage: str | None
    previous_stage: str | None
    lost_pct: float | None
    slow_stage: str | None
    slow_minutes: float | None

    def sentence(self) -> str:
        """One sentence naming the bottleneck, in the current language."""
        parts: list[str] = []
        if self.loss_stage and self.previous_stage and self.lost_pct is not None:
            parts.append(_(
                "Most cases are lost between {previous} and {stage}: {pct} of {previous_lower} "
                "tickets are {never}"
            ).format(previous=stage_label(self.previous_stage).lower(),
                     stage=stage_label(self.loss_stage).lower(),
                     pct=format_percent_value(self.lost_pct),
                     previous_lower=stage_label(self.previous_stage).lower(),
                     never=_(STAGE_NEVER[self.loss_stage])))
        if self.slow_stage and self.slow_minutes is not None:
            previous = STAGES_ORDER[STAGES_ORDER.index(self.slow_stage) - 1]
            parts.append(_("the slowest step is {previous} → {stage} (median {time})").format(
                previous=stage_label(previous).lower(), stage=stage_label(self.slow_stage).lower(),
                time=format_duration_minutes(self.slow_minutes)))
        if not parts:
            return _("No bottleneck can be named: too few stages are in the data.")
        text = _("; ").join(parts)
        return text[0].upper() + text[1:] + _(".")


STAGES_ORDER: tuple[str, ...] = tuple(STAGE_LABELS)


def bottleneck(rows: list[FunnelRow]) -> Bottleneck:
    """The largest loss and the slowest step of one funnel (see Bottleneck).

    Ties go to the earlier stage. An empty funnel (no received tickets) has neither.
    """
    with_loss = [r for r in rows[1:] if r.conversion_pct is not None]
    with_time = [r for r in rows[1:] if r.median_minutes is not None]
    # min/max keep the first of equals: ties go to the earlier stage
    loss = min(with_loss, key=lambda r: r.conversion_pct or 0.0) if with_loss else None
    slow = max(with_time, key=lambda r: r.median_minutes or 0.0) if with_time else None
    previous = STAGES_ORDER[STAGES_ORDER.index(loss.stage) - 1] if loss else None
    return Bottleneck(
        loss.stage if loss else None, previous,
        100.0 - loss.conversion_pct if loss and loss.conversion_pct is not None else None,
        slow.stage if slow else None, slow.median_minutes if slow else None)


def bottleneck_of(frame: pl.DataFrame) -> Bottleneck:
    """The bottleneck of a queries.funnel.fetch_funnel frame (one funnel): what the weekly
    report calls -- `bottleneck_of(fetch_funnel(con, filters)).sentence()`."""
    return bottleneck(funnel_rows(frame))


# --- comparison across channels / regions / branches ---------------------------------

@dataclass(frozen=True)
class CompareCell:
    group: str
    stage: str
    value: float | None       # conversion % (from previous) or median minutes
    overall: float | None     # the same for the whole funnel
    received: int
    score: float | None       # -1 (much worse) .. +1 (much better); None: grey
    text: str                 # what the cell says


def compare_cells(by_group: pl.DataFrame, overall: pl.DataFrame, measure: str,
                  min_sample: int) -> list[CompareCell]:
    """Cells of the stage x group matrix for `measure` ("conversion" or "time").

    conversion: value = conversion_pct (stages after received), score = (value - overall)
    / CONVERSION_SPAN_PTS, higher is better. time: value = median minutes (assigned..closed),
    score = -log2(value / overall) / TIME_SPAN_LOG2, faster is better. Scores are clipped
    to [-1, 1]; a group with fewer than min_sample received tickets, or a value that is
    null (not in the data), gets score None.
    """
    column = "conversion_pct" if measure == "conversion" else "median_minutes_from_previous"
    stages = (STAGES_ORDER[1:] if measure == "conversion"
              else ("assigned", "responded", "resolved", "closed"))
    whole = {r["stage"]: r[column] for r in overall.iter_rows(named=True)}
    received = {r["group"]: r["tickets"] for r in by_group.iter_rows(named=True)
                if r["stage"] == "received"}
    cells: list[CompareCell] = []
    for r in by_group.iter_rows(named=True):
        if r["stage"] not in stages:
            continue
        value, base, n = r[column], whole.get(r["stage"]), received.get(r["group"]) or 0
        score: float | None = None
        if value is not None and base is not None and n >= min_sample:
            if measure == "conversion":
                score = (value - base) / CONVERSION_SPAN_PTS
            elif value > 0 and base > 0:
                score = -math.log2(value / base) / TIME_SPAN_LOG2
        if score is not None:
            score = max(-1.0, min(1.0, score))
        if value is None:
            text = _(NOT_IN_DATA)
        elif measure == "conversion":
            text = format_percent_value(value)
        else:
            text = format_duration_minutes(value)
        if value is not None and n < min_sample:
            text = _("{value} (small sample)").format(value=text)
        cells.append(CompareCell(str(r["group"]) if r["group"] is not None else _("unknown"),
                                 r["stage"], value, base, n, score, text))
    return cells


def compare_caption(measure: str) -> str:
    if measure == "conversion":
        return _("Share of the previous stage's tickets that reach each stage. Blue: more "
                 "than the whole funnel, orange: fewer; grey: not in the data or fewer than "
                 "the minimum sample.")
    return _("Median time from the previous stage. Blue: faster than the whole funnel, "
             "orange: slower; grey: not in the data or fewer than the minimum sample.")


# --- SLA by tier -------------------------------------------------------------------

def sla_score(met_pct: float | None, target: float | None) -> float | None:
    """Colour of an SLA cell: met share against the target, -1 (20+ points below) .. +1."""
    if met_pct is None or target is None:
        return None
    return max(-1.0, min(1.0, (met_pct - target) / CONVERSION_SPAN_PTS))


def sla_cell_text(row: dict[str, Any]) -> str:
    """The cell's text: the met share ('93.9%'), or why there is none."""
    if row["met"] + row["breached"] == 0:
        return _("nothing due yet") if row["pending"] else _(NOT_IN_DATA)
    return format_percent_value(row["met_pct"])


def sla_cell_hover(row: dict[str, Any]) -> str:
    """What the cell's text does not say: the counts behind the share."""
    return _("met {met} · breached {breached} · pending {pending}").format(
        met=format_number(row["met"]), breached=format_number(row["breached"]),
        pending=format_number(row["pending"]))


def sla_table(frame: pl.DataFrame) -> list[dict[str, str]]:
    """Per tier (all groups): met, breached, pending, met share -- the SLA table rows."""
    out = []
    order = {t: i for i, t in enumerate(TIERS)}
    totals = frame.filter(pl.col("all_groups")).with_columns(
        pl.col("all_tiers").cast(pl.Int8).alias("_last"),
        pl.col("priority").replace_strict(order, default=len(order)).alias("_tier"))
    for r in totals.sort("_last", "_tier", "priority").iter_rows(named=True):
        out.append({
            _("Tier"): _("All tiers") if r["all_tiers"] else value_label("priority",
                                                                         r["priority"]),
            value_label("sla_state", "met"): format_number(r["met"]),
            value_label("sla_state", "breached"): format_number(r["breached"]),
            value_label("sla_state", "pending"): format_number(r["pending"]),
            _("Met share"): format_percent_value(r["met_pct"]),
        })
    return out


# --- backlog -----------------------------------------------------------------------

@dataclass(frozen=True)
class BacklogSummary:
    open_tickets: int
    breached: int
    overdue_complaints: int
    unknown: int
    oldest_age_days: float | None


def backlog_summary(frame: pl.DataFrame) -> BacklogSummary:
    """Totals of queries.funnel.fetch_backlog (rows with band null are the unknown ones)."""
    known = frame.filter(pl.col("band").is_not_null())
    oldest = known.select(pl.col("oldest_age_days").max()).item() if known.height else None
    return BacklogSummary(
        int(known["tickets"].sum() or 0), int(known["breached"].sum() or 0),
        int(known["overdue_complaints"].sum() or 0),
        int(frame.filter(pl.col("band").is_null())["tickets"].sum() or 0),
        float(oldest) if oldest is not None else None)


def backlog_sentence(summary: BacklogSummary, complaint_days: int) -> str:
    if summary.open_tickets == 0:
        return _("No ticket of this selection is open at the as-of time.")
    return _("{open} tickets open at the as-of time, {breached} of them past their "
             "first-response SLA; {complaints} complaints open longer than the "
             "{days}-working-day resolution standard.").format(
        open=format_number(summary.open_tickets), breached=format_number(summary.breached),
        complaints=format_number(summary.overdue_complaints), days=complaint_days)


# --- drill-down: the Explore page's ticket list (URL contract x_*) ---------------------

@dataclass(frozen=True)
class Drill:
    """What a click opens: global filters to set and the Explore page's own URL keys."""

    set_filters: dict[str, list[str]]
    params: dict[str, str]


def drill_stage(stage: str, dimension: str | None = None, group: str | None = None) -> Drill:
    """Tickets that reached `stage` (optionally of one channel/region/branch)."""
    filters = {dimension: [group]} if dimension and group is not None else {}
    return Drill(filters, {"x_level": "tickets", "x_stage": stage})


def drill_sla(tier: str | None, state: str, dimension: str | None = None,
              group: str | None = None) -> Drill:
    """Tickets of one SLA cell (tier x group) in one state (met | breached | pending)."""
    filters: dict[str, list[str]] = {}
    if tier:
        filters["priority"] = [tier]
    if dimension and group is not None:
        filters[dimension] = [group]
    return Drill(filters, {"x_level": "tickets", "x_sla": state})


def drill_backlog(band: str) -> Drill:
    """Open tickets of one age band. The band's stuck stage is not passed on: Explore's
    x_stage means "reached", which would also list the tickets that went further."""
    return Drill({}, {"x_level": "tickets", "x_open": "1", "x_age": band})


# --- shaping for the page's charts (no arithmetic beyond picking and adding counts) ---

ALL_GROUPS = N_("All")


def sla_matrix(frame: pl.DataFrame, target: float | None
               ) -> tuple[list[tuple[str, str, float | None, str, str]], list[str], list[str]]:
    """fetch_sla_by_tier -> (cells (tier, group label, score, text, hover), tiers in TIERS
    order then any other, group labels with "All" first). "All" is the tier's total."""
    detail = frame.filter(~pl.col("all_tiers"))
    cells = [(r["priority"], _(ALL_GROUPS) if r["all_groups"] else str(r["group"]),
              sla_score(r["met_pct"], target), sla_cell_text(r), sla_cell_hover(r))
             for r in detail.iter_rows(named=True)]
    present = set(detail["priority"].to_list())
    tiers = [t for t in TIERS if t in present] + sorted(
        t for t in present if t not in TIERS and t is not None)
    groups = [_(ALL_GROUPS)] + [str(g) for g in dict.fromkeys(
        detail.filter(~pl.col("all_groups"))["group"].to_list())]
    return cells, tiers, groups


def sla_drill(tier: str, group_label: str, dimension: str) -> Drill:
    """The breached tickets behind one SLA cell (the "All" column: the tier only)."""
    if group_label == _(ALL_GROUPS):
        return drill_sla(tier, "breached")
    return drill_sla(tier, "breached", dimension, group_label)


def sla_trend_series(weekly: pl.DataFrame, tiers: list[str], min_sample: int
                     ) -> tuple[list[Any], dict[str | None, list[float | None]], list[bool]]:
    """fetch_sla_weekly -> (weeks, {tier or None for all: met shares by week}, complete).
    A week whose due tickets (met + breached) are fewer than min_sample is a gap, not a
    point: a tier with 3 urgent tickets a week would otherwise swing 0-100 %."""
    def shares(rows: pl.DataFrame) -> list[float | None]:
        return [r["met_pct"] if (r["met"] or 0) + (r["breached"] or 0) >= min_sample else None
                for r in rows.iter_rows(named=True)]

    weeks = weekly.filter(pl.col("priority").is_null()).sort("week")
    series: dict[str | None, list[float | None]] = {None: shares(weeks)}
    for tier in tiers:
        per = weeks.select("week").join(
            weekly.filter(pl.col("priority") == tier).select("week", "met", "breached",
                                                              "met_pct"),
            on="week", how="left").sort("week")
        series[tier] = shares(per)
    return weeks["week"].to_list(), series, weeks["complete"].to_list()


def backlog_bands(frame: pl.DataFrame
                  ) -> tuple[list[str], dict[tuple[str, str], int], dict[str, int]]:
    """fetch_backlog -> (bands present, oldest first; {(band, stage): open tickets};
    {band: SLA-breached open tickets}). Unknown rows (band null) are left out."""
    known = frame.filter(pl.col("band").is_not_null())
    present = set(known["band"].to_list())
    bands = [b for b in AGE_BAND_LABELS if b in present]
    counts = {(r["band"], r["stage"]): r["tickets"] for r in known.iter_rows(named=True)}
    breached: dict[str, int] = {}
    for r in known.iter_rows(named=True):
        breached[r["band"]] = breached.get(r["band"], 0) + r["breached"]
    return bands, counts, breached


def backlog_row(r: dict[str, Any]) -> dict[str, str]:
    """One backlog table row (band x stage)."""
    return {
        _("Age"): band_label(r["band"]),
        _("Stuck at"): stage_label(r["stage"]),
        _("Open tickets"): format_number(r["tickets"]),
        _("SLA breached"): format_number(r["breached"]),
        _("Complaints past the standard"): format_number(r["overdue_complaints"]),
        _("Oldest open since"): format_datetime(r["oldest_created_at"]),
    }


def oldest_text(summary: BacklogSummary) -> str:
    """The age of the oldest open ticket, as a duration."""
    days = summary.oldest_age_days
    return format_duration_minutes(days * 1440 if days is not None else None)


def funnel_title() -> str:
    return _("Funnel: tickets reaching each stage")
