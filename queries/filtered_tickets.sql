-- filtered_tickets: the tickets T of a request -- period and filters applied -- with the
-- group key of the breakdown and every column of the tickets table (stored facts of
-- facts.sql included). Included by kpis.sql, funnel.sql and the pages' queries; never run
-- alone.
-- Period: created_at >= $from_ts and created_at < $to_ts (the day after --to); null = open.
-- Filters: each a list of allowed values (null = no filter): OR within, AND across.
-- grp: the breakdown key, an allow-listed expression of queries/registry.py (group_key.sql,
-- null, when there is no breakdown); filter values are bound, never formatted in.
t as (
    select
        {{group_key}} as grp,
        f.*
    -- the tickets table itself (fact_tickets is a projection of it) for not_carried, which
    -- the view leaves out and the funnel's "carries" flags need
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
