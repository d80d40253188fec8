-- rule_resolved: spec/kpis.md "Ticket KPIs" -- a ticket is resolved when resolved_at is
-- not null or its status is resolved or closed. An expression over a row aliased `f` with
-- fact_tickets' columns; include it by name in double braces. No parameters.
-- (A CASE: the status is compared only for the tickets without a resolution time.)
(case when f.resolved_at is not null then true
      else coalesce(f.status in ('resolved', 'closed'), false) end)
