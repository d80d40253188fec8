"""Figure builders: frames in, plotly figures out. No queries, no metric arithmetic."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.i18n import _, localise_figure, plotly_date_format

PALETTE = {"primary": "#2456a6", "muted": "#9aa5b1", "good": "#1a7f4b", "bad": "#c0392b"}


def _layout(fig: go.Figure, title: str, height: int = 260) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 15}},
        height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        showlegend=False, hovermode="x unified",
    )
    return localise_figure(fig)  # Chinese date ticks in zh-CN


def trend_line(frame: pl.DataFrame, column: str, title: str, unit: str = "",
               small_sample: pl.Series | None = None) -> go.Figure:
    """One KPI per week; weeks with too few cases are drawn as hollow markers."""
    fig = go.Figure()
    x = frame["period"].to_list()
    y = frame[column].to_list()
    fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=title,
                             line={"color": PALETTE["primary"], "width": 2},
                             marker={"size": 5},
                             connectgaps=False,
                             hovertemplate="%{x|" + plotly_date_format() + "}: %{y:,.1f}"
                                           + (f" {unit}" if unit else "") + "<extra></extra>"))
    if small_sample is not None and small_sample.any():
        sx = [a for a, s in zip(x, small_sample.to_list(), strict=True) if s]
        sy = [b for b, s in zip(y, small_sample.to_list(), strict=True) if s]
        fig.add_trace(go.Scatter(x=sx, y=sy, mode="markers", name=_("small sample"),
                                 marker={"size": 9, "color": "white",
                                         "line": {"color": PALETTE["muted"], "width": 2}},
                                 hovertemplate=_("small sample") + "<extra></extra>"))
    fig.update_yaxes(ticksuffix=f" {unit}" if unit else "", rangemode="tozero")
    return _layout(fig, title)


def trend_bars(frame: pl.DataFrame, column: str, title: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=frame["period"].to_list(), y=frame[column].to_list(),
                           marker_color=PALETTE["primary"],
                           hovertemplate=_("week of {date}: {value}").format(
                               date="%{x|" + plotly_date_format() + "}", value="%{y:,}")
                           + "<extra></extra>"))
    return _layout(fig, title)

