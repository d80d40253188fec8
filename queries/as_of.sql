-- as_of: the latest timestamp of any kind in the warehouse -- ticket created/assigned/
-- first response/resolved/closed, and responded_at of surveys whose ticket is loaded.
-- Rejected rows are never in these tables, so they never count.
select greatest(
    (select max(greatest(created_at, assigned_at, first_response_at, resolved_at, closed_at))
     from tickets),
    (select max(s.responded_at) from surveys as s
     where s.ticket_id in (select t.ticket_id from tickets as t))
) as as_of
