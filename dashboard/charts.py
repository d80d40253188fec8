"""Figure builders: frames in, plotly figures out. No queries, no metric arithmetic."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go
import polars as pl

from dashboard.i18n import _, get_language, localise_figure, plotly_date_format

PALETTE = {"primary": "#2456a6", "muted": "#9aa5b1", "good": "#1a7f4b", "bad": "#c0392b"}
DAY_MS = 86_400_000
MAX_DATE_TICKS = 8  # two-line date labels of ~50 px each fit a half-width chart at 1,400 px


def _layout(fig: go.Figure, title: str, height: int = 260) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 15}},
        height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        showlegend=False, hovermode="x unified",
    )
    return localise_figure(fig)  # Chinese date ticks in zh-CN


def date_tick_format() -> str:
    """A date tick: day and month over the year ('23 Aug' / '2026'; '8月23日' / '2026年'),
    never a time of day."""
    return "%-m月%-d日<br>%Y年" if get_language() == "zh-CN" else "%-d %b<br>%Y"


def date_axis(fig: go.Figure, periods: Sequence[date], grain: str) -> go.Figure:
    """Ticks on the periods' own dates (each day, or each week's Monday), every k-th one
    so that at most MAX_DATE_TICKS show, labelled as dates at any zoom. Left to plotly, a
    short range is ticked in hours or fractions of a second ("23:59:59.9996"). Call it
    after localise_figure (whose Chinese formats for plotly's own ticks include times)."""
    step_days = 1 if grain == "day" else 7
    known = sorted(p for p in periods if p is not None)
    if not known:
        return fig
    count = (known[-1] - known[0]).days // step_days + 1
    every = max(1, math.ceil(count / MAX_DATE_TICKS))
    fig.update_xaxes(type="date", tick0=known[0].isoformat(), dtick=every * step_days * DAY_MS,
                     hoverformat=plotly_date_format())
    if get_language() == "zh-CN":
        # localise_figure gave the axis Chinese stops for plotly's own ticks, times among
        # them: one stop, a date, replaces them at every zoom
        fig.update_xaxes(tickformatstops=[{"dtickrange": [None, None],
                                           "value": date_tick_format()}])
    else:
        fig.update_xaxes(tickformat=date_tick_format())
    return fig


def trend_line(frame: pl.DataFrame, column: str, title: str, unit: str = "",
               small_sample: pl.Series | None = None, grain: str = "week") -> go.Figure:
    """One KPI per day or week (`grain`); periods with too few cases are drawn as hollow
    markers."""
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
    return date_axis(_layout(fig, title), x, grain)


def trend_bars(frame: pl.DataFrame, column: str, title: str, grain: str = "week") -> go.Figure:
    """A count per day or week (`grain`)."""
    when = "%{x|" + plotly_date_format() + "}"
    hover = (_("{date}: {value}") if grain == "day" else _("week of {date}: {value}")).format(
        date=when, value="%{y:,}")
    x = frame["period"].to_list()
    fig = go.Figure(go.Bar(x=x, y=frame[column].to_list(), marker_color=PALETTE["primary"],
                           hovertemplate=hover + "<extra></extra>"))
    return date_axis(_layout(fig, title), x, grain)

