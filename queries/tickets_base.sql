-- tickets_base: the tickets behind any number (spec/kpis.md tickets T) with the per-ticket
-- states the KPIs use, narrowed by the Explore page's own selection. Included by
-- tickets.sql and tickets_count.sql; never run alone.
-- Grain: ticket. Builds on filtered_tickets (period + filters) and sla_state (the SLA rule).
-- Adds: sla_deadline, sla_state (sla_state.sql), is_repeat, is_fcr, fcr_pending, is_open.
-- is_repeat / is_fcr: the expressions of kpis.sql's `flags` CTE, repeated here until the
-- shared-rules file of the metrics issue lands (then this file includes it instead).
-- Narrowing parameters (null = no narrowing):
--   $stage_min    funnel depth reached (0 received .. 6 satisfied; funnel_depth >= it)
--   $stage_at     open tickets whose deepest stage is exactly this one ("stuck at")
--   $sla_filter   'met' | 'breached' | 'pending'
--   $q            ILIKE pattern over subject, description and survey comments
--   $score_low    true: latest survey CSAT <= 2 or NPS <= 6
--   $week_start   Monday 00:00 of an ISO week of created_at
--   $weekday      ISO weekday of created_at (1 = Monday .. 7)
--   $hour         hour of created_at (0..23)
--   $open_only    true: created by $as_of and not resolved at $as_of
--   $age_min_h, $age_max_h  open tickets aged [min, max) hours at $as_of (backlog band)
--   $repeat_only, $reopened_only, $escalated_only   true: only those tickets
--   $customer_id, $ticket_id  one customer's / one ticket's rows
{{filtered_tickets}},

{{sla_state}},

tb0 as (
    select
        s.*,
        -- repeat and FCR: copied from kpis.sql `flags` (one definition; see header)
        coalesce(
            s.type = 'complaint'
            and s.customer_id is not null
            and s.prev_complaint_at >= s.created_at - to_days($repeat_days::bigint), false
        ) as is_repeat,
        -- a later contact of the same customer and category within the FCR window
        coalesce(s.next_contact_at <= s.resolved_at + to_days($fcr_days::bigint), false)
            as new_contact_breaks_fcr
    from sla_tickets as s
),

tb as (
    select
        s.*,
        s.resolved_at is not null
            and s.reopen_count = 0
            and not s.escalated
            and not s.new_contact_breaks_fcr as is_fcr,
        -- FCR is pending while a new contact may still come (spec: resolved_at + 7 days > as_of)
        s.resolved_at is not null and s.resolved_at + to_days($fcr_days::bigint) > $as_of
            as fcr_pending,
        -- open at as_of: created by then and not resolved by then (spec "resolved": a
        -- resolution time, or status resolved/closed when no time is given)
        s.created_at <= $as_of
            and not coalesce(s.resolved_at <= $as_of, false)
            and not (s.resolved_at is null and coalesce(s.status in ('resolved', 'closed'), false))
            as is_open
    from tb0 as s
),

tl as (
    select tb.*
    from tb
    where ($stage_min is null or tb.funnel_depth >= $stage_min)
      and ($stage_at is null or (tb.funnel_depth = $stage_at and tb.is_open))
      and ($sla_filter is null or tb.sla_state = $sla_filter)
      and ($q is null or tb.ticket_id in (
            select tk.ticket_id from tickets as tk
            where tk.subject ilike $q escape '\' or tk.description ilike $q escape '\'
            union all
            select sv.ticket_id from surveys as sv where sv.comment ilike $q escape '\'))
      and ($score_low is null or not $score_low
           or coalesce(tb.latest_csat <= 2, false) or coalesce(tb.latest_nps <= 6, false))
      and ($week_start is null
           or (tb.created_at >= $week_start::timestamp and tb.created_at < $week_start::timestamp + interval 7 day))
      and ($weekday is null or isodow(tb.created_at) = $weekday::bigint)
      and ($hour is null or hour(tb.created_at) = $hour::bigint)
      and ($open_only is null or not $open_only or tb.is_open)
      and ($age_min_h is null
           or (tb.is_open and tb.created_at <= $as_of::timestamp - to_hours($age_min_h::bigint)))
      and ($age_max_h is null
           or (tb.is_open and tb.created_at > $as_of::timestamp - to_hours($age_max_h::bigint)))
      and ($repeat_only is null or not $repeat_only or tb.is_repeat)
      and ($reopened_only is null or not $reopened_only or tb.reopen_count > 0)
      and ($escalated_only is null or not $escalated_only or tb.escalated)
      and ($customer_id is null or tb.customer_id = $customer_id)
      and ($ticket_id is null or tb.ticket_id = $ticket_id)
)
