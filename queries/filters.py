"""A request's period, as_of override and filter values, and the periods compared with it.

Plain Python (no DuckDB, no Streamlit), so view models, the sidebar and the CLI build
requests without loading the database driver. queries.api re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dashboard.i18n import N_
from dashboard.settings import get_settings
from queries.registry import DIMENSION_REGISTRY, FILTER_DIMENSIONS

# Filter dimensions (CLI option / URL key -> label, marked for translation) and the ones
# whose values are lower-cased; both derived from queries/registry.py.
DIMENSIONS: dict[str, str] = {k: DIMENSION_REGISTRY[k].label for k in FILTER_DIMENSIONS}
LOWERCASED = {k for k in FILTER_DIMENSIONS if DIMENSION_REGISTRY[k].lowercase}


def normalise_value(dim: str, value: str) -> str:
    """Filters match the way extracts are stored: trimmed, some dimensions lower-cased."""
    value = value.strip()
    return value.lower() if dim in LOWERCASED else value


def to_warehouse_time(value: datetime | None, timezone: str | None = None) -> datetime | None:
    """spec/kpis.md "Time": a timestamp with an offset is converted to the warehouse's
    timezone (setting `timezone`) and made naive, exactly like an extract value; a naive
    one is already warehouse time. So the host's clock and timezone never matter."""
    if value is None or value.tzinfo is None:
        return value
    zone = ZoneInfo(timezone or get_settings().timezone)
    return value.astimezone(zone).replace(tzinfo=None)


@dataclass(frozen=True)
class Filters:
    """A request: period (inclusive calendar dates), as_of override, and filter values.

    Values are trimmed, de-duplicated and lower-cased where stored so; an as_of with an
    offset is converted to warehouse time. ValueError when the period ends before it starts.
    """

    date_from: date | None = None
    date_to: date | None = None
    as_of: datetime | None = None
    channel: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    branch: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    segment: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for dim in DIMENSIONS:
            values = tuple(dict.fromkeys(
                normalise_value(dim, v) for v in getattr(self, dim) if v is not None and v.strip()
            ))
            object.__setattr__(self, dim, values)
        object.__setattr__(self, "as_of", to_warehouse_time(self.as_of))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the period starts ({self.date_from}) after it ends ({self.date_to})")

    def dimension_values(self) -> dict[str, tuple[str, ...]]:
        return {dim: getattr(self, dim) for dim in DIMENSIONS}

    @property
    def days(self) -> int | None:
        """Length of the period in days (None without both ends)."""
        if self.date_from is None or self.date_to is None:
            return None
        return (self.date_to - self.date_from).days + 1

    def previous_period(self) -> Filters | None:
        """The period of the same length just before this one (None without a full period)."""
        if self.date_from is None or self.date_to is None or self.days is None:
            return None
        return replace(
            self,
            date_from=self.date_from - timedelta(days=self.days),
            date_to=self.date_from - timedelta(days=1),
        )

    def year_earlier(self) -> Filters | None:
        """The same dates one year earlier (29 Feb -> 28 Feb); None without a full period."""
        if self.date_from is None or self.date_to is None:
            return None
        return replace(self, date_from=_year_back(self.date_from), date_to=_year_back(self.date_to))


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# --- periods the app and the CLI offer ------------------------------------------------

PRESETS: dict[str, str] = {
    "7d": N_("Last 7 days"),
    "30d": N_("Last 30 days"),
    "90d": N_("Last 90 days"),
    "12m": N_("Last 12 months"),
    "ytd": N_("Year to date"),
    "all": N_("All time"),
    "custom": N_("Custom dates"),
}
DEFAULT_PRESET = "90d"
_PRESET_DAYS = {"7d": 7, "30d": 30, "90d": 90}


def preset_range(preset: str, as_of: datetime | None) -> tuple[date | None, date | None]:
    """Inclusive dates of a preset, ending on the as_of day (never the wall clock).

    7d/30d/90d: the last N days including the as_of day; 12m: from the day after the same
    date a year earlier; ytd: 1 January of the as_of year; all/custom/unknown: (None, None).
    """
    if preset == "all" or as_of is None:
        return None, None
    end = as_of.date()
    if preset in _PRESET_DAYS:
        return end - timedelta(days=_PRESET_DAYS[preset] - 1), end
    if preset == "12m":
        return _year_back(end) + timedelta(days=1), end
    if preset == "ytd":
        return end.replace(month=1, day=1), end
    return None, None


@dataclass(frozen=True)
class Comparison:
    """What a period is compared with: the filters of the other period and how it was chosen
    ("previous" = the same number of days just before; "year_earlier" = the same dates a
    year earlier)."""

    filters: Filters
    kind: str


def comparison_period(filters: Filters, preset: str | None = None) -> Comparison | None:
    """Like with like (issue: YTD against the same dates a year earlier, "last N days"
    against the N days before). Year to date and last 12 months compare with the same dates
    a year earlier; any other full period with the period of the same length just before.
    None without a full period (all time)."""
    if filters.date_from is None or filters.date_to is None:
        return None
    if preset in ("ytd", "12m"):
        earlier = filters.year_earlier()
        return Comparison(earlier, "year_earlier") if earlier else None
    previous = filters.previous_period()
    return Comparison(previous, "previous") if previous else None
