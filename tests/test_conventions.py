"""House rules that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(REPO / ".venv" / "bin")) or shutil.which("ruff")
    result = subprocess.run([ruff or sys.executable, "check", str(REPO)], capture_output=True,
                            text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_query_layer_imports_no_ui():
    for path in (REPO / "queries").glob("*.py"):
        tree = ast.parse(path.read_text())
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
        names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(n.startswith(("streamlit", "plotly")) for n in names), path


def test_no_value_is_formatted_into_sql():
    # execute()/sql() never receive an f-string or a %-formatted string
    pattern = re.compile(r"\.(execute|sql|executemany)\(\s*(f[\"']|[\"'][^\"']*[\"']\s*%)")
    for path in [*REPO.glob("dashboard/**/*.py"), *REPO.glob("queries/*.py")]:
        assert not pattern.search(path.read_text()), path


def test_environment_is_read_only_by_settings():
    for path in [*REPO.glob("dashboard/**/*.py"), *REPO.glob("queries/*.py"),
                 *REPO.glob("pages/*.py")]:
        if path.name == "settings.py":
            continue
        assert "os.environ.get(" not in path.read_text(), path
        assert "os.getenv(" not in path.read_text(), path


# --- layering, proven by running the imports (a regex misses transitive imports) -----------

def _modules_loaded_by(imports: list[str]) -> set[str]:
    """sys.modules of a fresh interpreter after importing `imports` ("pkg.mod" or
    "pkg.mod:name" for `from pkg.mod import name`, which may itself be a module)."""
    code = (
        "import importlib, json, sys\n"
        f"for spec in {imports!r}:\n"
        "    module, _, name = spec.partition(':')\n"
        "    loaded = importlib.import_module(module)\n"
        "    if name and not hasattr(loaded, name):\n"
        "        importlib.import_module(module + '.' + name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def _page_imports(path) -> list[str]:
    """What a page's own import statements name (top level and inside functions)."""
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module != "__future__":
            out += [f"{node.module}:{alias.name}" for alias in node.names]
    return out


FORBIDDEN_IN_PAGES = ("duckdb", "dashboard.load", "dashboard.warehouse")


def _forbidden(loaded: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_the_query_layer_loads_no_streamlit_or_plotly():
    modules = [f"queries.{p.stem}" for p in (REPO / "queries").glob("*.py")
               if p.stem != "__init__"]
    loaded = _modules_loaded_by(["queries", *modules])
    assert _forbidden(loaded, ("streamlit", "plotly")) == []


def test_view_models_load_no_streamlit():
    modules = [f"dashboard.views.{p.stem}" for p in (REPO / "dashboard" / "views").glob("*.py")
               if p.stem != "__init__"]
    assert _forbidden(_modules_loaded_by(modules), ("streamlit",)) == []


def test_the_cards_view_model_and_the_registry_load_no_database_driver():
    loaded = _modules_loaded_by(["dashboard.views.cards", "queries.registry", "queries.filters",
                                 "queries.api"])
    assert _forbidden(loaded, ("streamlit", "duckdb")) == []


@pytest.mark.parametrize("page", sorted(p.name for p in (REPO / "pages").glob("*.py")))
def test_a_page_loads_no_duckdb_no_loader_and_no_warehouse_writer(page):
    # pages reach data through dashboard.data, whose driver and writer load only when used
    loaded = _modules_loaded_by(_page_imports(REPO / "pages" / page))
    assert _forbidden(loaded, FORBIDDEN_IN_PAGES) == [], page


# --- types ------------------------------------------------------------------------------

def test_mypy_with_the_pydantic_plugin_finds_nothing():
    mypy = shutil.which("mypy", path=str(REPO / ".venv" / "bin")) or shutil.which("mypy")
    assert mypy, "mypy is a dev dependency"
    result = subprocess.run([mypy, "dashboard", "queries", "pages"], capture_output=True,
                            text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:]
