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

rules as (
    -- Each shared rule is one included expression over the row `f` (queries/rule_*.sql).
    select
        f.grp,
        f.type,
        f.customer_identified,
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

flags as (
    -- Which count each ticket falls in, decided once per ticket. Never null: a count is
    -- never unknown, and DuckDB's count_if of only NULL conditions is NULL. The rules and
    -- the stored carries_* are never null; comparisons with nullable columns are
    -- coalesced.
    select
        r.grp,
        r.first_response_at,
        r.created_at,
        r.resolved_at,
        r.latest_csat,
        r.latest_nps,
        r.type = 'complaint' as is_complaint,
        (r.carries_resolved) as known_resolution,
        (r.carries_resolved and r.is_resolved) as resolved_known,
        (r.carries_resolved and r.is_resolved and r.carries_reopen) as reopen_base,
        (r.carries_resolved and r.is_resolved and r.carries_reopen
                 and r.reopen_count > 0) as reopened,
        (r.carries_resolved and r.is_resolved and r.has_survey) as surveyed,
        (r.carries_fcr and r.fcr_matured) as fcr_base,
        (r.carries_fcr and r.fcr_matured and r.is_fcr) as fcr_hit,
        (r.carries_fcr and r.resolved_at is not null and not r.fcr_matured)
            as fcr_pending,
        -- open tickets younger than the FCR window: a period this recent has not had time
        -- to resolve them (the "too young" note of resolved_pct)
        coalesce(r.carries_resolved and not r.is_resolved
                 and r.created_at > $as_of::timestamp - to_days($fcr_days::bigint), false) as open_recent,
        (r.type = 'complaint' and r.carries_customer) as repeat_base,
        coalesce(r.type = 'complaint' and r.carries_customer and r.customer_identified,
                 false) as identified_complaint,
        (r.carries_customer and r.is_repeat) as repeat_hit,
        coalesce(r.sla_state = 'met', false) as sla_met,
        coalesce(r.sla_state in ('met', 'breached'), false) as sla_due,
        coalesce(r.sla_state = 'pending', false) as sla_pending,
        r.sla_state is not null as sla_known,
        (r.carries_resolution) as known_resolution_time,
        (r.carries_resolved and r.carries_reopen) as known_reopen,
        (r.carries_fcr) as known_fcr,
        (r.carries_customer) as known_customer
    from rules as r
),

survey_source as (
    -- survey KPIs need at least one survey in the warehouse ("What a source does not carry")
    select exists (select 1 from surveys) as has_surveys
),

ticket_kpis as (
    select
        f.grp,
        count(*) as tickets,
        count_if(f.is_complaint) as complaints,
        -- resolved T: only tickets whose source carries resolved_at or status count
        100.0::double * count_if(f.resolved_known)
            / nullif(count_if(f.known_resolution), 0) as resolved_pct,
        -- one sort per measure gives both quantiles
        -- (quantiles of whole microseconds, then minutes / hours: an integer sort)
        list_transform(quantile_cont(date_diff('microsecond', f.created_at, f.first_response_at),
                                     [0.5, 0.9]), lambda q: q / 60000000.0) as frt_q,
        list_transform(quantile_cont(date_diff('microsecond', f.created_at, f.resolved_at),
                                     [0.5, 0.9]), lambda q: q / 3600000000.0) as resolution_q,
        100.0::double * count_if(f.sla_met) / nullif(count_if(f.sla_due), 0) as sla_met_pct,
        100.0::double * count_if(f.reopened) / nullif(count_if(f.reopen_base), 0) as reopen_pct,
        -- only matured resolutions count, in the numerator and the denominator
        100.0::double * count_if(f.fcr_hit) / nullif(count_if(f.fcr_base), 0) as fcr_pct,
        -- complaints whose source carries customer_id; n/a when none of them names one
        case
            when count_if(f.identified_complaint) > 0
                then 100.0::double * count_if(f.repeat_hit) / count_if(f.repeat_base)
        end as repeat_complaint_pct,
        case when any_value(ss.has_surveys) then
            100.0::double * count_if(f.surveyed) / nullif(count_if(f.resolved_known), 0)
        end as survey_response_pct,
        avg(f.latest_csat) as csat_avg,
        100.0::double * count_if(coalesce(f.latest_csat >= 4, false))
            / nullif(count(f.latest_csat), 0) as csat_pct,
        100.0::double * (count_if(coalesce(f.latest_nps >= 9, false))
                         - count_if(coalesce(f.latest_nps <= 6, false)))
            / nullif(count(f.latest_nps), 0) as nps,
        -- Sample sizes behind the figures (each KPI's n, queries/registry.py "sample"),
        -- and what was left out as not yet decided (pending).
        count_if(f.known_resolution) as n_resolution_known,
        count(f.resolved_at) as n_resolved,
        count(f.first_response_at) as n_responded,
        count_if(f.sla_due) as n_sla_due,
        count_if(f.sla_pending) as n_sla_pending,
        count_if(f.reopen_base) as n_reopen,
        count_if(f.fcr_base) as n_fcr,
        count_if(f.fcr_pending) as n_fcr_pending,
        count_if(f.open_recent) as n_open_recent,
        count_if(f.repeat_base) as n_repeat,
        count_if(f.resolved_known) as n_survey_base,
        count(f.latest_csat) as n_csat,
        count(f.latest_nps) as n_nps,
        -- which needs the selection's sources meet (registry "needs"): for n/a reasons
        bool_or(f.known_resolution) as carries_resolved,
        bool_or(f.known_resolution_time) as carries_resolved_at,
        bool_or(f.sla_known) as carries_first_response,
        bool_or(f.known_reopen) as carries_reopen,
        bool_or(f.known_fcr) as carries_fcr,
        bool_or(f.known_customer) as carries_customer,
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
