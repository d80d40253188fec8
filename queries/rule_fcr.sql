-- rule_fcr: spec/kpis.md fcr_pct numerator -- resolved_at not null, never reopened, not
-- escalated, and no other ticket (any type) of the same customer and category created in
-- (created_at, resolved_at + $fcr_days days] (next_contact_at, facts.sql; anonymous tickets
-- have none). Combine with rule_fcr_matured. Expression over `f`. Parameters: $fcr_days.
-- "next <= resolved + N days" is written as the gap in microseconds (timestamps are naive:
-- a day is 86,400 s), which DuckDB computes far faster than timestamp + interval per row.
(f.resolved_at is not null and f.reopen_count = 0 and not f.escalated
 and not coalesce(date_diff('microsecond', f.resolved_at, f.next_contact_at)
                  <= $fcr_days::bigint * 86400000000, false))
