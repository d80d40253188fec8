"""Figure builders of the Satisfaction page: prepared cells and rows in, plotly figures out.

No queries and no metric arithmetic: values, n, margins and limits come from the query
layer, colours and words from dashboard.views.satisfaction. Heatmaps report no clicks in
this Streamlit version, so every heatmap carries an invisible square-marker scatter over
its cells whose `customdata` names the cell ([row value, column value]); the funnel plot's
points carry their group.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.i18n import _, format_number
from dashboard.views import satisfaction as vm
from dashboard.views.satisfaction import Cell, FunnelPoint


def heatmap(cells: list[Cell], row_labels: list[str], column_labels: list[str], metric: str,
            centre: float | None, centre_text: str, min_sample: int,
            bands: list[tuple[str, int, int]] | None = None) -> go.Figure:
    """The metric per cell on a diverging blue-orange scale centred on `centre` (orange =
    worse whichever way the metric is better); cells with n below `min_sample` grey with
    "n=…" and a legend entry; `bands` (label, first row index, last row index) draw a region
    band beside the rows. One row is 22 px, so 60 branches stay readable (the page scrolls)."""
    info = vm.HEAT_METRICS[metric]
    index = {(c.row_label, c.column_label): c for c in cells}
    z = [[(c.value if (c := index.get((r, k))) and c.sufficient else None)
          for k in column_labels] for r in row_labels]
    grey = [[(1 if (c := index.get((r, k))) and not c.sufficient else None)
             for k in column_labels] for r in row_labels]
    values = [v for row in z for v in row if v is not None]
    # orange is always worse: where lower is better, the scale runs the other way
    scale = sorted((p if info.higher_is_better else 1 - p, c) for p, c in vm.DIVERGING)
    height = 170 + 22 * max(len(row_labels), 3)
    top, bottom = 120, 10
    above = 1 + 62 / (height - top - bottom)  # the colour bar and legend sit above the labels
    grey_text = [[(c.text if (c := index.get((r, k))) and not c.sufficient else "")
                  for k in column_labels] for r in row_labels]
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        z=grey, x=column_labels, y=row_labels, colorscale=[[0, vm.INSUFFICIENT],
                                                            [1, vm.INSUFFICIENT]],
        showscale=False, hoverinfo="skip", xgap=1, ygap=1, text=grey_text,
        texttemplate="%{text}", textfont={"size": 10, "color": "#333"}))
    if centre is not None:
        zmin, zmax = vm.colour_range(metric, centre, values)
        value_text = [[(c.text if (c := index.get((r, k))) and c.sufficient else "")
                       for k in column_labels] for r in row_labels]
        fig.add_trace(go.Heatmap(
            z=z, x=column_labels, y=row_labels, colorscale=scale, zmin=zmin, zmax=zmax,
            xgap=1, ygap=1, hoverinfo="skip", text=value_text, texttemplate="%{text}",
            textfont={"size": 11},
            colorbar={"title": {"text": centre_text, "side": "top", "font": {"size": 12}},
                      "orientation": "h", "y": above, "yanchor": "bottom", "x": 0,
                      "xanchor": "left", "len": 0.55, "thickness": 10}))
    # the legend entry for insufficient data
    fig.add_trace(go.Scatter(
        x=[None], y=[None], mode="markers", name=_("insufficient data (n < {n})").format(
            n=format_number(min_sample)),
        marker={"symbol": "square", "size": 12, "color": vm.INSUFFICIENT}, showlegend=True))
    # the click overlay: one invisible square per cell
    fig.add_trace(go.Scatter(
        x=[c.column_label for c in cells], y=[c.row_label for c in cells],
        customdata=[[str(c.row), str(c.column)] for c in cells],
        hovertext=[c.hover for c in cells], hovertemplate="%{hovertext}<extra></extra>",
        mode="markers", marker={"symbol": "square", "size": 20, "opacity": 0},
        showlegend=False))
    fig.update_layout(
        height=height, margin={"l": 10, "r": 110 if bands else 10, "t": top, "b": bottom},
        plot_bgcolor="white", clickmode="event+select", dragmode=False,
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": above,
                "yanchor": "bottom"},
        hoverlabel={"bgcolor": "white"})
    fig.update_xaxes(side="top", type="category", categoryorder="array",
                     categoryarray=column_labels, showgrid=False, fixedrange=True,
                     tickfont={"size": 11}, tickmode="array", tickvals=column_labels,
                     range=[-0.5, len(column_labels) - 0.5])
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=row_labels,
                     range=[len(row_labels) - 0.5, -0.5], showgrid=False, fixedrange=True,
                     tickfont={"size": 11}, automargin=True, tickmode="array",
                     tickvals=row_labels)
    for label, first, last in bands or []:
        if first > 0:
            fig.add_shape(type="line", xref="paper", x0=-0.35, x1=1.0, yref="y",
                          y0=first - 0.5, y1=first - 0.5, line={"color": "#333", "width": 1.5})
        fig.add_annotation(text=f"<b>{label}</b>", xref="paper", x=1.01, xanchor="left",
                           yref="y", y=(first + last) / 2, showarrow=False,
                           font={"size": 12, "color": "#333"})
    return fig


# label boxes in plot pixels: the funnel plot's drawing area at 1,400 px is about 880 x 330
_PLOT_PX = (880.0, 330.0)
_CHAR_PX, _LINE_PX, _MARKER_PX = 7.0, 14.0, 6.0
_PLACES = ("middle right", "middle left", "top center", "bottom center", "top right",
           "bottom right", "top left", "bottom left")


def label_positions(xs: list[float], ys: list[float], labels: list[str],
                    plot_px: tuple[float, float] = _PLOT_PX) -> tuple[list[str], list[str]]:
    """Where to write the named points' labels so that none overlaps another label or
    another point: each label, lowest y first (the low outliers matter most), takes the
    first place (right, left, above, below, then the corners) whose box is free, else the
    first clear of other labels (over a point); a label with no place clear of labels is
    left out (the point keeps its hover text). Plotly has no label
    collision avoidance of its own, and adjustText works on matplotlib only, hence this
    greedy placement.

    xs, ys: data coordinates; labels: "" for an unnamed point. Returns (a plotly
    textposition per point, the labels to draw), each of len(xs)."""
    if not xs:
        return [], []
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    sx = plot_px[0] / ((x1 - x0) or 1.0)
    sy = plot_px[1] / ((y1 - y0) or 1.0)
    px = [((x - x0) * sx, (y1 - y) * sy) for x, y in zip(xs, ys, strict=True)]

    def box(i: int, place: str) -> tuple[float, float, float, float]:
        cx, cy = px[i]
        w, h = _CHAR_PX * len(labels[i]) + 4, _LINE_PX
        vertical, horizontal = place.split()
        left = {"right": cx + _MARKER_PX, "left": cx - _MARKER_PX - w,
                "center": cx - w / 2}[horizontal]
        top = {"middle": cy - h / 2, "top": cy - _MARKER_PX - h,
               "bottom": cy + _MARKER_PX}[vertical]
        return left, top, left + w, top + h

    def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    markers = [(cx - _MARKER_PX, cy - _MARKER_PX, cx + _MARKER_PX, cy + _MARKER_PX)
               for cx, cy in px]
    placed: list[tuple[float, float, float, float]] = []
    out = ["middle right"] * len(xs)
    shown = [""] * len(xs)
    for i in sorted((i for i, text in enumerate(labels) if text), key=lambda i: ys[i]):
        # first a place clear of labels and points; else one clear of labels only (a name
        # over a grey point still reads, a name over a name does not)
        for avoid_points in (True, False):
            for place in _PLACES:
                candidate = box(i, place)
                if any(overlaps(candidate, other) for other in placed) or (avoid_points and any(
                        overlaps(candidate, m) for j, m in enumerate(markers) if j != i)):
                    continue
                out[i], shown[i] = place, labels[i]
                placed.append(candidate)
                break
            if shown[i]:
                break
    return out, shown


def funnel_plot(points: list[FunnelPoint], limits: list[dict[str, float]], overall: float,
                title: str) -> go.Figure:
    """CSAT average against the number of surveys, with the 95 % and 99.8 % limits around
    the overall mean (limits: rows of n, limit95_low/high, limit998_low/high, sorted by n).
    Points outside the limits are coloured (orange low, blue high) and named -- the high ones
    only beyond 99.8 %, and a name only where it has room (label_positions), so the labels
    stay readable where the groups crowd; every point says its name on hover."""
    fig = go.Figure()
    ns = [r["n"] for r in limits]
    for key, dash, name in (("998", "dash", _("99.8 % limits")), ("95", "dot", _("95 % limits"))):
        for side in ("low", "high"):
            fig.add_trace(go.Scatter(
                x=ns, y=[r[f"limit{key}_{side}"] for r in limits], mode="lines",
                line={"color": "#555" if key == "998" else "#999", "dash": dash,
                      "shape": "spline", "width": 1.2},
                name=name, showlegend=side == "low", hoverinfo="skip", legendgroup=key))
    fig.add_hline(y=overall, line_color="#333", line_width=1,
                  annotation_text=_("overall {value}").format(value=format_number(overall, 2)),
                  annotation_position="top left")

    def colour(p: FunnelPoint) -> str:
        if p.outside is None:
            return "#9aa5b1"
        if p.low:
            return vm.WORSE if p.outside == "998" else vm.WORSE_MID
        return vm.BETTER if p.outside == "998" else vm.BETTER_MID

    places, labels = label_positions(
        [p.n for p in points], [p.csat_avg for p in points],
        [p.label if p.outside == "998" or (p.outside and p.low) else "" for p in points])
    fig.add_trace(go.Scatter(
        x=[p.n for p in points], y=[p.csat_avg for p in points], mode="markers+text",
        text=labels, textposition=places,
        textfont={"size": 11},
        marker={"size": 10, "color": [colour(p) for p in points],
                "line": {"color": "white", "width": 1}},
        customdata=[str(p.group) for p in points], hovertext=[p.hover for p in points],
        hovertemplate="%{hovertext}<extra></extra>", name=_("groups"), showlegend=False))
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 15}}, height=460,
        margin={"l": 10, "r": 10, "t": 44, "b": 10}, plot_bgcolor="white",
        clickmode="event+select", legend={"orientation": "h", "y": -0.15},
        hoverlabel={"bgcolor": "white"})
    fig.update_xaxes(title_text=_("surveys with a CSAT answer (n)"), gridcolor="#eee")
    fig.update_yaxes(title_text=_("CSAT average (1-5)"), gridcolor="#eee")
    return fig
