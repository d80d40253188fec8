-- ticket_fixes: the fixes whose scope and before/after window one ticket falls in
-- (spec/kpis.md "Before/after a fix"): the ticket is **treated** (C and R: the fix's
-- category, if any, is the ticket's, and every channel / branch_id / region the fix names
-- matches) and created in [launch - W, launch + W). The scope test is the shared rule
-- rule_fix_treated.sql (the C and R of effects_base.sql's cell_tickets, for one ticket).
-- Grain: fix. Columns: the fix's columns, side ('pre' | 'post'), days_from_launch.
-- Parameters: $ticket_id, $window_days.
select
    x.fix_id,
    x.title,
    x.launched_at,
    x.category,
    x.channel,
    x.branch_id,
    x.region,
    x.owner,
    x.description,
    case when f.created_at < x.launched_at::timestamp then 'pre' else 'post' end as side,
    date_diff('day', x.launched_at::timestamp, f.created_at) as days_from_launch
from fact_tickets as f
join fixes as x
    on {{rule_fix_treated}}
    and f.created_at >= x.launched_at::timestamp - to_days($window_days::bigint)
    and f.created_at < x.launched_at::timestamp + to_days($window_days::bigint)
where f.ticket_id = $ticket_id
order by x.launched_at, x.fix_id
