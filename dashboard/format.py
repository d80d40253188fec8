"""How numbers read: unknown is "n/a", never 0; units after the value."""

from __future__ import annotations

import math
from typing import Any

from queries.api import KPI_CATALOG  # each KPI's unit and digits

NA = "n/a"


def format_value(value: Any, unit: str = "", signed: bool = False, digits: int | None = None
                 ) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and unit == "" and value.is_integer()
                                  and abs(value) >= 100):
        text = f"{int(value):+,}" if signed else f"{int(value):,}"
    else:
        if digits is None:
            digits = 2 if unit == "" and abs(float(value)) < 10 else 1
        text = f"{float(value):+,.{digits}f}" if signed else f"{float(value):,.{digits}f}"
    suffix = {"%": " %", "min": " min", "h": " h", "pts": " pts", "": ""}.get(unit, f" {unit}")
    return text + suffix


def format_duration_minutes(minutes: float | None) -> str:
    """Minutes as a readable span: 45 min, 3.5 h, 2.1 d."""
    if minutes is None:
        return NA
    if minutes < 90:
        return f"{minutes:,.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:,.1f} h"
    return f"{minutes / 1440:,.1f} d"


def format_kpi(key: str, value: float | None, signed: bool = False) -> str:
    """A KPI value as a card shows it: counts whole, long durations in hours or days."""
    kpi = KPI_CATALOG[key]
    if value is None:
        return NA
    if key in ("tickets", "complaints"):
        return f"{round(value):+,}" if signed else f"{round(value):,}"
    if kpi.unit == "min" and not signed:
        return format_duration_minutes(value)
    return format_value(value, "pts" if signed and kpi.unit == "%" else kpi.unit, signed=signed,
                        digits=kpi.digits)
