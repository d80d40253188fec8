-- churn_kpis: only the churn figures of kpis.sql, for a caller that needs nothing else
-- (queries.api.fetch_metrics asked for tickets and/or post_complaint_churn_pct, e.g. the
-- churn card's fallback period): the same tickets T (filtered_tickets.sql) and the same
-- churn rule (churn.sql), without the SLA, survey and ticket-KPI work of kpis.sql.
-- Columns: group, tickets, post_complaint_churn_pct, n_churn_matured, n_churn_pending,
-- carries_customer -- each computed exactly as kpis.sql computes it.
-- Parameters: filtered_tickets' ones, $as_of, $churn_days.
with
{{filtered_tickets}},

{{churn}},

ticket_counts as (
    select x.grp, count(*) as tickets, bool_or(x.carries_customer) as carries_customer
    from t as x
    group by x.grp
)

select
    k.grp as "group",
    k.tickets,
    c.churned * 100.0::double / nullif(c.matured, 0) as post_complaint_churn_pct,
    coalesce(c.matured, 0) as n_churn_matured,
    coalesce(c.pending, 0) as n_churn_pending,
    k.carries_customer
from ticket_counts as k
left join churn as c on c.grp is not distinct from k.grp
order by k.grp nulls last
