-- kpis: the ticket KPI set of spec/kpis.md, one row per group (grp: the breakdown key
-- of filtered_tickets.sql; null = one row).
-- Grain: group of the tickets T (period + filters). Percentages 0-100; an empty
-- denominator gives null ("n/a"), never 0.
-- Parameters: filtered_tickets' ones, $as_of, $repeat_days, $fcr_days, $churn_days,
-- $sla_urgent_min, $sla_high_min, $sla_normal_min, $sla_low_days (the SLA rule: sla_state.sql).
-- The shared rules (resolved, repeat, FCR window and maturity, "carries") are the
-- rule_*.sql expressions; churn and its maturity are churn.sql. Each KPI counts only the
-- tickets whose source carries what it needs (spec "What a source does not carry"); the
-- carries_* columns say whether any ticket of the group does (queries/registry.py turns
-- that into the n/a reason).
with
{{filtered_tickets}},

{{sla_state}},

flags as (
    -- Each shared rule is one included expression over the row `f` (queries/rule_*.sql).
    select
        f.grp,
        f.type,
        f.customer_id,
        f.created_at,
        f.first_response_at,
        f.resolved_at,
        f.reopen_count,
        f.has_survey,
        f.latest_csat,
        f.latest_nps,
        f.sla_state,
        {{rule_resolved}} as is_resolved,
        {{rule_carries_resolved}} as carries_resolved,
        f.carries_resolution,
        f.carries_reopen,
        f.carries_customer,
        {{rule_carries_fcr}} as carries_fcr,
        {{rule_fcr_matured}} as fcr_matured,
        {{rule_fcr}} as is_fcr,
        {{rule_repeat}} as is_repeat
    from sla_tickets as f
),

survey_source as (
    -- survey KPIs need at least one survey in the warehouse ("What a source does not carry")
    select exists (select 1 from surveys) as has_surveys
),

ticket_kpis as (
    -- count(*) filter (where ...) rather than count_if: count_if of only NULL conditions is
    -- NULL in DuckDB, and a count is never unknown
    select
        f.grp,
        count(*) as tickets,
        count(*) filter (where f.type = 'complaint') as complaints,
        -- resolved T: only tickets whose source carries resolved_at or status count
        100.0::double * count(*) filter (where f.is_resolved and f.carries_resolved)
            / nullif(count(*) filter (where f.carries_resolved), 0) as resolved_pct,
        -- one sort per measure gives both quantiles
        quantile_cont(epoch(f.first_response_at - f.created_at) / 60.0, [0.5, 0.9]) as frt_q,
        quantile_cont(epoch(f.resolved_at - f.created_at) / 3600.0, [0.5, 0.9]) as resolution_q,
        100.0::double * count(*) filter (where f.sla_state = 'met')
            / nullif(count(*) filter (where f.sla_state in ('met', 'breached')), 0) as sla_met_pct,
        100.0::double * count(*) filter (where f.is_resolved and f.carries_resolved and f.carries_reopen
                                 and f.reopen_count > 0)
            / nullif(count(*) filter (where f.is_resolved and f.carries_resolved and f.carries_reopen), 0)
            as reopen_pct,
        -- only matured resolutions count, in the numerator and the denominator
        100.0::double * count(*) filter (where f.is_fcr and f.fcr_matured and f.carries_fcr)
            / nullif(count(*) filter (where f.fcr_matured and f.carries_fcr), 0) as fcr_pct,
        -- complaints whose source carries customer_id; n/a when none of them names one
        case
            when count(*) filter (where f.type = 'complaint' and f.carries_customer
                          and f.customer_id is not null) > 0
                then 100.0::double * count(*) filter (where f.is_repeat and f.carries_customer)
                    / count(*) filter (where f.type = 'complaint' and f.carries_customer)
        end as repeat_complaint_pct,
        case when any_value(ss.has_surveys) then
            100.0::double * count(*) filter (where f.is_resolved and f.carries_resolved and f.has_survey)
                / nullif(count(*) filter (where f.is_resolved and f.carries_resolved), 0)
        end as survey_response_pct,
        avg(f.latest_csat) as csat_avg,
        100.0::double * count(*) filter (where f.latest_csat >= 4) / nullif(count(f.latest_csat), 0) as csat_pct,
        100.0::double * (count(*) filter (where f.latest_nps >= 9) - count(*) filter (where f.latest_nps <= 6))
            / nullif(count(f.latest_nps), 0) as nps,
        -- Sample sizes behind the figures (each KPI's n, queries/registry.py "sample"),
        -- and what was left out as not yet decided (pending).
        count(*) filter (where f.carries_resolved) as n_resolution_known,
        count(f.resolved_at) as n_resolved,
        count(f.first_response_at) as n_responded,
        count(*) filter (where f.sla_state in ('met', 'breached')) as n_sla_due,
        count(*) filter (where f.sla_state = 'pending') as n_sla_pending,
        count(*) filter (where f.is_resolved and f.carries_resolved and f.carries_reopen) as n_reopen,
        count(*) filter (where f.fcr_matured and f.carries_fcr) as n_fcr,
        count(*) filter (where f.resolved_at is not null and not f.fcr_matured and f.carries_fcr)
            as n_fcr_pending,
        -- open tickets younger than the FCR window: a period this recent has not had
        -- time to resolve them (the "too young" note of resolved_pct)
        count(*) filter (where f.carries_resolved and not f.is_resolved
                 and f.created_at > $as_of - to_days($fcr_days::bigint)) as n_open_recent,
        count(*) filter (where f.type = 'complaint' and f.carries_customer) as n_repeat,
        count(*) filter (where f.is_resolved and f.carries_resolved) as n_survey_base,
        count(f.latest_csat) as n_csat,
        count(f.latest_nps) as n_nps,
        -- which needs the selection's sources meet (registry "needs"): for n/a reasons
        bool_or(f.carries_resolved) as carries_resolved,
        bool_or(f.carries_resolution) as carries_resolved_at,
        bool_or(f.sla_state is not null) as carries_first_response,
        bool_or(f.carries_resolved and f.carries_reopen) as carries_reopen,
        bool_or(f.carries_fcr) as carries_fcr,
        bool_or(f.carries_customer) as carries_customer,
        any_value(ss.has_surveys) as has_surveys
    from flags as f
    cross join survey_source as ss
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
    k.n_resolution_known,
    k.n_resolved,
    k.n_responded,
    k.n_sla_due,
    k.n_sla_pending,
    k.n_reopen,
    k.n_fcr,
    k.n_fcr_pending,
    k.n_open_recent,
    k.n_repeat,
    k.n_survey_base,
    k.n_csat,
    k.n_nps,
    coalesce(c.matured, 0) as n_churn_matured,
    coalesce(c.pending, 0) as n_churn_pending,
    k.carries_resolved,
    k.carries_resolved_at,
    k.carries_first_response,
    k.carries_reopen,
    k.carries_fcr,
    k.carries_customer,
    k.has_surveys
from ticket_kpis as k
left join churn as c on c.grp is not distinct from k.grp
order by k.grp nulls last
