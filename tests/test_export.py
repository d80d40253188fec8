"""Downloads: CSV and XLSX with a header block; spreadsheet formulas never run (OWASP)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime

import polars as pl
import pytest

from dashboard.export import escape_cell, to_csv, to_xlsx

NASTY = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR",
         "=HYPERLINK(\"http://evil\",\"x\")", "=cmd|' /C calc'!A0", "plain", "中文 =1"]


@pytest.mark.parametrize("text", NASTY[:8])
def test_a_text_starting_with_a_formula_character_gets_a_leading_quote(text):
    assert escape_cell(text) == "'" + text


def test_other_text_and_numbers_stay_as_they_are():
    assert escape_cell("plain") == "plain"
    assert escape_cell("中文 =1") == "中文 =1"  # only the first character matters
    assert escape_cell(-5) == -5               # a negative number is a number
    assert escape_cell(-2.5) == -2.5
    assert escape_cell(None) is None


def frame() -> pl.DataFrame:
    return pl.DataFrame({"text": NASTY, "n": list(range(-5, 5)),
                         "x": [-1.5] * 10,
                         "at": [datetime(2026, 3, 31, 18, 4)] * 10})


def read_csv(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")  # BOM: Excel opens Chinese text right
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_the_header_block_then_the_escaped_table():
    block = [("Filters", "Channel: =phone"), ("As of", "2026-03-31 18:04")]
    rows = read_csv(to_csv(frame(), block, ["Text", "N", "X", "At"]))
    # header block, escaped too (a filter value could start with '=')
    assert rows[0] == ["Filters", "Channel: =phone"]
    assert rows[1] == ["As of", "2026-03-31 18:04"]
    assert rows[2] == []
    assert rows[3] == ["Text", "N", "X", "At"]
    body = rows[4:]
    assert [r[0] for r in body] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tTAB", "'\rCR",
                                    "'=HYPERLINK(\"http://evil\",\"x\")",
                                    "'=cmd|' /C calc'!A0", "plain", "中文 =1"]
    # numbers stay numbers: -5 is written as -5, not '-5
    assert [r[1] for r in body][:2] == ["-5", "-4"]
    assert body[0][2] == "-1.5"
    assert body[0][3] == "2026-03-31 18:04:00"


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def xlsx_cells(data: bytes) -> dict[str, tuple[str, str | None, bool]]:
    """Read the first sheet's XML: cell ref -> (type, value as text, has a formula)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        shared = [si.findtext("m:t", namespaces=NS) or ""
                  for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    out = {}
    for c in sheet.iter(f"{{{NS['m']}}}c"):
        kind = c.get("t", "n")
        v = c.findtext("m:v", namespaces=NS)
        if kind == "s" and v is not None:
            v = shared[int(v)]
        out[c.get("r")] = (kind, v, c.find("m:f", NS) is not None)
    return out


def test_xlsx_keeps_numbers_as_numbers_and_never_stores_a_formula():
    data = to_xlsx(frame(), [("Filters", "=evil()")], ["Text", "N", "X", "At"])
    cells = xlsx_cells(data)
    assert cells["A1"][1] == "Filters" and cells["B1"][1] == "'=evil()"
    # row 2 blank, row 3 the headers, rows 4.. the table
    assert [cells[f"{c}3"][1] for c in "ABCD"] == ["Text", "N", "X", "At"]
    assert cells["A4"] == ("s", "'=1+1", False)
    assert cells["A6"] == ("s", "'-2+3", False)
    # -5 and -1.5 are numeric cells (type n), not strings
    assert cells["B4"] == ("n", "-5", False)
    assert cells["C4"] == ("n", "-1.5", False)
    # the timestamp is an Excel date number (2026-03-31 18:04 = serial 46112.7527...)
    kind, value, _f = cells["D4"]
    assert kind == "n" and value is not None and value.startswith("46112.75")
    # no cell of the sheet holds a formula
    assert not any(f for _k, _v, f in cells.values())
    assert not re.search(rb"<f>", zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml"))


def test_a_header_count_that_does_not_match_the_columns_is_refused():
    with pytest.raises(ValueError):
        to_csv(frame(), (), ["only one"])


@pytest.mark.parametrize("text", [" =1+1", "\n=1+1", "  @SUM(A1)", "＝1+1", "＋86 138", "－2",
                                  "＠cmd", "\u3000=1+1"])
def test_full_width_forms_and_formulas_after_leading_blanks_are_escaped_too(text):
    # CJK spreadsheets read ＝ as =, and importers that trim blanks first turn " =1+1"
    # into a formula; both used to pass through unescaped
    assert escape_cell(text) == "'" + text


def test_text_with_a_formula_character_later_on_stays_as_it_is():
    assert escape_cell("a ＝ b") == "a ＝ b"
    assert escape_cell(" plain") == " plain"
