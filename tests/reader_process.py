"""A dashboard-style reader in its own process: queries the API in a loop, reconnecting
when the warehouse version changes (as the app does), and reports what it saw."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from dashboard.warehouse import connect_reader, warehouse_version
from queries.api import Filters, fetch_kpis


def main(warehouse: str, seconds: float, out: str) -> None:
    path = Path(warehouse)
    seen: list[int] = []
    errors: list[str] = []
    version = warehouse_version(path)
    con = connect_reader(path)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            now = warehouse_version(path)
            if now != version:
                con.close()
                con, version = connect_reader(path), now
            seen.append(fetch_kpis(con, Filters()).row(0, named=True)["tickets"])
        except Exception as exc:  # noqa: BLE001 - every error is the finding
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.02)
    Path(out).write_text(json.dumps({"seen": seen, "errors": errors}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3])
