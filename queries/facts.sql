-- Stored facts: one row per ticket, its base columns plus the per-ticket facts every
-- KPI needs, written into the tickets table (read through the view fact_tickets).
-- Grain: ticket. Computed when data changes (loads, demo), never per query.
-- Reads temp views the caller sets (dashboard/warehouse.py): _fact_candidates, the tickets
-- to compute with a row number __rid (all of them, or every ticket of the customers a
-- change touches: the windows need them all), and _fact_surveys, their surveys.
-- Facts are independent of settings, so changing a window needs no rebuild:
--   prev_complaint_at  latest *strictly earlier* complaint of the same customer and
--                      category (anywhere in the warehouse); repeat = within the window.
--   next_contact_at    earliest *strictly later* ticket of any type of the same customer
--                      and category; FCR breaks when it is <= resolved_at + window.
--   latest_* / has_survey  the latest survey (greatest responded_at, ties: greatest
--                      survey_id; latest_survey_id names it, for the queries that read
--                      its comment or mark it -- the one place this choice is made);
--                      arg_max_null keeps its null csat: an earlier survey is never
--                      used instead (plain arg_max would skip nulls).
--   funnel_depth       deepest funnel stage with a marker (0 received .. 6 satisfied);
--                      a ticket reached every stage up to its depth; status `closed`
--                      marks closed (4), status `resolved` resolved (3) (kpis.md funnel).
--   region / segment   the branch's region and the customer's segment, for filters.
--   customer_on_file / customer_churned_at  whether the customers table has the
--                      ticket's customer, and its churned_at (churn.sql reads these).
--   customer_identified  the ticket names a customer (customer_id not null);
--   status_resolved    its status is resolved or closed (rule_resolved.sql, rule_open.sql):
--                      booleans the per-query rules read instead of the text columns.
--   carries_*         whether the source extract had the column at all (not_carried).
-- Anonymous tickets (customer_id null) get no prev/next: they neither are nor cause repeats.
with latest_surveys as (
    select
        s.ticket_id,
        arg_max_null(s.csat, (s.responded_at, s.survey_id)) as latest_csat,
        arg_max_null(s.nps, (s.responded_at, s.survey_id)) as latest_nps,
        max_by(s.survey_id, (s.responded_at, s.survey_id)) as latest_survey_id
    from _fact_surveys as s
    group by s.ticket_id
),

neighbours as (
    -- One narrow window pass (same partition and order) gives both neighbours; it is
    -- joined back by the row number (__rid), so the sort carries five columns, not thirty.
    select
        c.__rid,
        case when c.type = 'complaint' then
            max(c.created_at) filter (where c.type = 'complaint') over (
                partition by c.customer_id, c.category
                order by c.created_at
                range between unbounded preceding and interval 1 microsecond preceding
            )
        end as prev_complaint_at,
        min(c.created_at) over (
            partition by c.customer_id, c.category
            order by c.created_at
            range between interval 1 microsecond following and unbounded following
        ) as next_contact_at
    from _fact_candidates as c
    where c.customer_id is not null
)

select
    c.ticket_id,
    c.customer_id,
    c.channel,
    c.branch_id,
    b.region,
    c.category,
    c.type,
    c.priority,
    cu.segment,
    c.created_at,
    c.assigned_at,
    c.first_response_at,
    c.resolved_at,
    c.closed_at,
    c.status,
    c.reopen_count,
    c.escalated,
    c.agent_id,
    c.subject,
    c.description,
    c.not_carried,
    not coalesce(list_contains(c.not_carried, 'first_response_at'), false) as carries_first_response,
    not coalesce(list_contains(c.not_carried, 'resolved_at'), false) as carries_resolution,
    not coalesce(list_contains(c.not_carried, 'reopen_count'), false) as carries_reopen,
    not coalesce(list_contains(c.not_carried, 'escalated'), false) as carries_escalation,
    not coalesce(list_contains(c.not_carried, 'status'), false) as carries_status,
    not coalesce(list_contains(c.not_carried, 'assigned_at'), false) as carries_assignment,
    not coalesce(list_contains(c.not_carried, 'closed_at'), false) as carries_closing,
    c.customer_id is not null as customer_identified,
    coalesce(c.status in ('resolved', 'closed'), false) as status_resolved,
    -- the source had a customer_id column (natively or through its profile): an empty
    -- cell in it is an anonymous contact, a missing column is "the source does not say"
    not coalesce(list_contains(c.not_carried, 'customer_id'), false) as carries_customer,
    cu.customer_id is not null as customer_on_file,
    cu.churned_at as customer_churned_at,
    nb.prev_complaint_at,
    nb.next_contact_at,
    ls.ticket_id is not null as has_survey,
    ls.latest_csat,
    ls.latest_nps,
    ls.latest_survey_id,
    case
        when ls.latest_csat >= 4 or (ls.latest_csat is null and ls.latest_nps >= 9) then 6
        when ls.ticket_id is not null then 5
        when c.closed_at is not null or c.status = 'closed' then 4
        when c.resolved_at is not null or c.status = 'resolved' then 3
        when c.first_response_at is not null then 2
        when c.assigned_at is not null then 1
        else 0
    end as funnel_depth
from _fact_candidates as c
left join neighbours as nb on nb.__rid = c.__rid
left join latest_surveys as ls on ls.ticket_id = c.ticket_id
left join branches as b on b.branch_id = c.branch_id
left join customers as cu on cu.customer_id = c.customer_id
-- stored in time order: a period filter then skips whole row groups (zone maps)
order by c.created_at
