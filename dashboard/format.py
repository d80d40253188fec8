"""How numbers read: unknown is "n/a", never 0; units after the value.

Kept for the callers that format a loose number; every text comes from the one
translation layer (dashboard.i18n) and KPI values from the cards' view model
(dashboard.views.cards), so a number reads the same on a page, in the CLI and in the
report, in either language.
"""

from __future__ import annotations

import math
from typing import Any

from dashboard.i18n import _, format_number, format_percent_value, na
from dashboard.i18n import format_duration_minutes as format_duration_minutes
from dashboard.views.cards import format_kpi_change, format_kpi_value

NA = "n/a"


def format_value(value: Any, unit: str = "", signed: bool = False, digits: int | None = None
                 ) -> str:
    """A loose number with its unit ("%", "min", "h", "pts" or none) in the current locale."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return na()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int) or (isinstance(value, float) and unit == "" and value.is_integer()
                                  and abs(value) >= 100):
        return format_number(value, 0, signed=signed)
    if digits is None:
        digits = 2 if unit == "" and abs(float(value)) < 10 else 1
    if unit == "%":
        return format_percent_value(float(value), digits, signed=signed)
    if unit == "pts":
        return format_percent_value(float(value), digits, signed=True) if signed else \
            _("{value} pts").format(value=format_number(float(value), digits))
    if unit == "min":
        return format_duration_minutes(float(value))
    if unit == "h":
        return format_duration_minutes(float(value) * 60.0)
    return format_number(float(value), digits, signed=signed)


def format_kpi(key: str, value: float | None, signed: bool = False) -> str:
    """A KPI value (or, signed, its change) as a card shows it (dashboard.views.cards)."""
    if signed:
        return format_kpi_change(key, value) or (na() if value is None else format_number(0))
    return format_kpi_value(key, value)
