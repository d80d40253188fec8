-- funnel_grouping: the GROUP BY of funnel.sql's per-group pass: each group of the
-- breakdown key t.grp. queries/funnel.py passes `()` (one ungrouped row) when the request
-- has no breakdown. Fixed text, never built from a request.
t.grp
