"""A page's own choice widgets (radio, segmented control, selectbox) kept in the URL.

Read on every run, written on change: `seed` before the widget is drawn puts the URL's
value into the widget's state when the URL changed since this session last wrote it (a
pasted link, the browser's back button, a fresh session); `keep` after the widget writes
its value back. A value equal to the default is left out of the URL, so links stay short;
a value the options do not hold is ignored (the default is shown).
Keys are prefixed per page (f_ funnel, w_ weekly, x_ explore) so pages never collide.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st


def _seen_key(param: str) -> str:
    return f"_url_choice_{param}"


def seed(param: str, widget_key: str, options: Sequence[str], default: str) -> None:
    """Before the widget: its state from the URL's `param` (default when absent or not
    one of `options`), unless the URL still holds what this session wrote last."""
    raw = st.query_params.get(param)
    if widget_key in st.session_state and st.session_state.get(_seen_key(param)) == raw:
        return
    st.session_state[widget_key] = raw if raw in options else default
    st.session_state[_seen_key(param)] = raw


def keep(param: str, value: str | None, default: str) -> None:
    """After the widget: its value into the URL (left out when it is the default or
    nothing is chosen)."""
    wanted = None if value is None or value == default else str(value)
    if wanted is None:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != wanted:
        st.query_params[param] = wanted
    st.session_state[_seen_key(param)] = wanted
