"""Loading from the Data page: the kinds, the shipped profiles and one load of an upload.

Pages must not load the loader or the warehouse writer when they are imported
(tests/test_conventions.py checks sys.modules in a subprocess), so the page reaches
dashboard.load only through this module, whose functions import it when called. No
Streamlit here: the page does the drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the loader is imported only when a function below runs
    from dashboard.load.run import LoadResult

Step = Callable[[str, float], None]  # (what is being done, fraction done 0..1)


def kind_names() -> list[str]:
    """The kinds of extract a file can be loaded as (spec/extracts.md), in their order."""
    from dashboard.load.kinds import KINDS

    return list(KINDS)


def profile_descriptions() -> dict[str, str]:
    """Each shipped profile's name -> its one-line description, in name order."""
    from dashboard.load.profiles import shipped_profiles

    return {name: p.description for name, p in shipped_profiles().items()}


def load_upload(warehouse: Path, path: Path, *, kind: str | None, profile: str | None,
                sheet: str | None, force: bool, step: Step | None = None) -> LoadResult:
    """Load one file already on disk into `warehouse` (dashboard.load.run.load_file).

    kind/profile None: detected. Returns the load's result (status, counts, messages; its
    as_json() is what `cxdash load --json` prints). A refusal or a failure is a result, not an
    exception (load_file audits it).
    """
    from dashboard.load.run import load_file

    return load_file(warehouse, path, kind=kind, profile=profile, sheet=sheet, step=step,
                     force=force)
