"""Tables as CSV and XLSX downloads, with a header block and spreadsheet-safe cells.

Every download starts with a header block (title, the filters in words, as_of, when it
was made), a blank row, then the table. Cells are made safe for spreadsheets by OWASP's
CSV-injection rule: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading single quote, so Excel, LibreOffice or Sheets show it as
text and never run it as a formula. Numbers stay numbers (a negative number is a number,
not text starting with ``-``). XLSX is written by xlsxwriter with formulas and URLs in
strings switched off, so a string is always stored as a string.

Free text is masked before it gets here (dashboard.masking): exports take the frames the
page shows.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
import xlsxwriter

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


# Spreadsheets in Chinese and Japanese locales read the full-width forms as the ASCII
# ones (＝1+1 becomes a formula), and some importers trim leading spaces and line breaks
# first (" =1+1" then starts with "="): those are escaped too.
_DANGEROUS_ANY = (*DANGEROUS_FIRST, "＝", "＋", "－", "＠")
_LEADING_BLANKS = " \n\u3000"


def escape_cell(value: Any) -> Any:
    """A cell safe for a spreadsheet: text starting with = + - @ tab or CR (or their
    full-width forms, or any of them after leading spaces or line breaks) gets a leading
    quote; numbers, booleans, dates and None are returned unchanged."""
    if isinstance(value, str) and (value.startswith(DANGEROUS_FIRST) or
                                   value.lstrip(_LEADING_BLANKS).startswith(_DANGEROUS_ANY)):
        return "'" + value
    return value


def _cell_text(value: Any) -> str:
    """How a value is written into CSV (after escaping)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_cell_text(v) for v in value)
    return str(escape_cell(value))


def _rows(frame: pl.DataFrame, headers: Sequence[str] | None) -> tuple[list[str], list[tuple]]:
    names = list(headers) if headers is not None else frame.columns
    if len(names) != frame.width:
        raise ValueError(f"{len(names)} headers for {frame.width} columns")
    return names, frame.rows()


def to_csv(frame: pl.DataFrame, header_block: Sequence[tuple[str, str]] = (),
           headers: Sequence[str] | None = None) -> bytes:
    """UTF-8 CSV with a BOM (Excel opens Chinese text right): header block rows
    (label, value), a blank row, the column headers, the rows. Every text cell escaped."""
    names, rows = _rows(frame, headers)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for label, value in header_block:
        writer.writerow([_cell_text(label), _cell_text(value)])
    if header_block:
        writer.writerow([])
    writer.writerow([_cell_text(n) for n in names])
    for row in rows:
        writer.writerow([_cell_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(frame: pl.DataFrame, header_block: Sequence[tuple[str, str]] = (),
            headers: Sequence[str] | None = None, sheet: str = "data") -> bytes:
    """An .xlsx workbook (xlsxwriter): header block, blank row, bold headers, rows. Numbers
    as numbers, timestamps as Excel dates, text as text (escaped; never a formula)."""
    names, rows = _rows(frame, headers)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    for label, value in header_block:
        ws.write_string(r, 0, str(escape_cell(label)), bold)
        ws.write_string(r, 1, _cell_text(value))
        r += 1
    if header_block:
        r += 1
    for c, name in enumerate(names):
        ws.write_string(r, c, str(escape_cell(name)), bold)
    widths = [min(max(len(str(n)), 8), 50) for n in names]
    for row in rows:
        r += 1
        for c, value in enumerate(row):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                ws.write_blank(r, c, None)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif isinstance(value, datetime):
                ws.write_datetime(r, c, value, stamp)
            elif isinstance(value, date):
                ws.write_datetime(r, c, datetime.combine(value, datetime.min.time()), day)
            else:
                text = _cell_text(value)
                ws.write_string(r, c, text)
                widths[c] = min(max(widths[c], len(text)), 50)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width + 2)
    book.close()
    return out.getvalue()


def header_block(title: str, filters_text: str, as_of_text: str, extra: Sequence[str] = ()
                 ) -> list[tuple[str, str]]:
    """The rows a download starts with (labels translated by the caller)."""
    from dashboard.i18n import _

    rows = [(_("Table"), title), (_("Filters"), filters_text), (_("As of"), as_of_text)]
    if extra:
        rows.append((_("Selection"), " · ".join(extra)))
    rows.append((_("Exported"), datetime.now().strftime("%Y-%m-%d %H:%M")))
    return rows
