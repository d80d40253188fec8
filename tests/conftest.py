from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.settings import get_settings
from dashboard.warehouse import connect_reader
from queries.api import Filters, fetch_effects, fetch_funnel, fetch_kpis
from tests.fixtures import build_warehouse

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = REPO.parent / "shared" / "data" / "real"
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Every test starts from default settings, with no .env of the developer's."""
    for key in list(os.environ):
        if key.startswith("CXDASH_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class Warehouse:
    """A tiny warehouse and shortcuts to the query API over it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def kpis(self, **filters: Any) -> dict[str, Any]:
        con = connect_reader(self.path)
        try:
            return fetch_kpis(con, Filters(**filters)).row(0, named=True)
        finally:
            con.close()

    def kpis_by(self, by: str, **filters: Any) -> dict[Any, dict[str, Any]]:
        con = connect_reader(self.path)
        try:
            frame = fetch_kpis(con, Filters(**filters), by=by)
        finally:
            con.close()
        return {row["group"]: row for row in frame.iter_rows(named=True)}

    def funnel(self, **filters: Any) -> dict[str, dict[str, Any]]:
        con = connect_reader(self.path)
        try:
            frame = fetch_funnel(con, Filters(**filters))
        finally:
            con.close()
        return {row["stage"]: row for row in frame.iter_rows(named=True)}

    def effects(self, **kwargs: Any) -> dict[tuple[str, str], dict[str, Any]]:
        con = connect_reader(self.path)
        try:
            frame = fetch_effects(con, **kwargs)
        finally:
            con.close()
        return {(row["fix_id"], row["metric"]): row for row in frame.iter_rows(named=True)}


@pytest.fixture
def make_warehouse(tmp_path: Path):
    counter = iter(range(1000))

    def build(**tables: list[dict[str, Any]]) -> Warehouse:
        path = tmp_path / f"wh{next(counter)}.duckdb"
        build_warehouse(path, **tables)
        return Warehouse(path)

    return build


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """A small demo warehouse (same generator as `cxdash demo`), built once per run."""
    from dashboard.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    build_demo(path, tickets=6000, seed=11)
    return path
