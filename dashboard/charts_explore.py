"""Figures of the Explore page: one ticket's timeline against its SLA deadline, and a
customer's contacts across channels in time order -- one marker per contact, or for a
customer with many contacts their count per channel and period. Frames/rows in, plotly
figures out; no queries, no metric arithmetic (durations come from the query layer, the
counts from dashboard.views.explore.contact_grid)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboard.i18n import (
    _,
    format_datetime,
    format_number,
    localise_figure,
    ngettext,
    value_label,
)
from dashboard.views.explore import (
    SLA_COLORS,
    STAGE_LABELS,
    ContactGrid,
    duration,
    period_label,
    sla_label,
    type_label,
)

PALETTE = {"primary": "#2456a6", "muted": "#9aa5b1", "good": "#1a7f4b", "bad": "#c0392b",
           "warn": "#d68910"}
TYPE_COLORS = {"complaint": "#c0392b", "inquiry": "#2456a6", "suggestion": "#8e44ad",
               "praise": "#1a7f4b"}
STEP_COLUMNS = (("received", "created_at"), ("assigned", "assigned_at"),
                ("responded", "first_response_at"), ("resolved", "resolved_at"),
                ("closed", "closed_at"))


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "font": {"size": 15}}, height=height,
                      margin={"l": 10, "r": 10, "t": 44, "b": 10}, showlegend=True,
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1,
                              "xanchor": "right"})
    return localise_figure(fig)  # Chinese date ticks on the timelines in zh-CN


def ticket_timeline(ticket: dict[str, Any], surveys: pl.DataFrame | None = None) -> go.Figure:
    """The ticket's stages on a time axis, the time between them written on the
    segments, and its first-response SLA deadline as a line (red when breached)."""
    steps: list[tuple[str, datetime]] = [
        (stage, ticket[col]) for stage, col in STEP_COLUMNS if ticket.get(col) is not None]
    if surveys is not None and surveys.height:
        steps.append(("surveyed", min(surveys["responded_at"].to_list())))
    steps.sort(key=lambda s: s[1])
    fig = go.Figure()
    xs = [t for _s, t in steps]
    labels = [_(STAGE_LABELS[s]) for s, _t in steps]
    fig.add_trace(go.Scatter(
        x=xs, y=[0] * len(xs), mode="lines+markers", text=labels, name=_("Stages"),
        line={"color": PALETTE["muted"], "width": 3},
        marker={"size": 13, "color": PALETTE["primary"]},
        customdata=[format_datetime(t) for t in xs],
        hovertemplate="%{text}: %{customdata}<extra></extra>"))
    # Stages close together on the axis (received, assigned and responded within minutes,
    # then a resolution days later) share one label listing them with the time each took,
    # so names never overprint; groups alternate high and low.
    for i, group in enumerate(_close_groups(steps)):
        lines = [labels[group[0]]] + [
            f"{labels[j]} (+{duration((xs[j] - xs[j - 1]).total_seconds() / 60.0)})"
            for j in group[1:]]
        fig.add_annotation(x=xs[group[0]], y=0, text="<br>".join(lines), showarrow=True,
                           arrowhead=0, ax=0, ay=-28 if i % 2 == 0 else -62,
                           font={"size": 12}, arrowcolor="#bbb", xanchor="left"
                           if len(group) > 1 else "center", yanchor="bottom")
    # the time between groups, written under the middle of its segment
    groups = _close_groups(steps)
    for left, right in zip(groups, groups[1:], strict=False):
        t0, t1 = xs[left[-1]], xs[right[0]]
        minutes = (t1 - t0).total_seconds() / 60.0
        fig.add_annotation(x=t0 + (t1 - t0) / 2, y=0, yshift=-18, text=duration(minutes),
                           showarrow=False, font={"size": 11, "color": "#555"})
    deadline = ticket.get("sla_deadline")
    if deadline is not None:
        state = ticket.get("sla_state")
        color = SLA_COLORS.get(state or "", PALETTE["muted"])
        fig.add_trace(go.Scatter(
            x=[deadline, deadline], y=[-1, 1], mode="lines", name=_("SLA deadline ({state})")
            .format(state=sla_label(state)), line={"color": color, "dash": "dash", "width": 2},
            hovertemplate=_("First-response deadline") + f": {format_datetime(deadline)}"
            "<extra></extra>"))
        fig.add_annotation(x=deadline, y=-0.9, text=_("first-response deadline"),
                           showarrow=False, xanchor="left", font={"size": 11, "color": color})
    fig.update_yaxes(visible=False, range=[-1, 1.3])
    fig.update_xaxes(showgrid=True)
    return _layout(fig, _("Timeline of this ticket"), 300)


def _close_groups(steps: list[tuple[str, datetime]], share: float = 0.08
                  ) -> list[list[int]]:
    """Indexes of consecutive steps (sorted by time) whose distance from the previous step
    is under `share` of the span from the first step to the last: [[0, 1, 2], [3], [4]].
    All steps at the same moment: one group."""
    if not steps:
        return []
    span = (steps[-1][1] - steps[0][1]).total_seconds()
    groups: list[list[int]] = [[0]]
    for i in range(1, len(steps)):
        gap = (steps[i][1] - steps[i - 1][1]).total_seconds()
        if span == 0 or gap < share * span:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def customer_timeline(contacts: pl.DataFrame, churned_at: Any = None) -> go.Figure:
    """Every contact of a customer: time across, channel down, colour = type; repeats as
    diamonds; the churn date as a line. contacts: rows of fetch_customer_contacts (masked)."""
    fig = go.Figure()
    if contacts.height:
        for kind in sorted(set(contacts["type"].to_list())):
            part = contacts.filter(pl.col("type") == kind)
            repeat = part["is_repeat"].fill_null(False).to_list()
            fig.add_trace(go.Scatter(
                x=part["created_at"].to_list(),
                y=[value_label("channel", c) for c in part["channel"].to_list()],
                mode="markers", name=type_label(kind),
                # see-through with a white rim: contacts close in time stay countable
                marker={"size": [16 if r else 12 for r in repeat],
                        "symbol": ["diamond" if r else "circle" for r in repeat],
                        "color": TYPE_COLORS.get(kind, PALETTE["muted"]), "opacity": 0.75,
                        "line": {"color": ["#222" if r else "#fff" for r in repeat],
                                 "width": [2 if r else 1 for r in repeat]}},
                customdata=list(zip(part["ticket_id"].to_list(), part["category"].to_list(),
                                    [(s or "")[:60] for s in part["subject"].to_list()],
                                    [_("repeat") if r else "" for r in repeat], strict=True)),
                hovertemplate="%{customdata[0]} · %{customdata[1]}<br>%{x|%Y-%m-%d %H:%M}"
                              "<br>%{customdata[2]} %{customdata[3]}<extra></extra>"))
    _churn_marker(fig, churned_at)
    fig.update_yaxes(title_text=_("Channel"), categoryorder="category ascending")
    channels = contacts["channel"].n_unique() if contacts.height else 1
    return _layout(fig, _("Every contact, in time order"), 150 + 40 * channels)


def _churn_marker(fig: go.Figure, churned_at: Any, **anchor: str) -> None:
    """A dashed line and "churned" at the customer's churn date (a date or a datetime);
    nothing when the customer has not churned. anchor: extra annotation anchors."""
    if churned_at is None:
        return
    when = datetime.combine(churned_at, datetime.min.time()) \
        if not isinstance(churned_at, datetime) else churned_at
    fig.add_vline(x=when, line_dash="dash", line_color=PALETTE["bad"])
    fig.add_annotation(x=when, y=1, yref="paper", text=_("churned"), showarrow=False,
                       font={"color": PALETTE["bad"]}, xanchor="left", **anchor)


def customer_contact_grid(grid: ContactGrid, churned_at: Any = None) -> go.Figure:
    """A customer with many contacts: channel down, period across (day, week or month), a
    cell's shade and number the contacts of that channel in that period; hovering tells
    its types and repeat complaints. Each row's label carries the channel's total."""
    frame = grid.frame
    channels = sorted(set(frame["channel"].to_list()))
    totals = grid.totals()
    row_of = {c: i for i, c in enumerate(channels)}
    col_of = {p: i for i, p in enumerate(grid.periods)}
    z: list[list[int | None]] = [[None] * len(grid.periods) for _c in channels]
    hover: list[list[str]] = [[""] * len(grid.periods) for _c in channels]
    kinds = [c[5:] for c in frame.columns if c.startswith("type_")]
    for row in frame.iter_rows(named=True):
        i, j = row_of[row["channel"]], col_of[row["period"]]
        z[i][j] = row["contacts"]
        parts = []
        for kind in kinds:
            if row[f"type_{kind}"]:
                part = f"{type_label(kind)} {format_number(row[f'type_{kind}'])}"
                if kind == "complaint" and row["repeats"]:
                    part += " (" + _("repeats: {n}").format(n=format_number(row["repeats"])) + ")"
                parts.append(part)
        hover[i][j] = (f"{value_label('channel', row['channel'])} · {period_label(row['period'], grid.grain)}"
                       "<br>" + ngettext("{n} contact", "{n} contacts", row["contacts"])
                       .format(n=format_number(row["contacts"])) + "<br>" + " · ".join(parts))
    labels = [f"{value_label('channel', c)} ({format_number(totals[c])})" for c in channels]
    xs = grid.midpoints()
    few = len(grid.periods) <= 40
    fig = go.Figure(go.Heatmap(
        x=xs, y=labels, z=z, customdata=hover, colorscale="Blues", zmin=0, xgap=1, ygap=2,
        hoverongaps=False, colorbar={"title": {"text": _("Contacts")}, "thickness": 12},
        texttemplate="%{z}" if few else None, textfont={"size": 10},
        hovertemplate="%{customdata}<extra></extra>"))
    _churn_marker(fig, churned_at, yanchor="bottom")
    fig.update_yaxes(autorange="reversed", title_text=None, showgrid=False)
    fig.update_xaxes(showgrid=False)
    title = {"day": _("Contacts per day and channel"),
             "week": _("Contacts per week and channel"),
             "month": _("Contacts per month and channel")}[grid.grain]
    fig = _layout(fig, title, 120 + 34 * len(channels))
    fig.update_layout(showlegend=False, plot_bgcolor="white")  # no contact: blank
    return fig
