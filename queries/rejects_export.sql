-- rejects_export: every rejected row that matches (for a download, built when asked).
-- Parameters: $extract (null = all), $needle (null = any).
select r.extract, r.line, r."column", r.reason, r.raw
from rejects as r
left join loads as l on l.load_id = r.load_id
where ($extract is null or r.extract = $extract)
    and ($needle is null or contains(lower(r.reason), lower($needle))
         or contains(lower(coalesce(r."column", '')), lower($needle)))
order by l.started_at desc nulls last, r.extract, r.line
