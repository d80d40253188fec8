"""What the KPI cards' change tests read, behind the caches of dashboard.data.

The cards colour a change only when it is beyond noise (queries.period_changes); for CSAT
and NPS that needs the spread of the survey answers of both periods, which the KPI rows
do not carry. Cached by (warehouse version, filters) with dashboard.data's policy, so a
new load gives new keys. No metric logic here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboard import data
from dashboard.data import Version
from queries.api import Filters, KpiComparison


@data._cached
def survey_moments(version: Version, filters: Filters) -> dict[str, Any]:
    from queries.period_changes import fetch_survey_moments

    return fetch_survey_moments(data.connection(version), filters)


def card_moments(version: Version, filters: Filters, comparison: KpiComparison
                 ) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """(period, comparison period) survey moments for build_cards; None for a period
    that has no comparison."""
    before = (survey_moments(version, comparison.previous_filters)
              if comparison.previous_filters is not None else None)
    return survey_moments(version, filters), before
