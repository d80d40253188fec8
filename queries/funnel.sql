-- funnel: handling stages of the tickets T, in order received > assigned > responded >
-- resolved > closed > surveyed > satisfied (spec/kpis.md "Funnel"), one set of rows per
-- group of $dim (null = one funnel of all T).
-- Grain: group x stage. Parameters: those of filtered_tickets; $one_funnel (true without a
-- breakdown).
--   tickets          how many of T reached the stage: it has the stage's marker or any later
--                    one (fact_tickets.funnel_depth; status resolved/closed count), so counts
--                    never rise. null when no ticket of the group carries the stage's column
--                    (assigned_at; first_response_at; resolved_at or status; closed_at or
--                    status; for surveyed/satisfied: no survey in the warehouse) -- "the
--                    source does not say" is never 0.
--   conversion_pct   100 x reached(stage) / reached(previous); null for received and
--                    whenever either side is null or the previous is 0.
--   conversion_from_received_pct  100 x reached(stage) / reached(received).
--   median_minutes_from_previous  median of this stage's timestamp minus the previous
--                    stage's, over tickets with both filled (a missing timestamp is never
--                    replaced by an earlier one); null for received, surveyed, satisfied.
-- An empty T (without $dim) gives one funnel of zeros (null for a stage no source in the
-- warehouse carries) with no conversions.
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
    -- one pass per group: how many tickets reached each depth, which stages the group's
    -- sources carry, and the step medians. Grouped by the funnel_grouping include: t.grp
    -- for a breakdown, `()` without one (a plain aggregate, cheaper than hashing one constant
    -- key; it gives its one row even for an empty T, which `groups` replaces by zeros)
    select
        any_value(t.grp) as grp,
        count(*) as d0,
        count_if(t.funnel_depth >= 1) as d1,
        count_if(t.funnel_depth >= 2) as d2,
        count_if(t.funnel_depth >= 3) as d3,
        count_if(t.funnel_depth >= 4) as d4,
        count_if(t.funnel_depth >= 5) as d5,
        count_if(t.funnel_depth >= 6) as d6,
        -- whether the sources carry each stage's column (stored facts of facts.sql)
        bool_or(t.carries_assignment) as c1,
        bool_or(t.carries_first_response) as c2,
        bool_or(t.carries_resolution or t.carries_status) as c3,
        bool_or(t.carries_closing or t.carries_status) as c4,
        exists (select 1 from surveys) as c5,
        -- medians of whole microseconds, then minutes: an integer sort, far cheaper than
        -- converting an interval to seconds for every ticket
        quantile_cont(date_diff('microsecond', t.created_at, t.assigned_at), 0.5) / 60000000.0 as m1,
        quantile_cont(date_diff('microsecond', t.assigned_at, t.first_response_at), 0.5) / 60000000.0 as m2,
        quantile_cont(date_diff('microsecond', t.first_response_at, t.resolved_at), 0.5) / 60000000.0 as m3,
        quantile_cont(date_diff('microsecond', t.resolved_at, t.closed_at), 0.5) / 60000000.0 as m4
    from t
    group by {{funnel_grouping}}
),

groups as (
    select * from step where step.d0 > 0
    union all
    -- without a breakdown an empty selection is still one funnel: zeros for the stages the
    -- warehouse's sources carry, null for those no source carries (surveyed/satisfied: no
    -- survey in the warehouse) -- an empty T cannot say more than its sources
    select
        null, 0, 0, 0, 0, 0, 0, 0,
        exists (select 1 from fact_tickets as w where w.carries_assignment),
        exists (select 1 from fact_tickets as w where w.carries_first_response),
        exists (select 1 from fact_tickets as w where w.carries_resolution or w.carries_status),
        exists (select 1 from fact_tickets as w where w.carries_closing or w.carries_status),
        exists (select 1 from surveys),
        null, null, null, null
    where $one_funnel and not exists (select 1 from step where step.d0 > 0)
),

reached as (
    select
        g.grp,
        s.stage_no,
        s.stage,
        case
            when [true, g.c1, g.c2, g.c3, g.c4, g.c5, g.c5][s.stage_no + 1]
                then [g.d0, g.d1, g.d2, g.d3, g.d4, g.d5, g.d6][s.stage_no + 1]
        end as tickets,
        g.d0 as received,
        [null, g.m1, g.m2, g.m3, g.m4, null, null][s.stage_no + 1] as minutes
    from groups as g
    cross join stages as s
)

select
    r.grp as "group",
    r.stage,
    r.tickets,
    100.0::double * r.tickets
        / nullif(lag(r.tickets) over (partition by r.grp order by r.stage_no), 0)
        as conversion_pct,
    case when r.stage_no > 0 then 100.0::double * r.tickets / nullif(r.received, 0) end
        as conversion_from_received_pct,
    r.minutes as median_minutes_from_previous
from reached as r
order by r.grp nulls first, r.stage_no
