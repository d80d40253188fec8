"""Overview: the executive's one screen -- KPI cards against a like-for-like earlier
period and targets, and trends by day (a month or shorter) or by week. Numbers come from
the query API through dashboard.data; how each card reads is decided in
dashboard.views.cards, the trends' grain in dashboard.views.trends."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, data_changes
from dashboard.i18n import _
from dashboard.kpi_view import render_card
from dashboard.settings import get_settings
from dashboard.views import trends
from dashboard.views.cards import build_cards, comparison_caption

ctx = st.session_state["ctx"]
filters = ctx.filters
version = ctx.version
settings = get_settings()

st.title(_("Overview"))
st.caption(_("{filters} · as of {as_of}").format(filters=ctx.description, as_of=ctx.as_of_text))

comparison = data.kpi_comparison(version, filters, ctx.preset)
st.caption(comparison_caption(comparison))

if comparison.current["tickets"] == 0:
    st.info(_("No tickets match this period and these filters. Widen the period or clear a "
              "filter."), icon=":material/filter_alt_off:")
else:
    views = build_cards(comparison, settings,
                        moments=data_changes.card_moments(version, filters, comparison))
    for start in range(0, len(views), 5):
        for place, view in zip(st.columns(5), views[start:start + 5], strict=False):
            with place:
                render_card(view)

    grain = trends.trend_grain(filters)
    st.subheader(trends.section_title(grain))
    series = data.trend(version, filters, grain)
    # (chart key, column, title, unit, the column of its n), left and right in turn: each
    # a chart, or a sentence when the period has fewer than two days / weeks with a value
    trend_charts = [
        ("overview_volume", "tickets", trends.tickets_title(grain), "", None),
        ("overview_frt", "frt_median_min", _("First response, median"), _("min"), "n_responded"),
        ("overview_csat", "csat_avg", _("CSAT (avg of latest surveys)"), "", "n_csat"),
        ("overview_repeat", "repeat_complaint_pct", _("Repeat complaints"), "%", "n_repeat"),
    ]
    drawn = [c for c in trend_charts if trends.has_trend(series[c[1]])]
    if not drawn:  # a day, or a selection this thin: one sentence, not four
        st.info(trends.too_few_points_text(grain), icon=":material/show_chart:")
    halves = st.columns(2)
    for i, (key, column, title, unit, n_column) in enumerate(trend_charts if drawn else []):
        with halves[i % 2]:
            if not trends.has_trend(series[column]):
                st.markdown(f"**{title}**")
                st.info(trends.too_few_points_text(grain), icon=":material/show_chart:")
                continue
            if n_column is None:
                figure = charts.trend_bars(series, column, title, grain)
            else:
                figure = charts.trend_line(series, column, title, unit,
                                           small_sample=series[n_column] < settings.min_sample,
                                           grain=grain)
            st.plotly_chart(figure, key=key, width="stretch")
    if drawn:
        st.caption(trends.hollow_caption(grain, settings.min_sample))
