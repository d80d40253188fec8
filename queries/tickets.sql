-- tickets: which tickets make one page of the list behind any number (`cxdash tickets`,
-- the Explore page), ordered by $sort_key ($sort_desc), then ticket_id; $limit/$offset.
-- Grain: ticket; only ticket_id, created_at and the sort value, so choosing a page reads
-- few columns even at 10M tickets. queries/explore.py then reads the page's rows whole
-- with tickets_rows.sql.
-- $sort_key: 'created_at' | 'frt' | 'resolution' | 'csat' | 'nps' | 'reopen' | 'deadline' | 'age'
-- (a value, bound; nulls last in both directions). The order is the include ticket_order
-- (ticket_order.sql, by the bound sort value); for the time orders the query module passes
-- a plain `o.created_at desc|asc, o.ticket_id` from a fixed list instead, which lets DuckDB's
-- top-N skip every row group older than the page (newest 50 of 10M: ~20 ms, not ~1 s).
-- Parameters: those of tickets_base, $sort_key, $sort_desc, $limit, $offset.
with
{{tickets_base}},

ordered as (
    select
        tl.ticket_id,
        tl.created_at,
        case $sort_key
            when 'created_at' then epoch(tl.created_at)
            when 'frt' then epoch(tl.first_response_at - tl.created_at)
            when 'resolution' then epoch(tl.resolved_at - tl.created_at)
            when 'csat' then tl.latest_csat
            when 'nps' then tl.latest_nps
            when 'reopen' then tl.reopen_count
            when 'deadline' then epoch(tl.sla_deadline)
            -- age: an open ticket's age at as_of, a resolved one's time to resolution
            when 'age' then epoch(coalesce(tl.resolved_at, $as_of::timestamp) - tl.created_at)
        end as sort_value
    from tl
)

select o.ticket_id, o.created_at
from ordered as o
order by {{ticket_order}}
limit $limit offset $offset
