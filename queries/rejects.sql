-- rejects: rejected rows, whole, with the extract, line, column and reason.
-- Parameters: $extract (null = all), $limit (null = all).
select r.extract, r.line, r."column", r.reason, r.raw, r.load_id, l.started_at as loaded_at
from rejects as r
left join loads as l on l.load_id = r.load_id
where $extract is null or r.extract = $extract
order by l.started_at desc nulls last, r.extract, r.line
limit coalesce($limit, 9223372036854775807)
