-- rule_carries_fcr: spec/kpis.md "What a source does not carry" -- FCR needs resolved_at,
-- reopen_count, escalated and customer_id. Expression over `f` with the tickets' carries_*
-- facts (facts.sql), carries_customer included.
(f.carries_resolution and f.carries_reopen and f.carries_escalation and f.carries_customer)
