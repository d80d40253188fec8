-- rule_carries_fcr: spec/kpis.md "What a source does not carry" -- FCR needs resolved_at,
-- reopen_count, escalated and customer_id. Expression over `f` with the tickets' carries_*
-- facts and carries_customer (filtered_tickets.sql adds it from rule_carries_customer).
(f.carries_resolution and f.carries_reopen and f.carries_escalation and f.carries_customer)
