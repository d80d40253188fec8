-- tickets_rows: whole rows of the tickets a page chose (tickets.sql): every column of the
-- tickets table (native columns and stored facts) plus the states of tickets_base
-- (sla_deadline, sla_state, is_resolved, is_repeat, is_fcr, carries_fcr, fcr_pending,
-- new_contact_breaks_fcr, is_open), frt_min (minutes to first response), resolution_min
-- (minutes to resolution) and age_min (minutes from creation to resolution or, when there
-- is none, to as_of). Grain: ticket, in no particular order.
-- The caller passes the page's time span as the period ($from_ts/$to_ts), so DuckDB skips
-- every row group outside it, and the ids as $ticket_ids.
-- Parameters: those of tickets_base.
with
{{tickets_base}}

select
    tl.* exclude (grp),
    epoch(tl.first_response_at - tl.created_at) / 60.0 as frt_min,
    epoch(tl.resolved_at - tl.created_at) / 60.0 as resolution_min,
    epoch(coalesce(tl.resolved_at, $as_of::timestamp) - tl.created_at) / 60.0 as age_min
from tl
