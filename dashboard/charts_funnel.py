"""Figure builders of the Funnel page: view-model rows in, plotly figures out.

No queries and no metric arithmetic. Every clickable mark carries `customdata` naming what
it stands for (a stage, a group, a tier, a band), so the page reads a selection without
relying on plotly's x/y of the point (a funnel bar's x is its centre, heatmaps return
nothing on click: an invisible square-marker scatter over the cells does).
"""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go

from dashboard.charts import date_axis
from dashboard.i18n import (
    _,
    format_date,
    format_duration_minutes,
    format_number,
    format_percent_value,
    format_week,
    localise_figure,
    value_label,
)
from dashboard.views import funnel as vm
from dashboard.views import trends

PRIMARY = "#2456a6"
MUTED = "#9aa5b1"
STAGE_COLOURS = {"received": "#9aa5b1", "assigned": "#6fa8dc", "responded": "#2456a6"}


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "font": {"size": 15}}, height=height,
                      margin={"l": 10, "r": 10, "t": 44, "b": 10}, showlegend=False,
                      plot_bgcolor="white", clickmode="event+select")
    return localise_figure(fig)  # Chinese date ticks (the SLA trend) in zh-CN


def funnel_bars(rows: list[vm.FunnelRow]) -> go.Figure:
    """Tickets reaching each stage as horizontal bars, first stage on top. A stage the data
    does not carry has no bar and says so. The bar's label gives the count and the share of
    received; the hover adds only what the label does not (share of previous, median time)."""
    labels = [r.label for r in rows]
    values = [r.tickets if r.carried else 0 for r in rows]
    text, hover = [], []
    for r in rows:
        if not r.carried:
            text.append(_("not in the data"))
            hover.append(_("The source does not carry this stage."))
            continue
        share = ("" if r.stage == "received" else
                 " · " + _("{pct} of received").format(
                     pct=format_percent_value(r.from_received_pct)))
        text.append(format_number(r.tickets) + share)
        bits = []
        if r.stage != "received":
            bits.append(_("{pct} of the previous stage").format(
                pct=format_percent_value(r.conversion_pct)))
        if r.median_minutes is not None:
            bits.append(_("median {time} from the previous stage").format(
                time=format_duration_minutes(r.median_minutes)))
        hover.append("<br>".join(bits) or _("every ticket starts here"))
    fig = go.Figure(go.Bar(
        y=labels, x=values, orientation="h", text=text, textposition="auto",
        insidetextanchor="start", customdata=[r.stage for r in rows],
        marker={"color": [PRIMARY if r.carried else MUTED for r in rows]},
        hovertext=hover, hovertemplate="<b>%{y}</b><br>%{hovertext}<extra></extra>",
    ))
    missing = [r for r in rows if not r.carried]
    if missing:  # a zero-length bar shows no label: write "not in the data" at the axis
        fig.add_trace(go.Scatter(
            y=[r.label for r in missing], x=[0] * len(missing), mode="text",
            text=[_("not in the data") for _r in missing], textposition="middle right",
            textfont={"color": "#555"}, customdata=[r.stage for r in missing],
            hoverinfo="skip"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title_text=_("tickets"), showgrid=True, gridcolor="#eee")
    return _layout(fig, _("Tickets reaching each stage (click a stage for its tickets)"), 360)


def _fit_cells(fig: go.Figure, rows: int, columns: int) -> None:
    """Category axes that end at the outer cells' edges, first row on top. Left to
    autorange, plotly pads the range for the invisible click markers: with 60 branches a
    blank band of about two rows opened between the column labels and the first row."""
    fig.update_yaxes(type="category", autorange=False, range=[rows - 0.5, -0.5])
    fig.update_xaxes(side="top", type="category", autorange=False, range=[-0.5, columns - 0.5])


def compare_heatmap(cells: list[vm.CompareCell], groups: list[str], stages: list[str],
                    title: str) -> go.Figure:
    """Stage (columns) x group (rows) coloured better/worse than the whole funnel, with an
    invisible marker per cell that carries (group, stage) for clicks."""
    index = {(c.group, c.stage): c for c in cells}
    z, text = [], []
    for g in groups:
        z.append([index[(g, s)].score if (g, s) in index else None for s in stages])
        text.append([index[(g, s)].text if (g, s) in index else "" for s in stages])
    xs = [vm.stage_label(s) for s in stages]
    # cells without a score (not in the data / small sample) are a grey layer of their own,
    # with their text; the coloured layer leaves them empty
    grey = [[0 if v is None else None for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=grey, x=xs, y=groups, text=text, texttemplate="%{text}", textfont={"size": 12},
        colorscale=[[0, vm.MISSING], [1, vm.MISSING]], showscale=False, hoverinfo="skip",
        xgap=2, ygap=2))
    fig.add_trace(go.Heatmap(
        z=z, x=xs, y=groups, text=text, texttemplate="%{text}", textfont={"size": 12},
        zmin=-1, zmax=1, colorscale=vm.DIVERGING, showscale=False, hoverinfo="skip",
        xgap=2, ygap=2))
    fig.add_trace(go.Scatter(
        x=[xs[j] for _g in groups for j in range(len(stages))],
        y=[g for g in groups for _s in stages],
        customdata=[[g, s] for g in groups for s in stages],
        mode="markers", marker={"symbol": "square", "size": 30, "opacity": 0},
        hovertemplate="%{y} · %{x}<extra></extra>"))
    _fit_cells(fig, len(groups), len(stages))
    _layout(fig, title, 110 + 34 * max(len(groups), 1))
    fig.update_layout(hovermode="closest", margin={"t": 80})
    return fig


def sla_heatmap(cells: list[tuple[str, str, float | None, str, str]], tiers: list[str],
                groups: list[str], title: str) -> go.Figure:
    """Tier (rows) x group (columns) of the SLA met share, coloured against the target.
    cells: (tier, group, score, text, hover); customdata of each cell: [tier, group]."""
    index = {(t, g): (score, text, hover) for t, g, score, text, hover in cells}
    empty = (None, "", "")
    z = [[index.get((t, g), empty)[0] for g in groups] for t in tiers]
    text = [[index.get((t, g), empty)[1] for g in groups] for t in tiers]
    ys = [value_label("priority", t) for t in tiers]
    fig = go.Figure(go.Heatmap(z=z, x=groups, y=ys, text=text, texttemplate="%{text}",
                               textfont={"size": 12}, zmin=-1, zmax=1,
                               colorscale=vm.DIVERGING, showscale=False,
                               hoverinfo="skip", xgap=2, ygap=2))
    fig.add_trace(go.Scatter(
        x=[g for _t in tiers for g in groups], y=[y for y in ys for _g in groups],
        customdata=[[t, g] for t in tiers for g in groups],
        hovertext=[index.get((t, g), empty)[2] for t in tiers for g in groups],
        mode="markers", marker={"symbol": "square", "size": 30, "opacity": 0},
        hovertemplate="%{y} · %{x}<br>%{hovertext}<br>"
                      + _("click for the breached tickets") + "<extra></extra>"))
    _fit_cells(fig, len(tiers), len(groups))
    _layout(fig, title, 120 + 44 * len(tiers))
    fig.update_layout(hovermode="closest", margin={"t": 80})
    return fig


def sla_trend(weeks: list[date], series: dict[str | None, list[float | None]],
              complete: list[bool], target: float | None, grain: str = "week") -> go.Figure:
    """Met share per tier (and all tiers, thicker) by week or by day (`grain`; `weeks` are
    then days) with the target as a dashed line; a period not over yet is drawn hollow."""
    fig = go.Figure()
    colours = {None: "#222", "urgent": "#b35806", "high": "#f1a340", "normal": "#2456a6",
               "low": "#6fa8dc"}
    labels = [format_week(w) if grain == "week" else format_date(w) for w in weeks]
    for tier, values in series.items():
        name = value_label("priority", tier) if tier else _("All tiers")
        fig.add_trace(go.Scatter(
            x=weeks, y=values, mode="lines+markers", name=name,
            line={"color": colours.get(tier or None, PRIMARY), "width": 3 if not tier else 1.5},
            marker={"size": [6 if c else 9 for c in complete],
                    "symbol": ["circle" if c else "circle-open" for c in complete]},
            customdata=labels,
            hovertemplate=f"{name} · %{{customdata}}: %{{y:.1f}}%<extra></extra>"))
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", line_color="#555",
                      annotation_text=_("target {pct}").format(pct=format_percent_value(target)),
                      annotation_position="bottom right")
    shown = [v for values in series.values() for v in values if v is not None]
    low = min([*shown, target if target is not None else 100.0, 100.0])
    fig.update_yaxes(ticksuffix="%", range=[max(0.0, low - 5), 101])
    date_axis(_layout(fig, trends.sla_trend_title(grain), 320), weeks, grain)
    # The legend stands right of the plot: below it, it covered the year of the two-line
    # date ticks ("Aug 23 / 2026"); above it, it ran into the long title.
    fig.update_layout(showlegend=True, hovermode="x unified",
                      legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1,
                              "yanchor": "top"})
    return fig


def backlog_bars(bands: list[str], stages: list[str], counts: dict[tuple[str, str], int],
                 breached: dict[str, int]) -> go.Figure:
    """Open tickets per age band (oldest on top), stacked by the stage they are stuck at;
    the band's breached count is written beside its bar in red. customdata: the band."""
    ys = [vm.band_label(b) for b in bands]
    fig = go.Figure()
    for stage in stages:
        values = [counts.get((b, stage), 0) for b in bands]
        fig.add_trace(go.Bar(
            y=ys, x=values, orientation="h", name=_("stuck at {stage}").format(
                stage=vm.stage_label(stage).lower()),
            marker={"color": STAGE_COLOURS.get(stage, PRIMARY)}, customdata=bands,
            hovertemplate=f"%{{y}} · {vm.stage_label(stage)}: %{{x:,}}<extra></extra>"))
    totals = [sum(counts.get((b, s), 0) for s in stages) for b in bands]
    fig.add_trace(go.Scatter(
        y=ys, x=totals, mode="text", textposition="middle right", customdata=bands,
        text=[("  " + _("{n} SLA breached").format(n=format_number(breached.get(b, 0))))
              if breached.get(b) else "" for b in bands],
        textfont={"color": vm.BREACHED}, hoverinfo="skip", showlegend=False))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title_text=_("open tickets"), range=[0, max(totals or [1]) * 1.3])
    _layout(fig, _("Open tickets by age (click a band for its tickets)"), 320)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": 1.02, "x": 1,
                                               "xanchor": "right", "yanchor": "bottom"})
    return fig
