"""Draw a KPI card (dashboard.views.cards.CardView) with Streamlit.

The display rules -- value, change, tone, target state, n, n/a reason, notes -- are
decided in the view model; this module only maps them to Streamlit's metric and colours.
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import _
from dashboard.views.cards import CardView
from queries.registry import CARD_KEYS as CARD_KEYS  # the Overview's cards, from the registry

_TARGET_COLOUR = {"met": "green", "missed": "red"}


def delta_colour(view: CardView) -> str:
    """st.metric colours a positive delta green ("normal") or red ("inverse"); the view's
    tone says which is better for this KPI. Neutral (volumes, zero, within the noise,
    small samples, too young): grey."""
    if view.tone == "neutral" or view.change is None:
        return "off"
    positive = view.change > 0
    return "normal" if (view.tone == "better") == positive else "inverse"


def render_card(view: CardView) -> None:
    st.metric(view.label, view.value_text, delta=view.change_text,
              delta_color=delta_colour(view),  # type: ignore[arg-type]
              delta_arrow="auto" if view.arrow else "off",  # "±0" has no direction
              help=view.help, border=True)
    parts: list[str] = []
    if view.na_reason:
        parts.append(_("n/a: {reason}").format(reason=view.na_reason))
    elif view.small_sample and view.n_text:
        parts.append(f":orange[{_('small sample')}: {view.n_text}]")
    elif view.n_text:
        parts.append(view.n_text)
    if view.change_note:
        parts.append(view.change_note)
    parts.extend(view.notes)
    if view.target_text:
        colour = _TARGET_COLOUR.get(view.target_state or "")
        if colour:
            word = _("on target") if view.target_state == "met" else _("off target")
            parts.append(f":{colour}[{word}] ({view.target_text})")
        else:
            parts.append(view.target_text)
    if parts:
        st.caption(" · ".join(parts))
