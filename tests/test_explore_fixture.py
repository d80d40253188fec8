"""The hand-made warehouse of the Explore tests (no tests here; test_explore*.py use it).

as_of is fixed by the tests at 2026-03-10 20:00. Every ticket is priority normal (first
response within 24 h). What each ticket is, worked out by hand:

  T1 C1 phone  B1 billing complaint 03-01 09:00, responded 10:00 (met), resolved 12:00;
     subject holds a mobile number. FCR broken by T2 (same category, 4 days later).
     survey S3 (03-02) CSAT 3, NPS 7: surveyed, not satisfied, not a low score.
  T2 C1 email  B1 billing complaint 03-05 09:00, responded 03-07 09:00 (48 h: breached),
     open; a repeat of T1 (4 days earlier, same category).
  T3 C1 social B2 cards   inquiry   03-10 08:00, no response yet, deadline 03-11 08:00
     > as_of: pending; open.
  T4 C2 phone  B2 billing complaint 02-01 10:00, responded 11:00 (met), resolved 02-02;
     survey S1 (02-03) CSAT 5, comment starting with '=' -> satisfied.
  T5 C2 app    B2 billing complaint 02-20 10:00, responded 10:30 (met), resolved 02-21;
     survey S2 (02-22) CSAT 1 -> surveyed, low score; a repeat of T4 (19 days).
  T6 anonymous web B1 fees complaint 03-09 09:00, no response, deadline 03-10 09:00
     < as_of: breached; open; never a repeat.

Customers: C1 premium, value 5000; C2 retail, value 100, churned 2026-03-20 (after
as_of). Fix F1: billing on phone, launched 2026-02-15 (T4 before, T1 after; window 90 d).
Fix F2: any category in region South (B2), launched 2026-03-01 (T4, T5 before; T3 after).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.fixtures import build_warehouse, survey, ticket

AS_OF = "2026-03-10 20:00:00"


def build_explore_warehouse(path: Path) -> Path:
    tickets = [
        ticket("T1", "2026-03-01 09:00", customer_id="C1", channel="phone", branch_id="B1",
               first_response_at="2026-03-01 10:00", resolved_at="2026-03-01 12:00",
               subject="please call me back on 13812345678", agent_id="A1"),
        ticket("T2", "2026-03-05 09:00", customer_id="C1", channel="email", branch_id="B1",
               first_response_at="2026-03-07 09:00", subject="still wrong bill"),
        ticket("T3", "2026-03-10 08:00", customer_id="C1", channel="social", branch_id="B2",
               category="cards", type="inquiry", subject="card question"),
        ticket("T4", "2026-02-01 10:00", customer_id="C2", channel="phone", branch_id="B2",
               first_response_at="2026-02-01 11:00", resolved_at="2026-02-02 10:00",
               subject="fee"),
        ticket("T5", "2026-02-20 10:00", customer_id="C2", channel="app", branch_id="B2",
               first_response_at="2026-02-20 10:30", resolved_at="2026-02-21 10:00",
               subject="fee again, mail me at li.si@example.com"),
        ticket("T6", "2026-03-09 09:00", channel="web", branch_id="B1", category="fees",
               subject="anonymous"),
    ]
    surveys = [
        {**survey("S1", "T4", "2026-02-03 10:00", csat=5), "comment": "=cmd|' /C calc'!A0 ok"},
        {**survey("S2", "T5", "2026-02-22 10:00", csat=1), "comment": "terrible, 13912345678"},
        survey("S3", "T1", "2026-03-02 10:00", csat=3, nps=7),
    ]
    customers = [
        {"customer_id": "C1", "segment": "premium", "home_branch_id": "B1",
         "joined_at": date(2020, 1, 1), "churned_at": None, "annual_value": 5000.0},
        {"customer_id": "C2", "segment": "retail", "home_branch_id": "B2",
         "joined_at": date(2024, 1, 1), "churned_at": date(2026, 3, 20), "annual_value": 100.0},
    ]
    branches = [
        {"branch_id": "B1", "branch_name": "Harbour", "region": "North"},
        {"branch_id": "B2", "branch_name": "Hillside", "region": "South"},
    ]
    fixes = [{"fix_id": "F1", "title": "Clear bills", "launched_at": date(2026, 2, 15),
              "category": "billing", "channel": "phone"},
             {"fix_id": "F2", "title": "South queue", "launched_at": date(2026, 3, 1),
              "region": "South"}]
    return build_warehouse(path, tickets=tickets, surveys=surveys, customers=customers,
                           branches=branches, fixes=fixes)
