-- ticket_order: the ORDER BY of tickets.sql by the bound sort value ($sort_desc: highest
-- first), nulls last either way, then ticket_id. Expression list over `o`.
case when $sort_desc then -o.sort_value else o.sort_value end asc nulls last,
o.ticket_id
