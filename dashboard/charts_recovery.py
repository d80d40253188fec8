"""Figures of the Recovery page: the forest plot of all fixes and one fix's event study.

Rows in (view models of dashboard.views.effects, frames of queries.effects), plotly
figures out. No queries, no metric arithmetic; colours come from the view model, which
knows whether up is good for the metric.
"""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.i18n import _, format_date, format_number, localise_figure
from dashboard.views import effects as view

TREATED = "#2456a6"
CONTROL = "#e08a1e"
ZERO = "#555555"


def _arm(low: float | None, high: float | None) -> float:
    """Length of one arm of an error bar (plotly draws arms, not ends); 0 without an end."""
    return high - low if low is not None and high is not None else 0.0


def forest_plot(rows: list[tuple[str, view.EffectRow]], metric: str) -> go.Figure:
    """Each fix's effect as a dot with its 95 % interval, zero marked, coloured by
    better / worse for `metric` (grey: noise or too few cases). rows: (label, EffectRow)
    in display order; rows without an effect are left out. Each point carries its fix_id
    as customdata, so a click names the fix."""
    shown = [(label, r) for label, r in rows if r.effect is not None]
    unit = _(view.EFFECT_UNITS[metric])
    hover = [
        "<b>{label}</b><br>{effect_word}: {effect}<br>{ci_word}: {ci}<br>{reading}".format(
            label=label, effect_word=_("Effect"), effect=r.effect_text,
            ci_word=_("95 % interval"), ci=r.interval_text, reading=r.reading_text)
        for label, r in shown
    ]
    fig = go.Figure(go.Scatter(
        x=[r.effect for _l, r in shown], y=[label for label, _r in shown], mode="markers",
        marker={"size": 12, "color": [r.colour for _l, r in shown],
                "line": {"color": "white", "width": 1}},
        error_x={"type": "data", "symmetric": False,
                 "array": [_arm(r.effect, r.ci_high) for _l, r in shown],
                 "arrayminus": [_arm(r.ci_low, r.effect) for _l, r in shown],
                 "color": "#7b8794", "thickness": 1.5, "width": 4},
        customdata=[r.fix_id for _l, r in shown],
        text=hover, hovertemplate="%{text}<extra></extra>",
    ))
    fig.add_vline(x=0, line_width=1, line_color=ZERO)
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title_text=_("effect ({unit})").format(unit=unit), zeroline=False)
    fig.update_layout(
        title={"text": view.chart_title(metric), "x": 0, "font": {"size": 14}},
        height=110 + 34 * max(len(shown), 1), margin={"l": 10, "r": 20, "t": 50, "b": 40},
        showlegend=False, hovermode="closest", clickmode="event+select",
    )
    return localise_figure(fig)


EVENT_METRICS = ("repeat_complaint_pct", "churn_pct", "csat_avg")


def event_study(weeks: pl.DataFrame, launch: date, window_days: int,
                min_sample: int) -> go.Figure:
    """Weekly repeat %, churn % and CSAT of treated and control, from the history window to
    the end of the post window. Launch marked; the pre and post windows shaded. weeks:
    queries.effects.fetch_effect_weeks. Weeks with n < min_sample are hollow markers."""
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=[view.metric_label(m) for m in EVENT_METRICS])
    labels = {"treated": _("Treated"), "control": _("Control")}
    colours = {"treated": TREATED, "control": CONTROL}
    for i, metric in enumerate(EVENT_METRICS, start=1):
        for arm in ("treated", "control"):
            part = weeks.filter((pl.col("metric") == metric) & (pl.col("arm") == arm)
                                ).sort("week")
            if part.height == 0:
                continue
            ns = part["n"].to_list()
            values = part["value"].to_list()
            hover = [
                _("{arm}, week of {date} (week {week} from launch): {value}, n = {n}").format(
                    arm=labels[arm], date=format_date(d), week=format_number(w, 0, signed=True)
                    if w else "0", value=view.value_text(metric, v), n=format_number(n, 0))
                for d, w, v, n in zip(part["week_start"].to_list(), part["week"].to_list(),
                                      values, ns, strict=True)
            ]
            fig.add_trace(go.Scatter(
                x=part["week_start"].to_list(), y=values, mode="lines+markers",
                name=labels[arm], legendgroup=arm, showlegend=i == 1,
                line={"color": colours[arm], "width": 2}, connectgaps=False,
                marker={"size": 6, "color": [colours[arm] if (n or 0) >= min_sample else "white"
                                             for n in ns],
                        "line": {"color": colours[arm], "width": 1.5}},
                text=hover, hovertemplate="%{text}<extra></extra>",
            ), row=i, col=1)
    pre_start = launch - timedelta(days=window_days)
    post_end = launch + timedelta(days=window_days)
    for x0, x1, colour in ((pre_start, launch, "#9aa5b1"), (launch, post_end, "#1a7f4b")):
        fig.add_vrect(x0=x0, x1=x1, fillcolor=colour, opacity=0.10, line_width=0,
                      row="all", col=1)
    fig.add_vline(x=launch.isoformat(), line_width=2, line_dash="dash", line_color=ZERO,
                  row="all", col=1)
    hist_start = pre_start - timedelta(days=window_days)
    for x, text, anchor in (
        (launch, _("launch"), "left"),
        (hist_start + (pre_start - hist_start) / 2,
         _("history ({days} days)").format(days=window_days), "center"),
        (pre_start + (launch - pre_start) / 2, _("before ({days} days)").format(days=window_days),
         "center"),
        (launch + (post_end - launch) / 2, _("after ({days} days)").format(days=window_days),
         "center"),
    ):
        fig.add_annotation(x=x.isoformat(), y=1.0, xref="x", yref="y domain", text=text,
                           showarrow=False, xanchor=anchor, yanchor="top",
                           font={"size": 11, "color": "#444"}, row=1, col=1)
    fig.update_yaxes(ticksuffix="%", row=1, col=1)
    fig.update_yaxes(ticksuffix="%", row=2, col=1)
    for i, metric in enumerate(EVENT_METRICS, start=1):
        # headroom, so that no point sits on the panel's title (and, in the first panel,
        # on the window labels)
        values = [v for v in weeks.filter(pl.col("metric") == metric)["value"].to_list()
                  if v is not None]
        if values:
            low, high = min(values), max(values)
            span = (high - low) or max(abs(high), 1.0)
            fig.update_yaxes(range=[low - 0.08 * span, high + (0.30 if i == 1 else 0.15) * span],
                             row=i, col=1)
    fig.update_layout(height=640, margin={"l": 10, "r": 20, "t": 60, "b": 30},
                      hovermode="closest",
                      legend={"orientation": "h", "y": -0.06, "x": 0})
    return localise_figure(fig)  # Chinese date ticks in zh-CN
