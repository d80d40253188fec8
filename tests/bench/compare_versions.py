"""Warm query speed of two versions of the dashboard side by side, at 10 million tickets.

    python tests/bench/compare_versions.py compare [--before REV] [--after REV] [--tickets N]
        [--runs 5] [--keep]
        -> git worktrees of both revisions in /tmp, a demo warehouse built by each version's
           own `cxdash demo` (one at a time: ~11 GB peak each at 10M), then both versions'
           query APIs timed in two long-lived worker processes, interleaved run by run
           (before, after, after, before, ...) so both see the same machine load. Prints a
           Markdown table and writes test-artifacts/bench-compare.json.
    python tests/bench/compare_versions.py worker WAREHOUSE
        -> one version's worker (run with PYTHONPATH = that version's tree): reads query
           names on stdin, answers one JSON line each ({"name", "ms"}).

Each query is called once untimed (warm-up), then `--runs` times timed; the table gives
the median and the minimum in milliseconds. A query only one version has (the metrics
layer's two-dimension KPIs, the Explore ticket page, the satisfaction queries) is timed
in that version only. The reference rows (plain DuckDB SQL and pandas, a reduced KPI card:
tickets, complaints, resolved %, median first response, CSAT, NPS over 90 days) run in the
after-worker only. `make bench` runs this through tests/bench/test_compare_versions.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

# Order of the table; targets from issue 7 §6 and issue 10 (ms, warm).
QUERIES: dict[str, tuple[str, float | None]] = {
    "kpis_90d": ("KPI cards, last 90 days (fetch_kpis)", None),
    "kpis_all": ("KPI cards, all time (fetch_kpis)", None),
    "kpi_comparison_90d": ("KPI cards + comparison, last 90 days (fetch_kpi_comparison)", None),
    "funnel_90d": ("funnel, last 90 days (fetch_funnel)", None),
    "trend_week_all": ("weekly trend, all time (fetch_trend week)", None),
    "effects_all": ("effects of all fixes (fetch_effects)", None),
    "kpis_channel_branch_90d": ("KPIs by channel × branch, last 90 days", 1000.0),
    "tickets_page_90d_phone": ("ticket page of 50, newest first, 90 days + channel phone", 200.0),
    "tickets_page_all": ("ticket page of 50, newest first, all time", 200.0),
    "satisfaction_outliers_90d": ("satisfaction outliers by branch, 90 days", None),
    "heatmap_branch_channel_90d": ("heatmap cells branch × channel (KPIs + NPS groups), 90 days",
                                   None),
    "ref_duckdb_kpi_90d": ("reference: reduced KPI card in plain DuckDB SQL, 90 days", None),
    "ref_pandas_kpi_90d": ("reference: reduced KPI card in pandas (data in memory), 90 days",
                           None),
}

REF_SQL = """
select count(*) as tickets,
       count_if(type = 'complaint') as complaints,
       100.0 * count_if(resolved_at is not null) / count(*) as resolved_pct,
       median(date_diff('second', created_at, first_response_at) / 60.0) as frt_median_min,
       avg(latest_csat) as csat,
       100.0 * (count_if(latest_nps >= 9) - count_if(latest_nps <= 6))
           / nullif(count(latest_nps), 0) as nps
from wh.tickets
where created_at >= $from_ts and created_at < $to_ts
"""


# --- worker: runs inside one version's tree ----------------------------------------------

def _queries(warehouse: Path) -> dict[str, Callable[[], Any]]:
    import inspect
    from datetime import datetime

    from dashboard.warehouse import connect_reader
    from queries import api

    con = connect_reader(warehouse)
    as_of = api.stored_as_of(con)
    assert as_of is not None, "the warehouse has no as_of"
    last90 = api.Filters(date_from=as_of.date() - timedelta(days=89), date_to=as_of.date())
    phone90 = api.Filters(date_from=last90.date_from, date_to=last90.date_to, channel=("phone",))
    out: dict[str, Callable[[], Any]] = {
        "kpis_90d": lambda: api.fetch_kpis(con, last90),
        "kpis_all": lambda: api.fetch_kpis(con, api.Filters()),
        "kpi_comparison_90d": lambda: api.fetch_kpi_comparison(con, last90),
        "funnel_90d": lambda: api.fetch_funnel(con, last90),
        "trend_week_all": lambda: api.fetch_trend(con, api.Filters(), "week"),
        "effects_all": lambda: api.fetch_effects(con),
    }
    by = inspect.signature(api.fetch_kpis).parameters["by"].annotation
    if "tuple" in str(by):  # the metrics layer (issue 7): any one or two dimensions
        out["kpis_channel_branch_90d"] = lambda: api.fetch_kpis(con, last90,
                                                                by=("channel", "branch"))
    try:
        from queries.explore import fetch_tickets
    except ImportError:
        pass
    else:
        out["tickets_page_90d_phone"] = lambda: fetch_tickets(con, phone90)
        out["tickets_page_all"] = lambda: fetch_tickets(con, api.Filters())
    try:
        from queries.satisfaction import fetch_outliers, fetch_satisfaction_groups
    except ImportError:
        pass
    else:
        out["satisfaction_outliers_90d"] = lambda: fetch_outliers(con, last90, "branch")

        def heatmap() -> None:  # what the Satisfaction page's default layout asks for
            api.fetch_kpis(con, last90, by=("branch", "channel"))
            fetch_satisfaction_groups(con, last90, ("branch", "channel"))
        out["heatmap_branch_channel_90d"] = heatmap

        # reference points, in the after-version's worker only (same warehouse)
        first = as_of.date() - timedelta(days=89)
        bounds = {"from_ts": datetime.combine(first, datetime.min.time()),
                  "to_ts": datetime.combine(as_of.date() + timedelta(days=1),
                                            datetime.min.time())}

        def ref_duckdb() -> Any:
            cur = con.cursor()
            try:
                return cur.execute(REF_SQL, bounds).fetchall()
            finally:
                cur.close()
        out["ref_duckdb_kpi_90d"] = ref_duckdb

        frame: dict[str, Any] = {}

        def ref_pandas() -> Any:
            if "df" not in frame:  # the load is set-up (the warm-up run), not timed
                cur = con.cursor()
                frame["df"] = cur.execute(
                    "select created_at, type, first_response_at, resolved_at, latest_csat, "
                    "latest_nps from wh.tickets").df()
                cur.close()
            df = frame["df"]
            t = df[(df.created_at >= bounds["from_ts"]) & (df.created_at < bounds["to_ts"])]
            nps = t.latest_nps.dropna()
            return {
                "tickets": len(t),
                "complaints": int((t.type == "complaint").sum()),
                "resolved_pct": 100.0 * t.resolved_at.notna().mean(),
                "frt_median_min": ((t.first_response_at - t.created_at).dt.total_seconds()
                                   / 60).median(),
                "csat": t.latest_csat.mean(),
                "nps": 100.0 * ((nps >= 9).sum() - (nps <= 6).sum()) / len(nps) if len(nps)
                else None,
            }
        out["ref_pandas_kpi_90d"] = ref_pandas
    return out


def _only_this_tree() -> None:
    """The venv's editable install of /work/main answers imports the tree lacks (a module
    only the newer version has would silently come from the main checkout): drop it."""
    sys.meta_path[:] = [f for f in sys.meta_path
                        if "editable" not in getattr(f, "__name__", type(f).__name__).lower()]


def worker(warehouse: Path) -> None:
    _only_this_tree()
    import dashboard

    calls = _queries(warehouse)
    tree = str(Path(str(dashboard.__file__)).parents[1])
    files = {m.__name__: str(m.__file__) for m in list(sys.modules.values())
             if getattr(m, "__file__", None)}
    strays = sorted(f for name, f in files.items()
                    if name.split(".")[0] in ("dashboard", "queries") and not f.startswith(tree))
    if strays:
        raise RuntimeError(f"modules from outside {tree}: {strays}")
    print(json.dumps({"ready": list(calls), "dashboard": dashboard.__file__}), flush=True)
    for line in sys.stdin:
        name = line.strip()
        if not name:
            continue
        t0 = time.perf_counter()
        calls[name]()
        print(json.dumps({"name": name, "ms": round(1000 * (time.perf_counter() - t0), 1)}),
              flush=True)


# --- driver ------------------------------------------------------------------------------

class Worker:
    def __init__(self, label: str, tree: Path, warehouse: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CXDASH_")}
        env["PYTHONPATH"] = str(tree)
        self.label = label
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "worker", str(warehouse)],
            cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        hello = json.loads(self._line())
        if not hello["dashboard"].startswith(str(tree)):
            raise RuntimeError(f"{label} imported {hello['dashboard']}, not {tree}")
        self.ready: list[str] = hello["ready"]

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.label} worker stopped")
        return line

    def run(self, name: str) -> float:
        assert self.proc.stdin is not None
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        return float(json.loads(self._line())["ms"])

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def load_average() -> float:
    return os.getloadavg()[0]


def measure(trees: dict[str, Path], warehouses: dict[str, Path], runs: int,
            log: Callable[[str], None] = print, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """Both workers up at once; each query warmed once per version, then `runs` timed
    rounds alternating which version goes first."""
    workers = {label: Worker(label, trees[label], warehouses[label]) for label in trees}
    results: dict[str, Any] = {"runs": runs, "load_before": load_average(), "queries": {}}
    try:
        for name in QUERIES:
            if only and name not in only:
                continue
            have = [label for label, w in workers.items() if name in w.ready]
            if not have:
                continue
            times: dict[str, list[float]] = {label: [] for label in have}
            for label in have:
                workers[label].run(name)  # warm-up, not counted
            loads = []
            for r in range(runs):
                for label in (have if r % 2 == 0 else list(reversed(have))):
                    times[label].append(workers[label].run(name))
                loads.append(load_average())
            row: dict[str, Any] = {label: {"median_ms": round(statistics.median(t), 1), "min_ms": min(t),
                           "runs_ms": t} for label, t in times.items()}
            row["load_avg_1min"] = [round(x, 2) for x in loads]
            results["queries"][name] = row
            log(f"{name}: " + ", ".join(f"{label} median {row[label]['median_ms']} ms"
                                        for label in have) + f" (load {loads[-1]:.2f})")
    finally:
        for w in workers.values():
            w.close()
    results["load_after"] = load_average()
    return results


def markdown(results: dict[str, Any], labels: tuple[str, str] = ("before", "after")) -> str:
    b, a = labels
    lines = [f"| warm query, 10M-ticket demo | {b} median (min) ms | {a} median (min) ms "
             "| change | target |",
             "|---|---|---|---|---|"]
    for name, (title, target) in QUERIES.items():
        row = results["queries"].get(name)
        if row is None:
            continue
        cells = []
        for label in labels:
            cells.append(f"{row[label]['median_ms']:,.0f} ({row[label]['min_ms']:,.0f})"
                         if label in row else "–")
        if b in row and a in row:
            change = f"{100 * (row[a]['median_ms'] / row[b]['median_ms'] - 1):+.0f} %"
        else:
            change = "new" if a in row else "–"
        goal = ""
        if target is not None and a in row:
            goal = f"≤ {target:,.0f} ms: {'met' if row[a]['median_ms'] <= target else 'NOT met'}"
        lines.append(f"| {title} | {cells[0]} | {cells[1]} | {change} | {goal} |")
    return "\n".join(lines)


def demo(argv: list[str], writer_memory: str | None) -> int:
    """`cxdash demo` of the tree on PYTHONPATH. writer_memory raises the writer's DuckDB
    memory_limit (2GB in dashboard/warehouse.py): 133cd18's demo ran out of it at 10M
    tickets on the 2-core VM ("1.8 GiB/1.8 GiB used"). Only the build is affected; the
    queries are timed with the versions' own settings."""
    _only_this_tree()
    import duckdb

    if writer_memory:
        connect = duckdb.connect

        def bigger(*args: Any, config: dict[str, Any] | None = None, **kw: Any) -> Any:
            if config and config.get("memory_limit") == "2GB":
                config = dict(config, memory_limit=writer_memory)
            return connect(*args, config=config, **kw)  # type: ignore[misc]
        duckdb.connect = bigger  # type: ignore[assignment]
    from dashboard.cli import main as cxdash

    return cxdash(["demo", *argv])


def build(tree: Path, warehouse: Path, tickets: int, writer_memory: str | None = "8GB"
          ) -> float:
    for stale in warehouse.parent.glob(warehouse.name + "*"):
        if stale.is_file():
            stale.unlink()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXDASH_")}
    env["PYTHONPATH"] = str(tree)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "demo",
                    *(["--writer-memory", writer_memory] if writer_memory else []), "--",
                    "--tickets", str(tickets), "--warehouse", str(warehouse), "--quiet"],
                   cwd=tree, env=env, check=True)
    return time.perf_counter() - t0


def compare(before: str, after: str, tickets: int, runs: int, keep: bool,
            workdir: Path = Path("/tmp")) -> dict[str, Any]:
    trees = {"before": workdir / "cxdash-wt-before", "after": workdir / "cxdash-wt-after"}
    revs = {"before": before, "after": after}
    warehouses = {label: workdir / f"cxdash-bench-{label}-{tickets}.duckdb" for label in trees}
    try:
        for label, tree in trees.items():
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree),
                            revs[label]], check=True, capture_output=True)
        results: dict[str, Any] = {"tickets": tickets, "revisions": {
            label: subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
                                  check=True, capture_output=True, text=True).stdout.strip()
            for label, tree in trees.items()}, "build_s": {}}
        for label in trees:  # one at a time: a 10M build peaks near 11 GB
            results["build_s"][label] = round(build(trees[label], warehouses[label], tickets), 1)
        results.update(measure(trees, warehouses, runs))
        return results
    finally:
        for tree in trees.values():
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           capture_output=True)
        if not keep:
            for wh in warehouses.values():
                for f in wh.parent.glob(wh.name + "*"):
                    f.unlink()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("worker")
    w.add_argument("warehouse", type=Path)
    d = sub.add_parser("demo", help="cxdash demo of the tree on PYTHONPATH")
    d.add_argument("--writer-memory", default=None)
    d.add_argument("args", nargs=argparse.REMAINDER)
    c = sub.add_parser("compare")
    c.add_argument("--before", default="133cd18")
    c.add_argument("--after", default="HEAD")
    c.add_argument("--tickets", type=int, default=10_000_000)
    c.add_argument("--runs", type=int, default=5)
    c.add_argument("--keep", action="store_true", help="keep the warehouses in /tmp")
    m = sub.add_parser("measure", help="time two already-built trees and warehouses")
    m.add_argument("--before-tree", type=Path, required=True)
    m.add_argument("--after-tree", type=Path, required=True)
    m.add_argument("--before-warehouse", type=Path, required=True)
    m.add_argument("--after-warehouse", type=Path, required=True)
    m.add_argument("--runs", type=int, default=5)
    m.add_argument("--out", type=Path)
    m.add_argument("--only", default="", help="comma-separated query keys (default: all)")
    args = p.parse_args(argv)
    if args.cmd == "worker":
        worker(args.warehouse)
        return 0
    if args.cmd == "demo":
        return demo([a for a in args.args if a != "--"], args.writer_memory)
    if args.cmd == "compare":
        results = compare(args.before, args.after, args.tickets, args.runs, args.keep)
    else:
        results = measure({"before": args.before_tree, "after": args.after_tree},
                          {"before": args.before_warehouse, "after": args.after_warehouse},
                          args.runs, only=tuple(k for k in args.only.split(",") if k))
    text = json.dumps(results, indent=1)
    out = getattr(args, "out", None) or REPO / "test-artifacts" / "bench-compare.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(markdown(results))
    print(f"machine load (1 min): {results['load_before']:.2f} at start, "
          f"{results['load_after']:.2f} at end; figures in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
