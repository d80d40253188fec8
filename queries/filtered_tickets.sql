-- filtered_tickets: the tickets T of a request -- period and filters applied -- with the
-- group key of the breakdown. Included by kpis.sql and funnel.sql; never run alone.
-- Period: created_at >= $from_ts and created_at < $to_ts (the day after --to); null = open.
-- Filters: each a list of allowed values (null = no filter): OR within, AND across.
-- $dim chooses the group key from a fixed list (values are bound, never formatted in).
t as (
    select
        case $dim
            when 'channel' then f.channel
            when 'branch' then f.branch_id
            when 'region' then f.region
            when 'category' then f.category
            when 'type' then f.type
            when 'priority' then f.priority
            when 'segment' then f.segment
            when 'week' then strftime(date_trunc('week', f.created_at), '%Y-%m-%d')
            when 'month' then strftime(date_trunc('month', f.created_at), '%Y-%m')
            when 'day' then strftime(f.created_at, '%Y-%m-%d')
        end as grp,
        f.*
    from fact_tickets as f
    where ($from_ts is null or f.created_at >= $from_ts)
      and ($to_ts is null or f.created_at < $to_ts)
      and ($channel is null or list_contains($channel, f.channel))
      and ($branch is null or list_contains($branch, f.branch_id))
      and ($region is null or list_contains($region, f.region))
      and ($category is null or list_contains($category, f.category))
      and ($type is null or list_contains($type, f.type))
      and ($priority is null or list_contains($priority, f.priority))
      and ($segment is null or list_contains($segment, f.segment))
)
