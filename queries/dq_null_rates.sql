-- dq_null_rates: share of empty values per column of tickets and surveys (0-100).
-- No parameters.
with ticket_counts as (
    unpivot (
        select
            count(*) as total,
            count(customer_id) as customer_id, count(assigned_at) as assigned_at,
            count(first_response_at) as first_response_at, count(resolved_at) as resolved_at,
            count(closed_at) as closed_at, count(agent_id) as agent_id,
            count(subject) as subject, count(description) as description
        from tickets
    ) on columns(* exclude (total)) into name "column" value filled
),

survey_counts as (
    unpivot (
        select count(*) as total, count(csat) as csat, count(nps) as nps, count(ces) as ces,
               count("comment") as "comment"
        from surveys
    ) on columns(* exclude (total)) into name "column" value filled
)

select 'tickets' as kind, "column", 100.0::double * (total - filled) / nullif(total, 0) as null_pct, total
from ticket_counts
union all
select 'surveys', "column", 100.0::double * (total - filled) / nullif(total, 0), total
from survey_counts
order by kind, null_pct desc
