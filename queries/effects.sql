-- effects: before/after of each fix (difference-in-differences against a control group).
-- Grain: fix x metric (repeat_complaint_pct, csat_avg, churn_pct, complaints).
-- Treated = C and R; control = C and not R when the fix's scope names a channel, branch
-- or region, otherwise not C when it names a category, otherwise none.
-- pre = [L - W, L); post = [L, L + W) and <= as_of; partial when L + W > as_of.
-- 95 % interval: effect +- 1.96 x sqrt(sum of cell variances); proportions use the
-- Agresti-Caffo p~ = (k+1)/(n+2), variance p~(1-p~)/(n+2) x 100^2; means s^2/n;
-- any cell with n < 2 gives no interval; complaints has none.
-- Parameters: $as_of, $window_days, $fix_id (null = all), $repeat_days, $churn_days.
with fx as (
    select
        x.fix_id,
        x.launched_at::timestamp as launch,
        x.launched_at,
        x.category,
        x.channel,
        x.branch_id,
        x.region,
        (x.channel is not null or x.branch_id is not null or x.region is not null) as names_r,
        x.category is not null as names_c,
        row_number() over (order by x.fix_id) as fix_no
    from fixes as x
    where $fix_id is null or x.fix_id = $fix_id
),

cell_tickets as (
    select
        fx.fix_id,
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
        case when f.created_at < fx.launch then 'pre' else 'post' end as period,
        f.*
    from fx
    -- one range (pre start .. post end) lets DuckDB use a range join; an OR of the two
    -- windows would compare every ticket with every fix
    join fact_tickets as f
        on f.created_at >= fx.launch - to_days($window_days::bigint)
        and f.created_at < fx.launch + to_days($window_days::bigint)
    where f.created_at < fx.launch or f.created_at <= $as_of
),

armed as (
    select
        ct.*,
        case
            when ct.c and ct.r then 'treated'
            when ct.names_r and ct.c and not ct.r then 'control'
            when not ct.names_r and ct.names_c and not ct.c then 'control'
        end as arm
    from cell_tickets as ct
),

t as (
    -- cell key: fix number x 4 + arm x 2 + period (an integer groups far faster than text)
    select a.fix_no * 4 + (a.arm = 'control')::int * 2 + (a.period = 'post')::int as grp, a.*
    from armed as a
    where a.arm is not null
),

{{churn}},

cell_stats as (
    select
        t.grp,
        count_if(t.type = 'complaint') as complaints,
        count_if(t.type = 'complaint' and t.customer_id is not null) as identified,
        count_if(t.type = 'complaint' and t.customer_id is not null
              and t.prev_complaint_at >= t.created_at - to_days($repeat_days::bigint)
        ) as repeats,
        count(t.latest_csat) as n_csat,
        avg(t.latest_csat) as csat_mean,
        var_samp(t.latest_csat) as csat_var
    from t
    group by t.grp
),

arms as (
    select * from (values ('treated'), ('control')) as a (arm)
),

periods as (
    select * from (values ('pre'), ('post')) as p (period)
),

cells as (
    -- Every fix x arm x period, empty cells included (their counts are 0, their rates null).
    select
        fx.fix_id,
        fx.launch,
        (fx.names_r or fx.names_c) as has_control,
        a.arm,
        p.period,
        coalesce(s.complaints, 0) as complaints,
        coalesce(s.identified, 0) as identified,
        coalesce(s.repeats, 0) as repeats,
        coalesce(s.n_csat, 0) as n_csat,
        s.csat_mean,
        s.csat_var,
        coalesce(ch.matured, 0) as matured,
        coalesce(ch.churned, 0) as churned
    from fx
    cross join arms as a
    cross join periods as p
    left join cell_stats as s
        on s.grp = fx.fix_no * 4 + (a.arm = 'control')::int * 2 + (p.period = 'post')::int
    left join churn as ch
        on ch.grp = fx.fix_no * 4 + (a.arm = 'control')::int * 2 + (p.period = 'post')::int
),

metric_cells as (
    -- One row per fix x metric x cell: value, n, variance of the value.
    select
        c.fix_id, c.launch, c.has_control, c.arm, c.period,
        'repeat_complaint_pct' as metric, 1 as metric_no,
        case when c.identified > 0 then 100.0::double * c.repeats / c.complaints end as value,
        c.complaints as n,
        ((c.repeats + 1.0::double) / (c.complaints + 2)) * (1 - (c.repeats + 1.0::double) / (c.complaints + 2))
            / (c.complaints + 2) * 10000.0::double as variance
    from cells as c
    union all
    select
        c.fix_id, c.launch, c.has_control, c.arm, c.period,
        'csat_avg', 2,
        c.csat_mean,
        c.n_csat,
        c.csat_var / nullif(c.n_csat, 0)
    from cells as c
    union all
    select
        c.fix_id, c.launch, c.has_control, c.arm, c.period,
        'churn_pct', 3,
        100.0::double * c.churned / nullif(c.matured, 0),
        c.matured,
        ((c.churned + 1.0::double) / (c.matured + 2)) * (1 - (c.churned + 1.0::double) / (c.matured + 2))
            / (c.matured + 2) * 10000.0::double
    from cells as c
    union all
    select
        c.fix_id, c.launch, c.has_control, c.arm, c.period,
        'complaints', 4,
        c.complaints,
        c.complaints,
        null
    from cells as c
),

pivoted as (
    select
        m.fix_id,
        m.metric,
        m.metric_no,
        any_value(m.launch) as launch,
        any_value(m.has_control) as has_control,
        any_value(m.launch) + to_days($window_days::bigint) > $as_of as partial,
        max(m.value) filter (where m.arm = 'treated' and m.period = 'pre') as treated_pre,
        max(m.value) filter (where m.arm = 'treated' and m.period = 'post') as treated_post,
        max(m.value) filter (where m.arm = 'control' and m.period = 'pre') as control_pre,
        max(m.value) filter (where m.arm = 'control' and m.period = 'post') as control_post,
        max(m.n) filter (where m.arm = 'treated' and m.period = 'pre') as n_treated_pre,
        max(m.n) filter (where m.arm = 'treated' and m.period = 'post') as n_treated_post,
        max(m.n) filter (where m.arm = 'control' and m.period = 'pre') as n_control_pre,
        max(m.n) filter (where m.arm = 'control' and m.period = 'post') as n_control_post,
        sum(m.variance) filter (where m.arm = 'treated') as var_treated,
        sum(m.variance) filter (where m.arm = 'control') as var_control
    from metric_cells as m
    group by m.fix_id, m.metric, m.metric_no
),

effects as (
    select
        p.*,
        case
            when p.has_control then (p.treated_post - p.treated_pre) - (p.control_post - p.control_pre)
            else p.treated_post - p.treated_pre
        end as effect,
        case
            when p.metric = 'complaints' then null
            when least(p.n_treated_pre, p.n_treated_post) < 2 then null
            when p.has_control and least(p.n_control_pre, p.n_control_post) < 2 then null
            when p.has_control then 1.96 * sqrt(p.var_treated + p.var_control)
            else 1.96 * sqrt(p.var_treated)
        end as half_width
    from pivoted as p
)

select
    e.fix_id,
    e.metric,
    e.has_control,
    e.partial,
    e.treated_pre,
    e.treated_post,
    case when e.has_control then e.control_pre end as control_pre,
    case when e.has_control then e.control_post end as control_post,
    e.n_treated_pre,
    e.n_treated_post,
    case when e.has_control then e.n_control_pre end as n_control_pre,
    case when e.has_control then e.n_control_post end as n_control_post,
    e.effect,
    e.effect - e.half_width as ci_low,
    e.effect + e.half_width as ci_high
from effects as e
order by e.launch, e.fix_id, e.metric_no
