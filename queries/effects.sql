-- effects: before/after of each fix (difference-in-differences against a control group),
-- spec/kpis.md "Before/after a fix". Grain: fix x metric (repeat_complaint_pct, csat_avg,
-- churn_pct, complaints). Cells, arms and windows: effects_base.sql, which applies the
-- shared rules (rule_repeat.sql, churn.sql) and the stored carries_customer once for both.
-- effect = (treated post - pre) - (control post - pre); without control, treated post - pre.
-- complaints: relative change of per-day rates (count / days the window spans: W for pre,
-- min(L + W, as_of) - L for post), 100 x ((tpost / tpre) / (cpost / cpre) - 1) %, null
-- when a count it divides by is 0; its interval 100 x (exp(ln(1 + e/100) +- 1.96 x
-- sqrt(sum 1/count)) - 1), null when any count used is below 2.
-- 95 % interval of the others: effect +- 1.96 x sqrt(sum of cell variances); proportions
-- use Agresti-Caffo p~ = (k+1)/(n+2), variance p~(1-p~)/(n+2) x 100^2; means s^2/n; any
-- cell with n < 2 gives no interval.
-- Checks beside the effect (same units as the effect):
--   pre_trend_diff: slope of the treated weekly values minus the control's over the full
--     weeks of the pre window (weeks -floor(W/7) .. -1; ordinary least squares, one point
--     per week with a value; complaints as 100 x ln(weekly count), i.e. about % per week),
--     per week; without control the treated slope itself. Interval +- 1.96 x sqrt(se_t^2
--     + se_c^2), se of a slope = sqrt(residual variance / Sxx), null with fewer than 3 weeks.
--   rtm_diff: the same difference-in-differences with hist in place of pre and pre in
--     place of post -- how far the treated scope moved away from its own history just
--     before launch, beyond what the control did (complaints: relative, hist rates per day;
--     repeats: null when the history starts less than $repeat_days after the first ticket).
-- Parameters: $as_of, $window_days, $fix_id (null = all), $repeat_days, $churn_days,
-- $all_weeks (effects_base.sql).
with
{{effects_base}},

arms as (
    select * from (values (0), (1)) as a (arm)
),

periods as (
    select * from (values (0), (1), (2)) as p (period)
),

cells as (
    -- Every fix x arm x period, empty cells included (their counts are 0, their rates null).
    select
        fx.fix_id,
        fx.fix_no,
        fx.launch,
        fx.has_control,
        fx.post_days,
        fx.hist_repeats_known,
        a.arm,
        p.period,
        case p.period when 0 then fx.pre_days when 1 then fx.post_days else fx.hist_days end
            as days,
        coalesce(s.complaints, 0) as complaints,
        coalesce(s.n_repeat, 0) as n_repeat,
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
    left join stats as s on s.grp = fx.fix_no * 8 + a.arm * 4 + p.period
    left join churn as ch on ch.grp = fx.fix_no * 8 + a.arm * 4 + p.period
),

metric_cells as (
    -- One row per fix x metric x cell: value, n, variance of the value (complaints: the
    -- count, and its per-day rate).
    select
        c.*,
        m.metric,
        m.metric_no,
        case m.metric_no
            when 1 then case when c.identified > 0 then 100.0::double * c.repeats / c.n_repeat end
            when 2 then c.csat_mean
            when 3 then 100.0::double * c.churned / nullif(c.matured, 0)
            else c.complaints::double
        end as value,
        case m.metric_no
            when 1 then c.n_repeat
            when 2 then c.n_csat
            when 3 then c.matured
            else c.complaints
        end as n,
        case m.metric_no
            when 1 then ((c.repeats + 1.0::double) / (c.n_repeat + 2))
                * (1 - (c.repeats + 1.0::double) / (c.n_repeat + 2))
                / (c.n_repeat + 2) * 10000.0::double
            when 2 then c.csat_var / nullif(c.n_csat, 0)
            when 3 then ((c.churned + 1.0::double) / (c.matured + 2))
                * (1 - (c.churned + 1.0::double) / (c.matured + 2))
                / (c.matured + 2) * 10000.0::double
        end as variance,
        case when m.metric_no = 4 and c.days > 0 then c.complaints / c.days end as rate
    from cells as c
    cross join (values ('repeat_complaint_pct', 1), ('csat_avg', 2), ('churn_pct', 3),
                       ('complaints', 4)) as m (metric, metric_no)
),

pivoted as (
    select
        m.fix_id,
        m.fix_no,
        m.metric,
        m.metric_no,
        any_value(m.launch) as launch,
        any_value(m.has_control) as has_control,
        any_value(m.post_days) as post_days,
        any_value(m.hist_repeats_known) as hist_repeats_known,
        any_value(m.launch) + to_days($window_days::bigint) > $as_of as partial,
        -- cell = arm * 4 + period: 0 treated pre, 1 treated post, 2 treated hist,
        -- 4 control pre, 5 control post, 6 control hist
        max(m.value) filter (where m.arm = 0 and m.period = 0) as treated_pre,
        max(m.value) filter (where m.arm = 0 and m.period = 1) as treated_post,
        max(m.value) filter (where m.arm = 0 and m.period = 2) as treated_hist,
        max(m.value) filter (where m.arm = 1 and m.period = 0) as control_pre,
        max(m.value) filter (where m.arm = 1 and m.period = 1) as control_post,
        max(m.value) filter (where m.arm = 1 and m.period = 2) as control_hist,
        max(m.n) filter (where m.arm = 0 and m.period = 0) as n_treated_pre,
        max(m.n) filter (where m.arm = 0 and m.period = 1) as n_treated_post,
        max(m.n) filter (where m.arm = 0 and m.period = 2) as n_treated_hist,
        max(m.n) filter (where m.arm = 1 and m.period = 0) as n_control_pre,
        max(m.n) filter (where m.arm = 1 and m.period = 1) as n_control_post,
        max(m.n) filter (where m.arm = 1 and m.period = 2) as n_control_hist,
        max(m.variance) filter (where m.arm = 0 and m.period = 0) as v_treated_pre,
        max(m.variance) filter (where m.arm = 0 and m.period = 1) as v_treated_post,
        max(m.variance) filter (where m.arm = 0 and m.period = 2) as v_treated_hist,
        max(m.variance) filter (where m.arm = 1 and m.period = 0) as v_control_pre,
        max(m.variance) filter (where m.arm = 1 and m.period = 1) as v_control_post,
        max(m.variance) filter (where m.arm = 1 and m.period = 2) as v_control_hist,
        max(m.rate) filter (where m.arm = 0 and m.period = 0) as r_treated_pre,
        max(m.rate) filter (where m.arm = 0 and m.period = 1) as r_treated_post,
        max(m.rate) filter (where m.arm = 0 and m.period = 2) as r_treated_hist,
        max(m.rate) filter (where m.arm = 1 and m.period = 0) as r_control_pre,
        max(m.rate) filter (where m.arm = 1 and m.period = 1) as r_control_post,
        max(m.rate) filter (where m.arm = 1 and m.period = 2) as r_control_hist
    from metric_cells as m
    group by m.fix_id, m.fix_no, m.metric, m.metric_no
),

diffs as (
    -- The effect (pre -> post) and the history check (hist -> pre) of each row, with the
    -- half width of their intervals (log scale for complaints).
    select
        p.*,
        case
            when p.metric_no = 4 and p.has_control then
                100.0 * ((p.r_treated_post / nullif(p.r_treated_pre, 0))
                         / nullif(p.r_control_post / nullif(p.r_control_pre, 0), 0) - 1)
            when p.metric_no = 4 then 100.0 * (p.r_treated_post / nullif(p.r_treated_pre, 0) - 1)
            when p.has_control then
                (p.treated_post - p.treated_pre) - (p.control_post - p.control_pre)
            else p.treated_post - p.treated_pre
        end as effect,
        case
            when least(p.n_treated_pre, p.n_treated_post) < 2 then null
            when p.has_control and least(p.n_control_pre, p.n_control_post) < 2 then null
            when p.metric_no = 4 and p.has_control then 1.96 * sqrt(
                1.0 / p.n_treated_pre + 1.0 / p.n_treated_post
                + 1.0 / p.n_control_pre + 1.0 / p.n_control_post)
            when p.metric_no = 4 then 1.96 * sqrt(1.0 / p.n_treated_pre + 1.0 / p.n_treated_post)
            when p.has_control then 1.96 * sqrt(
                p.v_treated_pre + p.v_treated_post + p.v_control_pre + p.v_control_post)
            else 1.96 * sqrt(p.v_treated_pre + p.v_treated_post)
        end as half_width,
        case
            -- repeats of a history too close to the first ticket cannot be known
            when p.metric_no = 1 and not p.hist_repeats_known then null
            when p.metric_no = 4 and p.has_control then
                100.0 * ((p.r_treated_pre / nullif(p.r_treated_hist, 0))
                         / nullif(p.r_control_pre / nullif(p.r_control_hist, 0), 0) - 1)
            when p.metric_no = 4 then 100.0 * (p.r_treated_pre / nullif(p.r_treated_hist, 0) - 1)
            when p.has_control then
                (p.treated_pre - p.treated_hist) - (p.control_pre - p.control_hist)
            else p.treated_pre - p.treated_hist
        end as rtm_diff,
        case
            when least(p.n_treated_hist, p.n_treated_pre) < 2 then null
            when p.has_control and least(p.n_control_hist, p.n_control_pre) < 2 then null
            when p.metric_no = 4 and p.has_control then 1.96 * sqrt(
                1.0 / p.n_treated_hist + 1.0 / p.n_treated_pre
                + 1.0 / p.n_control_hist + 1.0 / p.n_control_pre)
            when p.metric_no = 4 then 1.96 * sqrt(1.0 / p.n_treated_hist + 1.0 / p.n_treated_pre)
            when p.has_control then 1.96 * sqrt(
                p.v_treated_hist + p.v_treated_pre + p.v_control_hist + p.v_control_pre)
            else 1.96 * sqrt(p.v_treated_hist + p.v_treated_pre)
        end as rtm_half_width
    from pivoted as p
),

pre_weeks as (
    -- full weeks of the pre window; complaints on a log scale (a week without any
    -- complaint of the arm has no point)
    select
        w.fix_no,
        w.arm,
        w.metric,
        w.week::double as x,
        case when w.metric_no = 4 then 100.0 * ln(nullif(w.value, 0)) else w.value end as y
    from week_values as w
    where w.week >= -($window_days::bigint // 7) and w.week <= -1
),

slopes as (
    select
        pw.fix_no,
        pw.arm,
        pw.metric,
        regr_slope(pw.y, pw.x) as slope,
        case
            when regr_count(pw.y, pw.x) >= 3 and regr_sxx(pw.y, pw.x) > 0 then sqrt(
                greatest(regr_syy(pw.y, pw.x) - regr_sxy(pw.y, pw.x) ^ 2 / regr_sxx(pw.y, pw.x), 0)
                / (regr_count(pw.y, pw.x) - 2) / regr_sxx(pw.y, pw.x))
        end as slope_se
    from pre_weeks as pw
    where pw.y is not null
    group by pw.fix_no, pw.arm, pw.metric
),

pre_trend as (
    select
        d.fix_no,
        d.metric,
        case when d.has_control then st.slope - sc.slope else st.slope end as diff,
        case
            when d.has_control then 1.96 * sqrt(st.slope_se ^ 2 + sc.slope_se ^ 2)
            else 1.96 * st.slope_se
        end as half_width
    from diffs as d
    left join slopes as st on st.fix_no = d.fix_no and st.metric = d.metric and st.arm = 0
    left join slopes as sc on sc.fix_no = d.fix_no and sc.metric = d.metric and sc.arm = 1
)

select
    d.fix_id,
    d.metric,
    d.has_control,
    d.partial,
    d.treated_pre,
    d.treated_post,
    case when d.has_control then d.control_pre end as control_pre,
    case when d.has_control then d.control_post end as control_post,
    d.n_treated_pre,
    d.n_treated_post,
    case when d.has_control then d.n_control_pre end as n_control_pre,
    case when d.has_control then d.n_control_post end as n_control_post,
    d.effect,
    case
        when d.half_width is null then null
        when d.metric_no = 4 then 100.0 * (exp(ln(1 + d.effect / 100.0) - d.half_width) - 1)
        else d.effect - d.half_width
    end as ci_low,
    case
        when d.half_width is null then null
        when d.metric_no = 4 then 100.0 * (exp(ln(1 + d.effect / 100.0) + d.half_width) - 1)
        else d.effect + d.half_width
    end as ci_high,
    pt.diff as pre_trend_diff,
    pt.diff - pt.half_width as pre_trend_ci_low,
    pt.diff + pt.half_width as pre_trend_ci_high,
    d.treated_hist,
    case when d.has_control then d.control_hist end as control_hist,
    d.n_treated_hist,
    case when d.has_control then d.n_control_hist end as n_control_hist,
    d.rtm_diff,
    case
        when d.rtm_half_width is null then null
        when d.metric_no = 4 then 100.0 * (exp(ln(1 + d.rtm_diff / 100.0) - d.rtm_half_width) - 1)
        else d.rtm_diff - d.rtm_half_width
    end as rtm_ci_low,
    case
        when d.rtm_half_width is null then null
        when d.metric_no = 4 then 100.0 * (exp(ln(1 + d.rtm_diff / 100.0) + d.rtm_half_width) - 1)
        else d.rtm_diff + d.rtm_half_width
    end as rtm_ci_high,
    d.launch::date as launched_at,
    d.post_days,
    (d.launch + to_days($window_days::bigint))::date as completes_on
from diffs as d
left join pre_trend as pt on pt.fix_no = d.fix_no and pt.metric = d.metric
order by d.launch, d.fix_id, d.metric_no
