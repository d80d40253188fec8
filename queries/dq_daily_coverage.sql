-- dq_daily_coverage: rows per calendar day for tickets (created_at) and surveys
-- (responded_at), every day between the first and the last included, so a missing day
-- shows as 0 instead of disappearing. No parameters.
with bounds as (
    select
        least((select min(created_at) from tickets), (select min(responded_at) from surveys))::date as first_day,
        greatest((select max(created_at) from tickets), (select max(responded_at) from surveys))::date as last_day
),

days as (
    select unnest(generate_series(b.first_day, b.last_day, interval 1 day))::date as day
    from bounds as b
    where b.first_day is not null
),

t as (select created_at::date as day, count(*) as n from tickets group by 1),
s as (select responded_at::date as day, count(*) as n from surveys group by 1)

select d.day, coalesce(t.n, 0) as tickets, coalesce(s.n, 0) as surveys
from days as d
left join t on t.day = d.day
left join s on s.day = d.day
order by d.day
