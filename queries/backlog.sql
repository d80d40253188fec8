-- backlog: the tickets T still open at $as_of, by age band and by the stage they are stuck
-- at (the furthest stage reached by $as_of: received, assigned or responded).
-- Open at as_of: created_at <= $as_of, no resolved_at / closed_at at or before $as_of, and
-- a status (when carried) that is not resolved or closed. A ticket whose source carries
-- none of resolved_at, closed_at and status cannot be called open or done: it is counted
-- in `unknown` rows (band null), never in the backlog.
-- Age = $as_of - created_at; bands are half-open: lt1d [0, 1 d), 1to3d [1 d, 3 d),
-- 3to7d [3 d, 7 d), 7to30d [7 d, 30 d), gt30d [30 d, ...). So exactly 1 day old is 1to3d.
-- breached: the first-response SLA (sla_state.sql) is breached and the ticket still open.
-- overdue_complaints: open complaints older than the resolution standard of
-- $complaint_days working days (Mon-Fri; a weekend complaint counts from Monday 00:00,
-- as the low-priority SLA counts working days).
-- Grain: band x stage. Parameters: those of filtered_tickets and sla_state, $complaint_days.
with
{{filtered_tickets}},

{{sla_state}},

state_at_as_of as (
    select
        s.*,
        s.created_at <= $as_of
            and not coalesce(s.resolved_at <= $as_of, false)
            and not coalesce(s.closed_at <= $as_of, false)
            and not coalesce(s.carries_status and s.status in ('resolved', 'closed'), false)
            as still_open,
        s.carries_resolution or s.carries_status
            or s.closed_at is not null as knows_resolution,
        epoch($as_of - s.created_at) / 86400.0 as age_days,
        s.low_start + to_days(
            7 * ($complaint_days::bigint // 5) + $complaint_days::bigint % 5
            + case when isodow(s.low_start) - 1 + $complaint_days::bigint % 5 >= 5 then 2 else 0 end
        ) as resolution_due_at
    from sla_tickets as s
),

open_tickets as (
    select
        o.*,
        case
            when not o.knows_resolution then null
            when o.age_days < 1 then 'lt1d'
            when o.age_days < 3 then '1to3d'
            when o.age_days < 7 then '3to7d'
            when o.age_days < 30 then '7to30d'
            else 'gt30d'
        end as band,
        case
            when o.first_response_at <= $as_of then 'responded'
            when o.assigned_at <= $as_of then 'assigned'
            else 'received'
        end as stage
    from state_at_as_of as o
    where o.still_open or (not o.knows_resolution and o.created_at <= $as_of)
)

select
    b.band,
    b.stage,
    count(*) as tickets,
    count_if(b.sla_state = 'breached') as breached,
    count_if(b.type = 'complaint' and $as_of > b.resolution_due_at) as overdue_complaints,
    min(b.created_at) as oldest_created_at,
    max(b.age_days) as oldest_age_days
from open_tickets as b
group by b.band, b.stage
order by
    case b.band when 'gt30d' then 0 when '7to30d' then 1 when '3to7d' then 2
        when '1to3d' then 3 when 'lt1d' then 4 else 5 end,
    case b.stage when 'received' then 0 when 'assigned' then 1 else 2 end
