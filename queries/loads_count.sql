-- loads_count: how many load attempts the history holds, and how many completed loads fell
-- below the accepted-rows target (queries/loads.sql). Parameter: $min_accepted_pct.
select count(*) as loads, count(*) filter (where below_target) as below_target
from ({{loads}})
