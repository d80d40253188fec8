"""Reading CSV extracts at the edges: which encodings are read (extracts.md: UTF-8, UTF-8
with BOM, GBK, GB18030, UTF-16, detected -- over the whole file), blank lines (never rows)
and rows with a field more or less than the header (rejects, with their line and text) --
the same on every read path: in memory, walked with the csv module, large files sorted in
DuckDB and large files streamed through a profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.load import fast, read, run
from dashboard.load.run import LoadResult, load_file
from dashboard.warehouse import connect_reader
from queries.api import fetch_rejects
from tests.fixtures import data_state, run_cli
from tests.fixtures import warehouse_rows as table
from tests.fixtures import write_file as write

TICKETS = "ticket_id,channel,branch_id,category,created_at,subject"




def rejects(warehouse: Path) -> list[tuple]:
    """(line, column, reason, raw) of every reject, in line order."""
    con = connect_reader(warehouse)
    try:
        frame = fetch_rejects(con).sort("line")
    finally:
        con.close()
    return [(r["line"], r["column"], r["reason"], r["raw"]) for r in frame.iter_rows(named=True)]


def counts(result: LoadResult) -> tuple:
    """(status, rows read, new, rejected), after checking that every row is accounted for."""
    assert result.rows_read == result.new + result.updated + result.rejected + result.skipped
    return result.status, result.rows_read, result.new, result.rejected


def stream_small_files(monkeypatch) -> None:
    """Small files take the large-file paths, a few lines per chunk (boundaries matter)."""
    monkeypatch.setattr(read, "STREAM_FROM_BYTES", 0)
    monkeypatch.setattr(read, "CHUNK_BYTES", 100)
    monkeypatch.setattr(run, "BATCH_ROWS", 3)
    monkeypatch.setattr(fast, "REST_PAGE_LINES", 3)


# A profile whose layout is the native one, so a large plain file takes the streamed path
# through a profile (StreamedCsv batches) instead of the DuckDB sorting of native files.
SAME_NAMES_PROFILE = """name = "same-names"
kind = "tickets"
[[layout]]
when_columns = ["ticket_id", "created_at"]
[layout.columns]
ticket_id = "ticket_id"
channel = "channel"
branch_id = "branch_id"
category = "category"
created_at = "created_at"
subject = "subject"
"""

# the read paths, each with what makes a file take it
PATHS = ["in memory", "walked (quoted line break)", "large, native (DuckDB)",
         "large, through a profile"]


def load_by(path_name: str, tmp_path: Path, monkeypatch, lines: list[str],
            quoted_break: str = "", readable: bool = True,
            profile_text: str = SAME_NAMES_PROFILE) -> tuple[Path, LoadResult]:
    """Load the file of `lines` (joined by newlines, ending in one) the way `path_name`
    says; for the walked path the row `quoted_break` replaces the last row (the same row
    with a quoted line break in its subject)."""
    wh = tmp_path / "wh.duckdb"
    if path_name.startswith("walked"):
        lines = [*lines[:-1], quoted_break] if lines[-1] else [*lines[:-2], quoted_break, ""]
    f = write(tmp_path / "t.csv", "\n".join(lines) + "\n")
    profile = None
    if path_name.startswith("large"):
        stream_small_files(monkeypatch)
    if path_name.endswith("profile"):
        profile = str(write(tmp_path / "same.toml", profile_text))
    if path_name.startswith("large") and readable:
        # streamed as far as its header says (what DuckDB or polars then meet is the test)
        assert isinstance(read.open_extract(f), read.StreamedCsv)
    return wh, load_file(wh, f, profile=profile)


# --- 1. encodings: exactly the spec's, decided over the whole file ----------------------

@pytest.mark.parametrize("text,sql,expected", [
    # 28 bytes: too little text for a statistical guess (it read 张三 as Korean 蠟힛)
    ("customer_id,segment\nC1,张三\n", "select segment from customers", [("张三",)]),
    ("customer_id,segment,home_branch_id\nC1,零售,北京\nC2,贵宾,上海\n",
     "select segment, home_branch_id from customers order by 1 desc",
     [("零售", "北京"), ("贵宾", "上海")]),
    # sparse Chinese among ASCII (it read 电话 as Latin-1 µç»°)
    ("ticket_id,channel,branch_id,category,created_at\nG1,电话,分行,卡,2024-05-01 10:00:00\n",
     "select channel, branch_id, category from tickets", [("电话", "分行", "卡")]),
    # a name character whose second GBK byte is ASCII ('F')
    ("customer_id,segment\nC1,王镕\n", "select segment from customers", [("王镕",)]),
])
def test_a_short_or_sparse_gbk_file_is_read_as_gbk(tmp_path, text, sql, expected):
    wh = tmp_path / "wh.duckdb"
    result = load_file(wh, write(tmp_path / "gbk.csv", text, "gbk"))
    assert counts(result)[0] == "loaded", result.message
    assert table(wh, sql) == expected


def test_the_raw_row_of_a_gbk_reject_is_the_files_own_text(tmp_path):
    # semicolons, quotes, CRLF and quoted line breaks: the raw text is the file's, decoded
    # as GBK
    text = ('ticket_id;channel;branch_id;category;created_at;description\r\n'
            'G1;"web";B1;c;2024-05-01 10:00:00;"line one\r\nline two; with ""quotes"""\r\n'
            'G2;web;B1;c;bad date;"x"\r\n'
            'G3;"we\r\nb";B1;c;2024-05-01 10:00:00;"multi\r\nline"\r\n'
            'G4;web;;c;2024-05-01 10:00:00;"客户"\r\n')
    wh = tmp_path / "wh.duckdb"
    assert counts(load_file(wh, write(tmp_path / "raw.csv", text, "gbk"))) == (
        "loaded", 4, 2, 2)
    got = rejects(wh)
    # header line 1, G1 lines 2-3, G2 line 4, G3 lines 5-7, G4 line 8
    assert [(line, raw) for line, _c, _r, raw in got] == [
        (4, 'G2;web;B1;c;bad date;"x"'), (8, 'G4;web;;c;2024-05-01 10:00:00;"客户"')]


@pytest.mark.parametrize("content", [
    "ticket_id,channel,branch_id,category,created_at\nT1,web,B1,café,2024-05-01 10:00\n",
    "ticket_id,channel,branch_id,category,created_at\nT1,web,B1,Zoë,2024-05-01 10:00\n",
    # every accented letter here is followed by an ASCII letter, so the whole file is valid
    # GBK ("téléphone" -> "t閘閜hone"): refused all the same, all its two-byte characters
    # being rare extended ones (E9 6C, E9 70, E9 64, EA 74), none of the GB2312 area
    "ticket_id,channel,branch_id,category,created_at\n"
    "T1,téléphone,B1,crédit,2024-05-01 10:00\nT2,web,B1,prêt,2024-05-01 11:00\n",
])
def test_a_file_in_another_encoding_is_refused_and_changes_nothing(tmp_path, content):
    # Latin-1 is not one of the spec's encodings (and é or ë before a comma is not GBK either)
    wh = tmp_path / "wh.duckdb"
    load_file(wh, write(tmp_path / "good.csv", "ticket_id,channel,branch_id,category,"
                        "created_at\nT0,web,B1,x,2024-05-01 10:00\n"))
    before = data_state(wh)
    bad = write(tmp_path / "latin1.csv", content, "latin-1")
    code, _out, err = run_cli("load", str(bad), "--warehouse", str(wh), "--quiet")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith("latin1.csv: the text encoding could not be recognised")
    assert "save the file as UTF-8" in err
    assert data_state(wh) == before
    assert table(wh, "select status from loads where file_name = 'latin1.csv'") == [
        ("refused",)]


def test_a_bom_does_not_excuse_bytes_that_are_not_utf8(tmp_path):
    wh = tmp_path / "wh.duckdb"
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbfticket_id,channel,branch_id,category,created_at\n"
                  + "T1,电话,B1,x,2024-05-01 10:00\n".encode("gbk"))
    result = load_file(wh, f)
    assert result.status == "refused" and "encoding could not be recognised" in result.message


def test_a_file_cut_inside_a_character_is_refused_not_a_failure(tmp_path):
    # the last character lacks its last byte: not UTF-8, and E4 alone is not GB18030
    wh = tmp_path / "wh.duckdb"
    f = tmp_path / "cut.csv"
    f.write_bytes("customer_id,segment\nC1,零售\nC2,零售".encode()[:-1])
    result = load_file(wh, f)
    assert counts(result) == ("refused", 0, 0, 0)
    assert result.message.startswith("cut.csv: the text encoding could not be recognised")


def _late(last_row: str) -> str:
    """A file whose first non-ASCII byte comes after the first read.SAMPLE bytes."""
    header = "ticket_id,channel,branch_id,category,created_at,subject\n"
    row = "L{i},web,B1,billing,2024-05-01 10:00:00,plain ascii subject number {i}\n"
    n = read.SAMPLE // len(row.format(i=0)) + 1  # rows at least this long
    return header + "".join(row.format(i=i) for i in range(n)) + last_row


@pytest.mark.parametrize("large", [False, True])
def test_gbk_that_starts_after_the_first_bytes_is_read_as_gbk(tmp_path, monkeypatch, large):
    text = _late("L9999,电话,北京,信用卡,2024-05-01 10:00:00,重复扣款\n")
    f = write(tmp_path / "late.csv", text, "gbk")
    assert f.read_bytes()[:read.SAMPLE].isascii()
    if large:  # a file big enough to stream: found not UTF-8, so read in memory as GBK
        stream_small_files(monkeypatch)
    wh = tmp_path / "wh.duckdb"
    n = text.count("\n") - 1  # rows: every line but the header
    assert counts(load_file(wh, f)) == ("loaded", n, n, 0)
    assert table(wh, "select channel, branch_id, category, subject from tickets "
                     "where ticket_id = 'L9999'") == [("电话", "北京", "信用卡", "重复扣款")]


@pytest.mark.parametrize("large", [False, True])
def test_latin1_that_starts_after_the_first_bytes_is_refused_not_a_failure(
        tmp_path, monkeypatch, large):
    f = write(tmp_path / "late.csv", _late("LX,web,B1,café,2024-05-01 10:00:00,x\n"),
              "latin-1")
    if large:
        stream_small_files(monkeypatch)
    wh = tmp_path / "wh.duckdb"
    result = load_file(wh, f)
    assert counts(result) == ("refused", 0, 0, 0)
    assert result.message.startswith("late.csv: the text encoding could not be recognised")
    assert table(wh, "select count(*) from tickets") == [(0,)]


@pytest.mark.parametrize("encoding,text", [
    ("utf-8", "customer_id,segment\nC1,零售银行\nC2,王镕\n"),
    ("gbk", "customer_id,segment\nC1,零售银行\nC2,王镕\n"),   # 镕 is E9 'F' in GBK
    # ß is 81 '0' 89 '8' in GB18030: two of its four bytes are ASCII digits
    ("gb18030", "customer_id,segment\nC1,零售银行\nC2,王镕ß\n"),
])
@pytest.mark.parametrize("check_bytes", [1, 2, 7])
def test_a_character_cut_by_the_encoding_check_is_completed_by_the_next_piece(
        tmp_path, monkeypatch, encoding, text, check_bytes):
    # the check reads the file a few bytes at a time: a character is cut between pieces,
    # and an ASCII piece can be the second byte of a GBK character
    monkeypatch.setattr(read, "CHECK_BYTES", check_bytes)
    f = write(tmp_path / "c.csv", text, encoding)
    assert read._detect_encoding(f) == ("utf-8" if encoding == "utf-8" else "gb18030")
    wh = tmp_path / "wh.duckdb"
    assert counts(load_file(wh, f)) == ("loaded", 2, 2, 0)
    assert table(wh, "select segment from customers order by customer_id") == [
        ("零售银行",), (text.split(",")[-1].strip(),)]


@pytest.mark.parametrize("raw,expected", [
    (b"\xef\xbb\xbfa,b\n1,2\n", "utf-8-sig"),
    ("a,b\n1,2\n".encode("utf-16"), "utf-16"),
    ("a,b\n1,2\n".encode("utf-16-le"), "utf-16-le"),
    ("a,b\n1,2\n".encode("utf-16-be"), "utf-16-be"),
    ("a,b\n1,电话\n".encode(), "utf-8"),
    ("a,b\n1,电话\n".encode("gb18030"), "gb18030"),
    ("a,b\n1,ß\n".encode("gb18030"), "gb18030"),   # a four-byte GB18030 sequence
])
def test_the_encoding_is_one_of_the_specs(tmp_path, raw, expected):
    f = tmp_path / "e.csv"
    f.write_bytes(raw)
    assert read._detect_encoding(f) == expected


def test_a_large_plain_utf8_file_still_takes_the_streamed_path(tmp_path, monkeypatch):
    stream_small_files(monkeypatch)
    f = write(tmp_path / "t.csv", TICKETS + "\n"
              + "".join(f"T{i},微信,B1,账单,2024-05-01 10:00:00,x\n" for i in range(20)))
    assert isinstance(read.open_extract(f), read.StreamedCsv)


# --- 2. blank lines are never rows ------------------------------------------------------

def test_a_trailing_blank_line_is_not_a_row(tmp_path):
    wh = tmp_path / "wh.duckdb"
    f = write(tmp_path / "t.csv", "ticket_id,channel,branch_id,category,created_at\n"
              "T1,web,B1,c,2024-05-01 10:00:00\n\n")
    assert counts(load_file(wh, f)) == ("loaded", 1, 1, 0)


BLANK_LINES = [
    TICKETS,                                      # line 1
    "",                                           # line 2: empty
    "T1,web,B1,c,2024-05-01 10:00:00,hello",      # line 3
    "   \t",                                      # line 4: white space only
    "T2,web,B1,c,bad,x",                          # line 5: a reject
    "T3,web,B1,c,2024-05-01 11:00:00,y",          # line 6
    "",                                           # line 7: a trailing blank line
]


@pytest.mark.parametrize("path_name", PATHS)
def test_blank_lines_are_not_rows_on_any_read_path(tmp_path, monkeypatch, path_name):
    wh, result = load_by(path_name, tmp_path, monkeypatch, BLANK_LINES,
                         quoted_break='T3,web,B1,c,2024-05-01 11:00:00,"y\nz"')
    # rows T1, T2, T3: T2 rejected on its own line, 5
    assert counts(result) == ("loaded", 3, 2, 1)
    ((line, column, _reason, raw),) = rejects(wh)
    assert (line, column, raw) == (5, "created_at", "T2,web,B1,c,bad,x")


@pytest.mark.parametrize("position", range(1, 7))
def test_a_blank_line_anywhere_in_a_streamed_file_is_not_a_row(
        tmp_path, monkeypatch, position):
    # chunks of about 100 bytes: the blank line is first, last or inside one of them
    lines = [f"T{i},web,B1,c,2024-05-01 10:00:00,subject {i}" for i in range(8)]
    lines.insert(position, "")
    wh, result = load_by("large, through a profile", tmp_path, monkeypatch,
                         [TICKETS, *lines])
    assert counts(result) == ("loaded", 8, 8, 0)
    assert table(wh, "select count(*) from tickets") == [(8,)]


CUSTOMER_IDS_PROFILE = """name = "ids"
kind = "customers"
[[layout]]
when_columns = ["customer_id"]
[layout.columns]
customer_id = "customer_id"
"""


@pytest.mark.parametrize("path_name", [p for p in PATHS if not p.startswith("walked")])
@pytest.mark.parametrize("blank", ["", "  ", "\t"])
def test_blank_lines_of_a_one_column_file_are_not_rows(
        tmp_path, monkeypatch, path_name, blank):
    # one column: no delimiter tells a blank line from a row, white space alone does
    lines = ["customer_id", "C1", blank, "C2", blank, "C3"]
    wh, result = load_by(path_name, tmp_path, monkeypatch, lines,
                         profile_text=CUSTOMER_IDS_PROFILE)
    assert counts(result) == ("loaded", 3, 3, 0)
    assert table(wh, "select customer_id from customers order by 1") == [
        ("C1",), ("C2",), ("C3",)]


def test_a_line_of_empty_fields_is_a_row_not_a_blank_line(tmp_path):
    # a delimiter makes fields, even empty ones: a row, rejected for its empty key
    wh = tmp_path / "wh.duckdb"
    f = write(tmp_path / "t.tsv", "ticket_id\tchannel\tbranch_id\tcategory\tcreated_at\n"
              "\t\t\t\t\n"
              "T1\tweb\tB1\tc\t2024-05-01 10:00:00\n")
    assert counts(load_file(wh, f)) == ("loaded", 2, 1, 1)
    (line, column, _reason, raw), = rejects(wh)
    assert (line, column, raw) == (2, "ticket_id", "\t\t\t\t")


# --- 3. a row with a field more or less than the header is a reject ---------------------

SHORT_AND_LONG = [
    TICKETS,
    "S1,web,B1,c,2024-05-01 10:00:00,hello",          # line 2
    "S2,web,B1,c,2024-05-01 10:00:00",                # line 3: 5 fields
    "S3,web,B1,c,2024-05-01 10:00:00,x,extra",        # line 4: 7 fields
    "S4,web,B1,c,2024-05-01 10:00:00,",               # line 5: 6 fields, the last empty
    "S5,web,B1,c,2024-05-01 10:00:00,y",              # line 6
]


SHORT = (3, "(row)", "the row has 5 fields, the header has 6", "S2,web,B1,c,2024-05-01 10:00:00")
LONG = (4, "(row)", "the row has 7 fields, the header has 6",
        "S3,web,B1,c,2024-05-01 10:00:00,x,extra")


@pytest.mark.parametrize("path_name", PATHS)
@pytest.mark.parametrize("with_long", [False, True])
def test_a_row_with_a_field_more_or_less_is_rejected_on_every_read_path(
        tmp_path, monkeypatch, path_name, with_long):
    # (polars pads a short row with nulls but refuses a long one: with no long row, the
    # short one is the only sign)
    lines = SHORT_AND_LONG if with_long else [
        *SHORT_AND_LONG[:3], "S3,web,B1,c,2024-05-01 10:00:00,x", *SHORT_AND_LONG[4:]]
    wh, result = load_by(path_name, tmp_path, monkeypatch, lines,
                         quoted_break='S5,web,B1,c,2024-05-01 10:00:00,"y\nz"')
    if with_long:   # S1, S4, S5 loaded
        assert counts(result) == ("loaded", 5, 3, 2) and rejects(wh) == [SHORT, LONG]
    else:           # S1, S3, S4, S5 loaded
        assert counts(result) == ("loaded", 5, 4, 1) and rejects(wh) == [SHORT]
    assert table(wh, "select ticket_id, subject from tickets where ticket_id in ('S1', 'S4') "
                     "order by 1") == [("S1", "hello"), ("S4", None)]


@pytest.mark.parametrize("position", range(1, 7))
def test_a_short_row_anywhere_in_a_streamed_file_is_rejected(tmp_path, monkeypatch, position):
    # chunks of about 100 bytes: the short row is first (where polars takes the number
    # of columns from it), last or inside one of them
    lines = [f"T{i},web,B1,c,2024-05-01 10:00:00,subject {i}" for i in range(8)]
    lines.insert(position, "TS,web,B1,c,2024-05-01 10:00:00")
    wh, result = load_by("large, through a profile", tmp_path, monkeypatch,
                         [TICKETS, *lines])
    assert counts(result) == ("loaded", 9, 8, 1)
    assert rejects(wh) == [(position + 2, "(row)", "the row has 5 fields, the header has 6",
                            "TS,web,B1,c,2024-05-01 10:00:00")]


def test_a_short_row_with_a_quoted_delimiter_is_counted_by_its_fields(tmp_path):
    # "c, d" is one field: S1 has 5 fields although its line holds 5 commas
    wh = tmp_path / "wh.duckdb"
    f = write(tmp_path / "t.csv", TICKETS + "\n"
              'S1,web,B1,"c, d",2024-05-01 10:00:00\n'
              'S2,web,B1,"c, d",2024-05-01 10:00:00,"e, ""f"""\n')
    assert counts(load_file(wh, f)) == ("loaded", 2, 1, 1)
    assert rejects(wh) == [(2, "(row)", "the row has 5 fields, the header has 6",
                            'S1,web,B1,"c, d",2024-05-01 10:00:00')]
    assert table(wh, "select ticket_id, category, subject from tickets") == [
        ("S2", "c, d", 'e, "f"')]


@pytest.mark.parametrize("path_name", ["in memory", "large, native (DuckDB)"])
def test_a_short_last_row_still_refuses_the_file_as_cut_short(
        tmp_path, monkeypatch, path_name):
    wh, result = load_by(path_name, tmp_path, monkeypatch,
                         [TICKETS, "S1,web,B1,c,2024-05-01 10:00:00,x", "S2,web,B1"],
                         readable=False)
    assert counts(result) == ("refused", 0, 0, 0)
    assert "last line is cut short" in result.message


@pytest.mark.parametrize("path_name", ["in memory", "large, native (DuckDB)"])
def test_blank_lines_before_the_header_are_skipped(tmp_path, monkeypatch, path_name):
    # (a blank first line was taken for an empty header, and the load failed)
    lines = ["", " ", "ticket_id,channel,branch_id,category,created_at",   # header: line 3
             "T1,web,B1,c,2024-05-01 10:00:00", "T2,web,B1,c,soon"]        # lines 4, 5
    wh, result = load_by(path_name, tmp_path, monkeypatch, lines, readable=False)
    assert counts(result) == ("loaded", 2, 1, 1)
    assert [(line, raw) for line, _c, _r, raw in rejects(wh)] == [(5, "T2,web,B1,c,soon")]


def test_chinese_gbk_with_a_rare_character_is_still_read_as_gbk(tmp_path):
    # 镕 (E9 46) and 丂 (81 40) are extended GBK characters with an ASCII trail byte, like a
    # misread Latin-1 letter; 7 common characters (both bytes >= A1) outnumber them
    wh = tmp_path / "wh.duckdb"
    text = ("customer_id,segment,home_branch_id\n"
            "C1,零售银行,王镕\nC2,私人,丂\n")
    assert counts(load_file(wh, write(tmp_path / "rare.csv", text, "gbk")))[:2] == (
        "loaded", 2)
    assert table(wh, "select segment, home_branch_id from customers order by customer_id") \
        == [("零售银行", "王镕"), ("私人", "丂")]
