-- rule_open: a ticket is open at $as_of (the backlog) when it was created by then, its
-- source can say whether it is done (it carries resolved_at or status, or the ticket has
-- a closed_at), and by $as_of it has no resolution time, no closing time and no status
-- resolved/closed. A ticket whose source says nothing about resolution is neither open
-- nor done. Same reading as the Funnel page's backlog (backlog.sql `still_open` with
-- `knows_resolution`). Expression over `f` (tickets' columns). Parameters: $as_of.
(f.created_at <= $as_of::timestamp
 and ({{rule_carries_resolved}} or f.closed_at is not null)
 and not coalesce(f.resolved_at <= $as_of::timestamp, false)
 and not coalesce(f.closed_at <= $as_of::timestamp, false)
 and not f.status_resolved)
