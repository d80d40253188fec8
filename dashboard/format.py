"""How numbers and values read: unknown is "n/a", never 0; units after the value; a filter
option in the words the rest of the app uses for it (dashboard.i18n.value_label).

Kept for the callers that format a loose number; every text comes from the one
translation layer (dashboard.i18n) and KPI values from the cards' view model
(dashboard.views.cards), so a number reads the same on a page, in the CLI and in the
report, in either language.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from dashboard.i18n import VOCABULARIES, _, format_number, format_percent_value, na, value_label
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


def option_label(dimension: str, value: str, branch_names: Mapping[str, str] | None = None
                 ) -> str:
    """A filter option as the sidebar lists it: a product vocabulary in the current language
    ('urgent' -> 'Urgent' / '紧急', dashboard.i18n.value_label), a branch with its name
    ('B03 · East Hillside'), any other data value as stored -- the same words the charts
    and tables show for it."""
    if dimension == "branch" and branch_names and value in branch_names:
        return f"{value} · {branch_names[value]}"
    return value_label(dimension, value)


def option_formatter(dimension: str, branch_names: Mapping[str, str] | None = None
                     ) -> Callable[[str], str]:
    """`option_label` for one dimension, as a widget's format_func."""
    return lambda value: option_label(dimension, value, branch_names)


def ordered_options(dimension: str, values: list[str]) -> list[str]:
    """Filter options in the order a reader expects: a product vocabulary in its own order
    (urgent, high, normal, low -- not alphabetical), values it does not know after them;
    data values as given."""
    order = {code: i for i, code in enumerate(VOCABULARIES.get(dimension, {}))}
    if not order:
        return list(values)
    return sorted(values, key=lambda v: (order.get(v, len(order)), v))
