-- effects_base: the tickets around each fix's launch, counted per cell and per week.
-- Included (as a list of CTEs) by effects.sql and effects_weekly.sql; spec/kpis.md
-- "Before/after a fix".
-- Treated = C and R; control = C and not R when the fix's scope names a channel, branch
-- or region, otherwise not C when it names a category, otherwise there is no control.
-- Periods (L = launch, W = window): hist = [L - 2W, L - W) -- the scope's own history
-- before the pre window, for the regression-to-the-mean check --, pre = [L - W, L),
-- post = [L, L + W) and <= as_of.
-- Weeks are counted from launch: week k = [L + 7k days, L + 7(k + 1) days), so week -1
-- ends at launch and week 0 starts there.
-- Cell key grp (an integer groups far faster than text):
--   cells: fix_no * 8 + arm * 4 + period   (arm 0 treated, 1 control; period 0 pre,
--          1 post, 2 hist)
--   weeks: 1e9 + (fix_no * 2 + arm) * 100000 + (week + 50000)
-- Per grp: complaints (every one, for the count), complaints whose source carries
-- customer_id (the repeat denominator) and how many of them name a customer, repeats --
-- the shared rule rule_repeat.sql and the stored carries_customer, as kpis.sql uses them --,
-- latest-survey csat count / mean / sample variance (the stored latest survey of facts.sql),
-- churn matured / churned (churn.sql).
-- Parameters: $as_of, $window_days, $fix_id (null = all), $repeat_days, $churn_days,
-- $all_weeks (false: only the weeks of the pre window are keyed).
first_ticket as (
    select min(f.created_at) as first_at from fact_tickets as f
),

fx as (
    select
        x.fix_id,
        x.launched_at::timestamp as launch,
        x.category,
        x.channel,
        x.branch_id,
        x.region,
        (x.channel is not null or x.branch_id is not null or x.region is not null) as names_r,
        x.category is not null as names_c,
        (x.channel is not null or x.branch_id is not null or x.region is not null
         or x.category is not null) as has_control,
        row_number() over (order by x.fix_id) as fix_no,
        -- days each window spans (per-day complaint rates): post stops at as_of, hist
        -- starts no earlier than the first ticket in the warehouse
        $window_days::double as pre_days,
        greatest(
            date_diff('second', x.launched_at::timestamp,
                      least(x.launched_at::timestamp + to_days($window_days::bigint),
                            $as_of::timestamp)),
            0
        ) / 86400.0 as post_days,
        greatest(
            date_diff('second',
                      greatest(x.launched_at::timestamp - to_days(2 * $window_days::bigint),
                               coalesce(ft.first_at, x.launched_at::timestamp)),
                      x.launched_at::timestamp - to_days($window_days::bigint)),
            0
        ) / 86400.0 as hist_days,
        -- a complaint can only be seen as a repeat when the repeat window before it lies in
        -- the data: a history starting sooner after the first ticket understates repeats
        x.launched_at::timestamp - to_days(2 * $window_days::bigint)
            >= coalesce(ft.first_at, x.launched_at::timestamp) + to_days($repeat_days::bigint)
            as hist_repeats_known
    from fixes as x
    cross join first_ticket as ft
    where $fix_id is null or x.fix_id = $fix_id
),

ranged as (
    -- the tickets of any fix's range, with the shared rules applied once per ticket (not
    -- once per ticket and fix after the join). The cells count complaints and average the
    -- latest CSAT: a ticket that is neither a complaint nor surveyed counts in none of
    -- them, so it is left out here (kept for the event study, whose weeks with tickets
    -- each have a row).
    select
        f.category, f.channel, f.branch_id, f.region, f.type, f.customer_id, f.created_at,
        cast(f.created_at as date) as day,
        f.latest_csat,
        {{rule_repeat}} as is_repeat,
        f.carries_customer,
        f.customer_on_file,
        f.customer_churned_at
    from tickets as f
    where f.created_at >= (select min(launch) from fx) - to_days(2 * $window_days::bigint)
      and f.created_at < (select max(launch) from fx) + to_days($window_days::bigint)
      and ($all_weeks or f.type = 'complaint' or f.latest_csat is not null)
),

fx_days as (
    -- every day of each fix's range (hist start .. post end) with its period and week: the
    -- launch is a date and the windows whole days, so a ticket's day decides both, and the
    -- tickets join their fixes by day (a hash join, far faster than a range join)
    select
        d.*,
        case
            when d.day < cast(d.launch as date) - to_days($window_days::bigint) then 2
            when d.day < cast(d.launch as date) then 0
            else 1
        end as period,
        floor((d.day - cast(d.launch as date)) / 7)::bigint as week
    from (
        select
            fx.*,
            unnest(generate_series(
                cast(fx.launch - to_days(2 * $window_days::bigint) as date),
                cast(fx.launch + to_days($window_days::bigint - 1) as date),
                interval 1 day))::date as day
        from fx
    ) as d
),

cell_tickets as (
    select
        fx.fix_no,
        fx.names_r,
        fx.names_c,
        (fx.category is null or f.category = fx.category) as c,
        coalesce(
            (fx.channel is null or f.channel = fx.channel)
            and (fx.branch_id is null or f.branch_id = fx.branch_id)
            and (fx.region is null or f.region = fx.region),
            false
        ) as r,
        fx.period,
        fx.week,
        f.type,
        f.customer_id,
        f.created_at,
        f.latest_csat,
        f.is_repeat,
        f.carries_customer,
        f.customer_on_file,
        f.customer_churned_at
    from fx_days as fx
    join ranged as f on f.day = fx.day
    where f.created_at < fx.launch or f.created_at <= $as_of
),

armed as (
    select
        ct.*,
        case
            when ct.c and ct.r then 0
            when ct.names_r and ct.c and not ct.r then 1
            when not ct.names_r and ct.names_c and not ct.c then 1
        end as arm
    from cell_tickets as ct
),

t as (
    select a.fix_no * 8 + a.arm * 4 + a.period as grp, a.type, a.customer_id, a.created_at,
           a.latest_csat, a.is_repeat, a.carries_customer, a.customer_on_file,
           a.customer_churned_at
    from armed as a
    where a.arm is not null
    union all
    select 1000000000 + (a.fix_no * 2 + a.arm) * 100000 + (a.week + 50000) as grp, a.type,
           a.customer_id, a.created_at, a.latest_csat, a.is_repeat, a.carries_customer,
           a.customer_on_file, a.customer_churned_at
    from armed as a
    -- the effects need the full weeks of the pre window only (the pre-trend: weeks
    -- -floor(W/7) .. -1, effects.sql); the event study all of them
    where a.arm is not null
      and ($all_weeks or (a.period = 0 and a.week >= -($window_days::bigint // 7)))
),

{{churn}},

stats as (
    select
        t.grp,
        count_if(t.type = 'complaint') as complaints,
        count_if(t.type = 'complaint' and t.carries_customer) as n_repeat,
        count_if(t.type = 'complaint' and t.carries_customer and t.customer_id is not null)
            as identified,
        count_if(t.is_repeat and t.carries_customer) as repeats,
        count(t.latest_csat) as n_csat,
        avg(t.latest_csat) as csat_mean,
        var_samp(t.latest_csat) as csat_var
    from t
    group by t.grp
),

week_values as (
    -- One row per fix x arm x week with tickets x metric: the week's value and its n.
    -- complaints: the week's count (its n is the count too).
    select
        (s.grp - 1000000000) // 100000 // 2 as fix_no,
        (s.grp - 1000000000) // 100000 % 2 as arm,
        (s.grp - 1000000000) % 100000 - 50000 as week,
        m.metric,
        m.metric_no,
        case m.metric_no
            when 1 then case when s.identified > 0 then 100.0::double * s.repeats / s.n_repeat end
            when 2 then s.csat_mean
            when 3 then 100.0::double * coalesce(ch.churned, 0) / nullif(ch.matured, 0)
            else s.complaints::double
        end as value,
        case m.metric_no
            when 1 then s.n_repeat
            when 2 then s.n_csat
            when 3 then coalesce(ch.matured, 0)
            else s.complaints
        end as n
    from stats as s
    left join churn as ch on ch.grp = s.grp
    cross join (values ('repeat_complaint_pct', 1), ('csat_avg', 2), ('churn_pct', 3),
                       ('complaints', 4)) as m (metric, metric_no)
    where s.grp >= 1000000000
)
