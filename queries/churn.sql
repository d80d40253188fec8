-- churn: post-complaint churn per group. Included by kpis.sql and effects.sql with a
-- relation `t` holding (grp, type, customer_id, created_at) of the tickets in scope.
-- Each customer's first complaint in scope at t is matured when date(t) + $churn_days
-- <= date($as_of); immature ones, anonymous ones and customers absent from the customers
-- table are left out (`pending` counts the immature ones, for a "too young" note).
-- Churned when churned_at is in [date(t), date(t) + $churn_days].
first_complaints as (
    select x.grp, x.customer_id, cast(min(x.created_at) as date) as first_day
    from t as x
    where x.type = 'complaint' and x.customer_id is not null
    group by x.grp, x.customer_id
),

churn as (
    -- matured: date(t) + window <= date(as_of); pending: known customers not yet matured.
    -- count(*) filter, not count_if: count_if over only NULL conditions (no customer with a
    -- churned_at) gives NULL in DuckDB, which would turn a real 0 % into n/a
    select
        fc.grp,
        count(*) filter (where fc.first_day + to_days($churn_days::bigint) <= cast($as_of::timestamp as date)) as matured,
        count(*) filter (where fc.first_day + to_days($churn_days::bigint) <= cast($as_of::timestamp as date)
                 and cu.churned_at between fc.first_day
                                       and fc.first_day + to_days($churn_days::bigint)
        ) as churned,
        count(*) filter (where fc.first_day + to_days($churn_days::bigint) > cast($as_of::timestamp as date)) as pending
    from first_complaints as fc
    join customers as cu on cu.customer_id = fc.customer_id
    group by fc.grp
)
