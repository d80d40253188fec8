-- branch_names: display names of branches, for pick lists. No parameters.
select branch_id, coalesce(branch_name, branch_id) as branch_name
from branches
order by branch_id
