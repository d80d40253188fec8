"""Recovery: did each fix lower repeat complaints and churn? Every fix against its control
group, one fix in depth, and in words what the comparison cannot tell.

Numbers come from queries.effects (through dashboard.data); what they mean -- reading,
colour, notes -- from dashboard.views.effects, which `cxdash effects` shares. The chosen
metric and fix live in the URL (rec_metric, rec_fix).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts_recovery, data
from dashboard.i18n import _, format_date, format_datetime, format_number
from dashboard.settings import get_settings
from dashboard.views import effects as view

ctx = st.session_state["ctx"]
settings = get_settings()
WINDOW = settings.effect_window_days
MIN_SAMPLE = settings.min_sample
METRIC_KEY, FIX_KEY = "recovery_metric", "recovery_fix"
FOREST_KEY, REGISTER_KEY = "recovery_forest", "recovery_register"
URL_METRIC, URL_FIX = "rec_metric", "rec_fix"

st.title(_("Recovery: did each fix work?"))
st.caption(_(
    "Each fix against its control group: difference-in-differences over {window} days before "
    "and after launch, 95 % intervals, as of {as_of}. The sidebar filters do not apply here: "
    "each fix defines its own scope.").format(window=WINDOW, as_of=format_datetime(ctx.as_of)))

fixes = data.fixes(ctx.version)
fix_rows = {r["fix_id"]: r for r in fixes.iter_rows(named=True)}
effects = data.fix_effects(ctx.version, as_of_override=ctx.filters.as_of)
options = data.dimension_values(ctx.version)


def _label(fix_id: str) -> str:
    return f"{fix_id} · {fix_rows[fix_id]['title']}"


# --- state from the URL, once per session; clicks on the plot or the register ------------
if "_recovery_seeded" not in st.session_state:
    st.session_state["_recovery_seeded"] = True
    wanted_metric = st.query_params.get(URL_METRIC)
    if wanted_metric in view.METRIC_ORDER:
        st.session_state[METRIC_KEY] = wanted_metric
    elif wanted_metric:
        st.warning(_("The link's metric {value!r} is unknown and was ignored.").format(
            value=wanted_metric), icon=":material/link_off:")
    wanted_fix = st.query_params.get(URL_FIX)
    if wanted_fix in fix_rows:
        st.session_state[FIX_KEY] = wanted_fix
    elif wanted_fix:
        st.warning(_("The link's fix {value!r} does not exist and was ignored.").format(
            value=wanted_fix), icon=":material/link_off:")

order = list(fix_rows)  # newest launch first (queries/fixes.sql)


def _clicked_fix(key: str) -> str | None:
    """The fix a new click on the forest plot or the register names (None: no new click)."""
    state = st.session_state.get(key)
    selection = state.get("selection") if state else None
    if not selection:
        return None
    signature = repr(selection)
    seen_key = f"_{key}_seen"
    if st.session_state.get(seen_key) == signature:
        return None
    st.session_state[seen_key] = signature
    if key == REGISTER_KEY:
        rows = selection.get("rows") or []
        return order[rows[0]] if rows and 0 <= rows[0] < len(order) else None
    for point in selection.get("points") or []:
        custom = point.get("customdata")
        if isinstance(custom, list):
            custom = custom[0] if custom else None
        if custom in fix_rows:
            return custom
    return None


pending = st.session_state.pop("_recovery_pending_fix", None)
if pending in fix_rows:
    st.session_state[FIX_KEY] = pending
for key in (FOREST_KEY, REGISTER_KEY):
    clicked = _clicked_fix(key)
    if clicked:
        st.session_state[FIX_KEY] = clicked

if not fix_rows:
    st.info(_("No fixes are recorded yet. Record one below, or load a fixes extract on the "
              "Data page (fix_id, title, launched_at and an optional scope)."),
            icon=":material/healing:")

# --- fixes register and forest plot -----------------------------------------------------
if fix_rows:
    metric = st.segmented_control(
        _("Metric (forest plot and register)"), list(view.METRIC_ORDER),
        format_func=view.metric_label, default="repeat_complaint_pct", key=METRIC_KEY,
    ) or "repeat_complaint_pct"
    st.query_params[URL_METRIC] = metric

    by_metric = {(r["fix_id"], r["metric"]): r for r in effects.iter_rows(named=True)}
    rows_view = {fid: view.effect_row(by_metric[(fid, metric)], MIN_SAMPLE, WINDOW,
                                      settings.churn_window_days)
                 for fid in order if (fid, metric) in by_metric}

    plot_rows = [(_label(fid), rows_view[fid]) for fid in order if fid in rows_view]
    st.plotly_chart(charts_recovery.forest_plot(plot_rows, metric), key=FOREST_KEY,
                    on_select="rerun", selection_mode="points", width="stretch",
                    config={"displayModeBar": False})
    st.caption(_("Click a point or a row to see that fix in depth. Grey: within noise, or too "
                 "few cases (fewer than {n} in a cell).").format(n=MIN_SAMPLE))

    effect_head = _("Effect")  # its unit is in the caption below (narrow column)
    interval_head = _("95 % interval")
    table = []
    for fid in order:
        fix = fix_rows[fid]
        r = by_metric.get((fid, metric))
        v = rows_view.get(fid)
        table.append({
            _("ID"): fid,
            _("Title"): fix["title"],
            _("Owner"): fix["owner"] or "",
            _("Scope"): view.scope_short(fix),
            _("Launched"): fix["launched_at"],
            _("Window"): view.window_short(r, WINDOW) if r else "",
            effect_head: (v.effect if v and not v.greyed else None),
            interval_head: view.interval_short(r, MIN_SAMPLE) if r else "",
        })
    frame = pd.DataFrame(table)
    colours = [rows_view[fid].colour if fid in rows_view else view.MUTED for fid in order]

    def _style(col: pd.Series) -> list[str]:
        return [f"color: {c}; font-weight: 600" for c in colours]

    digits = 2 if metric == "csat_avg" else 1
    styled = frame.style.apply(_style, subset=[effect_head, interval_head]).format(
        {effect_head: lambda x: "" if pd.isna(x) else f"{x:+.{digits}f}"})
    st.dataframe(
        styled, hide_index=True, width="stretch", key=REGISTER_KEY, on_select="rerun",
        selection_mode="single-row",
        column_config={
            # 940 px at 1,400 wide, 34 of them the row marker; measured on the demo's
            # longest title, owner and scope
            _("ID"): st.column_config.TextColumn(width=40),
            _("Title"): st.column_config.TextColumn(width=296),
            _("Owner"): st.column_config.TextColumn(width=116),
            _("Scope"): st.column_config.TextColumn(width=156),
            _("Launched"): st.column_config.DateColumn(width=76),
            _("Window"): st.column_config.TextColumn(width=72),
            effect_head: st.column_config.NumberColumn(width=46),
            interval_head: st.column_config.TextColumn(width=102),
        },
        height=38 + 35 * len(table),
    )
    st.caption(_("Window: days of the {window}-day after-window so far. Effect in {unit}; "
                 "sort by any column. Green: better beyond noise; red: worse beyond noise; "
                 "grey: within noise or too few cases.").format(
        window=WINDOW, unit=_(view.EFFECT_UNITS[metric])))
    # Honesty in words: every note of the chosen metric, one line per fix.
    for fid in order:
        v = rows_view.get(fid)
        if v is None:
            continue
        for note in v.notes:
            line = f"**{fid}** · {note.text}"
            if note.kind in ("rtm", "pre_trend", "no_control"):
                st.warning(line, icon=":material/warning:")
            elif note.kind in ("small", "immature"):
                st.caption(line)
            else:
                st.info(line, icon=":material/hourglass_top:")

# --- one fix in depth -------------------------------------------------------------------------
if fix_rows:
    st.divider()
    st.header(_("One fix in depth"))
    if st.session_state.get(FIX_KEY) not in fix_rows:
        st.session_state[FIX_KEY] = None
    chosen = st.selectbox(_("Fix"), order, key=FIX_KEY, format_func=_label,
                          placeholder=_("Choose a fix (or click one above)"))
    if chosen:
        st.query_params[URL_FIX] = chosen
    elif URL_FIX in st.query_params:
        del st.query_params[URL_FIX]

    if chosen:
        fix = fix_rows[chosen]
        mine = {m: by_metric[(chosen, m)] for m in view.METRIC_ORDER if (chosen, m) in by_metric}
        headline = mine.get("repeat_complaint_pct") or next(iter(mine.values()))
        st.subheader(_label(chosen))
        st.markdown(_("**Owner** {owner} · **Scope** {scope} · **Launched** {date} · "
                      "**Window** {window}").format(
            owner=fix["owner"] or "—", scope=view.scope_text(fix),
            date=format_date(fix["launched_at"]), window=view.window_state(headline, WINDOW)[1]))
        if fix.get("description"):
            st.caption(fix["description"])

        views = {m: view.effect_row(r, MIN_SAMPLE, WINDOW, settings.churn_window_days)
                 for m, r in mine.items()}
        shown_notes: set[str] = set()
        for m, v in views.items():
            for note in v.notes:
                if note.kind in ("no_control", "partial", "not_started"):
                    if note.kind in shown_notes:
                        continue
                    shown_notes.add(note.kind)
                    st.info(note.text, icon=":material/info:")
                elif note.kind in ("rtm", "pre_trend"):
                    st.warning(f"**{view.metric_label(m)}** · {note.text}",
                               icon=":material/warning:")
                else:  # too few cases, churn not matured yet
                    st.caption(f"**{view.metric_label(m)}** · {note.text}")

        summary = []
        for m, r in mine.items():
            v = views[m]
            summary.append({
                _("Metric"): view.metric_label(m),
                _("Effect"): v.effect_text if not v.greyed else _("too few cases"),
                _("95 % interval"): view.bounds_text(m, r.get("ci_low"), r.get("ci_high")),
                _("Reading"): v.reading_text,
                _("Pre-trend (treated − control slope)"): view.pre_trend_text(r),
                _("Regression to the mean"): view.rtm_text(r),
            })
        st.dataframe(pd.DataFrame(summary), hide_index=True, width="stretch",
                     key="recovery_summary", column_config={
                         _("Regression to the mean"): st.column_config.TextColumn(help=_(
                             "Whether the treated scope was unusually bad just before launch "
                             "(the before-window against the {window} days before it, beyond "
                             "the control's move). n/a when a cell has fewer than 2 cases, or "
                             "for repeat complaints when that history starts less than "
                             "{repeat} days after the data's first ticket (earlier complaints "
                             "that make repeats are not loaded).").format(
                             window=WINDOW, repeat=settings.repeat_window_days))})

        st.markdown("#### " + _("Difference-in-differences: {metric}").format(
            metric=view.metric_label(metric)))
        did_row = mine[metric]
        # the answer inside the table: a row per group with n per cell and its change,
        # then the effect row with the 95 % interval and the reading (view.did_rows)
        did_rows = view.did_rows(did_row, MIN_SAMPLE, WINDOW)
        heads = {"group": _("Group"), "pre": _("Before"), "n_pre": _("n before"),
                 "post": _("After"), "n_post": _("n after"), "change": _("Change"),
                 "interval": _("95 % interval"), "reading": _("Reading")}
        did_frame = pd.DataFrame([{
            heads["group"]: g["label"],
            heads["pre"]: g["pre"].text if g["pre"] else "",
            heads["n_pre"]: g["pre"].n if g["pre"] else None,
            heads["post"]: g["post"].text if g["post"] else "",
            heads["n_post"]: g["post"].n if g["post"] else None,
            heads["change"]: g["change"], heads["interval"]: g["interval"],
            heads["reading"]: g["reading"],
        } for g in did_rows])

        def _thousands(n: Any) -> str:
            return "" if n is None or pd.isna(n) else format_number(n, 0)

        def _did_style(frame: pd.DataFrame) -> pd.DataFrame:
            out = pd.DataFrame("", index=frame.index, columns=frame.columns)
            for i, g in enumerate(did_rows):
                if g["is_effect"]:
                    out.iloc[i, :] = "font-weight: 600"
                    colour = views[metric].colour
                    for col in (heads["change"], heads["interval"], heads["reading"]):
                        out.iloc[i, frame.columns.get_loc(col)] = \
                            f"font-weight: 600; color: {colour}"
                    continue
                for col, small in ((heads["pre"], g["pre"].greyed),
                                   (heads["n_pre"], g["pre"].greyed),
                                   (heads["post"], g["post"].greyed),
                                   (heads["n_post"], g["post"].greyed)):
                    if small:
                        out.iloc[i, frame.columns.get_loc(col)] = "color: #9aa5b1"
            return out

        st.dataframe(did_frame.style.apply(_did_style, axis=None).format(
            {heads["n_pre"]: _thousands, heads["n_post"]: _thousands}, na_rep=""),
            hide_index=True, key="recovery_did", width="stretch", placeholder="")
        if metric == "complaints":
            st.caption(_("Complaints: relative change of per-day complaint rates, treated "
                         "against control: 100 × ((after ÷ before, treated) ÷ (after ÷ before, "
                         "control) − 1)."))
        else:
            st.caption(_("Effect = (treated after − before) − (control after − before); without "
                         "a control group, treated after − before."))

        weeks = data.fix_effect_weeks(ctx.version, chosen, as_of_override=ctx.filters.as_of)
        st.plotly_chart(
            charts_recovery.event_study(weeks, fix["launched_at"], WINDOW, MIN_SAMPLE),
            key="recovery_event_study", width="stretch", config={"displayModeBar": False})
        st.caption(_("Weekly values from {days} days before the before-window to the end of the "
                     "after-window; hollow markers: fewer than {n} cases that week.").format(
            days=WINDOW, n=MIN_SAMPLE))


# --- record a fix -------------------------------------------------------------------------------
def _record_form() -> None:
    flash = st.session_state.pop("_recovery_recorded", None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    editing = st.selectbox(_("Fix to edit"), [None, *order], key="recovery_form_fix",
                           format_func=lambda f: _("A new fix") if f is None else _label(f))
    base: dict[str, Any] = fix_rows.get(editing, {}) if editing else {}
    scope_options = {"category": options.get("category", []), "channel": options.get("channel", []),
                     "branch_id": options.get("branch", []), "region": options.get("region", [])}
    with st.form(f"recovery_form_{editing or 'new'}", enter_to_submit=False):
        c1, c2 = st.columns([1, 3])
        fix_id = c1.text_input(_("Fix id (required)"), value=base.get("fix_id", ""), disabled=bool(editing),
                               key=f"recovery_form_id_{editing}")
        title = c2.text_input(_("Title (required)"), value=base.get("title", ""),
                              key=f"recovery_form_title_{editing}")
        c3, c4 = st.columns(2)
        launched = c3.date_input(_("Launch date (required)"), value=base.get("launched_at"),
                                 key=f"recovery_form_date_{editing}", format="YYYY-MM-DD")
        owner = c4.text_input(_("Owner"), value=base.get("owner") or "",
                              key=f"recovery_form_owner_{editing}")
        cols = st.columns(4)
        scope: dict[str, str | None] = {}
        for col, (key, values) in zip(cols, scope_options.items(), strict=True):
            current = base.get(key)
            choices = [None, *values]
            scope[key] = col.selectbox(
                _(view.SCOPE_LABELS[key]).capitalize(), choices,
                index=choices.index(current) if current in choices else 0,
                format_func=lambda v: _("(any)") if v is None else v,
                key=f"recovery_form_{key}_{editing}")
        description = st.text_area(_("Description"), value=base.get("description") or "",
                                   key=f"recovery_form_desc_{editing}")
        submitted = st.form_submit_button(_("Save fix"), type="primary")
    if not submitted:
        return
    row, problems = view.validate_fix(
        {"fix_id": editing or fix_id, "title": title, "launched_at": launched, "owner": owner,
         "description": description, **scope}, scope_options, today=ctx.as_of.date()
        if ctx.as_of else None)
    for problem in problems:
        st.error(problem, icon=":material/error:")
    if problems:
        return
    result = data.record_fix(row)
    if result.status == "loaded":
        st.session_state["_recovery_recorded"] = _(
            "Fix {fix} saved ({what}); it is in the load history as {file}.").format(
            fix=row["fix_id"], what=_("updated") if result.updated else _("new"), file=result.file)
        st.session_state["_recovery_pending_fix"] = row["fix_id"]
        st.rerun()
    st.error(result.message or _("The fix could not be saved."), icon=":material/error:")


st.divider()
with st.expander(_("Record or edit a fix"), icon=":material/edit_note:",
                 expanded=not fix_rows or "_recovery_recorded" in st.session_state):
    _record_form()
