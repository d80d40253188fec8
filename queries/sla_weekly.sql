-- sla_weekly: the first-response SLA met share (rule: sla_state.sql) per ISO week of
-- created_at (the Monday that starts it) and priority tier, plus all tiers together
-- (priority null). A week is complete when its end (Monday + 7 days) is <= $as_of; an
-- incomplete week still has tickets whose deadline has not passed.
-- Grain: week x priority (and week). met_pct = 100 x met / (met + breached).
-- Parameters: those of filtered_tickets and sla_state.
with
{{filtered_tickets}},

{{sla_state}}

select
    s.week,
    s.priority,
    any_value(s.week + interval 7 day <= $as_of) as complete,
    count_if(s.sla_state = 'met') as met,
    count_if(s.sla_state = 'breached') as breached,
    count_if(s.sla_state = 'pending') as pending,
    100.0::double * count_if(s.sla_state = 'met')
        / nullif(count_if(s.sla_state in ('met', 'breached')), 0) as met_pct
from (
    select cast(date_trunc('week', x.created_at) as date) as week, x.priority, x.sla_state
    from sla_tickets as x
) as s
group by grouping sets ((s.week, s.priority), (s.week))
order by s.week, s.priority nulls first
