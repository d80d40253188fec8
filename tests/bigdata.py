"""Large native extracts for load tests and benchmarks (vectorised, seconds per million)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl


def big_tickets_frame(n: int, first_id: int = 0, seed: int = 1,
                      customers: int | None = None) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    created = (np.datetime64("2025-01-01T00:00:00", "s")
               + rng.integers(0, 365 * 86400, n).astype("timedelta64[s]"))
    responded = created + rng.integers(60, 86400, n).astype("timedelta64[s]")
    resolved = responded + rng.integers(600, 5 * 86400, n).astype("timedelta64[s]")
    ids = pl.int_range(first_id, first_id + n, eager=True).cast(pl.String)
    cust = pl.Series(rng.integers(0, customers or (n // 3 + 1), n)).cast(pl.String)
    return pl.DataFrame({
        "ticket_id": "B" + ids,
        "customer_id": "C" + cust,
        "channel": pl.Series(rng.choice(["phone", "app", "web", "email", "chat"], n)),
        "branch_id": "B" + pl.Series(rng.integers(1, 60, n)).cast(pl.String),
        "category": pl.Series(rng.choice(["billing", "cards", "loans", "fees"], n)),
        "type": pl.Series(rng.choice(["complaint", "inquiry"], n)),
        "priority": pl.Series(rng.choice(["normal", "high", "low"], n)),
        "created_at": created.astype("datetime64[us]"),
        "first_response_at": responded.astype("datetime64[us]"),
        "resolved_at": np.where(rng.random(n) < 0.9, resolved, np.datetime64("NaT")).astype(
            "datetime64[us]"),
        "reopen_count": pl.Series(rng.integers(0, 2, n)),
        "escalated": pl.Series(rng.random(n) < 0.05),
    })


def big_tickets_csv(path: Path, n: int, first_id: int = 0, seed: int = 1,
                    customers: int | None = None) -> Path:
    big_tickets_frame(n, first_id, seed, customers).write_csv(
        path, datetime_format="%Y-%m-%d %H:%M:%S")
    return path
