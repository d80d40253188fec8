-- dq_daily_coverage: rows per period for tickets (created_at) and surveys (responded_at),
-- every period between the first and the last included, so a missing one shows as 0
-- instead of disappearing. The grain follows the span, so a chart has at most a few
-- hundred bars: day up to 120 days, ISO week (Monday) up to 3 years, else month.
-- Columns: period (the period's first day), grain, tickets, surveys. No parameters.
with bounds as (
    select
        least((select min(created_at) from tickets), (select min(responded_at) from surveys)) as first_at,
        greatest((select max(created_at) from tickets), (select max(responded_at) from surveys)) as last_at
),

chosen as (
    select
        first_at,
        last_at,
        case
            when date_diff('day', first_at, last_at) <= 120 then 'day'
            when date_diff('day', first_at, last_at) <= 1096 then 'week'
            else 'month'
        end as grain
    from bounds
    where first_at is not null
),

periods as (
    select
        unnest(generate_series(
            date_trunc(c.grain, c.first_at), date_trunc(c.grain, c.last_at),
            case c.grain when 'day' then interval 1 day when 'week' then interval 7 day
                else interval 1 month end
        ))::date as period,
        c.grain
    from chosen as c
),

t as (
    select date_trunc((select grain from chosen), created_at)::date as period, count(*) as n
    from tickets group by 1
),

s as (
    select date_trunc((select grain from chosen), responded_at)::date as period, count(*) as n
    from surveys group by 1
)

select p.period, p.grain, coalesce(t.n, 0) as tickets, coalesce(s.n, 0) as surveys
from periods as p
left join t on t.period = p.period
left join s on s.period = p.period
order by p.period
