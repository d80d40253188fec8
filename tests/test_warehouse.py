"""The warehouse file: schema version and upgrade, atomic writes, one writer at a time."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dashboard import cli
from dashboard.warehouse import (
    SCHEMA_VERSION,
    connect_reader,
    needs_upgrade,
    warehouse_version,
    write_transaction,
)
from tests.fixtures import build_warehouse, ticket

V1_SCHEMA = """
create table meta (key varchar, value varchar);
insert into meta values ('schema_version', '1');
create table tickets (ticket_id varchar, customer_id varchar, channel varchar,
  branch_id varchar, category varchar, type varchar, priority varchar, created_at timestamp,
  assigned_at timestamp, first_response_at timestamp, resolved_at timestamp,
  closed_at timestamp, reopen_count integer, escalated boolean, agent_id varchar,
  subject varchar, description varchar);
create table surveys (survey_id varchar, ticket_id varchar, responded_at timestamp,
  csat integer, nps integer, ces integer, comment varchar);
create table customers (customer_id varchar, segment varchar, home_branch_id varchar,
  joined_at date, churned_at date, annual_value double);
create table branches (branch_id varchar, branch_name varchar, region varchar,
  latitude double, longitude double);
create table fixes (fix_id varchar, title varchar, launched_at date, category varchar,
  channel varchar, branch_id varchar, region varchar, owner varchar, description varchar);
create table loads (load_id varchar, file_name varchar, checksum varchar, kind varchar,
  profile varchar, status varchar, rows_read bigint, rows_new bigint, rows_updated bigint,
  rows_rejected bigint, message varchar, loaded_by varchar, started_at timestamp,
  duration_s double);
create table rejects (load_id varchar, extract varchar, line bigint, "column" varchar,
  reason varchar, raw varchar);
insert into tickets values
  ('T1', 'C1', 'app', 'B1', 'billing', 'complaint', 'normal', '2024-05-01 10:00', null,
   '2024-05-01 10:30', '2024-05-01 12:00', null, 0, false, null, null, null),
  ('T2', 'C1', 'app', 'B1', 'billing', 'complaint', 'normal', '2024-05-10 10:00', null,
   null, null, null, 0, false, null, null, null);
"""


def test_an_older_warehouse_is_upgraded_when_opened(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(V1_SCHEMA)
    con.close()
    assert needs_upgrade(path)
    code = cli.main(["kpis", "--json", "--warehouse", str(path)])
    assert code == 0
    assert not needs_upgrade(path)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select value from meta where key = 'schema_version'").fetchall() == [
        (str(SCHEMA_VERSION),)]
    # the stored facts exist after the upgrade: T2 repeats T1 (9 days later)
    assert con.execute("select ticket_id from fact_tickets where prev_complaint_at is not null"
                       ).fetchall() == [("T2",)]
    con.close()


def test_upgrade_result_matches_the_cli_numbers(tmp_path, capsys):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(V1_SCHEMA)
    con.close()
    cli.main(["kpis", "--json", "--warehouse", str(path)])
    payload = json.loads(capsys.readouterr().out)
    assert payload["tickets"] == 2
    assert payload["repeat_complaint_pct"] == pytest.approx(50.0)  # T2 of {T1, T2}
    assert payload["resolved_pct"] == pytest.approx(50.0)


# Version 2 kept the facts in a table of their own; version 3 keeps them in tickets.
V2_CHANGES = """
update meta set value = '2' where key = 'schema_version';
alter table tickets add column not_carried varchar[];
create table fact_tickets as select ticket_id, created_at from tickets;
"""


def test_a_version_2_warehouse_moves_its_facts_into_tickets(tmp_path, capsys):
    path = tmp_path / "v2.duckdb"
    con = duckdb.connect(str(path))
    con.execute(V1_SCHEMA)
    con.execute(V2_CHANGES)
    con.close()
    assert needs_upgrade(path)
    assert cli.main(["kpis", "--json", "--warehouse", str(path)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["tickets"] == 2
    assert payload["repeat_complaint_pct"] == pytest.approx(50.0)  # T2 repeats T1
    con = duckdb.connect(str(path), read_only=True)
    kinds = dict(con.execute("select table_name, table_type from information_schema.tables "
                             "where table_name in ('tickets', 'fact_tickets')").fetchall())
    assert kinds == {"tickets": "BASE TABLE", "fact_tickets": "VIEW"}
    assert con.execute("select ticket_id, prev_complaint_at from tickets order by 1").fetchall() \
        == [("T1", None), ("T2", datetime(2024, 5, 1, 10, 0))]
    con.close()


def test_a_newer_warehouse_is_refused_not_damaged(tmp_path, capsys):
    path = tmp_path / "new.duckdb"
    build_warehouse(path, tickets=[ticket("T1", "2024-05-01 10:00")])
    con = duckdb.connect(str(path))
    con.execute("update meta set value = '99' where key = 'schema_version'")
    con.close()
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="newer than this program"):
        with write_transaction(path):
            pass
    assert path.read_bytes() == before


def test_a_failed_write_changes_nothing_and_a_reader_keeps_its_data(tmp_path):
    path = tmp_path / "wh.duckdb"
    build_warehouse(path, tickets=[ticket("T1", "2024-05-01 10:00")])
    version = warehouse_version(path)
    reader = connect_reader(path)
    with pytest.raises(ZeroDivisionError):
        with write_transaction(path) as con:
            con.execute("delete from tickets")
            raise ZeroDivisionError
    assert warehouse_version(path) == version
    assert reader.execute("select count(*) from tickets").fetchall() == [(1,)]
    # a successful write is seen by a new reader; the old reader keeps its snapshot
    with write_transaction(path) as con:
        con.execute("delete from tickets")
    assert warehouse_version(path) != version
    assert reader.execute("select count(*) from tickets").fetchall() == [(1,)]
    assert connect_reader(path).execute("select count(*) from tickets").fetchall() == [(0,)]
    assert not [p for p in Path(tmp_path).iterdir() if ".writing-" in p.name]


def test_a_version_3_warehouse_gains_status_columns_and_its_tickets_do_not_carry_one(
        tmp_path, capsys):
    # a v3 file: v1 tables plus the v2 column and the v3 stored facts, without status
    path = tmp_path / "v3.duckdb"
    con = duckdb.connect(str(path))
    con.execute(V1_SCHEMA)
    con.execute("update meta set value = '3' where key = 'schema_version'")
    con.execute("alter table tickets add column not_carried varchar[]")
    con.execute("update tickets set not_carried = ['assigned_at']")
    for col, typ in (("region", "varchar"), ("segment", "varchar"),
                     ("carries_first_response", "boolean"), ("carries_resolution", "boolean"),
                     ("carries_reopen", "boolean"), ("carries_escalation", "boolean"),
                     ("prev_complaint_at", "timestamp"), ("next_contact_at", "timestamp"),
                     ("has_survey", "boolean"), ("latest_csat", "integer"),
                     ("latest_nps", "integer"), ("funnel_depth", "integer")):
        con.execute("alter table tickets add column " + col + " " + typ)  # fixed names above
    # facts as v3 stored them (T2 repeats T1; T1 resolved: depth 3); the upgrade
    # recomputes every fact from the data (queries/facts.sql), which must agree
    con.execute("update tickets set carries_resolution = true, funnel_depth = "
                "case when resolved_at is not null then 3 else 0 end, prev_complaint_at = "
                "case when ticket_id = 'T2' then timestamp '2024-05-01 10:00' end")
    con.execute("create view fact_tickets as select ticket_id, resolved_at, funnel_depth, "
                "prev_complaint_at from tickets")
    con.execute("create table loads2 as select 1")  # an unrelated table survives
    con.close()
    assert needs_upgrade(path)
    with write_transaction(path):  # the upgrade runs in place, in the writer's transaction
        pass
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select value from meta where key = 'schema_version'").fetchall() == [
        (str(SCHEMA_VERSION),)]
    assert con.execute(
        "select f.ticket_id, f.status, f.carries_status, t.not_carried, f.funnel_depth, "
        "f.prev_complaint_at is not null, f.carries_customer, f.customer_on_file "
        "from fact_tickets as f join tickets as t "
        "using (ticket_id) order by 1").fetchall() == [
        # C1 is not in the (empty) customers table: not on file
        ("T1", None, False, ["assigned_at", "status"], 3, False, True, False),
        ("T2", None, False, ["assigned_at", "status"], 0, True, True, False)]
    assert "rows_skipped" in [r[0] for r in con.execute("describe loads").fetchall()]
    con.close()


def test_a_version_4_warehouse_gains_the_version_5_facts_in_place(tmp_path):
    # schema 5 stores, per ticket, whether its source carried customer_id, assigned_at and
    # closed_at, the customers table's row for its customer (churn reads them instead of
    # joining customers) and which survey is its latest
    path = tmp_path / "v4.duckdb"
    build_warehouse(path, tickets=[ticket("T1", "2024-05-01 10:00", customer_id="C1",
                                          status="closed"),
                                   ticket("T2", "2024-05-02 10:00", customer_id="C2"),
                                   ticket("T3", "2024-05-03 10:00", customer_id=None)])
    con = duckdb.connect(str(path))
    con.execute("insert into customers (customer_id, churned_at) values "
                "('C1', date '2024-06-01')")
    # T1 has two surveys answered at the same moment: the latest is the greater survey_id
    con.execute("insert into surveys (survey_id, ticket_id, responded_at, csat) values "
                "('S1', 'T1', timestamp '2024-05-02 10:00', 5), "
                "('S2', 'T1', timestamp '2024-05-02 10:00', 2)")
    # as version 4 left them: no version-5 facts; T2's source had no customer_id column
    con.execute("update tickets set carries_customer = null, customer_on_file = null, "
                "customer_churned_at = null, carries_assignment = null, carries_closing = null, "
                "customer_identified = null, status_resolved = null, latest_survey_id = null")
    con.execute("update tickets set not_carried = ['customer_id', 'closed_at'] "
                "where ticket_id = 'T2'")
    con.execute("update meta set value = '4' where key = 'schema_version'")
    con.close()
    assert needs_upgrade(path)
    with write_transaction(path):
        pass
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute(
        "select ticket_id, carries_customer, customer_on_file, customer_churned_at, "
        "carries_assignment, carries_closing, customer_identified, status_resolved, "
        "latest_survey_id, latest_csat from tickets order by 1").fetchall() == [
        ("T1", True, True, datetime(2024, 6, 1).date(), True, True, True, True,  # closed
         "S2", 2),
        # C2 is not in customers; T2's source lacks customer_id and closed_at
        ("T2", False, False, None, True, False, True, False, None, None),
        ("T3", True, False, None, True, True, False, False, None, None)]    # anonymous
    con.close()
