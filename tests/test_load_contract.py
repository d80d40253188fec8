"""The load contract of cli.md (`load --json`) and extracts.md, point by point."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard.load.run import load_file
from tests.fixtures import run_cli
from tests.fixtures import warehouse_rows as table
from tests.fixtures import write_file as write

NATIVE_HEADER = "ticket_id,channel,branch_id,category,created_at"




def load_json(*args: str) -> tuple[int, dict, str]:
    """`cxdash load ARGS --json` for one file: (exit code, its object, stderr)."""
    code, out, err = run_cli("load", *args, "--json")
    (result,) = json.loads(out)
    return code, result, err


@pytest.fixture
def wh(tmp_path) -> Path:
    return tmp_path / "wh.duckdb"


# --- 1. only loaded / already_loaded / refused ---------------------------------------------

def test_a_folder_given_as_the_file_is_refused_up_front_in_one_sentence(tmp_path, wh):
    folder = tmp_path / "exports"
    folder.mkdir()
    code, r, err = load_json(str(folder), "--warehouse", str(wh))
    assert code == 1 and r["status"] == "refused"
    assert (r["kind"], r["profile"], r["rows_read"]) == (None, None, 0)
    assert r["message"] == (f"{folder} is a folder, not a file; name the extract files in it "
                            f"instead (for example {folder / '*.csv'}).")
    assert err.strip() == r["message"]
    # refused, not failed: the path was the problem, not the loader
    assert table(wh, "select file_name, status from loads") == [("exports", "refused")]


@pytest.mark.timeout(60)  # reading a pipe with no writer would block: it must not be read
def test_a_pipe_is_refused_without_being_read(tmp_path, wh):
    pipe = tmp_path / "extract.csv"
    os.mkfifo(pipe)
    r = load_file(wh, pipe)
    assert r.status == "refused"
    assert r.message == (f"{pipe} is not a regular file (a pipe or a device); save the "
                         "extract as a file and load that.")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_file_that_may_not_be_read_is_refused_up_front(tmp_path, wh):
    f = write(tmp_path / "t.csv", f"{NATIVE_HEADER}\nT1,web,B1,x,2024-05-01 10:00\n")
    f.chmod(0)
    try:
        r = load_file(wh, f)
    finally:
        f.chmod(0o644)
    assert r.status == "refused" and r.message.startswith(f"{f}: the file cannot be opened (")


def test_an_unexpected_error_is_a_refusal_in_json_and_a_failure_in_the_history(
        tmp_path, wh, monkeypatch):
    from dashboard.load import run
    from dashboard.views import data as view
    from queries.api import fetch_loads

    def broken(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(run, "_write", broken)
    f = write(tmp_path / "u.csv", f"{NATIVE_HEADER}\nT2,web,B1,x,2024-05-01 10:00\n")
    code, r, err = load_json(str(f), "--warehouse", str(wh))
    assert code == 1 and r["status"] == "refused"
    assert (r["kind"], r["profile"]) == ("tickets", "native")
    assert r["message"].startswith("u.csv: the load failed and changed nothing (OSError: No "
                                   "space left on device). Try again;")
    assert len(err.strip().splitlines()) == 1 and err.strip() == r["message"]
    assert table(wh, "select count(*) from tickets") == [(0,)]
    # the history keeps telling an unexpected error from a bad file
    assert table(wh, "select status, kind, profile from loads") == [
        ("failed", "tickets", "native")]
    # the Data page shows the result as an error with its sentence, the history as Failed
    assert view.result_message(r) == ("error", r["message"])
    con = duckdb.connect(str(wh), read_only=True)
    try:
        history = view.history_frame(fetch_loads(con))
    finally:
        con.close()
    assert history["Status"].to_list() == ["Failed"]


# --- 2. a refusal names the kind and profile that would have been used ---------------------

SN_HEADER = ("number,incident_state,opened_at,sys_mod_count,contact_type,priority,"
             "assignment_group,category,caller_id,resolved_at,closed_at,reopen_count,"
             "assigned_to")


@pytest.mark.parametrize("name,content,args,kind,profile", [
    # refused by the reader (no rows / a cut last line), after its header was read
    ("header_only.csv", f"{NATIVE_HEADER}\n", (), "tickets", "native"),
    ("cut.csv", f"{NATIVE_HEADER}\nT1,web,B1,x,2024-05-01 10:00\nT2,web,B1\n", (),
     "tickets", "native"),
    ("surveys_only_header.csv", "survey_id,ticket_id,responded_at,csat\n", (),
     "surveys", "native"),
    ("sn_header_only.csv", f"{SN_HEADER}\n", (), "tickets", "servicenow"),
    ("given_native.csv", f"{NATIVE_HEADER}\n", ("--profile", "native"), "tickets", "native"),
    ("given_kind.csv", f"{NATIVE_HEADER}\n", ("--kind", "tickets"), "tickets", "native"),
    # refused while planning, after the kind was detected: 'channel' twice
    ("two_channels.csv", f"{NATIVE_HEADER},channel\nH1,web,B1,c,2024-05-01 10:00,app\n", (),
     "tickets", "native"),
    # an unknown profile: --kind is what would have been used; without it nothing is known
    ("t.csv", f"{NATIVE_HEADER}\nT1,web,B1,x,2024-05-01 10:00\n",
     ("--profile", "nope", "--kind", "tickets"), "tickets", "nope"),
    ("t.csv", f"{NATIVE_HEADER}\nT1,web,B1,x,2024-05-01 10:00\n", ("--profile", "nope"),
     None, "nope"),
    # no header at all: nothing can be named
    ("empty.csv", "", (), None, None),
])
def test_a_refusal_names_the_kind_and_profile_it_would_have_used(
        tmp_path, wh, name, content, args, kind, profile):
    f = write(tmp_path / name, content)
    code, r, _err = load_json(str(f), *args, "--warehouse", str(wh))
    assert code == 1 and r["status"] == "refused"
    assert (r["kind"], r["profile"]) == (kind, profile)
    # the load history names them too
    assert table(wh, "select kind, profile from loads") == [(kind, profile)]


def test_a_parquet_or_workbook_without_rows_names_the_kind_from_its_header(tmp_path, wh):
    schema = {c: pl.String for c in ("survey_id", "ticket_id", "responded_at", "csat")}
    pl.DataFrame(schema=schema).write_parquet(tmp_path / "s.parquet")
    r = load_file(wh, tmp_path / "s.parquet")
    assert (r.status, r.kind, r.profile) == ("refused", "surveys", "native")
    pl.DataFrame(schema={c: pl.String for c in NATIVE_HEADER.split(",")}).write_excel(
        tmp_path / "t.xlsx")
    r = load_file(wh, tmp_path / "t.xlsx")
    assert (r.status, r.kind, r.profile) == ("refused", "tickets", "native")
    assert "no data" in r.message


def test_a_refused_file_whose_header_lies_below_a_banner_names_that_profile(
        tmp_path, wh, monkeypatch):
    from dashboard.load import profiles, run

    banner = profiles.parse_profile(
        'name = "banner"\nkind = "surveys"\nskip_rows = 2\n[[layout]]\n'
        'when_columns = ["Ref", "When"]\n[layout.columns]\nsurvey_id = "Ref"\n'
        'ticket_id = "Case"\nresponded_at = "When"\ncsat = "Score"\n')
    shipped = {**profiles.shipped_profiles(), "banner": banner}
    monkeypatch.setattr(run, "shipped_profiles", lambda: shipped)
    f = write(tmp_path / "b.csv", "Survey export\nMay 2024\nRef,Case,When,Score\n")
    r = load_file(wh, f)
    assert (r.status, r.kind, r.profile) == ("refused", "surveys", "banner")
    assert "no rows" in r.message


# --- 3. keep_last: the last row of a key decides ------------------------------------------

def sn_row(number: str, state: str, category: str, resolved: str = "?") -> str:
    return (f"{number},{state},01/05/2024 10:00,0,Phone,3 - Moderate,G1,{category},"
            f"Caller 1,{resolved},?,0,?")


def test_keep_last_skips_a_keys_earlier_rows_when_its_last_row_is_rejected(tmp_path, wh):
    first = write(tmp_path / "first.csv", f"{SN_HEADER}\n{sn_row('INC1', 'New', 'first')}\n")
    assert load_file(wh, first).new == 1
    log = write(tmp_path / "log.csv", "\n".join([
        SN_HEADER,
        sn_row("INC1", "New", "stale"),                            # line 2: earlier, skipped
        sn_row("INC1", "Resolved", "net", "01/05/2024 09:00"),     # line 3: last, rejected
        sn_row("INC2", "New", "net"),                              # line 4: earlier, skipped
        sn_row("INC2", "Closed", "net", "02/05/2024 09:00"),       # line 5: last, loaded
    ]) + "\n")
    r = load_file(wh, log)  # servicenow, detected from the header
    assert (r.profile, r.status) == ("servicenow", "loaded")
    # 4 read = 1 new (INC2) + 0 updated + 1 rejected (line 3) + 2 skipped (lines 2 and 4)
    assert (r.rows_read, r.new, r.updated, r.rejected, r.skipped) == (4, 1, 0, 1, 2)
    # INC1 keeps what the warehouse had, not the log's stale New row
    assert table(wh, "select ticket_id, status, category from tickets order by 1") == [
        ("INC1", "open", "first"), ("INC2", "closed", "net")]
    assert table(wh, "select line, \"column\" from rejects") == [(3, "resolved_at")]
    assert table(wh, "select rows_read, rows_new, rows_rejected, rows_skipped from loads "
                     "where file_name = 'log.csv'") == [(4, 1, 1, 2)]


def test_keep_last_skips_an_earlier_row_that_would_be_rejected(tmp_path, wh):
    log = write(tmp_path / "log.csv", "\n".join([
        SN_HEADER,
        sn_row("INC7", "New", "net").replace("01/05/2024 10:00", "not a date"),  # skipped
        sn_row("INC7", "Resolved", "net", "01/05/2024 11:00"),                   # loaded
    ]) + "\n")
    r = load_file(wh, log)
    # 2 read = 1 new + 0 rejected + 1 skipped: an earlier row of a key is never a reject
    assert (r.rows_read, r.new, r.rejected, r.skipped) == (2, 1, 0, 1)
    assert table(wh, "select count(*) from rejects") == [(0,)]


def test_keep_last_judges_a_key_across_the_batches_of_a_streamed_file(
        tmp_path, wh, monkeypatch):
    from dashboard.load import read, run

    monkeypatch.setattr(read, "STREAM_FROM_BYTES", 0)  # stream even a small file
    monkeypatch.setattr(run, "BATCH_ROWS", 2)          # lines 2-3, 4-5, 6-7 per batch
    log = write(tmp_path / "log.csv", "\n".join([
        SN_HEADER,
        sn_row("INC1", "New", "net"),                            # line 2: skipped
        sn_row("INC2", "New", "net"),                            # line 3: loaded
        sn_row("INC3", "New", "net"),                            # line 4: skipped
        sn_row("INC3", "Closed", "net", "02/05/2024 09:00"),     # line 5: loaded
        sn_row("INC4", "New", "net"),                            # line 6: loaded
        sn_row("INC1", "Resolved", "net", "01/05/2024 09:00"),   # line 7: rejected
    ]) + "\n")
    r = load_file(wh, log)
    # 6 read = 3 new (INC2, INC3, INC4) + 1 rejected (line 7) + 2 skipped (lines 2, 4)
    assert (r.rows_read, r.new, r.rejected, r.skipped) == (6, 3, 1, 2)
    assert table(wh, "select ticket_id from tickets order by 1") == [
        ("INC2",), ("INC3",), ("INC4",)]


# --- 4. a workbook's sheet: the one read, named or not ---------------------------------------

def _workbook(path: Path) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    tickets = book.add_worksheet("Tickets")           # the first sheet
    tickets.write_row(0, 0, NATIVE_HEADER.split(","))
    tickets.write_row(1, 0, ["X1", "app", "B1", "billing", "2024-05-01 10:00:00"])
    customers = book.add_worksheet("Customers")
    customers.write_row(0, 0, ["customer_id", "segment"])
    customers.write_row(1, 0, ["C1", "retail"])
    book.close()
    return path


def test_naming_the_first_sheet_loads_the_same_extract_as_naming_none(tmp_path, wh):
    book = _workbook(tmp_path / "book.xlsx")
    assert load_file(wh, book).status == "loaded"
    again = load_file(wh, book, sheet="Tickets")
    assert (again.status, again.kind, again.profile) == ("already_loaded", "tickets", "native")
    # the other sheet is another extract
    assert load_file(wh, book, sheet="Customers").status == "loaded"
    assert load_file(wh, book, sheet="Customers").status == "already_loaded"


def test_the_first_sheet_named_first_then_not_is_the_same_extract(tmp_path, wh):
    book = _workbook(tmp_path / "book.xlsx")
    assert load_file(wh, book, sheet="Tickets").status == "loaded"
    assert load_file(wh, book).status == "already_loaded"


def test_a_workbook_audited_before_sheets_were_named_is_still_already_loaded(tmp_path, wh):
    from dashboard.warehouse import write_transaction

    book = _workbook(tmp_path / "book.xlsx")
    load_file(wh, book)
    with write_transaction(wh) as con:  # as loads of the first sheet were audited before
        con.execute("update loads set checksum = split_part(checksum, '#', 1)")
    assert load_file(wh, book, sheet="Tickets").status == "already_loaded"
    assert load_file(wh, book, sheet="Customers").status == "loaded"


# --- 5. a profile's refusal names the extract, the problem and what to do -------------------

def test_an_unknown_profile_is_refused_naming_the_file(tmp_path, wh):
    f = write(tmp_path / "t.csv", f"{NATIVE_HEADER}\nT1,web,B1,x,2024-05-01 10:00\n")
    code, r, err = load_json(str(f), "--profile", "nope", "--warehouse", str(wh))
    assert code == 1
    assert r["message"].startswith("t.csv: there is no profile 'nope': use one of ")
    assert r["message"].endswith(" or the path of a .toml profile.")
    assert err.strip() == r["message"]


@pytest.mark.parametrize("toml,message", [
    ('name = "x"\nkind = \n', "t.csv: the profile bad.toml is not valid TOML: "),
    ('name = "x"\nkind = "tickets"\n',
     "t.csv: the profile bad.toml has no [[layout]]; add one with when_columns and the "
     "columns it maps."),
    ('name = "x"\nkind = "ticket"\n[[layout]]\nwhen_columns = ["a"]\n',
     "t.csv: bad.toml: kind 'ticket' is not one of tickets, surveys, customers, branches, "
     "fixes; write one of them."),
])
def test_a_broken_profile_is_refused_naming_the_file_and_the_fix(tmp_path, wh, toml, message):
    f = write(tmp_path / "t.csv", f"{NATIVE_HEADER}\nT1,web,B1,x,2024-05-01 10:00\n")
    r = load_file(wh, f, profile=str(write(tmp_path / "bad.toml", toml)))
    assert r.status == "refused" and r.message.startswith(message)
    assert r.message.endswith("; correct it and load again.") or r.message == message
