-- tickets_base: the tickets behind any number (spec/kpis.md tickets T) with the per-ticket
-- states the KPIs use, narrowed by the Explore page's own selection. Included by
-- tickets.sql and tickets_count.sql; never run alone.
-- Grain: ticket. Builds on filtered_tickets (period + filters) and sla_state (the SLA rule).
-- Adds: sla_deadline, sla_state (sla_state.sql), and from the shared rules the KPIs use
-- (queries/rule_*.sql): is_resolved, is_repeat, is_fcr, fcr_pending (resolved less than the
-- FCR window before as_of), carries_fcr; plus new_contact_breaks_fcr (resolved, not
-- reopened, not escalated and still not FCR: so a later contact of the same customer and
-- category came within the window) and is_open (rule_open.sql: the backlog at as_of).
-- Narrowing parameters (null = no narrowing):
--   $stage_min    funnel depth reached (0 received .. 6 satisfied; funnel_depth >= it)
--   $stage_at     open tickets whose deepest stage is exactly this one ("stuck at")
--   $sla_filter   'met' | 'breached' | 'pending'
--   $q            ILIKE pattern over subject, description and survey comments: the include
--                 ticket_text is `true` (ticket_text.sql) unless the query module
--                 passes ticket_text_match.sql in its place, so a list without a search never joins
--                 the surveys
--   $score_low    true: latest survey CSAT <= 2 or NPS <= 6
--   $week_start   Monday 00:00 of an ISO week of created_at
--   $weekday      ISO weekday of created_at (1 = Monday .. 7)
--   $hour         hour of created_at (0..23)
--   $open_only    true: created by $as_of and not resolved at $as_of
--   $age_min_h, $age_max_h  open tickets aged [min, max) hours at $as_of (backlog band)
--   $repeat_only, $reopened_only, $escalated_only   true: only those tickets
--   $customer_id, $ticket_id  one customer's / one ticket's rows; $ticket_ids  these rows
{{filtered_tickets}},

{{sla_state}},

tb as (
    select
        f.*,
        {{rule_resolved}} as is_resolved,
        {{rule_repeat}} as is_repeat,
        {{rule_fcr}} as is_fcr,
        {{rule_carries_fcr}} as carries_fcr,
        f.resolved_at is not null and not {{rule_fcr_matured}} as fcr_pending,
        f.resolved_at is not null and f.reopen_count = 0 and not f.escalated
            and not {{rule_fcr}} as new_contact_breaks_fcr,
        {{rule_open}} as is_open
    from sla_tickets as f
),

tl as (
    select tb.*
    from tb
    where ($stage_min is null or tb.funnel_depth >= $stage_min)
      and ($stage_at is null or (tb.funnel_depth = $stage_at and tb.is_open))
      and ($sla_filter is null or tb.sla_state = $sla_filter)
      and {{ticket_text}}
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
      and ($ticket_ids is null or list_contains($ticket_ids, tb.ticket_id))
)
