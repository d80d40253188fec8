-- tickets: one page of the tickets behind any number (`cxdash tickets`, the Explore
-- page's ticket list), ordered by $sort_key ($sort_desc), then ticket_id; $limit/$offset.
-- Grain: ticket. Every column of the tickets table (native columns and stored facts) plus
-- sla_deadline, sla_state, is_repeat, is_fcr, fcr_pending, is_open, frt_min (minutes to
-- first response), resolution_min (minutes to resolution), age_min (minutes from creation
-- to resolution or, when open, to as_of).
-- $sort_key: 'created_at' | 'frt' | 'resolution' | 'csat' | 'nps' | 'reopen' | 'deadline'
-- (a value, bound; nulls last in both directions).
-- Parameters: those of tickets_base, $sort_key, $sort_desc, $limit, $offset.
with
{{tickets_base}},

ordered as (
    select
        tl.ticket_id,
        tl.sla_deadline,
        tl.sla_state,
        tl.is_repeat,
        tl.is_fcr,
        tl.new_contact_breaks_fcr,
        tl.fcr_pending,
        tl.is_open,
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
),

page as (
    select o.*
    from ordered as o
    order by
        case when $sort_desc then -o.sort_value else o.sort_value end asc nulls last,
        o.ticket_id
    limit $limit offset $offset
)

select
    tk.*,
    p.sla_deadline,
    p.sla_state,
    p.is_repeat,
    p.is_fcr,
    p.new_contact_breaks_fcr,
    p.fcr_pending,
    p.is_open,
    epoch(tk.first_response_at - tk.created_at) / 60.0 as frt_min,
    epoch(tk.resolved_at - tk.created_at) / 60.0 as resolution_min,
    epoch(coalesce(tk.resolved_at, $as_of::timestamp) - tk.created_at) / 60.0 as age_min
from page as p
join tickets as tk on tk.ticket_id = p.ticket_id
order by
    case when $sort_desc then -p.sort_value else p.sort_value end asc nulls last,
    p.ticket_id
