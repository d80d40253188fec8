-- churn: post-complaint churn per group. Included by kpis.sql and effects.sql with a
-- relation `t` holding (grp, type, customer_id, created_at) of the tickets in scope.
-- Each customer's first complaint in scope at t is matured when date(t) + $churn_days
-- <= date($as_of); immature ones, anonymous ones and customers absent from the customers
-- table are left out. Churned when churned_at is in [date(t), date(t) + $churn_days].
first_complaints as (
    select x.grp, x.customer_id, cast(min(x.created_at) as date) as first_day
    from t as x
    where x.type = 'complaint' and x.customer_id is not null
    group by x.grp, x.customer_id
),

churn as (
    select
        fc.grp,
        count(*) as matured,
        count_if(cu.churned_at between fc.first_day and fc.first_day + to_days($churn_days::bigint)
        ) as churned
    from first_complaints as fc
    join customers as cu on cu.customer_id = fc.customer_id
    where fc.first_day + to_days($churn_days::bigint) <= cast($as_of as date)
    group by fc.grp
)
