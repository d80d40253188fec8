-- rule_resolved: spec/kpis.md "Ticket KPIs" -- a ticket is resolved when resolved_at is
-- not null or its status is resolved or closed (status_resolved, a stored fact of
-- facts.sql: the status test done once per ticket when data changes, so a query reads a
-- boolean instead of the status text). An expression over a row aliased `f` with
-- fact_tickets' columns; include it by name in double braces. No parameters.
(f.resolved_at is not null or f.status_resolved)
