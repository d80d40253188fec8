"""KPI cards as plain data: what the Overview, the CLI and the weekly report show per KPI.

A card is built from a KpiComparison (queries.api.fetch_kpi_comparison) and the
settings; nothing here queries or computes a metric. It decides how a number reads:

- value in the app's units (durations as "1 h 4 min", percentages "84.1%"), n for every
  KPI (for tickets and complaints the count itself), "small sample" below min_sample;
- the change against the comparison period: a change that shows as zero at the card's
  precision reads "±0" in the KPI's unit, without arrow or colour; otherwise its tone is
  "better" or "worse" by the KPI's direction (queries/registry.py) only when the change is
  beyond noise -- the rule of the Weekly page (queries.period_changes.assess_change: the
  95 % interval of the change excludes 0, both periods have at least min_sample cases) --
  and "neutral" (grey, with a note saying why) for noise, small samples, medians and
  volumes;
- target state (met / missed) by direction;
- n/a with its reason (registry), and the notes a careful reader needs: resolutions too
  young for FCR, open tickets too young to be resolved, churn shown for the latest
  matured period of the same length, labelled with its dates.

Captions (period compared with, as-of with an override, filters) live here too. No
Streamlit import: tests/test_conventions.py checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dashboard.i18n import (
    _,
    format_date,
    format_datetime,
    format_duration_minutes,
    format_number,
    format_percent_value,
    format_values,
    na,
    ngettext,
)
from dashboard.settings import Settings, get_settings
from queries.filters import DIMENSIONS, PRESETS, Filters
from queries.period_changes import (
    BEYOND,
    MEDIAN,
    NOT_TESTED,
    SMALL_SAMPLE,
    WITHIN,
    ChangeTest,
    assess_change,
)
from queries.registry import CARD_KEYS, MEASURES, Measure
from queries.weekly import DECOMPOSABLE as TESTED  # shares, means and NPS: their changes are tested

# Open tickets younger than the FCR window are noted on the Resolved card once they are at
# least this share (points) of the tickets behind it.
YOUNG_SHARE_NOTED_PCT = 1.0

# --- numbers --------------------------------------------------------------------------


def _minutes(measure: Measure, value: float) -> float:
    return value * 60.0 if measure.unit == "h" else value


def format_kpi_value(key: str, value: float | None) -> str:
    """A KPI value as every surface shows it: counts whole, durations in days/hours/minutes,
    percentages with their digits, scores (CSAT, NPS) with theirs; None -> n/a."""
    if value is None:
        return na()
    m = MEASURES[key]
    if m.is_count:
        return format_number(value)
    if m.unit in ("min", "h"):
        return format_duration_minutes(_minutes(m, float(value)))
    if m.unit == "%":
        return format_percent_value(float(value), m.digits)
    return format_number(float(value), m.digits)


def is_zero_change(key: str, change: float) -> bool:
    """True when the change shows as zero at the card's precision ("+0", "-0.00")."""
    m = MEASURES[key]
    if m.is_count:
        return round(change) == 0
    if m.unit in ("min", "h"):
        return round(_minutes(m, change)) == 0
    return round(change, m.digits) == 0


def format_kpi_change(key: str, change: float | None) -> str | None:
    """A change with its sign: "+12", "+2.6 pts", "+1 h 5 min", "-0.12"; None when there is
    no change to show (no comparison, n/a, or zero at the card's precision)."""
    if change is None or is_zero_change(key, change):
        return None
    m = MEASURES[key]
    if m.is_count:
        return format_number(change, signed=True)
    if m.unit in ("min", "h"):
        text = format_duration_minutes(abs(_minutes(m, change)))
        return ("+" if change > 0 else "-") + text
    if m.unit == "%":
        return format_percent_value(change, m.digits, signed=True)
    return format_number(change, m.digits, signed=True)


def zero_change_text(key: str) -> str:
    """A change that shows as zero, in the KPI's unit: "±0", "±0.0 pts", "±0.00", "±0 min"
    (it says "compared, and unchanged", which a blank did not)."""
    m = MEASURES[key]
    if m.is_count:
        text = format_number(0)
    elif m.unit in ("min", "h"):
        text = format_duration_minutes(0)
    elif m.unit == "%":
        text = _("{value} pts").format(value=format_number(0, m.digits))
    else:
        text = format_number(0, m.digits)
    return "±" + text


def change_tone(key: str, change: float | None) -> str:
    """"better" / "worse" by the KPI's direction; "neutral" for volumes, no change or zero."""
    m = MEASURES[key]
    if change is None or m.higher_is_better is None or is_zero_change(key, change):
        return "neutral"
    return "better" if (change > 0) == m.higher_is_better else "worse"


def target_state(key: str, value: float | None, target: float | None) -> str | None:
    """"met" / "missed" by the KPI's direction; None without a value, target or direction."""
    m = MEASURES[key]
    if value is None or target is None or m.higher_is_better is None:
        return None
    met = value >= target if m.higher_is_better else value <= target
    return "met" if met else "missed"


def target_text(key: str, target: float) -> str:
    m = MEASURES[key]
    sign = "≥" if m.higher_is_better else "≤"
    return _("target {sign} {value}").format(sign=sign, value=format_kpi_value(key, target))


# --- periods and captions -------------------------------------------------------------


def period_text(date_from: date | None, date_to: date | None) -> str:
    """"1 Jan 2026 – 31 Mar 2026"; "from 1 Jan 2026" or "until 31 Mar 2026" with one open
    end; "all time" with neither."""
    if date_from is None and date_to is None:
        return _("all time")
    if date_to is None:
        return _("from {start}").format(start=format_date(date_from))
    if date_from is None:
        return _("until {end}").format(end=format_date(date_to))
    return _("{start} – {end}").format(start=format_date(date_from), end=format_date(date_to))


def comparison_caption(comparison: Any) -> str:
    """Which period the changes are against, and why that one (like with like)."""
    pf = comparison.previous_filters
    if pf is None:
        return _("No earlier period to compare with (choose a period with a start and an end).")
    period = period_text(pf.date_from, pf.date_to)
    if comparison.kind == "year_earlier":
        return _("Changes are against {period}, the same dates a year earlier.").format(
            period=period)
    return ngettext("Changes are against {period}, the {days} day before.",
                    "Changes are against {period}, the {days} days before.", pf.days or 0
                    ).format(period=period, days=format_number(pf.days))


def as_of_caption(override: datetime | None, stored: datetime | None) -> str:
    """"as of 20 Nov 2026 17:54", or with an override
    "as of 31 Mar 2026 18:00 (override) · as of 20 Nov 2026 17:54 in the data"."""
    if override is None:
        return _("as of {when}").format(when=format_datetime(stored))
    return _("as of {when} (override) · as of {data} in the data").format(
        when=format_datetime(override), data=format_datetime(stored))


def filters_text(filters: Filters, preset: str | None = None,
                 branch_names: Mapping[str, str] | None = None) -> str:
    """The period and the chosen filters in one line, e.g.
    "Last 90 days: 22 Aug 2026 – 20 Nov 2026 · Channel: phone, web"."""
    period = period_text(filters.date_from, filters.date_to)
    if preset and preset in PRESETS and preset != "custom":
        period = (_(PRESETS[preset]) if preset == "all"
                  else _("{preset}: {period}").format(preset=_(PRESETS[preset]), period=period))
    return " · ".join([period, *filter_parts(filters)])


def filter_parts(filters: Filters) -> list[str]:
    """One 'Channel: App, Web' / '渠道：App、Web' per chosen filter, in the order of the
    dimensions (values through dashboard.i18n.value_label)."""
    return [_("{dimension}: {values}").format(dimension=_(DIMENSIONS[dim]),
                                              values=format_values(dim, values))
            for dim, values in filters.dimension_values().items() if values]


# --- cards ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CardView:
    """One KPI card. Texts are translated; tones and states are words a surface maps to
    its colours ("better" green / "worse" red / "neutral" grey; "met" / "missed")."""

    key: str
    label: str
    help: str
    value: float | None
    value_text: str
    change: float | None
    change_text: str | None  # None: no comparison; "±0…" for a change that shows as zero
    tone: str                # "better" | "worse" | "neutral"
    higher_is_better: bool | None
    n: int | None
    n_text: str | None
    small_sample: bool
    target: float | None
    target_state: str | None  # "met" | "missed" | None
    target_text: str | None
    na_reason: str | None
    notes: tuple[str, ...]
    period: str | None = None  # set when the card shows another period than asked (churn)
    # why a change is grey although the KPI has a good direction ("within the noise",
    # "small sample", ...); None when it is coloured or has nothing to judge
    change_note: str | None = None
    change_test: ChangeTest | None = None

    @property
    def arrow(self) -> bool:
        """Whether the change gets an arrow: not for no change and not for "±0"."""
        return self.change is not None and not is_zero_change(self.key, self.change)

    @property
    def caption_parts(self) -> tuple[str, ...]:
        """The small print under a card, in order: n/a reason or n, notes, target."""
        parts: list[str] = []
        if self.na_reason:
            parts.append(_("n/a: {reason}").format(reason=self.na_reason))
        elif self.n_text:
            parts.append(self.n_text)
        parts.extend(self.notes)
        if self.target_text:
            parts.append(self.target_words)
        return tuple(parts)

    @property
    def target_words(self) -> str:
        """"on target (target ≥ 85.0%)" / "off target (…)" / the target alone (no value)."""
        if self.target_text is None:
            return ""
        if self.target_state is None:
            return self.target_text
        word = _("on target") if self.target_state == "met" else _("off target")
        return _("{state} ({target})").format(state=word, target=self.target_text)


def _young_notes(m: Measure, row: Mapping[str, Any], settings: Settings,
                 always: bool = False) -> list[str]:
    """The "too young" notes of resolved %, FCR and churn for one period's row (for
    resolved %, only when the young open tickets are a material share, or `always`)."""
    if not m.matures or not m.pending:
        return []
    pending = int(row.get(m.pending) or 0)
    if not pending:
        return []
    if m.key == "fcr_pct":
        return [ngettext(
            "{n} resolution younger than {days} days is pending and left out",
            "{n} resolutions younger than {days} days are pending and left out", pending,
        ).format(n=format_number(pending), days=settings.fcr_window_days)]
    if m.key == "resolved_pct":
        known = int(row.get("n_resolution_known") or 0)
        if not always and (not known or 100.0 * pending / known < YOUNG_SHARE_NOTED_PCT):
            return []  # too few to move the share: not worth a note
        return [ngettext(
            "{n} open ticket is younger than {days} days: the share may still rise",
            "{n} open tickets are younger than {days} days: the share may still rise", pending,
        ).format(n=format_number(pending), days=settings.fcr_window_days)]
    if m.key == "post_complaint_churn_pct":
        return [ngettext(
            "{n} customer complained less than {days} days ago and is left out",
            "{n} customers complained less than {days} days ago and are left out", pending,
        ).format(n=format_number(pending), days=settings.churn_window_days)]
    return []


def tested_help(min_sample: int) -> str:
    """The help's sentence on when a tested KPI's change is coloured."""
    return _("The change is coloured only when it is beyond noise, as on the Weekly review: "
             "its 95 % interval excludes 0 and both periods have at least {n} cases. "
             "Otherwise it is grey and says why.").format(n=format_number(min_sample))


def change_note(test: ChangeTest, min_sample: int) -> str | None:
    """Why a change with a good direction is grey, in a few words for the card's caption
    (the Weekly page's words); None when it is coloured or there is nothing to say."""
    if test.verdict == WITHIN:
        return _("within the noise")
    if test.verdict == SMALL_SAMPLE:
        if test.n is not None and test.n < min_sample:
            return None  # the caption already says "small sample: n = …"
        return _("small sample before (n = {n}): change not tested").format(
            n=format_number(test.n_previous or 0))
    if test.verdict == NOT_TESTED:
        return _("change not tested")
    if test.verdict == MEDIAN:
        return _("medians are not tested")
    return None


def build_card(key: str, current: Mapping[str, Any], previous: Mapping[str, Any] | None,
               settings: Settings | None = None, *, period: str | None = None,
               extra_notes: tuple[str, ...] = (),
               moments: tuple[Mapping[str, Any] | None, Mapping[str, Any] | None] = (None, None),
               ) -> CardView:
    """One card from a KPI row of the period (and of its comparison period, if any).

    moments: the survey moments of the period and of its comparison period
    (queries.period_changes.fetch_survey_moments); CSAT and NPS changes are tested only
    with them. Shares are tested from their rows alone."""
    settings = settings or get_settings()
    m = MEASURES[key]
    value = current.get(key)
    test = assess_change(key, current, previous, settings.min_sample, *moments)
    change = test.change
    # coloured only when the change is beyond noise (the Weekly page's rule)
    tone = change_tone(key, change) if test.verdict == BEYOND else "neutral"
    reason = m.na_reason(current)
    notes = [*extra_notes, *(_young_notes(m, current, settings)
                             if reason != _(m.pending_reason or "") else [])]
    if (key == "resolved_pct" and tone == "worse" and change is not None
            and current.get("n_resolution_known")):
        # The drop may be no more than the recent tickets that have not had time yet:
        # then it is not coloured as worse.
        young_share = 100.0 * (current.get("n_open_recent") or 0) / current["n_resolution_known"]
        if young_share >= abs(change):
            tone = "neutral"
            if not any(note in notes for note in _young_notes(m, current, settings, True)):
                notes.extend(_young_notes(m, current, settings, True))
            notes.append(_("the change may be only the recent tickets not yet resolved"))
    n = m.n(current)
    target = settings.targets().get(key)
    state = target_state(key, value, target)
    return CardView(
        key=key, label=_(m.card_label or m.label),
        help=_("{label}: {help}").format(label=_(m.label), help=m.help_text(settings))
        + ("\n\n" + tested_help(settings.min_sample) if key in TESTED else ""),
        value=value, value_text=format_kpi_value(key, value),
        change=change,
        change_text=(format_kpi_change(key, change) or zero_change_text(key)
                     if change is not None else None),
        tone=tone,
        higher_is_better=m.higher_is_better,
        n=n, n_text=_("n = {n}").format(n=format_number(n)) if n is not None else None,
        small_sample=value is not None and n is not None and n < settings.min_sample,
        target=target, target_state=state,
        target_text=target_text(key, target) if target is not None else None,
        na_reason=reason, notes=tuple(notes), period=period,
        change_note=(None if change is None or is_zero_change(key, change)
                     else change_note(test, settings.min_sample)),
        change_test=test,
    )


def build_cards(comparison: Any, settings: Settings | None = None,
                keys: tuple[str, ...] = CARD_KEYS,
                moments: tuple[Mapping[str, Any] | None, Mapping[str, Any] | None] = (None, None),
                ) -> list[CardView]:
    """The cards of a KpiComparison, in registry order. Churn: when the period's churn has
    not matured, the card shows the latest matured period of the same length (its dates in
    `period` and a note), compared with that period's own comparison period.

    moments: (period, comparison period) survey moments for the CSAT and NPS change tests
    (build_card); without them those changes are grey and say "change not tested"."""
    settings = settings or get_settings()
    cards: list[CardView] = []
    for key in keys:
        current, previous = comparison.current, comparison.previous
        if key == "post_complaint_churn_pct" and comparison.churn is not None:
            fallback = comparison.churn
            shown = period_text(fallback.filters.date_from, fallback.filters.date_to)
            note = ngettext(
                "churn of {period}: the latest {days} day whose complaining customers "
                "have all had {churn_days} days",
                "churn of {period}: the latest {days} days whose complaining customers "
                "have all had {churn_days} days", fallback.filters.days or 0,
            ).format(period=shown, days=format_number(fallback.filters.days),
                     churn_days=settings.churn_window_days)
            cards.append(build_card(key, fallback.current, fallback.previous, settings,
                                    period=shown, extra_notes=(note,)))
            continue
        cards.append(build_card(key, current, previous, settings, moments=moments))
    return cards
