"""Display rules of the Satisfaction page, in plain Python (no Streamlit, no queries).

Which metrics and layouts the heatmaps offer, which colour means worse, where the
diverging scale is centred and how that is said, how a cell, an outlier row and a phrase
read, and which Explore filters a click on each opens. Pages and the CLI share these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from dashboard.i18n import N_, _, format_number, format_percent_value

# Colour-blind-safe diverging scale (blue = better, orange = worse; ColorBrewer PuOr-like
# ends without red-green); the middle is a light neutral so a value near the centre reads
# as "nothing to see". Insufficient-data cells are grey and never on this scale.
WORSE = "#b35806"
WORSE_MID = "#f1a340"
NEUTRAL = "#f7f7f7"
BETTER_MID = "#6fa8dc"
BETTER = "#1f4e99"
INSUFFICIENT = "#c8c8c8"
DIVERGING: list[tuple[float, str]] = [(0.0, WORSE), (0.25, WORSE_MID), (0.5, NEUTRAL),
                                      (0.75, BETTER_MID), (1.0, BETTER)]


@dataclass(frozen=True)
class HeatMetric:
    """A metric the heatmaps can show: its KPI key (cxdash kpis --json), label, whether a
    higher value is better, the n column behind each cell, and how it is written."""

    key: str
    label: str
    higher_is_better: bool
    sample: str
    kind: str  # "avg" (1-5, 2 digits) | "pct" | "nps" (points, 1 digit) | "minutes"


HEAT_METRICS: dict[str, HeatMetric] = {m.key: m for m in (
    HeatMetric("csat_avg", N_("CSAT average (1-5)"), True, "n_csat", "avg"),
    HeatMetric("csat_pct", N_("CSAT top-2-box %"), True, "n_csat", "pct"),
    HeatMetric("nps", N_("NPS"), True, "n_nps", "nps"),
    HeatMetric("fcr_pct", N_("First-contact resolution %"), True, "n_resolved", "pct"),
    HeatMetric("repeat_complaint_pct", N_("Repeat complaints %"), False, "complaints", "pct"),
    HeatMetric("frt_median_min", N_("First response, median"), False, "n_responded", "minutes"),
)}

# Settings' target_* names of the metrics that have one.
TARGET_KEYS = {"csat_avg": "csat_avg", "nps": "nps", "fcr_pct": "fcr_pct",
               "repeat_complaint_pct": "repeat_complaint_pct"}


@dataclass(frozen=True)
class Layout:
    """A heatmap layout: rows and columns are two dimensions of `cxdash kpis --by R,C`."""

    key: str
    label: str
    rows: str
    columns: str


LAYOUTS: dict[str, Layout] = {lay.key: lay for lay in (
    Layout("branch_channel", N_("Branch × channel (branches by region)"), "branch", "channel"),
    Layout("region_channel", N_("Region × channel"), "region", "channel"),
    # weeks as rows: a long period then scrolls down instead of squeezing 100 columns
    Layout("category_week", N_("Category × week"), "week", "category"),
    Layout("weekday_hour", N_("Weekday × hour of contact"), "weekday", "hour"),
)}

CENTRES = {"overall": N_("Overall value"), "target": N_("Target")}

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def format_metric(metric: str, value: float | None) -> str:
    """A heatmap value as a cell shows it: '4.12', '84.1%', '-12.5', '3 h 20 min'."""
    from dashboard.i18n import format_duration_minutes

    kind = HEAT_METRICS[metric].kind
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _("n/a")
    if kind == "avg":
        return format_number(value, 2)
    if kind == "pct":
        return format_percent_value(value, 1)
    if kind == "nps":
        return format_number(value, 1, signed=True)
    return format_duration_minutes(value)


def centre_of_scale(metric: str, mode: str, overall: float | None,
                    targets: dict[str, float]) -> tuple[float | None, str]:
    """Where the diverging scale is centred and the legend's words for it.

    mode "target" uses the metric's target when the settings have one; otherwise (or for
    "overall") the overall value of the selection. Returns (centre, text); centre None
    when neither is known (the page then draws no colours).
    """
    label = _(HEAT_METRICS[metric].label)
    target = targets.get(TARGET_KEYS.get(metric, ""))
    if mode == "target" and target is not None:
        return target, _("Centre: target {value} ({metric})").format(
            value=format_metric(metric, target), metric=label)
    text = _("Centre: overall {value} ({metric})").format(
        value=format_metric(metric, overall), metric=label)
    if mode == "target":
        text += " · " + _("no target is set for this metric")
    return overall, text


def colour_note(metric: str) -> str:
    """The legend sentence: blue is better, whichever way the metric is better."""
    if HEAT_METRICS[metric].higher_is_better:
        return _("Blue: better (higher) than the centre · orange: worse · grey: insufficient "
                 "data")
    return _("Blue: better (lower) than the centre · orange: worse · grey: insufficient data")


def colour_range(metric: str, centre: float, values: list[float]) -> tuple[float, float]:
    """zmin/zmax symmetric around the centre, so the centre is the scale's middle (the chart
    reverses the colours where lower is better, so orange always means worse)."""
    spread = max((abs(v - centre) for v in values), default=0.0) or 1.0
    return centre - spread, centre + spread


def row_order(frame_rows: list[dict[str, Any]], rows_dim: str, metric: str,
              region_of: dict[str, str | None] | None = None) -> list[Any]:
    """Row labels in the order the heatmap draws them, top first.

    branch rows: grouped by region (alphabetical, unknown last), worst branch first within
    each region, so problems cluster at the top of each band. weekday/hour/week: natural
    order. Other dimensions: worst first. `frame_rows` are the one-dimension KPI rows
    ({"group": value, metric: ..., sample: ...}) of the row dimension.
    """
    higher = HEAT_METRICS[metric].higher_is_better

    def badness(row: dict[str, Any]) -> float:
        value = row.get(metric)
        if value is None:
            return math.inf
        return value if higher else -value

    if rows_dim in ("weekday", "hour", "week", "day", "month"):
        return sorted(r["group"] for r in frame_rows if r["group"] is not None)
    ordered = sorted(frame_rows, key=lambda r: (badness(r), str(r["group"])))
    if rows_dim == "branch" and region_of is not None:
        ordered.sort(key=lambda r: (region_of.get(r["group"]) is None,
                                    region_of.get(r["group"]) or ""))
    return [r["group"] for r in ordered]


def axis_label(dim: str, value: Any, branch_names: dict[str, str] | None = None) -> str:
    """How a group value reads on an axis: weekday names, hours as 09:00, weeks as dates."""
    if value is None:
        return _("(unknown)")
    if dim == "weekday":
        return _(WEEKDAYS[int(value) - 1])
    if dim == "hour":
        return f"{int(value):02d}:00"
    if dim == "week":
        from dashboard.i18n import format_date

        return format_date(date.fromisoformat(str(value)))
    if dim == "branch" and branch_names and value in branch_names:
        return f"{value} · {branch_names[value]}"
    return str(value)


def drill_selection(dims: dict[str, Any], current: Any = None,
                    data_span: tuple[date | None, date | None] = (None, None),
                    ) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The Explore drill of a selection {dimension: value}: (global filters, Explore URL
    keys). Filter dimensions become filters; week/weekday/hour become x_week/x_weekday/
    x_hour. Explore opens at the ticket list (x_level=tickets).

    `current` (queries.api.Filters) is restated whole -- every other filter and the period
    (its dates, or `data_span` for an open period) -- so the ticket list is exactly the
    clicked cell even when the next page's run has lost the sidebar's widget state (seen
    with st.switch_page in Streamlit 1.67: the untouched filters fell back to defaults).
    """
    set_filters: dict[str, list[str]] = {}
    params: dict[str, str] = {"x_level": "tickets"}
    if current is not None:
        for dim, values in current.dimension_values().items():
            if values:
                set_filters[dim] = list(values)
        start = current.date_from or data_span[0]
        end = current.date_to or data_span[1]
        if start and end:
            set_filters["from"], set_filters["to"] = [start.isoformat()], [end.isoformat()]
    for dim, value in dims.items():
        if value is None:
            continue
        if dim in ("week", "weekday", "hour"):
            params[f"x_{dim}"] = str(value)
        else:
            set_filters[dim] = [str(value)]
    return set_filters, params


def outlier_status(row: dict[str, Any], min_surveys: int) -> str:
    """The result column of the outlier table and `cxdash outliers`."""
    if not row["tested"]:
        if row["n"] < min_surveys:
            return _("not tested (n < {n})").format(n=min_surveys)
        return _("not tested (no variance or no others)")
    if row["low_outlier"]:
        return _("low outlier")
    if row["p_adj"] is not None and row["p_adj"] < 0.05 and row["csat_avg"] > row["others_avg"]:
        return _("significantly higher")
    return _("not significant")


def nps_with_margin(nps: float | None, moe: float | None) -> str:
    """'-62.8 ± 4.1' (the 95 % margin of error in points); 'n/a' without NPS answers."""
    if nps is None:
        return _("n/a")
    text = format_number(nps, 1, signed=True)
    return text if moe is None else f"{text} ± {format_number(moe, 1)}"


def format_p(value: float | None) -> str:
    if value is None:
        return "—"
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"


def outside_limits(row: dict[str, Any]) -> str | None:
    """'998' beyond the 99.8 % limits, '95' beyond the 95 % ones, None inside (or no n)."""
    mean = row.get("csat_avg")
    if mean is None or row.get("limit95_low") is None:
        return None
    if mean < row["limit998_low"] or mean > row["limit998_high"]:
        return "998"
    if mean < row["limit95_low"] or mean > row["limit95_high"]:
        return "95"
    return None


@dataclass(frozen=True)
class Cell:
    """One heatmap cell: its keys, axis labels, value (None = insufficient or none), n,
    text written in the cell and hover text."""

    row: Any
    column: Any
    row_label: str
    column_label: str
    value: float | None
    sufficient: bool
    text: str
    hover: str


@dataclass(frozen=True)
class FunnelPoint:
    group: Any
    label: str
    n: int
    csat_avg: float
    outside: str | None  # "998" | "95" | None (outside_limits)
    low: bool  # below the limits (else above)
    hover: str


def heat_cells(rows: list[dict[str, Any]], layout: Layout, metric: str, min_sample: int,
               branch_names: dict[str, str] | None = None,
               nps_moe: dict[tuple[str, str], float | None] | None = None) -> list[Cell]:
    """Cells of a heatmap from `kpis --by R,C` rows (one key per dimension, the metric and
    its n column). A cell whose n is below `min_sample` is insufficient: no colour, its
    text says n. Hover: value, n, and for NPS its 95 % margin (`nps_moe`, keyed by
    (str(row), str(column)))."""
    info = HEAT_METRICS[metric]
    out: list[Cell] = []
    for r in rows:
        row, col = r[layout.rows], r[layout.columns]
        n = r.get(info.sample) or 0
        value = r.get(metric)
        sufficient = n >= min_sample and value is not None
        row_label = axis_label(layout.rows, row, branch_names)
        col_label = axis_label(layout.columns, col, branch_names)
        hover = [f"<b>{row_label} · {col_label}</b>",
                 f"{_(info.label)}: {format_metric(metric, value)}",
                 f"n = {format_number(n)}"]
        if metric == "nps" and nps_moe is not None:
            moe = nps_moe.get((str(row), str(col)))
            hover.append(_("margin of error (95 %): ± {moe} points").format(
                moe=format_number(moe, 1)))
        if not sufficient:
            hover.append(_("insufficient data: fewer than {n} cases").format(
                n=format_number(min_sample)))
        hover.append(_("click to open these tickets"))
        out.append(Cell(row, col, row_label, col_label, value if sufficient else None,
                        sufficient, format_metric(metric, value) if sufficient
                        else f"n={format_number(n)}", "<br>".join(hover)))
    return out


def region_bands(ordered_branches: list[Any], region_of: dict[Any, str | None]
                 ) -> list[tuple[str, int, int]]:
    """(region label, first row, last row) of consecutive branches of one region."""
    bands: list[tuple[str, int, int]] = []
    for i, branch in enumerate(ordered_branches):
        region = region_of.get(branch) or _("(unknown)")
        if bands and bands[-1][0] == region:
            bands[-1] = (region, bands[-1][1], i)
        else:
            bands.append((region, i, i))
    return bands


def funnel_points(rows: list[dict[str, Any]], dim: str,
                  branch_names: dict[str, str] | None = None) -> list[FunnelPoint]:
    """The funnel plot's points: groups with at least one CSAT answer."""
    out = []
    for r in rows:
        if not r["n"] or r["csat_avg"] is None:
            continue
        label = axis_label(dim, r["group"], None)
        full = axis_label(dim, r["group"], branch_names)
        side = outside_limits(r)
        hover = [f"<b>{full}</b>",
                 _("CSAT average {value} from {n} surveys").format(
                     value=format_number(r["csat_avg"], 2), n=format_number(r["n"])),
                 _("95 % limits {low} – {high}").format(
                     low=format_number(r["limit95_low"], 2),
                     high=format_number(r["limit95_high"], 2)),
                 _("99.8 % limits {low} – {high}").format(
                     low=format_number(r["limit998_low"], 2),
                     high=format_number(r["limit998_high"], 2))]
        if side:
            hover.append(_("outside the 99.8 % limits") if side == "998"
                         else _("outside the 95 % limits"))
        hover.append(_("click to open these tickets"))
        out.append(FunnelPoint(r["group"], label, int(r["n"]), float(r["csat_avg"]), side,
                               r["csat_avg"] < r["overall_avg"], "<br>".join(hover)))
    return out
