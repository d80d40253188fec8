-- kpis: the ticket KPI set of spec/kpis.md, one row per group ($dim; null = one row).
-- Grain: group of the tickets T (period + filters). Percentages 0-100; an empty
-- denominator gives null ("n/a"), never 0.
-- Parameters: filtered_tickets' ones, $as_of, $repeat_days, $fcr_days, $churn_days,
-- $sla_urgent_min, $sla_high_min, $sla_normal_min, $sla_low_days (the SLA rule: sla_state.sql).
with
{{filtered_tickets}},

{{sla_state}},

flags as (
    select
        d.grp,
        d.type,
        d.customer_id,
        d.created_at,
        d.first_response_at,
        d.resolved_at,
        d.reopen_count,
        d.has_survey,
        d.latest_csat,
        d.latest_nps,
        d.carries_resolution,
        d.carries_reopen and d.carries_escalation as carries_fcr,
        d.carries_reopen,
        d.sla_state,
        d.type = 'complaint'
            and d.customer_id is not null
            and d.prev_complaint_at >= d.created_at - to_days($repeat_days::bigint) as is_repeat,
        d.resolved_at is not null
            and d.reopen_count = 0
            and not d.escalated
            and not coalesce(
                d.next_contact_at <= d.resolved_at + to_days($fcr_days::bigint), false
            ) as is_fcr
    from sla_tickets as d
),

ticket_kpis as (
    select
        f.grp,
        count(*) as tickets,
        count_if(f.type = 'complaint') as complaints,
        100.0::double * count(f.resolved_at)
            / nullif(count_if(f.carries_resolution), 0) as resolved_pct,
        -- one sort per measure gives both quantiles
        quantile_cont(epoch(f.first_response_at - f.created_at) / 60.0, [0.5, 0.9]) as frt_q,
        quantile_cont(epoch(f.resolved_at - f.created_at) / 3600.0, [0.5, 0.9]) as resolution_q,
        100.0::double * count_if(f.sla_state = 'met')
            / nullif(count_if(f.sla_state in ('met', 'breached')), 0) as sla_met_pct,
        100.0::double * count_if(f.resolved_at is not null and f.reopen_count > 0
                                 and f.carries_reopen)
            / nullif(count_if(f.resolved_at is not null and f.carries_reopen), 0)
            as reopen_pct,
        100.0::double * count_if(f.is_fcr and f.carries_fcr)
            / nullif(count_if(f.resolved_at is not null and f.carries_fcr), 0)
            as fcr_pct,
        -- Without any identified complaint the data cannot show repeats: n/a, not 0.
        case
            when count_if(f.type = 'complaint' and f.customer_id is not null) > 0
                then 100.0::double * count_if(f.is_repeat)
                    / count_if(f.type = 'complaint')
        end as repeat_complaint_pct,
        100.0::double * count_if(f.resolved_at is not null and f.has_survey)
            / nullif(count(f.resolved_at), 0) as survey_response_pct,
        avg(f.latest_csat) as csat_avg,
        100.0::double * count_if(f.latest_csat >= 4) / nullif(count(f.latest_csat), 0) as csat_pct,
        100.0::double * (count_if(f.latest_nps >= 9) - count_if(f.latest_nps <= 6))
            / nullif(count(f.latest_nps), 0) as nps,
        -- Sample sizes behind the figures, for "small sample" labels.
        count(f.resolved_at) as n_resolved,
        count(f.first_response_at) as n_responded,
        count_if(f.sla_state in ('met', 'breached')) as n_sla_due,
        count_if(f.sla_state = 'pending') as n_sla_pending,
        count(f.latest_csat) as n_csat,
        count(f.latest_nps) as n_nps
    from flags as f
    group by f.grp
),

{{churn}}

select
    k.grp as "group",
    k.tickets,
    k.complaints,
    k.resolved_pct,
    k.frt_q[1] as frt_median_min,
    k.frt_q[2] as frt_p90_min,
    k.resolution_q[1] as resolution_median_h,
    k.resolution_q[2] as resolution_p90_h,
    k.sla_met_pct,
    k.reopen_pct,
    k.fcr_pct,
    k.repeat_complaint_pct,
    k.survey_response_pct,
    k.csat_avg,
    k.csat_pct,
    k.nps,
    c.churned * 100.0::double / nullif(c.matured, 0) as post_complaint_churn_pct,
    k.n_resolved,
    k.n_responded,
    k.n_sla_due,
    k.n_sla_pending,
    k.n_csat,
    k.n_nps,
    coalesce(c.matured, 0) as n_churn_matured
from ticket_kpis as k
left join churn as c on c.grp is not distinct from k.grp
order by k.grp nulls last
