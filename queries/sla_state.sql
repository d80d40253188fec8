-- sla_state: the first-response SLA of spec/kpis.md ("First-response SLA"), per ticket of
-- t (filtered_tickets). Included by kpis.sql and the funnel page's SLA and backlog
-- queries, so the rule is written once. Never run alone.
-- Grain: ticket. Adds sla_deadline (timestamp) and sla_state:
--   'met'      first_response_at <= deadline
--   'breached' first_response_at > deadline, or none yet and $as_of > deadline
--   'pending'  none yet and $as_of <= deadline (left out of the met share)
--   null       the ticket's source has no first_response_at column at all
-- deadline = created_at + the priority's target; low: a weekend ticket starts Monday 00:00,
-- then N working days (Mon-Fri) later at the same time of day.
-- Parameters: $as_of, $sla_urgent_min, $sla_high_min, $sla_normal_min, $sla_low_days.
sla_start as (
    select
        t.*,
        case
            when isodow(t.created_at) >= 6
                then date_trunc('day', t.created_at) + to_days(8 - isodow(t.created_at))
            else t.created_at
        end as low_start
    from t
),

sla_deadlines as (
    select
        s.*,
        case s.priority
            when 'urgent' then s.created_at + to_minutes($sla_urgent_min::bigint)
            when 'high' then s.created_at + to_minutes($sla_high_min::bigint)
            when 'normal' then s.created_at + to_minutes($sla_normal_min::bigint)
            when 'low' then s.low_start + to_days(
                7 * ($sla_low_days::bigint // 5) + $sla_low_days::bigint % 5
                + case when isodow(s.low_start) - 1 + $sla_low_days::bigint % 5 >= 5 then 2 else 0 end
            )
        end as sla_deadline
    from sla_start as s
),

sla_tickets as (
    select
        d.*,
        case
            when not d.carries_first_response then null  -- the source has no response times
            when d.first_response_at is not null and d.first_response_at <= d.sla_deadline then 'met'
            when d.first_response_at is not null and d.first_response_at > d.sla_deadline then 'breached'
            when d.first_response_at is null and $as_of::timestamp > d.sla_deadline then 'breached'
            when d.first_response_at is null and $as_of::timestamp <= d.sla_deadline then 'pending'
        end as sla_state
    from sla_deadlines as d
)
