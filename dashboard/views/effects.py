"""Display rules of the before/after effects of fixes, in plain Python (no Streamlit).

How an effect row reads -- its reading ("lower, better, beyond noise"), colour, notes
(no control group, partial window, too few cases, pre-trend, regression to the mean) --,
how the difference-in-differences table of one fix is laid out, how a fix's scope and
window state are worded, and how the "record a fix" form is validated. The Recovery page,
`cxdash effects` and the weekly report all read these, so they agree by construction.

Frames come from queries.effects (columns documented there); nothing here computes a
metric -- it compares the numbers the query layer returned with 0 and with settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dashboard.i18n import (
    N_,
    _,
    format_date,
    format_number,
    format_percent_value,
    na,
    named_value,
)
from queries.effect_metrics import EFFECT_METRICS

GOOD = "#1a7f4b"
BAD = "#c0392b"
MUTED = "#9aa5b1"

# metric switch order: the headline question first
METRIC_ORDER = ("repeat_complaint_pct", "churn_pct", "csat_avg", "complaints")
METRIC_LABELS: dict[str, str] = {
    "repeat_complaint_pct": N_("Repeat complaints"),
    "churn_pct": N_("Churn after complaint"),
    "csat_avg": N_("CSAT (avg, 1-5)"),
    "complaints": N_("Complaints"),
}
# what the effect of each metric is measured in
EFFECT_UNITS: dict[str, str] = {
    "repeat_complaint_pct": N_("pts"),
    "churn_pct": N_("pts"),
    "csat_avg": N_("CSAT points"),
    "complaints": N_("%, relative per day"),
}
READINGS: dict[str, str] = {
    "better": N_("{direction}: better, beyond noise"),
    "worse": N_("{direction}: worse, beyond noise"),
    "noise": N_("within noise"),
    "unknown": N_("n/a: too few cases for an interval"),
}
DIRECTION_WORDS = {"lower": N_("lower"), "higher": N_("higher")}
READING_COLOURS = {"better": GOOD, "worse": BAD, "noise": MUTED, "unknown": MUTED}
SCOPE_LABELS = {"category": N_("category"), "channel": N_("channel"),
                "branch_id": N_("branch"), "region": N_("region")}


def metric_label(metric: str) -> str:
    return _(METRIC_LABELS[metric])


def better_direction(metric: str) -> str:
    """'higher' when a rise of the metric is an improvement (CSAT), else 'lower'."""
    return "higher" if EFFECT_METRICS[metric].higher_is_better else "lower"


def reading_key(metric: str, ci_low: float | None, ci_high: float | None) -> str:
    """better | worse | noise | unknown: the whole 95 % interval on the better side of 0,
    on the worse side, straddling 0, or no interval."""
    if ci_low is None or ci_high is None:
        return "unknown"
    if ci_low > 0:
        moved = "higher"
    elif ci_high < 0:
        moved = "lower"
    else:
        return "noise"
    return "better" if moved == better_direction(metric) else "worse"


def reading_text(metric: str, ci_low: float | None, ci_high: float | None) -> str:
    key = reading_key(metric, ci_low, ci_high)
    if key in ("better", "worse"):
        moved = "higher" if (ci_low or 0) > 0 else "lower"
        return _(READINGS[key]).format(direction=_(DIRECTION_WORDS[moved]))
    return _(READINGS[key])


def chart_title(metric: str) -> str:
    """The forest plot's title: what green and red mean for this metric."""
    return _("{metric}: effect with 95 % interval (green: {better} beyond noise, better; "
             "red: {worse} beyond noise, worse)").format(
        metric=metric_label(metric),
        better=_(DIRECTION_WORDS[better_direction(metric)]),
        worse=_(DIRECTION_WORDS["lower" if better_direction(metric) == "higher" else "higher"]))


# --- numbers as text ---------------------------------------------------------------------

def value_text(metric: str, value: float | None) -> str:
    """A cell's value: '12.3%', CSAT '3.87', complaints '1,523'."""
    if metric in ("repeat_complaint_pct", "churn_pct"):
        return format_percent_value(value)
    if metric == "csat_avg":
        return format_number(value, 2)
    return format_number(value, 0)


def effect_text(metric: str, value: float | None) -> str:
    """An effect (or interval end): '-4.0 pts', CSAT '+0.05', complaints '-6.2%'."""
    if value is None:
        return na()
    if metric in ("repeat_complaint_pct", "churn_pct"):
        return format_percent_value(value, signed=True)
    if metric == "csat_avg":
        return format_number(value, 2, signed=True)
    return format_number(value, 1, signed=True) + "%"


def interval_text(metric: str, low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return na()
    return _("{low} to {high}").format(low=effect_text(metric, low),
                                       high=effect_text(metric, high))


def slope_text(metric: str, value: float | None) -> str:
    """A weekly slope: '+0.4 pts/week', CSAT '+0.01/week', complaints '+1.2%/week'."""
    if value is None:
        return na()
    if metric in ("repeat_complaint_pct", "churn_pct"):
        return _("{value} pts/week").format(value=format_number(value, 2, signed=True))
    if metric == "csat_avg":
        return _("{value}/week").format(value=format_number(value, 3, signed=True))
    return _("{value}%/week").format(value=format_number(value, 2, signed=True))


# --- notes ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Note:
    """One honest sentence about an effect row."""

    kind: str  # no_control | partial | not_started | immature | small | pre_trend | rtm
    text: str


def cells_used(row: dict[str, Any]) -> list[int | None]:
    """The n of the cells the effect uses (control cells only with a control group)."""
    ns = [row.get("n_treated_pre"), row.get("n_treated_post")]
    if row.get("has_control"):
        ns += [row.get("n_control_pre"), row.get("n_control_post")]
    return ns


def smallest_n(row: dict[str, Any]) -> int:
    return min(int(n or 0) for n in cells_used(row))


def too_few(row: dict[str, Any], min_sample: int) -> bool:
    """True when any cell the effect uses has fewer than min_sample cases."""
    return smallest_n(row) < min_sample


def window_short(row: dict[str, Any], window_days: int) -> str:
    """The window state in a few words, for the register: 'complete', '41/90 d'."""
    state, _text = window_state(row, window_days)
    if state == "partial":
        return _("{days}/{window} d").format(
            days=format_number(row.get("post_days"), 0), window=format_number(window_days, 0))
    return {"complete": _("complete"), "not_started": _("not started")}[state]


READING_SHORT = {"better": N_("better"), "worse": N_("worse"), "noise": N_("noise"),
                 "unknown": N_("n/a")}


def bounds_text(metric: str, low: float | None, high: float | None,
                digits: int | None = None) -> str:
    """'-5.9 to -2.1' in the effect's (or a slope's) unit, without the unit. (An ellipsis
    between the bounds read as a cut-off number.)"""
    if low is None or high is None:
        return na()
    if digits is None:
        digits = 2 if metric == "csat_avg" else 1
    return _("{low} to {high}").format(low=format_number(low, digits, signed=True),
                                       high=format_number(high, digits, signed=True))


def pre_trend_text(row: dict[str, Any]) -> str:
    """'+1.04 pts/week (-0.62…+2.71)': the pre-trend difference with its 95 % interval."""
    metric = row["metric"]
    if row.get("pre_trend_diff") is None:
        return na()
    return "{diff} ({bounds})".format(diff=slope_text(metric, row.get("pre_trend_diff")),
                                      bounds=bounds_text(metric, row.get("pre_trend_ci_low"),
                                                         row.get("pre_trend_ci_high"),
                                                         3 if metric == "csat_avg" else 2))


def rtm_text(row: dict[str, Any]) -> str:
    """'warning' / 'no sign' / 'n/a: <reason>': the regression-to-the-mean check in a word.

    Unknown says why: a history or pre cell with fewer than 2 cases, or (repeat
    complaints) a history window starting less than the repeat window after the data's
    first ticket, where earlier complaints that would make repeats are not loaded.
    """
    if row.get("rtm_warning") is not None:
        return _("warning") if row["rtm_warning"] else _("no sign")
    ns = [row.get("n_treated_hist"), row.get("n_treated_pre")]
    if row.get("has_control"):
        ns += [row.get("n_control_hist"), row.get("n_control_pre")]
    if any(n is None or n < 2 for n in ns):
        reason = _("too few cases")
    elif row.get("metric") == "repeat_complaint_pct" and row.get("rtm_diff") is None:
        reason = _("history starts too early")  # repeats need the 30 days before it
    else:
        reason = _("no interval")
    return _("{na}: {reason}").format(na=na(), reason=reason)


def interval_short(row: dict[str, Any], min_sample: int) -> str:
    """'-5.9 to -2.1' (numbers in the effect's unit) for the register, whose colour and
    caption say the reading (the word did not fit at 1,400 px); 'too few cases' when a
    cell is below the minimum sample; the reading's word ('n/a') without an interval."""
    metric = row["metric"]
    if too_few(row, min_sample):
        return _("too few cases")
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None:
        return _(READING_SHORT[reading_key(metric, low, high)])
    return bounds_text(metric, low, high)


def window_state(row: dict[str, Any], window_days: int) -> tuple[str, str]:
    """(state, text): complete | partial | not_started, and how it reads."""
    days = row.get("post_days") or 0.0
    if days <= 0:
        return "not_started", _("not started yet (launch {date})").format(
            date=format_date(row.get("launched_at")))
    if row.get("partial"):
        return "partial", _("partial: {days} of {window} days, complete on {date}").format(
            days=format_number(days, 0), window=format_number(window_days, 0),
            date=format_date(row.get("completes_on")))
    return "complete", _("complete ({window} days)").format(window=format_number(window_days, 0))


def notes(row: dict[str, Any], min_sample: int, window_days: int,
          churn_days: int = 90) -> list[Note]:
    """The notes of one effect row, most important first; each is a full sentence."""
    metric = row["metric"]
    out: list[Note] = []
    if not row.get("has_control"):
        out.append(Note("no_control", _(
            "No control group: seasonality is not controlled; read this as a before/after "
            "only.")))
    state, text = window_state(row, window_days)
    if state == "partial":
        out.append(Note("partial", _(
            "Partial window: {days} of {window} days after launch are in; it completes on "
            "{date}, and the effect can still move.").format(
            days=format_number(row.get("post_days"), 0), window=format_number(window_days, 0),
            date=format_date(row.get("completes_on")))))
    elif state == "not_started":
        out.append(Note("not_started", _("The fix has no days after launch yet.")))
    if metric == "churn_pct" and not row.get("n_treated_post") and row.get("n_treated_pre") \
            and (row.get("post_days") or 0) > 0:
        out.append(Note("immature", _(
            "Churn after launch has not matured yet: a complaint counts once {days} days have "
            "passed since it.").format(days=format_number(churn_days, 0))))
    if too_few(row, min_sample):
        out.append(Note("small", _(
            "Too few cases: the smallest cell has {n} (minimum {min}).").format(
            n=format_number(smallest_n(row), 0), min=format_number(min_sample, 0))))
    if row.get("pre_trend_warning"):
        # the unit once, with the difference; the bounds as numbers (zh-CN said 每周 twice)
        digits = 3 if metric == "csat_avg" else 2
        values = dict(diff=slope_text(metric, row.get("pre_trend_diff")),
                      low=format_number(row.get("pre_trend_ci_low"), digits, signed=True),
                      high=format_number(row.get("pre_trend_ci_high"), digits, signed=True))
        if row.get("has_control"):
            out.append(Note("pre_trend", _(
                "Pre-trend: before launch treated and control did not move in parallel "
                "(their slopes differ by {diff}, 95 % interval {low} to {high}); the "
                "control may be a poor comparison.").format(**values)))
        else:
            out.append(Note("pre_trend", _(
                "Pre-trend: the treated scope was already moving before launch (slope {diff}, "
                "95 % interval {low} to {high}); part of the change may be that trend.").format(
                **values)))
    if row.get("rtm_warning"):
        out.append(Note("rtm", _(
            "Regression to the mean: in the {window} days before launch the treated scope was "
            "worse than in the {window} days before that ({hist} → {pre}), beyond noise and "
            "beyond the control; part of the improvement would have happened anyway.").format(
            window=format_number(window_days, 0), hist=value_text(metric, row.get("treated_hist")),
            pre=value_text(metric, row.get("treated_pre")))))
    return out


@dataclass(frozen=True)
class EffectRow:
    """One fix x metric as every surface shows it."""

    fix_id: str
    metric: str
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    effect_text: str
    interval_text: str
    reading: str          # better | worse | noise | unknown
    reading_text: str
    colour: str
    greyed: bool          # too few cases: shown grey, with the words
    notes: list[Note] = field(default_factory=list)

    @property
    def notes_text(self) -> str:
        return " ".join(n.text for n in self.notes)


def effect_row(row: dict[str, Any], min_sample: int, window_days: int,
               churn_days: int = 90) -> EffectRow:
    """The view of one row of queries.effects.fetch_effects (min_sample, window_days,
    churn_days: the settings of the same names)."""
    metric = row["metric"]
    key = reading_key(metric, row.get("ci_low"), row.get("ci_high"))
    greyed = too_few(row, min_sample)
    return EffectRow(
        fix_id=row["fix_id"], metric=metric, effect=row.get("effect"),
        ci_low=row.get("ci_low"), ci_high=row.get("ci_high"),
        effect_text=effect_text(metric, row.get("effect")),
        interval_text=interval_text(metric, row.get("ci_low"), row.get("ci_high")),
        reading=key,
        reading_text=(_("too few cases") if greyed and key == "unknown" else
                      (_("too few cases") + " · " if greyed else "")
                      + reading_text(metric, row.get("ci_low"), row.get("ci_high"))),
        colour=MUTED if greyed else READING_COLOURS[key],
        greyed=greyed,
        notes=notes(row, min_sample, window_days, churn_days),
    )


# --- one fix in depth --------------------------------------------------------------------

@dataclass(frozen=True)
class DidCell:
    text: str
    n: int | None
    greyed: bool


def did_table(row: dict[str, Any], min_sample: int) -> list[dict[str, Any]]:
    """The difference-in-differences table of one fix x metric: one dict per group
    (treated, control when there is one) with before / after cells (text, n, greyed) and
    the change; the effect itself is EffectRow. A cell with n < min_sample reads
    '… (too few cases)' and is greyed."""
    metric = row["metric"]
    groups = [("treated", _("Treated"))]
    if row.get("has_control"):
        groups.append(("control", _("Control")))
    out = []
    for arm, label in groups:
        cells = {}
        for period in ("pre", "post"):
            value, n = row.get(f"{arm}_{period}"), row.get(f"n_{arm}_{period}")
            small = int(n or 0) < min_sample
            text = value_text(metric, value)
            if small:
                text = _("{value} (too few cases)").format(value=text)
            cells[period] = DidCell(text, n, small)
        out.append({"arm": arm, "label": label, "pre": cells["pre"], "post": cells["post"]})
    return out


def arm_change(row: dict[str, Any], arm: str, window_days: int) -> float | None:
    """One arm's change from before to after, in the unit of the effect: for rates and
    CSAT after − before; for complaint counts the relative change of per-day rates,
    100 × ((after ÷ post_days) ÷ (before ÷ window_days) − 1), so a partial after-window is
    read per day like the effect (kpis.md "Before/after a fix"). None when a side is
    unknown or the before-count is 0."""
    pre, post = row.get(f"{arm}_pre"), row.get(f"{arm}_post")
    if pre is None or post is None:
        return None
    if row["metric"] != "complaints":
        return float(post) - float(pre)
    post_days = float(row.get("post_days") or window_days)
    if not pre or post_days <= 0:
        return None
    return 100.0 * ((float(post) / post_days) / (float(pre) / window_days) - 1.0)


def did_rows(row: dict[str, Any], min_sample: int, window_days: int) -> list[dict[str, Any]]:
    """The difference-in-differences table with its answer inside it: a row per group
    (treated, control) with before / after (text, n, greyed) and the group's change, then
    the effect row (treated change − control change; without a control group, the
    treated change) with the effect, its 95 % interval and the reading. Keys: label,
    pre, post (DidCell, None on the effect row), change, interval, reading, greyed,
    is_effect."""
    view = effect_row(row, min_sample, window_days)
    out: list[dict[str, Any]] = []
    for g in did_table(row, min_sample):
        change = arm_change(row, g["arm"], window_days)
        out.append({"label": g["label"], "pre": g["pre"], "post": g["post"],
                    "change": effect_text(row["metric"], change), "interval": "",
                    "reading": "", "greyed": g["pre"].greyed or g["post"].greyed,
                    "is_effect": False})
    label = (_("Effect (treated − control)") if row.get("has_control")
             else _("Effect (treated only, no control)"))
    out.append({"label": label, "pre": None, "post": None, "change": view.effect_text,
                "interval": view.interval_text, "reading": view.reading_text,
                "greyed": view.greyed, "is_effect": True})
    return out


# --- fixes register --------------------------------------------------------------------------

def scope_text(fix: dict[str, Any]) -> str:
    """'category billing · channel app' / '类别「billing」 · 渠道「app」'; 'everything' for a
    fix without a scope. Stored values are shown as stored (never translated)."""
    parts = [named_value(_(label), fix[key]) for key, label in SCOPE_LABELS.items()
             if fix.get(key)]
    return " · ".join(parts) or _("everything")


def scope_short(fix: dict[str, Any]) -> str:
    """The scope in few characters, for the register: 'statements · phone', 'branch B34',
    'region East' / '网点「B34」'; 'everything' without a scope."""
    parts = [str(fix[k]) for k in ("category", "channel") if fix.get(k)]
    for key in ("branch_id", "region"):
        if fix.get(key):
            parts.append(named_value(_(SCOPE_LABELS[key]), fix[key]))
    return " · ".join(parts) or _("everything")


# --- record a fix ------------------------------------------------------------------------

FORM_FIELDS = ("fix_id", "title", "launched_at", "category", "channel", "branch_id", "region",
               "owner", "description")


def validate_fix(values: dict[str, Any], options: dict[str, list[str]],
                 today: date | None = None) -> tuple[dict[str, Any], list[str]]:
    """Check the 'record a fix' form. values: the form's fields (FORM_FIELDS; scope values
    None or '' for "any"). options: the values that exist in the warehouse per scope field
    (category, channel, branch_id, region). Returns (the fix row to store, problems); the
    row is only meaningful when problems is empty. `today` bounds the launch date (a fix
    may be planned up to a year ahead)."""
    problems: list[str] = []
    row: dict[str, Any] = {k: values.get(k) for k in FORM_FIELDS}
    for key in FORM_FIELDS:
        if isinstance(row[key], str):
            row[key] = row[key].strip() or None
    if not row["fix_id"]:
        problems.append(_("Give the fix an id (for example F-14)."))
    elif len(row["fix_id"]) > 40 or any(c in row["fix_id"] for c in ",;\"\n"):
        problems.append(_("The fix id must be at most 40 characters, without commas, "
                          "semicolons or quotes."))
    if not row["title"]:
        problems.append(_("A title is required."))
    launched = row["launched_at"]
    if isinstance(launched, datetime):
        launched = row["launched_at"] = launched.date()
    if not isinstance(launched, date):
        problems.append(_("Choose the launch date."))
    elif today is not None and (launched.year < 2000 or (launched - today).days > 366):
        problems.append(_("The launch date {date} is out of range.").format(
            date=format_date(launched)))
    for key in SCOPE_LABELS:
        value = row[key]
        if value is not None and value not in options.get(key, []):
            problems.append(_("{field} {value!r} does not exist in the warehouse; choose one "
                              "of the listed values.").format(field=_(SCOPE_LABELS[key]),
                                                              value=value))
    return row, problems


def effect_sentence(row: dict[str, Any], min_sample: int, window_days: int,
                    churn_days: int = 90) -> str:
    """One fix x metric in one line, for the weekly report and other prose: 'Repeat
    complaints: -2.1 pts (95 % interval -3.0 pts to -1.2 pts; lower: better, beyond noise)'
    followed by its notes' sentences."""
    v = effect_row(row, min_sample, window_days, churn_days)
    head = _("{metric}: {effect} (95 % interval {interval}; {reading})").format(
        metric=metric_label(row["metric"]), effect=v.effect_text, interval=v.interval_text,
        reading=v.reading_text)
    return " ".join([head, *(n.text for n in v.notes)])
