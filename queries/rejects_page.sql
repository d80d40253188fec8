-- rejects_page: one page of the rejected rows, newest load first, narrowed to an extract
-- and to a text found in the reason or column (case-insensitive), with the number of rows
-- that match in `total`. Parameters: $extract (null = all), $needle (null = any),
-- $limit, $offset.
select
    r.extract, r.line, r."column", r.reason, r.raw, l.started_at as loaded_at,
    count(*) over () as total
from rejects as r
left join loads as l on l.load_id = r.load_id
where ($extract is null or r.extract = $extract)
    and ($needle is null or contains(lower(r.reason), lower($needle))
         or contains(lower(coalesce(r."column", '')), lower($needle)))
order by l.started_at desc nulls last, r.extract, r.line
limit $limit offset $offset
