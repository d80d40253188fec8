"""A dashboard-style reader in its own process: queries the API in a loop, reconnecting
when the warehouse version changes (as the app does), and reports what it saw.

Usage: reader_process.py WAREHOUSE LANDED_FILE OUT. After every answered query it writes
the number of answers so far to OUT.count (replaced atomically), so a test can wait until a
reader has answered more queries while a load holds its write transaction; OUT.ready after
its first query (so a test can start the load once every reader runs). It queries until the
file LANDED_FILE exists -- the test creates it when the load has returned, however long that
took -- and a few queries more, so the last ones see the landed data.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from dashboard.warehouse import connect_reader, warehouse_version
from queries.api import Filters, fetch_kpis

QUERIES_AFTER_LANDING = 5
SAFETY_LIMIT_SECONDS = 3600  # only so that a broken test cannot leave a process behind


def main(warehouse: str, landed: str, out: str) -> None:
    path, landed_file, ready = Path(warehouse), Path(landed), Path(out + ".ready")
    count_file, count_tmp = Path(out + ".count"), Path(out + ".count.tmp")
    seen: list[int] = []
    errors: list[str] = []
    version = warehouse_version(path)
    con = connect_reader(path)
    after_landing = 0
    deadline = time.monotonic() + SAFETY_LIMIT_SECONDS
    while after_landing < QUERIES_AFTER_LANDING and time.monotonic() < deadline:
        has_landed = landed_file.exists()  # checked before the query it counts
        try:
            now = warehouse_version(path)
            if now != version:
                con.close()
                con, version = connect_reader(path), now
            seen.append(fetch_kpis(con, Filters()).row(0, named=True)["tickets"])
        except Exception as exc:  # noqa: BLE001 - every error is the finding
            errors.append(f"{type(exc).__name__}: {exc}")
        count_tmp.write_text(str(len(seen)))
        os.replace(count_tmp, count_file)  # a reader of the count never sees half a number
        if not ready.exists():
            ready.write_text("1")
        after_landing += has_landed
        time.sleep(0.02)
    Path(out).write_text(json.dumps({"seen": seen, "errors": errors}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
