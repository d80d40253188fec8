-- satisfaction_groups: satisfaction per group of $dim (spec/kpis.md "Satisfaction by group
-- and outliers"), the inputs of the funnel plot and of the low-outlier test.
-- Grain: one row per group that has tickets in T (period + filters), also a group with no
-- survey (n 0). Uses each ticket's latest survey (fact_tickets.latest_csat/latest_nps), as
-- csat_avg does. Parameters: those of filtered_tickets ($dim: branch, channel, category,
-- region -- bound, the group key comes from filtered_tickets' fixed list).
--   n, csat_avg, csat_var      latest-survey csat answers of the group, their mean and
--                              sample variance (n - 1; null when n < 2)
--   others_n, others_avg, others_var  the same over every other group's surveys together
--   overall_avg, overall_sd    mean and sample sd (n - 1) of all latest-survey csat in T
--   limit95_*, limit998_*      funnel-plot limits overall_avg +- z x overall_sd / sqrt(n),
--                              z = 1.96 and 3.09; null when n = 0
--   nps, nps_n, promoters, detractors  NPS of the group's latest NPS answers (0-10)
--   nps_moe                    95 % margin of error 1.96 x 100 x sqrt((p + d - (p - d)^2) / n),
--                              p and d the promoter and detractor shares; null when n < 2
with
{{filtered_tickets}},

groups as (
    select
        t.grp,
        count(t.latest_csat) as n,
        -- integer sums are exact, so the others' variance below has no cancellation error
        coalesce(sum(t.latest_csat::hugeint), 0) as csat_sum,
        coalesce(sum(t.latest_csat::hugeint * t.latest_csat), 0) as csat_sumsq,
        count(t.latest_nps) as nps_n,
        count_if(t.latest_nps >= 9) as promoters,
        count_if(t.latest_nps <= 6) as detractors
    from t
    group by t.grp
),

overall as (
    select
        count(t.latest_csat) as n,
        avg(t.latest_csat) as overall_avg,
        stddev_samp(t.latest_csat) as overall_sd,
        coalesce(sum(t.latest_csat::hugeint), 0) as csat_sum,
        coalesce(sum(t.latest_csat::hugeint * t.latest_csat), 0) as csat_sumsq
    from t
),

with_others as (
    select
        g.*,
        o.overall_avg,
        o.overall_sd,
        o.n - g.n as others_n,
        o.csat_sum - g.csat_sum as others_sum,
        o.csat_sumsq - g.csat_sumsq as others_sumsq
    from groups as g
    cross join overall as o
)

select
    w.grp as "group",
    w.n,
    w.csat_sum::double / nullif(w.n, 0) as csat_avg,
    case when w.n >= 2
        then (w.n * w.csat_sumsq - w.csat_sum * w.csat_sum)::double / (w.n * (w.n - 1))
    end as csat_var,
    w.others_n,
    w.others_sum::double / nullif(w.others_n, 0) as others_avg,
    case when w.others_n >= 2
        then (w.others_n * w.others_sumsq - w.others_sum * w.others_sum)::double
            / (w.others_n * (w.others_n - 1))
    end as others_var,
    w.overall_avg,
    w.overall_sd,
    case when w.n > 0 then w.overall_avg - 1.96 * w.overall_sd / sqrt(w.n) end as limit95_low,
    case when w.n > 0 then w.overall_avg + 1.96 * w.overall_sd / sqrt(w.n) end as limit95_high,
    case when w.n > 0 then w.overall_avg - 3.09 * w.overall_sd / sqrt(w.n) end as limit998_low,
    case when w.n > 0 then w.overall_avg + 3.09 * w.overall_sd / sqrt(w.n) end as limit998_high,
    100.0::double * (w.promoters - w.detractors) / nullif(w.nps_n, 0) as nps,
    w.nps_n,
    w.promoters,
    w.detractors,
    case when w.nps_n >= 2 then
        1.96 * 100 * sqrt(
            (w.promoters + w.detractors)::double / w.nps_n
            - power((w.promoters - w.detractors)::double / w.nps_n, 2)
        ) / sqrt(w.nps_n)
    end as nps_moe
from with_others as w
order by csat_avg nulls last, w.grp nulls last
