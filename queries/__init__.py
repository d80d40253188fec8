"""The query layer: every KPI is defined once, in the SQL files of this package.

`queries.api` is the one API that pages, the CLI and the report call.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

_INCLUDE = re.compile(r"\{\{(\w+)\}\}")


def _body(text: str) -> str:
    """A file's SQL without its leading header comment (used when it is included)."""
    lines = text.splitlines()
    while lines and (lines[0].startswith("--") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)


@cache
def sql_text(name: str, fragments: tuple[tuple[str, str], ...] = ()) -> str:
    """The text of queries/<name>.sql with `{{other}}` replaced by queries/other.sql.

    Includes compose files of this package only; values are always bound as
    parameters by the caller, never formatted into the text. `fragments` replace
    an include by an allow-listed expression of queries.registry (e.g. the group key
    of a breakdown); a fragment is never built from a request's values.
    """
    given = dict(fragments)
    text = files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")
    return _INCLUDE.sub(
        lambda m: given[m.group(1)] if m.group(1) in given
        else _body(sql_text(m.group(1), fragments)),
        text,
    )
