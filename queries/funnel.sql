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

step as (
    -- one pass: how many tickets reached each depth, and the step medians
    select
        coalesce(count_if(t.funnel_depth >= 0), 0) as d0,
        coalesce(count_if(t.funnel_depth >= 1), 0) as d1,
        coalesce(count_if(t.funnel_depth >= 2), 0) as d2,
        coalesce(count_if(t.funnel_depth >= 3), 0) as d3,
        coalesce(count_if(t.funnel_depth >= 4), 0) as d4,
        coalesce(count_if(t.funnel_depth >= 5), 0) as d5,
        coalesce(count_if(t.funnel_depth >= 6), 0) as d6,
        quantile_cont(epoch(t.assigned_at - t.created_at) / 60.0, 0.5) as m1,
        quantile_cont(epoch(t.first_response_at - t.assigned_at) / 60.0, 0.5) as m2,
        quantile_cont(epoch(t.resolved_at - t.first_response_at) / 60.0, 0.5) as m3,
        quantile_cont(epoch(t.closed_at - t.resolved_at) / 60.0, 0.5) as m4
    from t
),

reached as (
    select
        s.stage_no,
        s.stage,
        [m.d0, m.d1, m.d2, m.d3, m.d4, m.d5, m.d6][s.stage_no + 1] as tickets,
        [null, m.m1, m.m2, m.m3, m.m4, null, null][s.stage_no + 1] as minutes
    from stages as s
    cross join step as m
)

select
    r.stage,
    r.tickets,
    100.0::double * r.tickets / nullif(lag(r.tickets) over (order by r.stage_no), 0) as conversion_pct,
    r.minutes as median_minutes_from_previous
from reached as r
order by r.stage_no
