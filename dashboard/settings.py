"""One typed Settings class, read from CXDASH_* environment variables and `.env`.

Reach it through `get_settings()` (cached) so tests can override values by
setting env vars and calling `get_settings.cache_clear()`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CXDASH_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="ignore",  # an unknown .env key must not stop the app
    )

    warehouse: Path = Field(Path("data/warehouse.duckdb"), description="DuckDB warehouse file")
    timezone: str = Field("UTC", description="timezone timestamps are stored in (naive local time)")
    language: str | None = Field(
        None, description="UI language, en or zh-CN (unset: the browser's language, else en)")

    # First-response SLA targets by priority (service standard).
    sla_urgent_minutes: int = Field(60, ge=1, description="urgent: first response within (minutes)")
    sla_high_minutes: int = Field(240, ge=1, description="high: first response within (minutes)")
    sla_normal_minutes: int = Field(1440, ge=1, description="normal: first response within (minutes)")
    sla_low_working_days: int = Field(5, ge=1, description="low: first response within (working days, Mon-Fri)")

    complaint_resolution_working_days: int = Field(
        5, ge=1, description="complaints: resolution standard (working days, Mon-Fri)")
    fcr_window_days: int = Field(7, ge=0, description="FCR: days after resolution a new contact breaks FCR")
    repeat_window_days: int = Field(30, ge=1, description="repeat complaint look-back (days)")
    churn_window_days: int = Field(90, ge=1, description="churn after first complaint (days)")
    effect_window_days: int = Field(90, ge=1, description="before/after window of a fix (days)")
    min_sample: int = Field(10, ge=1, description="smallest n shown as a number on heatmaps and cards")
    outlier_min_surveys: int = Field(30, ge=2, description="smallest group tested for low outliers")

    # Targets shown on the Overview (None = no target). Direction comes from the KPI catalog.
    target_fcr_pct: float | None = Field(85.0, description="target: FCR at least (%)")
    target_sla_met_pct: float | None = Field(90.0, description="target: SLA met at least (%)")
    target_csat_avg: float | None = Field(4.2, description="target: CSAT average at least (1-5)")
    target_repeat_complaint_pct: float | None = Field(8.0, description="target: repeat complaints at most (%)")
    target_resolved_pct: float | None = Field(None, description="target: resolved at least (%)")
    target_nps: float | None = Field(None, description="target: NPS at least")
    target_post_complaint_churn_pct: float | None = Field(None, description="target: churn at most (%)")

    target_accepted_pct: float = Field(95.0, ge=0, le=100,
                                       description="data quality: rows accepted per load at least (%)")

    alerts_file: Path | None = Field(
        None, description="alert rules of the weekly review (TOML; unset: dashboard/alerts.example.toml)")
    cache_ttl_seconds: int = Field(600, ge=0, description="how long the app keeps a query result")
    user: str | None = Field(None, description="name recorded in the load audit (default: OS user)")
    mask_personal_data: bool = Field(
        True, description="mask phone numbers, e-mails, ID-card and bank-card numbers in free text")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        ZoneInfo(value)  # raises for an unknown zone: fail fast, not at the first load
        return value

    def targets(self) -> dict[str, float]:
        prefix = "target_"
        return {
            name[len(prefix):]: value
            for name, value in self.model_dump().items()
            if name.startswith(prefix) and value is not None and name != "target_accepted_pct"
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
