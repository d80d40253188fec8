"""The weekly review of spec/kpis.md ("Weekly review"): ISO weeks, the scorecard with the
95 % interval and flag of each week-over-week change, the mix/rate decomposition of a
change, and the categories that grew most.

Every KPI value comes from the KPI SQL (`fetch_kpis`, grouped by week, or by a dimension
within one week); the spread of survey answers comes from weekly_moments.sql. What this
module adds is the statistics the spec defines on top of those numbers, as small pure
functions (`proportion_variance`, `change_interval`, `count_band`, `decompose`, ...) that
the tests check against hand-worked fixtures. It imports no UI: the CLI, the page and the
report read the same dicts (the `weekly --json` shapes of spec/cli.md).
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dashboard.settings import Settings, get_settings
from queries.api import (
    KPI_CATALOG,
    Filters,
    _params,
    _run,
    fetch_effects,
    fetch_fixes,
    fetch_kpis,
    resolve_as_of,
)

if TYPE_CHECKING:  # connections are passed in; pages import this module without DuckDB
    import duckdb

Z95 = 1.96  # two-sided 95 % (spec: "change ± 1.96 × √(v₁ + v₀)")

# The scorecard of spec/kpis.md "Weekly review", in the order it is shown.
SCORECARD: tuple[str, ...] = (
    "tickets", "complaints", "resolved_pct", "frt_median_min", "sla_met_pct", "fcr_pct",
    "repeat_complaint_pct", "csat_avg", "nps", "post_complaint_churn_pct",
)
COUNTS = ("tickets", "complaints")
PROPORTIONS = ("resolved_pct", "sla_met_pct", "fcr_pct", "repeat_complaint_pct",
               "post_complaint_churn_pct", "reopen_pct", "survey_response_pct", "csat_pct")
MEANS = ("csat_avg",)
NPS_KEYS = ("nps",)
# Ratio KPIs (a share or a mean) can be decomposed into mix and rate effects.
DECOMPOSABLE = (*PROPORTIONS, *MEANS, *NPS_KEYS)
DECOMPOSE_DIMENSIONS = ("channel", "region", "branch", "category")
# Cross-dimension readings ("the card category at three southern branches", issue 13):
# the pairs a change is decomposed over, cells = one value of each.
DECOMPOSE_PAIRS: tuple[tuple[str, str], ...] = (("category", "region"), ("category", "branch"),
                                                ("channel", "region"))
ALL_DIMENSIONS = ("channel", "region", "branch", "category", "type", "priority", "segment")
COUNT_HISTORY_WEEKS = 8
COUNT_MIN_WEEKS_WITH_TICKETS = 4
AVG_WEEKS = 4


# --- ISO weeks -----------------------------------------------------------------------

_WEEK = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO week: Monday 00:00 to the next Monday 00:00 of `created_at`."""

    monday: date

    def __post_init__(self) -> None:
        if self.monday.isoweekday() != 1:
            raise ValueError(f"{self.monday} is not a Monday")

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """'2026-W12' (also '2026W12', '2026-w12') -> the week; ValueError naming the form."""
        match = _WEEK.match(text or "")
        if not match:
            raise ValueError(f"{text!r} is not an ISO week like 2026-W12")
        year, week = int(match.group(1)), int(match.group(2))
        try:
            return cls(date.fromisocalendar(year, week, 1))
        except ValueError:
            raise ValueError(f"{year} has no ISO week {week}") from None

    @classmethod
    def containing(cls, day: date | datetime) -> IsoWeek:
        if isinstance(day, datetime):
            day = day.date()
        return cls(day - timedelta(days=day.isoweekday() - 1))

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, datetime.min.time())

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 (exclusive)."""
        return self.start + timedelta(days=7)

    def shift(self, weeks: int) -> IsoWeek:
        return IsoWeek(self.monday + timedelta(weeks=weeks))

    def complete(self, as_of: datetime | None) -> bool:
        """Complete when its end is <= as_of (spec: never shown complete before that)."""
        return as_of is not None and self.end <= as_of

    def filters(self, filters: Filters) -> Filters:
        """The request narrowed to this week (the week replaces any period)."""
        return replace(filters, date_from=self.monday, date_to=self.sunday)

    def __str__(self) -> str:
        return self.label


def latest_complete_week(as_of: datetime) -> IsoWeek:
    """The latest week whose end is <= as_of: the one before the week holding as_of (that
    week ends after as_of, even when as_of is a Monday 00:00)."""
    return IsoWeek.containing(as_of).shift(-1)


def weeks_until(first: date, as_of: datetime) -> list[IsoWeek]:
    """Every week from the one holding `first` to the one holding as_of, newest first
    (the newest is usually incomplete: check `complete(as_of)`)."""
    week, last = IsoWeek.containing(first), IsoWeek.containing(as_of)
    out = []
    while week <= last:
        out.append(week)
        week = week.shift(1)
    return out[::-1]


def churn_week(week: IsoWeek, as_of: datetime, churn_days: int) -> IsoWeek:
    """The latest week up to `week` whose complaints have all matured for churn: its last
    day (Sunday) + churn_days <= date(as_of) (spec "Churn", "Weekly review")."""
    last_matured_sunday = as_of.date() - timedelta(days=churn_days)
    latest = IsoWeek.containing(last_matured_sunday)
    if latest.sunday > last_matured_sunday:
        latest = latest.shift(-1)
    return min(week, latest)


# --- statistics (pure; spec "Before/after a fix" and "Weekly review") -----------------

def proportion_variance(value_pct: float | None, n: int | None) -> float | None:
    """Variance in points² of a 0-100 share of n: Agresti-Caffo p̃(1-p̃)/(n+2) × 100² with
    p̃ = (k+1)/(n+2), k = the count behind the share. None when value or n is missing."""
    if value_pct is None or not n:
        return None
    k = round(value_pct / 100.0 * n)
    p = (k + 1) / (n + 2)
    return p * (1 - p) / (n + 2) * 100.0**2


def mean_variance(sample_variance: float | None, n: int | None) -> float | None:
    """Variance of a mean: s²/n with the sample variance (n - 1 denominator)."""
    if sample_variance is None or not n:
        return None
    return sample_variance / n


def nps_variance(promoters: int | None, detractors: int | None, n: int | None) -> float | None:
    """Variance of an NPS of n answers: (p + d - (p - d)²)/n × 100², p and d the promoter
    and detractor shares."""
    if promoters is None or detractors is None or not n:
        return None
    p, d = promoters / n, detractors / n
    return (p + d - (p - d) ** 2) / n * 100.0**2


def change_interval(change: float | None, var_now: float | None, var_before: float | None,
                    n_now: int | None, n_before: int | None) -> tuple[float | None, float | None]:
    """95 % interval of a week-over-week change: change ± 1.96 √(v₁ + v₀); (None, None)
    when either week has n < 2 or a variance is unknown."""
    if (change is None or var_now is None or var_before is None
            or (n_now or 0) < 2 or (n_before or 0) < 2):
        return None, None
    half = Z95 * math.sqrt(var_now + var_before)
    return change - half, change + half


def interval_flagged(ci_low: float | None, ci_high: float | None) -> bool:
    """A change is flagged when its interval excludes 0."""
    return ci_low is not None and ci_high is not None and (ci_low > 0 or ci_high < 0)


def count_band(history: Iterable[int | None], weeks_with_tickets: int
               ) -> tuple[float | None, float | None]:
    """mean ± 2 × sd (n - 1) of the 8 weeks before (a week without tickets counts as 0);
    (None, None) when fewer than 4 of them had tickets (then a count is never flagged)."""
    values = [v or 0 for v in history]
    if weeks_with_tickets < COUNT_MIN_WEEKS_WITH_TICKETS or len(values) < 2:
        return None, None
    mean = statistics.fmean(values)
    sd = statistics.stdev(values)
    return mean - 2 * sd, mean + 2 * sd


def band_flagged(value: float | None, low: float | None, high: float | None) -> bool:
    return value is not None and low is not None and high is not None and not low <= value <= high


def mean_skipping_nulls(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.fmean(known) if known else None


@dataclass(frozen=True)
class GroupValue:
    """A group's value of a ratio KPI in one week and its denominator (the weight)."""

    value: float | None
    n: int


def decompose(previous: Mapping[Any, GroupValue], current: Mapping[Any, GroupValue],
              overall_previous: float | None) -> list[dict[str, Any]]:
    """Mix/rate decomposition of a ratio KPI's change (spec "Where did it come from?").

    w = a group's share of the KPI's denominator, r its value; 0 = last week, 1 = this
    week. mix = (w1 - w0) × r0, rate = w1 × (r1 - r0), contribution = mix + rate (the
    spec's formula as written: r0 is the group's own value, not its distance from the
    overall one). A group absent from a week has weight 0; an undefined r0 is the overall
    r0, an undefined r1 is 0 (its weight is 0). A group that has cases but no value (the
    repeat rate of complaints none of which names a customer: none can be a repeat) adds
    nothing to the KPI's numerator, so its r is 0 in both weeks -- the overall r0 there
    would credit it with repeats it cannot have, and the contributions would no longer
    add up (spec: "The contributions add up exactly to r1 - r0").

    Returns one dict per group (value_previous / value stay null where undefined),
    largest absolute contribution first; contributions add up to r1 - r0 when r1 and r0
    are the weighted means of the groups' values.
    """
    n0 = sum(g.n for g in previous.values())
    n1 = sum(g.n for g in current.values())
    r0_all = overall_previous if overall_previous is not None else 0.0
    out = []
    for key in dict.fromkeys([*previous, *current]):
        g0, g1 = previous.get(key), current.get(key)
        w0 = g0.n / n0 if g0 is not None and n0 else 0.0
        w1 = g1.n / n1 if g1 is not None and n1 else 0.0
        v0 = g0.value if g0 is not None and g0.n else None
        v1 = g1.value if g1 is not None and g1.n else None
        r0 = v0 if v0 is not None else (0.0 if w0 else r0_all)
        r1 = v1 if v1 is not None else 0.0
        mix = (w1 - w0) * r0
        rate = w1 * (r1 - r0)
        out.append({"group": key, "w_previous": w0, "w": w1, "value_previous": v0,
                    "value": v1, "mix": mix, "rate": rate, "contribution": mix + rate})
    out.sort(key=lambda r: (-abs(r["contribution"]), str(r["group"])))
    return out


# --- reading the warehouse -----------------------------------------------------------

def _as_date(value: Any) -> date:
    """A date from a date, a datetime or 'YYYY-MM-DD...' text (group keys, stored dates)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def n_column(kpi: str, frame_columns: Iterable[str] = ()) -> str:
    """The column holding a KPI's denominator (spec: `n`): the count itself for counts,
    else the catalog's sample column (an exact FCR denominator `n_fcr` is used when the
    KPI SQL provides one)."""
    if kpi in COUNTS:
        return kpi
    if kpi == "fcr_pct" and "n_fcr" in frame_columns:
        return "n_fcr"
    sample = KPI_CATALOG[kpi].sample
    if sample is None:
        raise ValueError(f"{kpi} has no denominator")
    return sample


def _by_week(con: duckdb.DuckDBPyConnection, filters: Filters, first: IsoWeek, last: IsoWeek,
             settings: Settings) -> dict[date, dict[str, Any]]:
    span = replace(filters, date_from=first.monday, date_to=last.sunday)
    frame = fetch_kpis(con, span, by="week", settings=settings)
    key = "group" if "group" in frame.columns else "week"
    return {_as_date(r[key]): r for r in frame.iter_rows(named=True)}


def fetch_moments(con: duckdb.DuckDBPyConnection, filters: Filters, first: IsoWeek,
                  last: IsoWeek, by: str | None = None, settings: Settings | None = None
                  ) -> dict[tuple[date, Any], dict[str, Any]]:
    """(week Monday, group) -> csat variance and nps promoter/detractor counts
    (weekly_moments.sql). `by` one of ALL_DIMENSIONS or None (group None)."""
    if by is not None and by not in ALL_DIMENSIONS:
        raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(ALL_DIMENSIONS)}")
    settings = settings or get_settings()
    span = replace(filters, date_from=first.monday, date_to=last.sunday)
    params = _params(con, span, settings) | {"weekly_dim": by}
    frame = _run(con, "weekly_moments", params)
    return {(_as_date(r["week"]), r["group"]): r for r in frame.iter_rows(named=True)}


def kpi_variance(kpi: str, row: Mapping[str, Any] | None, moments: Mapping[str, Any] | None,
                 n: int | None) -> float | None:
    """The variance of one period's KPI value for the change interval (spec/kpis.md "Is the
    change real?"): a share by Agresti-Caffo, csat_avg s²/n, nps from promoters and
    detractors; None for medians, counts or a missing row. row: the KPI row of fetch_kpis;
    moments: that period's csat_var / nps_promoters / nps_detractors / n_nps. Shared by the
    weekly scorecard and the KPI cards' change test (queries.period_changes)."""
    if row is None:
        return None
    if kpi in PROPORTIONS:
        return proportion_variance(row.get(kpi), n)
    if kpi in MEANS:
        return mean_variance((moments or {}).get("csat_var"), n)
    if kpi in NPS_KEYS:
        m = moments or {}
        return nps_variance(m.get("nps_promoters"), m.get("nps_detractors"), m.get("n_nps"))
    return None


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def scorecard_row(kpi: str, week: IsoWeek, weeks: Mapping[date, Mapping[str, Any]],
                  moments: Mapping[date, Mapping[str, Any]], target: float | None,
                  min_sample: int, complete: bool = True) -> dict[str, Any]:
    """One `weekly --json` row of spec/cli.md for `kpi` in `week`, from the KPI rows per
    week Monday (`weeks`, at least the 8 weeks before) and their moments.

    complete: whether the week has ended at as_of. A week not over yet is never flagged
    (spec: "a page or report never shows an incomplete week as if it were complete"): its
    count is a part of a week against whole weeks' range, and its shares and means
    compare the cases that came in (and were decided) so far with a whole week -- the
    calendar, not a change. Its interval is still given; the row says `complete` so a
    reader knows why an interval that excludes 0 is not flagged.

    A row whose value is null carries `na_facts`: the week's fields that say why (its
    tickets, what the KPI needs the data to carry, its pending cases and its n), for the
    metrics registry's `na_reason`."""
    row, prev = weeks.get(week.monday), weeks.get(week.shift(-1).monday)
    history = [weeks.get(week.shift(-i).monday) for i in range(1, COUNT_HISTORY_WEEKS + 1)]
    out: dict[str, Any] = {"kpi": kpi}
    if kpi in COUNTS:
        count = int((row or {}).get(kpi) or 0)
        count_before = int((prev or {}).get(kpi) or 0)
        counts = [int((h or {}).get(kpi) or 0) for h in history]
        with_tickets = sum(1 for h in history if h and (h.get("tickets") or 0) > 0)
        low, high = count_band(counts, with_tickets)
        out |= {"value": count, "n": count, "previous": count_before, "n_previous": count_before,
                "avg_4w": statistics.fmean(counts[:AVG_WEEKS]), "target": target,
                "change": count - count_before, "ci_low": None, "ci_high": None,
                "flagged": complete and band_flagged(count, low, high),
                "expected_low": low, "expected_high": high}
    else:
        cols = row.keys() if row else ()
        ncol = n_column(kpi, cols)
        value = (row or {}).get(kpi)
        previous = (prev or {}).get(kpi)
        n: int | None = _int((row or {}).get(ncol)) if row else 0
        n_prev: int | None = _int((prev or {}).get(ncol)) if prev else 0
        change = value - previous if value is not None and previous is not None else None
        if kpi in DECOMPOSABLE:
            low, high = change_interval(
                change, kpi_variance(kpi, row, moments.get(week.monday), n),
                kpi_variance(kpi, prev, moments.get(week.shift(-1).monday), n_prev), n, n_prev)
        else:  # medians are not flagged (spec)
            low, high = None, None
        out |= {"value": value, "n": n, "previous": previous, "n_previous": n_prev,
                "avg_4w": mean_skipping_nulls((h or {}).get(kpi) for h in history[:AVG_WEEKS]),
                "target": target, "change": change, "ci_low": low, "ci_high": high,
                "flagged": complete and interval_flagged(low, high)}
    out["complete"] = complete
    out["thin"] = out["n"] is not None and out["n"] < min_sample
    measure = KPI_CATALOG.get(kpi)
    if measure is not None and measure.matures and measure.pending and row:
        # cases of this week still too young to decide (open tickets, FCR or churn windows)
        out["pending"] = int(row.get(measure.pending) or 0)
    if out["value"] is None and measure is not None:
        fields = ("tickets", *measure.needs, measure.pending, measure.sample)
        out["na_facts"] = {f: (row or {}).get(f) for f in fields if f}
    return out


def fetch_weekly(con: duckdb.DuckDBPyConnection, filters: Filters, week: IsoWeek | None = None,
                 settings: Settings | None = None) -> dict[str, Any]:
    """The weekly scorecard (spec/kpis.md "Weekly review"; `weekly --json` of spec/cli.md).

    filters: dimension filters and as_of (its period is replaced by the week). week: None
    = the latest complete week. Returns {"week", "complete", "as_of", "from", "to",
    "rows": [one dict per SCORECARD KPI: kpi, value, n, previous, n_previous, avg_4w,
    target, change, ci_low, ci_high, flagged, thin (+ expected_low/high for counts,
    + week for post_complaint_churn_pct, the latest matured week, + pending for KPIs whose
    recent cases may still be undecided, + complete: whether the row's week has ended, so
    false for every row of an incomplete week but churn's matured one, + na_facts where
    the value is null)]}. No row of an incomplete week is flagged. ValueError when the
    warehouse has no timestamps (no as_of).
    """
    settings = settings or get_settings()
    as_of = resolve_as_of(con, filters)
    if as_of is None:
        raise ValueError("the warehouse has no tickets yet, so there is no week to review")
    week = week or latest_complete_week(as_of)
    matured = churn_week(week, as_of, settings.churn_window_days)
    first = min(week, matured).shift(-COUNT_HISTORY_WEEKS)
    weeks = _by_week(con, filters, first, week, settings)
    moments = {k[0]: v for k, v in fetch_moments(con, filters, first, week, None,
                                                 settings).items()}
    targets = settings.targets()
    rows = []
    for kpi in SCORECARD:
        at = matured if kpi == "post_complaint_churn_pct" else week
        row = scorecard_row(kpi, at, weeks, moments, targets.get(kpi), settings.min_sample,
                            complete=at.complete(as_of))
        if kpi == "post_complaint_churn_pct":
            row["week"] = at.label
        rows.append(row)
    return {"week": week.label, "complete": week.complete(as_of), "as_of": as_of,
            "from": week.monday, "to": week.sunday, "rows": rows}


def _group_values(con: duckdb.DuckDBPyConnection, filters: Filters, week: IsoWeek, kpi: str,
                  by: str | tuple[str, str], settings: Settings
                  ) -> tuple[dict[Any, GroupValue], float | None]:
    """{group: (value, n)} of one week and the overall value; a pair of dimensions gives
    (value of the first, value of the second) tuples as groups."""
    frame = fetch_kpis(con, week.filters(filters), by=by, settings=settings)
    col = n_column(kpi, frame.columns)
    if isinstance(by, tuple):
        groups = {(r[by[0]], r[by[1]]): GroupValue(r[kpi], int(r[col] or 0))
                  for r in frame.iter_rows(named=True)}
    else:
        key = "group" if "group" in frame.columns else by
        groups = {r[key]: GroupValue(r[kpi], int(r[col] or 0))
                  for r in frame.iter_rows(named=True)}
    overall = fetch_kpis(con, week.filters(filters), settings=settings).row(0, named=True)[kpi]
    return groups, overall


def fetch_decomposition(con: duckdb.DuckDBPyConnection, filters: Filters, kpi: str,
                        by: str | tuple[str, str], week: IsoWeek | None = None,
                        settings: Settings | None = None) -> dict[str, Any]:
    """Where the change of a ratio KPI came from, by one dimension (spec "Where did it
    come from?"; `weekly --decompose KPI --by DIM`) or by a pair of dimensions (one of
    DECOMPOSE_PAIRS; each group is then a (value, value) tuple: a cell such as
    ("cards", "South")). For churn, the latest matured week.

    Returns {"kpi", "by", "week", "previous_week", "value", "previous", "change",
    "groups": decompose(...) rows with `group`, largest absolute contribution first}.
    ValueError for a KPI that is not a share or a mean, or an unknown dimension.
    """
    if kpi not in DECOMPOSABLE:
        raise ValueError(f"{kpi!r} cannot be decomposed; choose one of {', '.join(DECOMPOSABLE)}")
    if isinstance(by, tuple):
        if by not in DECOMPOSE_PAIRS:
            raise ValueError(f"cannot decompose by {by!r}; the pairs are {DECOMPOSE_PAIRS}")
    elif by not in ALL_DIMENSIONS:
        raise ValueError(f"cannot decompose by {by!r}; choose one of {', '.join(ALL_DIMENSIONS)}")
    settings = settings or get_settings()
    as_of = resolve_as_of(con, filters)
    if as_of is None:
        raise ValueError("the warehouse has no tickets yet, so there is no week to review")
    week = week or latest_complete_week(as_of)
    if kpi == "post_complaint_churn_pct":
        week = churn_week(week, as_of, settings.churn_window_days)
    current, r1 = _group_values(con, filters, week, kpi, by, settings)
    previous, r0 = _group_values(con, filters, week.shift(-1), kpi, by, settings)
    return {"kpi": kpi, "by": by, "week": week.label, "previous_week": week.shift(-1).label,
            "value": r1, "previous": r0,
            "change": r1 - r0 if r1 is not None and r0 is not None else None,
            "groups": decompose(previous, current, r0)}


def fetch_category_growth(con: duckdb.DuckDBPyConnection, filters: Filters, week: IsoWeek,
                          measure: str = "complaints", settings: Settings | None = None
                          ) -> list[dict[str, Any]]:
    """Categories by growth of `measure` (a count) this week against the mean of the 4
    weeks before (weeks without any count as 0): [{"group", "value", "avg_4w", "growth",
    "growth_pct" (null when avg_4w is 0), "complete"}], largest growth first. Every
    category with a count in those five weeks is listed. `complete` is false while the
    week is not over: its counts are then a part of a week, not comparable with avg_4w."""
    if measure not in COUNTS:
        raise ValueError(f"growth is counted for {', '.join(COUNTS)}")
    settings = settings or get_settings()
    complete = week.complete(resolve_as_of(con, filters))
    now = fetch_kpis(con, week.filters(filters), by="category", settings=settings)
    before_span = replace(filters, date_from=week.shift(-AVG_WEEKS).monday,
                          date_to=week.shift(-1).sunday)
    before = fetch_kpis(con, before_span, by="category", settings=settings)
    key = "group" if "group" in now.columns else "category"
    values = {r[key]: int(r[measure] or 0) for r in now.iter_rows(named=True)}
    sums = {r[key]: int(r[measure] or 0) for r in before.iter_rows(named=True)}
    out = []
    for cat in dict.fromkeys([*values, *sums]):
        value, avg = values.get(cat, 0), sums.get(cat, 0) / AVG_WEEKS
        out.append({"group": cat, "value": value, "avg_4w": avg, "growth": value - avg,
                    "growth_pct": 100.0 * (value - avg) / avg if avg else None,
                    "complete": complete})
    out.sort(key=lambda r: (-r["growth"], str(r["group"])))
    return out


def fetch_week_fixes(con: duckdb.DuckDBPyConnection, week: IsoWeek, as_of: datetime | None = None,
                     settings: Settings | None = None) -> dict[str, list[dict[str, Any]]]:
    """Fixes launched in the week and fixes whose post window (launch + effect window)
    completed in it, each with its effect rows (fetch_effects, one per metric):
    {"launched": [fix dict + "effects": [...]], "completed": [...]}."""
    settings = settings or get_settings()
    fixes = fetch_fixes(con)
    if fixes.height == 0:
        return {"launched": [], "completed": []}
    window = timedelta(days=settings.effect_window_days)
    launched = [f for f in fixes.iter_rows(named=True)
                if week.monday <= _as_date(f["launched_at"]) <= week.sunday]
    completed = [f for f in fixes.iter_rows(named=True)
                 if week.monday <= _as_date(f["launched_at"]) + window <= week.sunday]
    if not launched and not completed:
        return {"launched": [], "completed": []}
    effects = fetch_effects(con, as_of=as_of, settings=settings)
    by_fix: dict[str, list[dict[str, Any]]] = {}
    for e in effects.iter_rows(named=True):
        by_fix.setdefault(e["fix_id"], []).append(e)
    return {
        "launched": [f | {"effects": by_fix.get(f["fix_id"], [])} for f in launched],
        "completed": [f | {"effects": by_fix.get(f["fix_id"], [])} for f in completed],
    }


def fetch_phrase_growth(con: duckdb.DuckDBPyConnection, filters: Filters, week: IsoWeek,
                        settings: Settings | None = None, min_comments: int = 3
                        ) -> list[dict[str, Any]] | None:
    """Phrases of low-score comments (csat <= 2 or nps <= 6; the satisfaction work's
    corpus and phrase splitter) by growth this week against the mean of the 4 weeks before:
    [{"phrase", "value" (low comments containing it this week), "avg_4w", "growth"}] for
    phrases in at least `min_comments` comments this week, largest growth first. None when
    the satisfaction work's phrase API is not available."""
    try:
        from queries.phrases import phrases_of
        from queries.satisfaction import fetch_comment_corpus
    except ImportError:
        return None
    settings = settings or get_settings()

    def low_counts(span: Filters) -> dict[str, int]:
        corpus = fetch_comment_corpus(con, span, settings=settings)
        counts: dict[str, int] = {}
        for row in corpus.iter_rows(named=True):
            if row["score_class"] == "low":
                for phrase in phrases_of(row["comment"])[1]:
                    counts[phrase] = counts.get(phrase, 0) + 1
        return counts

    now = low_counts(week.filters(filters))
    before = low_counts(replace(filters, date_from=week.shift(-AVG_WEEKS).monday,
                                date_to=week.shift(-1).sunday))
    out: list[dict[str, Any]] = [{"phrase": p, "value": n, "avg_4w": before.get(p, 0) / AVG_WEEKS,
            "growth": n - before.get(p, 0) / AVG_WEEKS}
           for p, n in now.items() if n >= min_comments]
    out.sort(key=lambda r: (-r["growth"], -len(r["phrase"]), r["phrase"]))  # longer first
    return out
