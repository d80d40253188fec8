-- filtered_tickets: the tickets T of a request -- period and filters applied -- with the
-- group key of the breakdown and every column of the tickets table (stored facts of
-- facts.sql included). Included by kpis.sql, funnel.sql and the pages' queries; never run
-- alone.
-- Period: created_at >= $from_ts and created_at < $to_ts (the day after --to); null = open.
-- Filters: each a list of allowed values (null = no filter): OR within, AND across.
-- grp: the breakdown key, an allow-listed expression of queries/registry.py (group_key.sql,
-- null, when there is no breakdown); filter values are bound, never formatted in.
-- Not materialized: a query reading t twice (the KPIs and churn) scans the table twice,
-- each time only the columns and rows it needs, which at 10M tickets is faster than
-- writing every column of T into a temporary result (kpis 90 days: 375 -> 303 ms).
t as not materialized (
    select
        {{group_key}} as grp,
        f.*
    -- the tickets table itself (fact_tickets is a projection of it): the Explore search
    -- reads subject and description, which the view leaves out
    from tickets as f
    where ($from_ts::timestamp is null or f.created_at >= $from_ts::timestamp)
      and ($to_ts::timestamp is null or f.created_at < $to_ts::timestamp)
      and ($channel is null or list_contains($channel, f.channel))
      and ($branch is null or list_contains($branch, f.branch_id))
      and ($region is null or list_contains($region, f.region))
      and ($category is null or list_contains($category, f.category))
      and ($type is null or list_contains($type, f.type))
      and ($priority is null or list_contains($priority, f.priority))
      and ($segment is null or list_contains($segment, f.segment))
)
