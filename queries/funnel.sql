-- funnel: handling stages of the tickets T, in order received > assigned > responded >
-- resolved > closed > surveyed > satisfied. A ticket reached a stage when it has that
-- stage's marker or any later one (fact_tickets.funnel_depth), so counts never rise.
-- conversion_pct = 100 x reached(stage) / reached(previous); null for received.
-- median_minutes_from_previous: median of this stage's timestamp minus the previous
-- stage's, over tickets with both filled (a missing timestamp is never replaced).
-- Parameters: those of filtered_tickets.
with
{{filtered_tickets}},

stages as (
    select *
    from (values
        (0, 'received'), (1, 'assigned'), (2, 'responded'), (3, 'resolved'),
        (4, 'closed'), (5, 'surveyed'), (6, 'satisfied')
    ) as s (stage_no, stage)
),

reached as (
    select
        s.stage_no,
        s.stage,
        (select count(*) from t where t.funnel_depth >= s.stage_no) as tickets
    from stages as s
),

step_minutes as (
    select
        quantile_cont(epoch(t.assigned_at - t.created_at) / 60.0, 0.5) as m1,
        quantile_cont(epoch(t.first_response_at - t.assigned_at) / 60.0, 0.5) as m2,
        quantile_cont(epoch(t.resolved_at - t.first_response_at) / 60.0, 0.5) as m3,
        quantile_cont(epoch(t.closed_at - t.resolved_at) / 60.0, 0.5) as m4
    from t
)

select
    r.stage,
    r.tickets,
    100.0 * r.tickets / nullif(lag(r.tickets) over (order by r.stage_no), 0) as conversion_pct,
    case r.stage_no
        when 1 then m.m1
        when 2 then m.m2
        when 3 then m.m3
        when 4 then m.m4
    end as median_minutes_from_previous
from reached as r
cross join step_minutes as m
order by r.stage_no
