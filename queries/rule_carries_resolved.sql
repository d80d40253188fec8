-- rule_carries_resolved: spec/kpis.md "What a source does not carry" -- the ticket's source
-- can say whether it is resolved: it carries resolved_at or status. Expression over `f`.
(f.carries_resolution or coalesce(f.carries_status, false))
