-- loads: the load history, newest first, with the share of rows accepted per load and
-- whether a completed load fell below the target. Parameter: $min_accepted_pct.
select
    started_at,
    file_name,
    kind,
    profile,
    status,
    rows_read,
    rows_new,
    rows_updated,
    rows_rejected,
    100.0::double * (rows_read - rows_rejected) / nullif(rows_read, 0) as accepted_pct,
    status = 'loaded'
        and 100.0::double * (rows_read - rows_rejected) / nullif(rows_read, 0) < $min_accepted_pct
        as below_target,
    message,
    loaded_by,
    duration_s,
    checksum
from loads
order by started_at desc
