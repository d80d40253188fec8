"""Alert rules of the weekly review (spec/kpis.md "Weekly review" -> Alerts).

Rules live in a TOML file (setting `alerts_file`; unset: the shipped
dashboard/alerts.example.toml, which documents the format). Three kinds:

- ``threshold``: a KPI, a comparison (<, <=, >, >=) and a value, for the whole selection
  or for each group of one dimension (`by`; every group that crosses fires, a group below
  the setting min_sample is labelled a small sample; a rule's `min_n` skips smaller groups);
- ``outlier``: for each group of `by` whose CSAT is a significant low outlier (the test of
  spec "Satisfaction by group and outliers", queries.satisfaction.fetch_outliers);
- ``change``: when the KPI's week-over-week change is flagged (queries.weekly), overall or
  for each group of `by` (spec: "fires for each group whose ... change is flagged");
  `direction` "any" (default) or "worse" (only a change in the KPI's bad direction; a count,
  which has no good direction, fires either way).

`evaluate` returns the `alerts --json` rows of spec/cli.md. No Streamlit here: the page,
the CLI and the report call the same function.
"""

from __future__ import annotations

import operator
import tomllib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard.i18n import _, format_number, format_week, get_language
from dashboard.settings import Settings, get_settings
from dashboard.views.weekly import (
    format_kpi_change,
    format_kpi_value,
    group_text,
    higher_is_better,
    label,
)
from queries.api import KPI_CATALOG, Filters, fetch_kpis, resolve_as_of
from queries.weekly import (
    ALL_DIMENSIONS,
    COUNT_HISTORY_WEEKS,
    COUNTS,
    IsoWeek,
    churn_week,
    fetch_moments,
    latest_complete_week,
    n_column,
    scorecard_row,
)

if TYPE_CHECKING:  # connections are passed in; pages import this module without DuckDB
    import duckdb

EXAMPLE_FILE = Path(__file__).with_name("alerts.example.toml")
OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
KINDS = ("threshold", "outlier", "change")


class AlertRulesError(ValueError):
    """The rules file cannot be used; the message names the file, the rule and the fix."""


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    kpi: str
    by: str | None = None
    op: str | None = None
    value: float | None = None
    min_n: int | None = None
    direction: str = "any"
    names: tuple[tuple[str, str], ...] = ()  # (language, name) from `names = {"zh-CN" = …}`

    def title(self) -> str:
        """The rule's name in the current language (the file's `names`), else `name`.
        A rule's name is the file's text, not the app's: the app cannot translate it."""
        return dict(self.names).get(get_language(), self.name)


def rules_path(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return Path(settings.alerts_file) if settings.alerts_file else EXAMPLE_FILE


def _rule(raw: dict[str, Any], where: str) -> Rule:
    name = str(raw.get("name") or "").strip()
    if not name:
        raise AlertRulesError(f"{where} has no name")
    kind = raw.get("kind")
    kpi = raw.get("kpi")
    by = raw.get("by")
    if kind not in KINDS:
        raise AlertRulesError(f"rule {name!r}: kind must be one of {', '.join(KINDS)}")
    if kpi not in KPI_CATALOG:
        raise AlertRulesError(f"rule {name!r}: unknown kpi {kpi!r}")
    if by is not None and by not in ALL_DIMENSIONS:
        raise AlertRulesError(f"rule {name!r}: by must be one of {', '.join(ALL_DIMENSIONS)}")
    if kind == "threshold":
        if raw.get("op") not in OPERATORS or not isinstance(raw.get("value"), int | float):
            raise AlertRulesError(
                f"rule {name!r}: a threshold rule needs op (<, <=, >, >=) and a number value")
    if kind == "outlier":
        if kpi != "csat_avg" or by is None:
            raise AlertRulesError(f"rule {name!r}: an outlier rule tests csat_avg by a dimension")
    direction = raw.get("direction", "any")
    if direction not in ("worse", "any"):
        raise AlertRulesError(f"rule {name!r}: direction must be \"worse\" or \"any\"")
    min_n = raw.get("min_n")
    names = raw.get("names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise AlertRulesError(f"rule {name!r}: names must map a language to a name, e.g. "
                              "names = {{ \"zh-CN\" = \"…\" }}")
    return Rule(name=name, kind=kind, kpi=kpi, by=by, op=raw.get("op"),
                value=float(raw["value"]) if kind == "threshold" else None,
                min_n=int(min_n) if min_n is not None else None, direction=direction,
                names=tuple(sorted((str(k), v.strip()) for k, v in names.items() if v.strip())))


def load_rules(path: Path | None = None, settings: Settings | None = None) -> list[Rule]:
    """The rules of a TOML file (`[[rules]]` tables). AlertRulesError when the file is
    missing, not TOML, or a rule is incomplete."""
    path = path or rules_path(settings)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AlertRulesError(f"the alert rules file {path} does not exist (setting "
                              "alerts_file)") from None
    except tomllib.TOMLDecodeError as exc:
        raise AlertRulesError(f"the alert rules file {path} is not valid TOML: {exc}") from None
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise AlertRulesError(f"{path}: rules must be [[rules]] tables")
    return [_rule(r, f"{path}: rule {i + 1}") for i, r in enumerate(raw_rules)]


@dataclass
class Evaluation:
    """What the rules said for a week: the alerts that fire (spec/cli.md rows) and the
    rules that could not be evaluated, with the reason."""

    week: IsoWeek
    alerts: list[dict[str, Any]]
    skipped: list[tuple[str, str]]


def _alert(rule: Rule, group: Any, value: float | None, threshold: float | None, kind: str,
           message: str, **extra: Any) -> dict[str, Any]:
    return {"rule": rule.name, "kpi": rule.kpi, "group": group, "value": value,
            "threshold": threshold, "kind": kind, "message": message,
            "title": rule.title()} | extra


def _where(rule: Rule, group: Any, branch_names: dict[str, str] | None) -> str:
    return "" if rule.by is None else " " + _("in {group}").format(
        group=group_text(rule.by, group, branch_names))


def _threshold(con: duckdb.DuckDBPyConnection, rule: Rule, filters: Filters, week: IsoWeek,
               settings: Settings, branch_names: dict[str, str] | None) -> list[dict[str, Any]]:
    frame = fetch_kpis(con, week.filters(filters), by=rule.by, settings=settings)
    key = "group"
    ncol = n_column(rule.kpi, frame.columns)
    # spec: a per-group rule fires for every group that crosses; small groups are labelled,
    # and skipped only when the rule asks for a minimum (min_n)
    min_n = rule.min_n or 0
    compare = OPERATORS[rule.op or "<"]
    out = []
    for row in frame.iter_rows(named=True):
        value, n = row.get(rule.kpi), row.get(ncol)
        if value is None or rule.value is None or (n or 0) < min_n \
                or not compare(value, rule.value):
            continue
        message = _("{kpi} is {value}{where} in {week}: {op} {threshold} (n = {n}).").format(
            kpi=label(rule.kpi), value=format_kpi_value(rule.kpi, value),
            where=_where(rule, row[key], branch_names), week=format_week(week.monday),
            op=rule.op, threshold=format_kpi_value(rule.kpi, rule.value),
            n=format_number(n))
        if n is not None and n < settings.min_sample:
            message = " ".join((message, _("Small sample.")))
        out.append(_alert(rule, row[key], value, rule.value, "threshold", message, n=n))
    return out


def _outlier(con: duckdb.DuckDBPyConnection, rule: Rule, filters: Filters, week: IsoWeek,
             settings: Settings, branch_names: dict[str, str] | None) -> list[dict[str, Any]]:
    from queries.satisfaction import fetch_outliers  # the satisfaction work's test

    out = []
    for row in fetch_outliers(con, week.filters(filters), by=rule.by or "branch",
                              settings=settings):
        if not row.get("low_outlier"):
            continue
        message = _("CSAT{where} is a significant low outlier in {week}: {value} against "
                    "{others} elsewhere (adjusted p = {p}, n = {n}).").format(
            where=_where(rule, row["group"], branch_names), week=format_week(week.monday),
            value=format_kpi_value("csat_avg", row["csat_avg"]),
            others=format_kpi_value("csat_avg", row["others_avg"]),
            p=format_number(row["p_adj"], 4), n=format_number(row["n"]))
        out.append(_alert(rule, row["group"], row["csat_avg"], row["others_avg"], "outlier",
                          message, p_adj=row["p_adj"], n=row["n"]))
    return out


def _group_history(con: duckdb.DuckDBPyConnection, rule: Rule, filters: Filters, week: IsoWeek,
                   settings: Settings) -> dict[Any, tuple[dict[date, dict], dict[date, dict]]]:
    """Per group of rule.by: (KPI rows by week Monday, moments by week Monday)."""
    first = week.shift(-COUNT_HISTORY_WEEKS if rule.kpi in COUNTS else -1)
    span = replace(filters, date_from=first.monday, date_to=week.sunday)
    assert rule.by is not None
    frame = fetch_kpis(con, span, by=("week", rule.by), settings=settings)
    moments = fetch_moments(con, filters, first, week, rule.by, settings)
    groups: dict[Any, tuple[dict[date, dict], dict[date, dict]]] = {}
    for row in frame.iter_rows(named=True):
        monday = date.fromisoformat(str(row["week"])[:10])
        groups.setdefault(row[rule.by], ({}, {}))[0][monday] = row
    for (monday, group), m in moments.items():
        groups.setdefault(group, ({}, {}))[1][monday] = m
    return groups


def _change(con: duckdb.DuckDBPyConnection, rule: Rule, filters: Filters, week: IsoWeek,
            weekly: dict[str, Any] | None, settings: Settings,
            branch_names: dict[str, str] | None) -> list[dict[str, Any]]:
    if rule.kpi == "post_complaint_churn_pct":
        as_of = resolve_as_of(con, filters)
        assert as_of is not None
        week = churn_week(week, as_of, settings.churn_window_days)
    if rule.by is None:
        from queries.weekly import fetch_weekly

        review = weekly or fetch_weekly(con, filters, week, settings)
        rows = [(None, r) for r in review["rows"] if r["kpi"] == rule.kpi]
        if not rows:  # a KPI outside the scorecard
            rows = [(None, _overall_row(con, rule, filters, week, settings))]
    else:
        complete = week.complete(resolve_as_of(con, filters))
        rows = [(group, scorecard_row(rule.kpi, week, weeks, moments, None, settings.min_sample,
                                      complete=complete))
                for group, (weeks, moments) in _group_history(con, rule, filters, week,
                                                              settings).items()]
    better = higher_is_better(rule.kpi)
    out = []
    for group, row in rows:
        change = row.get("change")
        if not row.get("flagged") or change is None:
            continue
        worse = better is None or (change > 0) != better  # a count: either way
        if rule.direction == "worse" and not worse:
            continue
        bounds = (_("95 % interval {low} to {high}").format(
            low=format_kpi_change(rule.kpi, row["ci_low"]),
            high=format_kpi_change(rule.kpi, row["ci_high"])) if row.get("ci_low") is not None
            else _("outside the usual range"))
        message = _("{kpi}{where} changed from {previous} to {value} in {week} ({change}, "
                    "{bounds}).").format(
            kpi=label(rule.kpi), where=_where(rule, group, branch_names),
            previous=format_kpi_value(rule.kpi, row["previous"]),
            value=format_kpi_value(rule.kpi, row["value"]), week=format_week(week.monday),
            change=format_kpi_change(rule.kpi, change), bounds=bounds)
        out.append(_alert(rule, group, change, 0.0, "change", message,
                          ci_low=row.get("ci_low"), ci_high=row.get("ci_high"), n=row.get("n")))
    return out


def _overall_row(con, rule: Rule, filters: Filters, week: IsoWeek, settings: Settings
                 ) -> dict[str, Any]:
    from queries.weekly import _by_week

    first = week.shift(-COUNT_HISTORY_WEEKS)
    weeks = _by_week(con, filters, first, week, settings)
    moments = {k[0]: v for k, v in fetch_moments(con, filters, first, week, None,
                                                 settings).items()}
    return scorecard_row(rule.kpi, week, weeks, moments, None, settings.min_sample,
                         complete=week.complete(resolve_as_of(con, filters)))


def evaluate(con: duckdb.DuckDBPyConnection, filters: Filters, week: IsoWeek | None = None,
             rules: list[Rule] | None = None, settings: Settings | None = None,
             weekly: dict[str, Any] | None = None,
             branch_names: dict[str, str] | None = None) -> Evaluation:
    """Evaluate the rules (default: the rules file) for one week (default: the latest
    complete one) over the filtered tickets. `weekly`: an already computed fetch_weekly
    result for the same week and filters (saves queries). A rule that cannot be evaluated
    (e.g. the outlier test is not available) is listed in `skipped` with the reason."""
    settings = settings or get_settings()
    rules = load_rules(settings=settings) if rules is None else rules
    as_of = resolve_as_of(con, filters)
    if week is None:
        if as_of is None:
            raise ValueError("the warehouse has no tickets yet, so there is no week to review")
        week = latest_complete_week(as_of)
    alerts: list[dict[str, Any]] = []
    skipped: list[tuple[str, str]] = []
    for rule in rules:
        try:
            if rule.kind == "threshold":
                alerts += _threshold(con, rule, filters, week, settings, branch_names)
            elif rule.kind == "outlier":
                alerts += _outlier(con, rule, filters, week, settings, branch_names)
            else:
                alerts += _change(con, rule, filters, week, weekly, settings, branch_names)
        except ImportError:
            skipped.append((rule.name, _("the outlier test is not available yet")))
    return Evaluation(week, alerts, skipped)
