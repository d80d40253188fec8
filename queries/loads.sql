-- loads: the load history, newest first, with the share of rows accepted per load and
-- whether a completed load fell below the target. Rows a profile skipped on purpose
-- (`where`, `repeated_keys = "keep_last"`) are neither accepted nor rejected: the share is
-- of the rows considered (read - skipped). Parameter: $min_accepted_pct.
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
    coalesce(rows_skipped, 0) as rows_skipped,
    100.0::double * (rows_read - coalesce(rows_skipped, 0) - rows_rejected)
        / nullif(rows_read - coalesce(rows_skipped, 0), 0) as accepted_pct,
    status = 'loaded'
        and 100.0::double * (rows_read - coalesce(rows_skipped, 0) - rows_rejected)
            / nullif(rows_read - coalesce(rows_skipped, 0), 0) < $min_accepted_pct
        as below_target,
    message,
    loaded_by,
    duration_s,
    checksum,
    load_id
from loads
order by started_at desc
