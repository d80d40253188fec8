-- loads_page: one page of the load history (queries/loads.sql), newest first.
-- Parameters: $min_accepted_pct, $limit, $offset.
select * from ({{loads}}) limit $limit offset $offset
