-- churn: post-complaint churn per group. Included by kpis.sql, churn_kpis.sql and
-- effects_base.sql with a relation `t` holding (grp, type, customer_id, created_at,
-- customer_on_file, customer_churned_at) of the tickets in scope -- the last two are the
-- stored facts of facts.sql (the customers table's row for the ticket's customer), so no
-- query joins the customers table here.
-- Each customer's first complaint in scope at t is matured when date(t) + $churn_days
-- <= date($as_of); immature ones, anonymous ones and customers absent from the customers
-- table are left out (`pending` counts the immature ones, for a "too young" note).
-- Churned when churned_at is in [date(t), date(t) + $churn_days].
first_complaints as (
    -- customer_churned_at is the same on every ticket of a customer (a stored fact of the
    -- customer's row): grouping by it too is cheaper than carrying it as an aggregate
    select
        x.grp,
        x.customer_id,
        x.customer_churned_at as churned_at,
        min(cast(x.created_at as date)) as first_day
    from t as x
    where x.type = 'complaint' and x.customer_id is not null and x.customer_on_file
    group by x.grp, x.customer_id, x.customer_churned_at
),

churn as (
    -- matured: date(t) + window <= date(as_of), i.e. date(t) <= date(as_of) - window;
    -- pending: known customers not yet matured.
    -- count(*) filter, not count_if: count_if over only NULL conditions (no customer with a
    -- churned_at) gives NULL in DuckDB, which would turn a real 0 % into n/a
    select
        fc.grp,
        count(*) filter (where fc.first_day <= cast($as_of::timestamp as date) - to_days($churn_days::bigint)) as matured,
        count(*) filter (where fc.first_day <= cast($as_of::timestamp as date) - to_days($churn_days::bigint)
                 and fc.churned_at >= fc.first_day
                 and fc.churned_at - fc.first_day <= $churn_days::bigint
        ) as churned,
        count(*) filter (where fc.first_day > cast($as_of::timestamp as date) - to_days($churn_days::bigint)) as pending
    from first_complaints as fc
    group by fc.grp
)
