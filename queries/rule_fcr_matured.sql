-- rule_fcr_matured: spec/kpis.md fcr_pct -- a ticket counts for FCR (numerator and
-- denominator) only when resolved_at is not null and resolved_at + $fcr_days days <= $as_of;
-- one resolved less than that before as_of is pending (a new contact may still come).
-- Written as resolved_at <= as_of - window: the same test on naive timestamps (a day is
-- 24 hours), with the interval arithmetic done once, not per ticket.
-- Expression over `f`. Parameters: $fcr_days, $as_of.
(f.resolved_at is not null and f.resolved_at <= $as_of::timestamp - to_days($fcr_days::bigint))
