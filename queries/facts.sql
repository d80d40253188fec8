-- fact_tickets: one row per loaded ticket with the per-ticket facts every KPI needs.
-- Grain: ticket. Computed when data changes (loads, demo), never per query.
-- Facts are independent of settings, so changing a window needs no rebuild:
--   prev_complaint_at  latest *strictly earlier* complaint of the same customer and
--                      category (anywhere in the warehouse); repeat = within the window.
--   next_contact_at    earliest *strictly later* ticket of any type of the same customer
--                      and category; FCR breaks when it is <= resolved_at + window.
--   latest_* / has_survey  the latest survey (greatest responded_at, ties: greatest
--                      survey_id); arg_max_null keeps its null csat: an earlier survey
--                      is never used instead (plain arg_max would skip nulls).
--   funnel_depth       deepest funnel stage with a marker (0 received .. 6 satisfied);
--                      a ticket reached every stage up to its depth.
--   region / segment   the branch's region and the customer's segment, for filters.
--   carries_*         whether the source extract had the column at all (not_carried).
-- Anonymous tickets (customer_id null) get no prev/next: they neither are nor cause repeats.
-- Parameter $scope_all: true = every ticket; false = the tickets listed in
-- temp table _refresh_tickets(ticket_id) (windows still see all of their customers' tickets).
with scope_customers as (
    select distinct t.customer_id
    from tickets as t
    where not $scope_all
      and t.customer_id is not null
      and t.ticket_id in (select r.ticket_id from _refresh_tickets as r)
),

candidates as (
    select t.*
    from tickets as t
    where $scope_all
       or t.ticket_id in (select r.ticket_id from _refresh_tickets as r)
       or t.customer_id in (select s.customer_id from scope_customers as s)
),

neighbours as (
    -- One window pass (same partition and order) gives both neighbours.
    select
        c.ticket_id,
        max(c.created_at) filter (where c.type = 'complaint') over (
            partition by c.customer_id, c.category
            order by c.created_at
            range between unbounded preceding and interval 1 microsecond preceding
        ) as prev_complaint_at,
        min(c.created_at) over (
            partition by c.customer_id, c.category
            order by c.created_at
            range between interval 1 microsecond following and unbounded following
        ) as next_contact_at
    from candidates as c
    where c.customer_id is not null
),

latest_surveys as (
    select
        s.ticket_id,
        arg_max_null(s.csat, (s.responded_at, s.survey_id)) as latest_csat,
        arg_max_null(s.nps, (s.responded_at, s.survey_id)) as latest_nps
    from surveys as s
    where s.ticket_id in (select c.ticket_id from candidates as c)
    group by s.ticket_id
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
    c.reopen_count,
    c.escalated,
    not coalesce(list_contains(c.not_carried, 'first_response_at'), false) as carries_first_response,
    not coalesce(list_contains(c.not_carried, 'resolved_at'), false) as carries_resolution,
    not coalesce(list_contains(c.not_carried, 'reopen_count'), false) as carries_reopen,
    not coalesce(list_contains(c.not_carried, 'escalated'), false) as carries_escalation,
    case when c.type = 'complaint' then nb.prev_complaint_at end as prev_complaint_at,
    nb.next_contact_at,
    ls.ticket_id is not null as has_survey,
    ls.latest_csat,
    ls.latest_nps,
    case
        when ls.latest_csat >= 4 or (ls.latest_csat is null and ls.latest_nps >= 9) then 6
        when ls.ticket_id is not null then 5
        when c.closed_at is not null then 4
        when c.resolved_at is not null then 3
        when c.first_response_at is not null then 2
        when c.assigned_at is not null then 1
        else 0
    end as funnel_depth
from candidates as c
left join neighbours as nb on nb.ticket_id = c.ticket_id
left join latest_surveys as ls on ls.ticket_id = c.ticket_id
left join branches as b on b.branch_id = c.branch_id
left join customers as cu on cu.customer_id = c.customer_id
where $scope_all or c.ticket_id in (select r.ticket_id from _refresh_tickets as r)
-- stored in time order: a period filter then skips whole row groups (zone maps)
order by c.created_at
