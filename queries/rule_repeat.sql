-- rule_repeat: spec/kpis.md repeat_complaint_pct -- a complaint is a repeat when the same
-- (identified) customer has another complaint in the same category with created_at in
-- [this.created_at - $repeat_days days, this.created_at): prev_complaint_at is the latest
-- strictly earlier one anywhere in the warehouse (facts.sql). Expression over `f`.
-- "prev >= created - N days" is written as the gap in microseconds (timestamps are naive:
-- a day is 86,400 s), which DuckDB computes far faster than timestamp - interval per row.
-- Parameters: $repeat_days.
(f.type = 'complaint' and f.customer_identified
 and coalesce(date_diff('microsecond', f.prev_complaint_at, f.created_at)
              <= $repeat_days::bigint * 86400000000, false))
