-- rule_fix_treated: spec/kpis.md "Before/after a fix" -- a ticket is in a fix's treated
-- scope when C (the fix names no category, or the ticket's category is the fix's) and R
-- (every channel / branch_id / region the fix names matches the ticket; true when it names
-- none). Expression over a ticket `f` and a fix `x`. No parameters.
((x.category is null or f.category = x.category)
 and coalesce(
     (x.channel is null or f.channel = x.channel)
     and (x.branch_id is null or f.branch_id = x.branch_id)
     and (x.region is null or f.region = x.region),
     false))
