-- rule_carries_fcr: spec/kpis.md "What a source does not carry" -- FCR needs resolved_at,
-- reopen_count, escalated and customer_id. Expression over `f` (tickets' columns).
(f.carries_resolution and f.carries_reopen and f.carries_escalation
 and {{rule_carries_customer}})
