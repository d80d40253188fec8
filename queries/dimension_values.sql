-- dimension_values: every value each filter dimension takes among loaded tickets.
-- Grain: dimension x value. No parameters.
select 'channel' as dim, channel as value from (select distinct channel from fact_tickets)
union all
select 'region', region from (select distinct region from fact_tickets where region is not null)
union all
select 'branch', branch_id from (select distinct branch_id from fact_tickets)
union all
select 'category', category from (select distinct category from fact_tickets)
union all
select 'type', type from (select distinct type from fact_tickets)
union all
select 'priority', priority from (select distinct priority from fact_tickets)
union all
select 'segment', segment from (select distinct segment from fact_tickets where segment is not null)
order by dim, value
