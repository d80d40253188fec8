-- fixes: the process fixes with their launch date and scope, newest first. No parameters.
select fix_id, title, launched_at, category, channel, branch_id, region, owner, description
from fixes
order by launched_at desc, fix_id
