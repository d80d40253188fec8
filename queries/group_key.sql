-- group_key: the breakdown key `grp` of filtered_tickets.sql when no breakdown is asked
-- for. The query API passes an allow-listed expression from queries/registry.py instead
-- (queries.registry.group_key_sql) when a request groups by one or two dimensions.
cast(null as varchar)
