"""House rules that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys

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
