-- tickets: one page of the tickets behind any number (`cxdash tickets`, the Explore
-- page's ticket list), ordered by $sort_key ($sort_desc), then ticket_id; $limit/$offset.
-- Grain: ticket. Every column of the tickets table (native columns and stored facts) plus
-- the states of tickets_base (sla_deadline, sla_state, is_resolved, is_repeat, is_fcr,
-- carries_fcr, fcr_pending, new_contact_breaks_fcr, is_open), frt_min (minutes to first
-- response), resolution_min (minutes to resolution) and age_min (minutes from creation to
-- resolution or, when there is none, to as_of).
-- $sort_key: 'created_at' | 'frt' | 'resolution' | 'csat' | 'nps' | 'reopen' | 'deadline'
-- (a value, bound; nulls last in both directions).
-- Parameters: those of tickets_base, $sort_key, $sort_desc, $limit, $offset.
with
{{tickets_base}},

ordered as (
    select
        tl.*,
        case $sort_key
            when 'created_at' then epoch(tl.created_at)
            when 'frt' then epoch(tl.first_response_at - tl.created_at)
            when 'resolution' then epoch(tl.resolved_at - tl.created_at)
            when 'csat' then tl.latest_csat
            when 'nps' then tl.latest_nps
            when 'reopen' then tl.reopen_count
            when 'deadline' then epoch(tl.sla_deadline)
        end as sort_value
    from tl
)

select
    o.* exclude (grp, sort_value),
    epoch(o.first_response_at - o.created_at) / 60.0 as frt_min,
    epoch(o.resolved_at - o.created_at) / 60.0 as resolution_min,
    epoch(coalesce(o.resolved_at, $as_of::timestamp) - o.created_at) / 60.0 as age_min
from ordered as o
order by
    case when $sort_desc then -o.sort_value else o.sort_value end asc nulls last,
    o.ticket_id
limit $limit offset $offset
