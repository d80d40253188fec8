"""Figures of the weekly review: frames/dicts in, plotly figures out. No queries, no metric
arithmetic; colours and words come from dashboard.views.weekly. The page shows them
interactive, the report embeds them (inline plotly.js in HTML, PNG through kaleido in PDF).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboard.i18n import _, format_number
from dashboard.views.weekly import (
    BAD,
    GOOD,
    NEUTRAL,
    dimension_label,
    format_kpi_change,
    group_text,
    higher_is_better,
    label,
    shows_zero,
    so_far,
)

FONT = "Noto Sans CJK SC, Noto Sans, Arial, sans-serif"  # Chinese glyphs in static images


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 15}},
        height=height, margin={"l": 10, "r": 30, "t": 48, "b": 30},
        showlegend=False, font={"family": FONT, "size": 12},
        plot_bgcolor="white", paper_bgcolor="white",
    )
    fig.update_xaxes(gridcolor="#e5e8ec", zerolinecolor="#5f6b7a", zerolinewidth=1)
    return fig


def decomposition_chart(result: dict[str, Any], branch_names: dict[str, str] | None = None,
                        top: int = 10) -> go.Figure:
    """Horizontal bars of the largest contributions (fetch_decomposition result), green
    when the group moved the KPI the good way, red the bad way. Each bar's customdata is
    its group value (None for unknown), for the Explore drill."""
    kpi, dim = result["kpi"], result["by"]
    groups = result["groups"][:top]
    better = higher_is_better(kpi)
    # a bar that reads "0.0 pts" is grey, not a red or green sliver
    colours = [NEUTRAL if better is None or shows_zero(kpi, g["contribution"]) else
               (GOOD if (g["contribution"] > 0) == better else BAD) for g in groups]
    labels = [group_text(dim, g["group"], branch_names, named=False) for g in groups]
    hover = [_("{group}: contribution {c} (mix {mix}, rate {rate})").format(
        group=text, c=format_kpi_change(kpi, g["contribution"]),
        mix=format_kpi_change(kpi, g["mix"]), rate=format_kpi_change(kpi, g["rate"]))
        for text, g in zip(labels, groups, strict=True)]
    fig = go.Figure(go.Bar(
        x=[g["contribution"] for g in groups], y=labels, orientation="h",
        marker_color=colours, customdata=[g["group"] for g in groups],
        text=[format_kpi_change(kpi, g["contribution"]) for g in groups],
        textposition="outside", cliponaxis=False, hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True)
    values = [g["contribution"] for g in groups] or [0.0]
    low, high = min(min(values), 0.0), max(max(values), 0.0)
    pad = 0.22 * (high - low or 1.0)  # room for the value written beside each bar
    fig.update_xaxes(range=[low - (pad if low < 0 else 0), high + (pad if high > 0 else 0)])
    title = _("Where the change of {kpi} came from, by {dimension} (contribution)").format(
        kpi=label(kpi), dimension=dimension_label(dim))
    return _layout(fig, title, height=90 + 30 * max(len(groups), 1))


def growth_chart(rows: list[dict[str, Any]], top: int = 15) -> go.Figure:
    """Complaints by category this week (bars) against the 4-week average (markers), every
    category (fetch_category_growth rows, largest growth first): the ones that grew in
    dark blue, the others light. More than `top` categories: the `top` that grew most,
    and the title says so. A week not over yet: its counts so far, largest first, without
    the whole weeks' average to compare with."""
    partial = any(so_far(r) for r in rows)
    shown = sorted(rows, key=lambda r: (-r["value"], str(r["group"])))[:top] if partial \
        else rows[:top]
    names = [str(r["group"]) if r["group"] is not None else _("unknown") for r in shown]
    fig = go.Figure()
    if partial:
        fig.add_trace(go.Bar(
            x=[r["value"] for r in shown], y=names, orientation="h", name=_("so far"),
            marker_color=NEUTRAL, hovertemplate="%{y}: %{x:,}<extra></extra>"))
    else:
        for grew, name, colour in ((True, _("this week, grew"), "#2456a6"),
                                   (False, _("this week, did not grow"), "#a9bcdc")):
            part = [(n, r) for n, r in zip(names, shown, strict=True) if (r["growth"] > 0) == grew]
            fig.add_trace(go.Bar(
                x=[r["value"] for _n, r in part], y=[n for n, _r in part], orientation="h",
                name=name, marker_color=colour, hovertemplate="%{y}: %{x:,}<extra></extra>"))
        fig.add_trace(go.Scatter(
            x=[r["avg_4w"] for r in shown], y=names, mode="markers", name=_("4-week average"),
            marker={"symbol": "line-ns", "size": 18, "line": {"width": 3, "color": "#e08a00"}},
            hovertext=[format_number(r["avg_4w"], 1) for r in shown],
            hovertemplate="%{y}: %{hovertext}<extra></extra>"))
    # the bars' order is the rows' order, whichever trace a bar is in
    fig.update_yaxes(autorange="reversed", automargin=True, categoryorder="array",
                     categoryarray=names)
    if partial:
        title = _("Complaints by category so far (the week is not over)")
        cut = _("the {shown} largest of {total} categories")
    else:
        title = _("Complaints by category: this week against the 4-week average")
        cut = _("the {shown} of {total} categories that grew most")
    if len(shown) < len(rows):  # never leave categories out without saying so
        title += " · " + cut.format(shown=len(shown), total=len(rows))
    elif not partial:
        title += " · " + _("all {total} categories, most grown first").format(total=len(rows))
    fig = _layout(fig, title, height=90 + 30 * max(len(shown), 1))
    fig.update_layout(showlegend=not partial, barmode="overlay",
                      legend={"orientation": "h", "y": -0.15, "x": 0})
    return fig
