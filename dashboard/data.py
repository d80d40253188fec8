"""What pages call: the query API behind Streamlit caches keyed by the warehouse version.

A load in another process replaces the warehouse file; its new inode/mtime is a
new version, so the next interaction opens the new file and misses every old
cache entry. Readers never wait for a load. No metric logic lives here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from dashboard.settings import get_settings
from queries import api
from queries.api import Filters

if TYPE_CHECKING:  # pages import this module: the driver and the writer load only when used
    import duckdb

Version = tuple[int, int, int]


def warehouse_path() -> Path:
    return get_settings().warehouse


def current_version() -> Version | None:
    """The published warehouse's version; upgrades an older schema first (once)."""
    from dashboard.warehouse import ensure_current, warehouse_version

    path = warehouse_path()
    version = warehouse_version(path)
    if version is not None and _needs_upgrade(str(path), version):
        ensure_current(path)
        version = warehouse_version(path)
    return version


@st.cache_data(max_entries=4, show_spinner=False)
def _needs_upgrade(path: str, version: Version) -> bool:
    from dashboard.warehouse import needs_upgrade

    return needs_upgrade(Path(path))


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, version: Version) -> duckdb.DuckDBPyConnection:
    from dashboard.warehouse import connect_reader

    return connect_reader(Path(path))


def connection(version: Version) -> duckdb.DuckDBPyConnection:
    return _connection(str(warehouse_path()), version)


def _ttl() -> int:
    return get_settings().cache_ttl_seconds


def _cached(fn):
    """Cache a query function by (warehouse version, arguments)."""
    return st.cache_data(ttl=_ttl(), max_entries=256, show_spinner=False)(fn)


@_cached
def summary(version: Version) -> dict[str, Any]:
    return api.fetch_warehouse_summary(connection(version))


@_cached
def as_of(version: Version) -> datetime | None:
    return api.stored_as_of(connection(version))


@_cached
def dimension_values(version: Version) -> dict[str, list[str]]:
    return api.fetch_dimension_values(connection(version))


@_cached
def branch_names(version: Version) -> dict[str, str]:
    return api.fetch_branch_names(connection(version))


@_cached
def kpi_comparison(version: Version, filters: Filters, preset: str | None = None
                   ) -> api.KpiComparison:
    return api.fetch_kpi_comparison(connection(version), filters, preset=preset)


@_cached
def kpis(version: Version, filters: Filters, by: str | tuple[str, ...] | None = None
         ) -> pl.DataFrame:
    return api.fetch_kpis(connection(version), filters, by=by)


@_cached
def trend(version: Version, filters: Filters, grain: str = "week") -> pl.DataFrame:
    return api.fetch_trend(connection(version), filters, grain)


@_cached
def funnel(version: Version, filters: Filters) -> pl.DataFrame:
    return api.fetch_funnel(connection(version), filters)


@_cached
def fixes(version: Version) -> pl.DataFrame:
    return api.fetch_fixes(connection(version))


@_cached
def rejects(version: Version) -> pl.DataFrame:
    return api.fetch_rejects(connection(version))


@_cached
def loads(version: Version) -> pl.DataFrame:
    return api.fetch_loads(connection(version))


@_cached
def data_quality(version: Version) -> dict[str, Any]:
    return api.fetch_data_quality(connection(version))


# --- Data page, a page at a time (queries/loading.py) --------------------------------------

@_cached
def loads_page(version: Version, page: int) -> pl.DataFrame:
    from queries import loading

    return loading.fetch_loads_page(connection(version), page)


@_cached
def loads_count(version: Version) -> dict[str, int]:
    from queries import loading

    return loading.count_loads(connection(version))


@_cached
def below_target_loads(version: Version) -> pl.DataFrame:
    from queries import loading

    return loading.below_target_loads(connection(version))


@_cached
def rejects_page(version: Version, extract: str | None, needle: str | None,
                 page: int) -> tuple[pl.DataFrame, int]:
    from queries import loading

    return loading.fetch_rejects_page(connection(version), extract, needle, page)


@_cached
def reject_extracts(version: Version) -> dict[str, int]:
    from queries import loading

    return loading.reject_extracts(connection(version))


def rejects_csv(version: Version, extract: str | None, needle: str | None) -> bytes:
    """Built when the download is asked for (not cached: it is used once)."""
    from queries import loading

    return loading.fetch_rejects_export(connection(version), extract, needle).write_csv(
    ).encode("utf-8")


# --- Funnel page (queries/funnel.py) ---------------------------------------------------

@_cached
def funnel_by(version: Version, filters: Filters, by: str | None = None) -> pl.DataFrame:
    from queries import funnel as qf

    return qf.fetch_funnel(connection(version), filters, by=by)


@_cached
def sla_by_tier(version: Version, filters: Filters, by: str = "channel") -> pl.DataFrame:
    from queries import funnel as qf

    return qf.fetch_sla_by_tier(connection(version), filters, by=by)


@_cached
def sla_weekly(version: Version, filters: Filters) -> pl.DataFrame:
    from queries import funnel as qf

    return qf.fetch_sla_weekly(connection(version), filters)


@_cached
def backlog(version: Version, filters: Filters) -> pl.DataFrame:
    from queries import funnel as qf

    return qf.fetch_backlog(connection(version), filters)


# --- Explore page (queries/explore.py) ---------------------------------------------------

@_cached
def explore_tickets(version: Version, filters: Filters, selection, sort: str = "created_at",
                    descending: bool = True, limit: int = 50, offset: int = 0) -> pl.DataFrame:
    from queries import explore as qe

    return qe.fetch_tickets(connection(version), filters, selection, sort=sort,
                            descending=descending, limit=limit, offset=offset)


@_cached
def explore_ticket_count(version: Version, filters: Filters, selection) -> dict[str, int]:
    from queries import explore as qe

    return qe.count_tickets(connection(version), filters, selection)


@_cached
def explore_ticket(version: Version, ticket_id: str, as_of_override: datetime | None = None):
    from queries import explore as qe

    return qe.fetch_ticket(connection(version), ticket_id, as_of_override)


@_cached
def explore_ticket_fixes(version: Version, ticket_id: str) -> pl.DataFrame:
    from queries import explore as qe

    return qe.fetch_ticket_fixes(connection(version), ticket_id)


@_cached
def explore_surveys(version: Version, ticket_ids: tuple[str, ...]) -> pl.DataFrame:
    from queries import explore as qe

    return qe.fetch_surveys(connection(version), list(ticket_ids))


@_cached
def explore_customer(version: Version, customer_id: str, as_of_override: datetime | None = None):
    from queries import explore as qe

    return qe.fetch_customer_story(connection(version), customer_id, as_of_override)


@_cached
def explore_at_risk(version: Version, filters: Filters) -> pl.DataFrame:
    from queries import explore as qe

    return qe.fetch_at_risk(connection(version), filters)


# --- Recovery page (before/after of fixes) ----------------------------------------------

@_cached
def fix_effects(version: Version, as_of_override: datetime | None = None) -> pl.DataFrame:
    from queries import effects as qfx

    return qfx.fetch_effects(connection(version), as_of=as_of_override)


@_cached
def fix_effect_weeks(version: Version, fix_id: str,
                     as_of_override: datetime | None = None) -> pl.DataFrame:
    from queries import effects as qfx

    return qfx.fetch_effect_weeks(connection(version), fix_id, as_of=as_of_override)


def record_fix(fix: dict[str, Any]):
    """Store one fix from the Recovery page's form through the ordinary audited load
    (dashboard.load.record); the next run sees the new warehouse version."""
    from dashboard.load.record import record_fix as _record

    return _record(warehouse_path(), fix)


# --- Weekly review ------------------------------------------------------------------------
# The week is the period: the sidebar's period is dropped from the cache key.

def _week_filters(filters: Filters) -> Filters:
    from dataclasses import replace

    return replace(filters, date_from=None, date_to=None)


@_cached
def _weekly(version: Version, filters: Filters, week: str | None) -> dict[str, Any]:
    from queries import weekly as qw

    return qw.fetch_weekly(connection(version), filters, qw.IsoWeek.parse(week) if week else None)


def weekly(version: Version, filters: Filters, week: str | None) -> dict[str, Any]:
    return _weekly(version, _week_filters(filters), week)


@_cached
def _weekly_decomposition(version: Version, filters: Filters, kpi: str,
                          by: str | tuple[str, str], week: str) -> dict[str, Any]:
    from queries import weekly as qw

    return qw.fetch_decomposition(connection(version), filters, kpi, by, qw.IsoWeek.parse(week))


def weekly_decomposition(version: Version, filters: Filters, kpi: str,
                         by: str | tuple[str, str], week: str) -> dict[str, Any]:
    return _weekly_decomposition(version, _week_filters(filters), kpi, by, week)


@_cached
def _weekly_alerts(version: Version, filters: Filters, week: str, lang: str):
    from dashboard.alerts import evaluate
    from queries import weekly as qw

    con = connection(version)
    return evaluate(con, filters, qw.IsoWeek.parse(week), branch_names=branch_names(version))


def weekly_alerts(version: Version, filters: Filters, week: str, lang: str):
    """The alerts that fire (dashboard.alerts.Evaluation); messages in `lang`."""
    return _weekly_alerts(version, _week_filters(filters), week, lang)


@_cached
def _weekly_growth(version: Version, filters: Filters, week: str) -> list[dict[str, Any]]:
    from queries import weekly as qw

    return qw.fetch_category_growth(connection(version), filters, qw.IsoWeek.parse(week))


def weekly_growth(version: Version, filters: Filters, week: str) -> list[dict[str, Any]]:
    return _weekly_growth(version, _week_filters(filters), week)


@_cached
def weekly_fixes(version: Version, week: str, as_of_override: datetime | None = None
                 ) -> dict[str, list[dict[str, Any]]]:
    from queries import weekly as qw

    con = connection(version)
    as_of_value = as_of_override or api.stored_as_of(con)
    return qw.fetch_week_fixes(con, qw.IsoWeek.parse(week), as_of_value)


@_cached
def last_load(version: Version) -> dict[str, Any] | None:
    from dashboard.report import last_load as _last_load

    return _last_load(connection(version))


@_cached
def _weekly_phrases(version: Version, filters: Filters, week: str) -> list[dict[str, Any]] | None:
    from queries import weekly as qw

    return qw.fetch_phrase_growth(connection(version), filters, qw.IsoWeek.parse(week))


def weekly_phrases(version: Version, filters: Filters, week: str) -> list[dict[str, Any]] | None:
    """Phrases of unhappy customers' comments by growth (None: phrase API missing)."""
    return _weekly_phrases(version, _week_filters(filters), week)


@_cached
def weekly_bottleneck(version: Version, filters: Filters, week: str, lang: str) -> str | None:
    """The funnel's bottleneck of the week in one sentence (in `lang`)."""
    from dashboard.report import funnel_bottleneck
    from queries import weekly as qw

    week_filters = qw.IsoWeek.parse(week).filters(_week_filters(filters))
    return funnel_bottleneck(connection(version), week_filters)


# --- Satisfaction page (issue 9): queries.satisfaction and queries.phrases ---------------

@_cached
def satisfaction_groups(version: Version, filters: Filters,
                        by: str | tuple[str, ...] = "branch") -> pl.DataFrame:
    from queries.satisfaction import fetch_satisfaction_groups

    return fetch_satisfaction_groups(connection(version), filters, by)


@_cached
def outliers(version: Version, filters: Filters, by: str = "branch") -> list[dict[str, Any]]:
    from queries.satisfaction import fetch_outliers

    return fetch_outliers(connection(version), filters, by)


@_cached
def low_comments(version: Version, filters: Filters, limit: int, offset: int,
                 phrase: str | None = None):
    from queries.satisfaction import fetch_low_comments

    return fetch_low_comments(connection(version), filters, limit, offset, phrase)


@_cached
def distinguishing_phrases(version: Version, filters: Filters, top: int = 15) -> pl.DataFrame:
    from queries.phrases import distinguishing_phrases as score
    from queries.satisfaction import fetch_comment_corpus

    corpus = fetch_comment_corpus(connection(version), filters)
    return score(zip(corpus["score_class"], corpus["comment"], strict=True), top=top)
