"""The metrics of the before/after table of fixes and which way is better for each
(spec/kpis.md "Before/after a fix"). No database driver and no Streamlit: the view models
and the query functions both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from queries.registry import MEASURES


@dataclass(frozen=True)
class EffectMetric:
    """One metric of the before/after table.

    key:              the `metric` value of `cxdash effects --json`.
    kpi:              the KPI of spec/kpis.md it applies to a cell (None: the count).
    higher_is_better: direction of "better" for this metric.
    relative:         the effect is a relative change in % (complaints), not a difference.
    """

    key: str
    kpi: str | None
    higher_is_better: bool
    relative: bool = False


def _direction(kpi: str) -> bool:
    higher = MEASURES[kpi].higher_is_better
    if higher is None:  # pragma: no cover - the catalogue gives these a direction
        raise ValueError(f"KPI {kpi} has no direction")
    return higher


EFFECT_METRICS: dict[str, EffectMetric] = {m.key: m for m in (
    EffectMetric("repeat_complaint_pct", "repeat_complaint_pct",
                 _direction("repeat_complaint_pct")),
    EffectMetric("csat_avg", "csat_avg", _direction("csat_avg")),
    EffectMetric("churn_pct", "post_complaint_churn_pct", _direction("post_complaint_churn_pct")),
    # a fix aims at fewer complaints in its scope (the Overview's count has no direction)
    EffectMetric("complaints", None, False, relative=True),
)}


def worse_beyond_noise(metric: str, ci_low: float | None, ci_high: float | None) -> bool | None:
    """True when the whole 95 % interval of a change lies on the worse side of 0 for
    `metric`; None when there is no interval."""
    if ci_low is None or ci_high is None:
        return None
    if EFFECT_METRICS[metric].higher_is_better:
        return ci_high < 0
    return ci_low > 0
