-- weekly_moments: per ISO week (Monday of created_at) and optional group, the spread of
-- the survey answers that the weekly change intervals of spec/kpis.md ("Weekly review")
-- need and the KPI set does not carry: the sample variance of the latest-survey csat
-- (n - 1 denominator) and the promoter / detractor counts of the latest-survey nps.
-- Grain: week x group of the tickets T (filters and period as in filtered_tickets).
-- Parameters: filtered_tickets' ones; $weekly_dim chooses the group column from a fixed
-- list (null = one group per week). Values are bound, never formatted in.
with
{{filtered_tickets}}

select
    cast(date_trunc('week', t.created_at) as date) as week,
    case $weekly_dim
        when 'channel' then t.channel
        when 'region' then t.region
        when 'branch' then t.branch_id
        when 'category' then t.category
        when 'type' then t.type
        when 'priority' then t.priority
        when 'segment' then t.segment
    end as "group",
    {{survey_moments}}
from t
group by all
order by week, "group"
