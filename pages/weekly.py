"""Weekly review: are we on target, what moved since last week, is the move real, where
did it come from -- plus the alerts, fixes and top issues of one ISO week, and the same
review as a file to send. Numbers come from the query layer (dashboard.data ->
queries.weekly, dashboard.alerts); words and colours from dashboard.views.weekly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import streamlit as st

from dashboard import charts_weekly, data, url_choice
from dashboard.i18n import _, format_datetime, get_language
from dashboard.report import filters_text, flagged_ratio_kpis, freshness_text, report_bytes
from dashboard.settings import get_settings
from dashboard.state import drill_to
from dashboard.views import weekly as vm
from queries.weekly import (
    DECOMPOSE_DIMENSIONS,
    DECOMPOSE_PAIRS,
    IsoWeek,
    latest_complete_week,
    weeks_until,
)

PAGES = Path(__file__).resolve().parent
WEEK_KEY = "weekly_week"
URL_KEY = "w_week"

ctx = st.session_state["ctx"]
settings = get_settings()
version = ctx.version
filters = ctx.filters
summary = data.summary(version)
lang = get_language()

st.title(_("Weekly review"))
if ctx.as_of is None:
    st.info(_("There are no timestamps yet, so there is no week to review."))
    st.stop()

# --- the week picker (kept in the URL as w_week) ---------------------------------------
weeks = weeks_until(summary["first_day"], ctx.as_of)
labels = {w.label: vm.week_label(w, ctx.as_of) for w in weeks}
default = latest_complete_week(ctx.as_of).label
if WEEK_KEY not in st.session_state or st.session_state[WEEK_KEY] not in labels:
    wanted = st.query_params.get(URL_KEY)
    st.session_state[WEEK_KEY] = wanted if wanted in labels else (
        default if default in labels else weeks[0].label)
week_label = str(st.selectbox(_("Week"), list(labels), key=WEEK_KEY,
                              format_func=lambda w: labels[w],
                              help=_("ISO weeks, Monday to Sunday. The latest complete week "
                                     "is chosen unless you pick another.")))
if st.query_params.get(URL_KEY) != week_label:
    st.query_params[URL_KEY] = week_label
week = IsoWeek.parse(week_label)

review = data.weekly(version, filters, week_label)
st.caption(_("{filters} · as of {as_of} · freshness: {freshness}").format(
    filters=filters_text(filters), as_of=format_datetime(ctx.as_of),
    freshness=freshness_text(data.last_load(version))))
st.caption(_("The sidebar's period does not apply here: the week is the period."))

# --- the report (top of the page: what an executive sends) ------------------------------
report_box = st.expander(_("Send the review"), icon=":material/send:",
                         expanded="weekly_report_file" in st.session_state)
fmt = report_box.segmented_control(_("Format"), ["html", "pdf"], default="html",
                                   format_func=lambda f: {"html": "HTML", "pdf": "PDF"}[f],
                                   key="weekly_report_format") or "html"
report_key = (week_label, fmt, lang, filters)
if report_box.button(_("Build the report"), key="weekly_report_build",
                     icon=":material/description:"):
    bar = report_box.progress(0.0, text=_("Starting"))

    def show_progress(fraction: float, text: str) -> None:
        bar.progress(fraction, text=text)

    content = report_bytes(data.connection(version), filters, week, fmt, lang=lang,
                           progress=show_progress)
    st.session_state["weekly_report_file"] = (report_key, content)
built = st.session_state.get("weekly_report_file")
if built and built[0] == report_key:
    report_box.download_button(
        _("Download the report ({format})").format(format=fmt.upper()), data=built[1],
        file_name=f"weekly-review-{week_label}.{fmt}",
        mime="application/pdf" if fmt == "pdf" else "text/html", key="weekly_report_download",
        icon=":material/download:")

if not review["complete"]:
    st.warning(_("This week is not complete yet: its numbers will still change."),
               icon=":material/hourglass_top:")

# --- alerts --------------------------------------------------------------------------
evaluation = data.weekly_alerts(version, filters, week_label, lang)
st.markdown("**" + vm.summary_sentence(review["rows"], evaluation.alerts) + "**")
st.subheader(_("Alerts"))
if evaluation.alerts and not review["complete"]:
    st.caption(_("The week is not over: these rules read its numbers so far."))
if evaluation.alerts:
    for alert in evaluation.alerts:
        st.error(f"**{alert.get('title') or alert['rule']}** · {alert['message']}",
                 icon=":material/notifications:")
else:
    st.success(_("No alert fires this week."), icon=":material/check_circle:")
for name, reason in evaluation.skipped:
    st.caption(_("Rule {name!r} was not evaluated: {reason}.").format(name=name, reason=reason))

# --- scorecard -----------------------------------------------------------------------
st.subheader(_("Scorecard"))
cards = [vm.card(row, settings.min_sample) for row in review["rows"]]
for start in range(0, len(cards), 5):
    for column, c in zip(st.columns(5), cards[start:start + 5], strict=False):
        better = vm.higher_is_better(c.kpi)
        colour: Literal["normal", "inverse", "off"] = (
            "off" if not c.flagged or better is None else "normal" if better else "inverse")
        with column:
            st.metric(c.short_label, c.value, delta=c.delta,
                      delta_color=colour, delta_arrow="auto" if c.arrow else "off",
                      help=c.help, border=True)
            lines = [_("last week {previous} · 4-week avg {avg}").format(
                previous=c.previous, avg=c.avg_4w)]
            if c.target:
                status = ("" if c.on_target is None else
                          " · :green[" + _("on target") + "]" if c.on_target else
                          " · :red[" + _("off target") + "]")
                lines.append(c.target + status)
            if c.interval:
                lines.append(c.interval)
            if c.thin_note:
                lines.append(":orange[" + c.thin_note + "]")
            lines += list(c.notes)
            st.caption("  \n".join(lines))
st.caption(_("A change is coloured only when it is beyond noise (green: better, red: worse)."))
if not review["complete"]:
    st.caption(_("The week is not over: its values are so far and are not judged (grey, "
                 "no interval, no target mark)."))

# --- is the change real? -------------------------------------------------------------
st.subheader(_("Is the change real?"))
st.markdown("\n".join(
    f"- **{sentence}**" if flagged else f"- {sentence}"
    for flagged, sentence in vm.change_sentences(review["rows"])))
st.caption(_("A change is flagged when its 95 % interval excludes 0; tickets and complaints "
             "when they leave the usual range (mean ± 2 sd of the 8 weeks before)."))

# --- where did it come from? -----------------------------------------------------------
st.subheader(_("Where did it come from?"))
target_page = "explore" if (PAGES / "explore.py").exists() else "overview"


def picked(event: Any) -> dict[str, Any] | None:
    """The first selected point of a chart event (AppTest gives a plain dict)."""
    if not event:
        return None
    selection = event.get("selection") if hasattr(event, "get") else None
    points = (selection or {}).get("points") or []
    return points[0] if points else None


flagged = flagged_ratio_kpis(review)
if not flagged:
    st.info(vm.where_empty_text(review))
names = data.branch_names(version)
for kpi in flagged:
    st.markdown(f"**{vm.label(kpi)}**")
    ordered = vm.by_concentration([data.weekly_decomposition(version, filters, kpi, dim,
                                                             week_label)
                                   for dim in DECOMPOSE_DIMENSIONS])
    results = {r["by"]: r for r in ordered}
    st.markdown("\n".join(f"- {vm.decomposition_sentence(r, names)}" for r in ordered))
    # across two dimensions: the fewest cells explaining two thirds of the change
    cross = vm.cross_sentence([data.weekly_decomposition(version, filters, kpi, pair,
                                                         week_label)
                               for pair in DECOMPOSE_PAIRS], names)
    if cross:
        st.markdown(f"**{cross}**")
    # kept in the URL (w_by_<kpi>; left out while it is the most concentrated dimension)
    url_choice.seed(f"w_by_{kpi}", f"weekly_by_{kpi}", list(DECOMPOSE_DIMENSIONS),
                    ordered[0]["by"])
    dim = st.segmented_control(_("By"), list(DECOMPOSE_DIMENSIONS),
                               format_func=vm.dimension_label, key=f"weekly_by_{kpi}") \
        or ordered[0]["by"]
    url_choice.keep(f"w_by_{kpi}", dim, ordered[0]["by"])
    result = results[dim]
    event = st.plotly_chart(charts_weekly.decomposition_chart(result, names),
                            key=f"weekly_decomp_{kpi}_{dim}", on_select="rerun",
                            selection_mode="points", width="stretch")
    # a clicked bar: the group's value of this KPI, week and last, then its tickets
    point = picked(event)
    index = None if point is None else point.get("point_index", point.get("point_number"))
    if index is not None and index < len(result["groups"]):
        chosen = result["groups"][index]
        with st.container(border=True, key=f"weekly_detail_{kpi}"):
            st.markdown("  \n".join(vm.group_detail(result, chosen, names)))
            if st.button(_("Its tickets of the week in Explore"), key=f"weekly_drill_{kpi}",
                         icon=":material/list:"):
                set_filters, params = vm.drill_params(
                    dim, chosen["group"], IsoWeek.parse(result["week"]).monday, kpi)
                drill_to(target_page, set_filters=set_filters, params=params)
if flagged:
    st.caption(vm.decomposition_note() + " " + _("Click a bar for that group's value this "
                                                 "week and last, and its tickets."))

# --- top issues ------------------------------------------------------------------------
st.subheader(_("Top issues"))
growth = data.weekly_growth(version, filters, week_label)
st.markdown(vm.growth_sentence(growth))
phrases = vm.phrase_growth_sentence(data.weekly_phrases(version, filters, week_label),
                                    complete=review["complete"])
if phrases:
    st.markdown(phrases)
if growth:
    st.plotly_chart(charts_weekly.growth_chart(growth), key="weekly_growth", width="stretch")
bottleneck = data.weekly_bottleneck(version, filters, week_label, lang)
if bottleneck:
    st.markdown(_("**Funnel bottleneck:** {sentence}").format(sentence=bottleneck))

# --- fixes -----------------------------------------------------------------------------
st.subheader(_("Fixes"))
fixes = data.weekly_fixes(version, week_label, filters.as_of)
if not fixes["launched"] and not fixes["completed"]:
    st.caption(_("No fix was launched or completed its after-window this week."))
for kind, heading in (("launched", _("Launched this week")),
                      ("completed", _("After-window completed this week"))):
    if fixes[kind]:
        st.markdown(f"**{heading}**")
        for fix in fixes[kind]:
            effects = "\n".join(f"    - {line}" for line in vm.fix_effect_lines(
                fix, settings.min_sample, settings.effect_window_days,
                settings.churn_window_days))
            st.markdown(f"- {fix['fix_id']} · {fix['title']}\n{effects}")
