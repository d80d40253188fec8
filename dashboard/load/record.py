"""Record one fix typed into a form (the Recovery page) through the ordinary load path.

The row is written as a one-row fixes extract and handed to `load_file`, so it is
validated, upserted atomically (readers keep the previous file until the swap) and
audited exactly like a fixes file loaded by an analyst -- there is no second writer.
The extract's name says where it came from; a `recorded_at` column (not a fixes column,
so it is not stored) makes each submission a distinct extract, so recording the same
values again after an edit is not taken for an already-loaded file.
"""

from __future__ import annotations

import csv
import re
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dashboard.load.run import LoadResult, load_file

FIX_COLUMNS = ("fix_id", "title", "launched_at", "category", "channel", "branch_id", "region",
               "owner", "description")


def record_fix(warehouse: Path, fix: dict[str, Any], source: str = "recovery-page") -> LoadResult:
    """Store (insert or replace by fix_id) one fix. `fix` maps FIX_COLUMNS to values (None
    for empty; launched_at a date or 'YYYY-MM-DD'). Returns the LoadResult of the load
    (status 'loaded', or 'refused' with its one-sentence message)."""
    now = datetime.now()
    safe_id = re.sub(r"[^A-Za-z0-9_-]+", "_", str(fix.get("fix_id") or "fix"))[:40]
    with tempfile.TemporaryDirectory(prefix="cxdash-fix-") as tmp:
        path = Path(tmp) / f"{source}-fix-{safe_id}-{now:%Y%m%dT%H%M%S%f}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([*FIX_COLUMNS, "recorded_at"])
            writer.writerow([
                *(v.isoformat() if isinstance(v, date) else ("" if v is None else str(v))
                  for v in (fix.get(c) for c in FIX_COLUMNS)),
                now.isoformat(sep=" ", timespec="microseconds"),
            ])
        return load_file(warehouse, path, kind="fixes")
