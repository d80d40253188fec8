"""Display rules of the Data page, in plain Python (no Streamlit, no queries).

How a load's outcome reads (its status in words, one sentence per file), what the load
history, the rejected rows, the spelling variants and the empty-value rates are called
(never a raw field name, never "None"), and how the coverage chart is titled for its
grain. Frames come from queries.loading / queries.api (columns documented there).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from dashboard.i18n import N_, _, format_datetime, format_number, format_percent_value

STATUS_LABELS: dict[str, str] = {
    "loaded": N_("Loaded"),
    "already_loaded": N_("Already loaded"),
    "refused": N_("Refused"),
    "failed": N_("Failed"),
}
# An extract's kind. The msgids carry a "kind|" context: "Tickets" alone is a count
# elsewhere in the catalog ("工单数"), a kind of extract is "工单". English shows the part
# after the bar.
KIND_LABELS: dict[str, str] = {
    "tickets": N_("kind|Tickets"),
    "surveys": N_("kind|Surveys"),
    "customers": N_("kind|Customers"),
    "branches": N_("kind|Branches"),
    "fixes": N_("kind|Fixes"),
}
# Native columns (extracts.md) by what an analyst calls them.
FIELD_LABELS: dict[str, str] = {
    "ticket_id": N_("Ticket id"),
    "customer_id": N_("Customer id"),
    "channel": N_("Channel"),
    "branch_id": N_("Branch"),
    "branch": N_("Branch"),
    "category": N_("Category"),
    "type": N_("Type"),
    "priority": N_("Priority"),
    "created_at": N_("Created at"),
    "assigned_at": N_("Assigned at"),
    "first_response_at": N_("First response at"),
    "resolved_at": N_("Resolved at"),
    "closed_at": N_("Closed at"),
    "status": N_("Status"),
    "reopen_count": N_("Reopen count"),
    "escalated": N_("Escalated"),
    "agent_id": N_("Agent"),
    "subject": N_("Subject"),
    "description": N_("Description"),
    "survey_id": N_("Survey id"),
    "responded_at": N_("Responded at"),
    "csat": N_("CSAT"),
    "nps": N_("NPS"),
    "ces": N_("Customer effort"),
    "comment": N_("Comment"),
    "segment": N_("Segment"),
    "home_branch_id": N_("Home branch"),
    "joined_at": N_("Joined at"),
    "churned_at": N_("Churned at"),
    "annual_value": N_("Annual value"),
    "branch_name": N_("Branch name"),
    "region": N_("Region"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "fix_id": N_("Fix id"),
    "title": N_("Title"),
    "launched_at": N_("Launched at"),
    "owner": N_("Owner"),
    "(row)": N_("(whole row)"),
}
GRAIN_TITLES: dict[str, str] = {
    "day": N_("Tickets and surveys per day"),
    "week": N_("Tickets and surveys per week"),
    "month": N_("Tickets and surveys per month"),
}
SECTIONS: dict[str, str] = {
    "load": N_("Load extracts"),
    "rejects": N_("Rejected rows"),
    "history": N_("Load history"),
    "quality": N_("Data quality"),
}
NOT_KNOWN = N_("—")


def status_label(status: str | None) -> str:
    return _(STATUS_LABELS.get(status or "", status or NOT_KNOWN))


def kind_label(kind: str | None) -> str:
    """A kind in words; a load refused before its kind was known reads "—"."""
    if kind not in KIND_LABELS:
        return _(NOT_KNOWN)
    return _(KIND_LABELS[kind]).split("|", 1)[-1]


def field_label(name: str | None) -> str:
    if not name:
        return _(NOT_KNOWN)
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def _text(value: Any) -> str:
    return _(NOT_KNOWN) if value is None or value == "" else str(value)


def result_rows(results: list[dict[str, Any]]) -> pl.DataFrame:
    """The per-file table of a load (LoadResult.as_json() dicts) with translated headers."""
    return pl.DataFrame([{
        _("File"): r["file"],
        _("Status"): status_label(r["status"]),
        _("Kind"): kind_label(r.get("kind")),
        _("Profile"): _text(r.get("profile")),
        _("Rows read"): r["rows_read"],
        _("New"): r["new"],
        _("Updated"): r["updated"],
        _("Rejected"): r["rejected"],
        _("Skipped"): r.get("skipped", 0),
    } for r in results])


def result_message(r: dict[str, Any]) -> tuple[str, str]:
    """(level: error | info | warning | success, the sentence(s) to show) for one file.
    Messages of the loader are whole sentences already; they follow the counts."""
    status = r["status"]
    if status in ("refused", "failed"):
        return "error", r["message"]
    if status == "already_loaded":
        return "info", r["message"]
    counts = _("{file}: {new} new, {updated} updated, {rejected} rejected, {skipped} skipped."
               ).format(file=r["file"], new=format_number(r["new"]),
                        updated=format_number(r["updated"]),
                        rejected=format_number(r["rejected"]),
                        skipped=format_number(r.get("skipped", 0)))
    text = f"{counts} {r['message']}".strip() if r.get("message") else counts
    return ("warning" if r["rejected"] else "success"), text


def history_frame(loads: pl.DataFrame) -> pl.DataFrame:
    """A page of queries/loads.sql rows as the history table shows them."""
    return pl.DataFrame([{
        _("When"): format_datetime(r["started_at"]),
        _("File"): r["file_name"],
        _("Status"): status_label(r["status"]),
        _("Kind"): kind_label(r["kind"]),
        _("Profile"): _text(r["profile"]),
        _("Rows read"): r["rows_read"] or 0,
        _("New"): r["rows_new"] or 0,
        _("Updated"): r["rows_updated"] or 0,
        _("Rejected"): r["rows_rejected"] or 0,
        _("Skipped"): r["rows_skipped"] or 0,
        _("Accepted"): format_percent_value(r["accepted_pct"]),
        _("Who"): _text(r["loaded_by"]),
        _("Seconds"): round(r["duration_s"] or 0.0, 2),
        _("Checksum"): (r["checksum"] or "")[:12] or _(NOT_KNOWN),
        _("Message"): _text(r["message"]),
    } for r in loads.iter_rows(named=True)],
        schema_overrides={_("Seconds"): pl.Float64})


def rejects_frame(rejects: pl.DataFrame) -> pl.DataFrame:
    """A page of rejected rows with translated headers (the raw row as the file has it)."""
    return pl.DataFrame([{
        _("Extract"): r["extract"],
        _("Line"): r["line"],
        _("Column"): field_label(r["column"]),
        _("Reason"): r["reason"],
        _("Row as in the file"): _text(r["raw"]),
    } for r in rejects.iter_rows(named=True)],
        schema_overrides={_("Line"): pl.Int64})


def pages(total: int, rows: int) -> int:
    """How many pages `total` rows fill (at least 1)."""
    return max(1, -(-total // rows))


def rejects_caption(total: int, all_rows: int, page: int, n_pages: int) -> str:
    return _("{shown} of {total} rejected rows match · page {page} of {pages}").format(
        shown=format_number(total), total=format_number(all_rows), page=page, pages=n_pages)


def spelling_frame(spellings: pl.DataFrame) -> pl.DataFrame:
    """Spelling variants (value -> the spelling it probably is) and unusual channels."""
    return pl.DataFrame([{
        _("Column"): field_label(r["dimension"]),
        _("Value"): r["value"],
        _("Probably meant"): r["looks_like"] if r["looks_like"] is not None
        else _("(not a usual channel)"),
        _("Tickets"): r["tickets"],
    } for r in spellings.iter_rows(named=True)],
        schema={_("Column"): pl.String, _("Value"): pl.String, _("Probably meant"): pl.String,
                _("Tickets"): pl.Int64})


def null_rate_frame(null_rates: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame([{
        _("Table"): kind_label(r["kind"]),
        _("Column"): field_label(r["column"]),
        _("Empty"): format_percent_value(r["null_pct"]),
    } for r in null_rates.iter_rows(named=True)],
        schema={_("Table"): pl.String, _("Column"): pl.String, _("Empty"): pl.String})


def coverage_title(grain: str) -> str:
    return _(GRAIN_TITLES.get(grain, GRAIN_TITLES["day"]))


def coverage_gaps(coverage: pl.DataFrame) -> str | None:
    """One sentence on the periods without any ticket between the first and the last."""
    if coverage.height == 0:
        return None
    gaps = coverage.filter(pl.col("tickets") == 0)
    if gaps.height == 0:
        return None
    grain = coverage["grain"][0]
    sentence = {
        "day": _("{n} day(s) without any ticket between the first and the last, e.g. {examples}."),
        "week": _("{n} week(s) without any ticket between the first and the last, e.g. "
                  "the weeks of {examples}."),
        "month": _("{n} month(s) without any ticket between the first and the last, e.g. "
                   "{examples}."),
    }[grain]
    fmt = "%Y-%m" if grain == "month" else "%Y-%m-%d"
    return sentence.format(n=format_number(gaps.height),
                           examples=", ".join(d.strftime(fmt) for d in gaps["period"].head(5)))


def below_target_sentence(below: pl.DataFrame, target: str) -> str | None:
    if below.height == 0:
        return None
    return _("Loads below the {target} target: {loads}.").format(
        target=target, loads=", ".join(
            f"{r['file_name']} ({format_percent_value(r['accepted_pct'])})"
            for r in below.iter_rows(named=True)))
