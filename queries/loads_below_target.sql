-- loads_below_target: the latest completed loads whose accepted share (queries/loads.sql)
-- fell below the target, newest first. Parameters: $min_accepted_pct, $limit.
select file_name, accepted_pct from ({{loads}}) where below_target limit $limit
