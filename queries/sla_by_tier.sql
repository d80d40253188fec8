-- sla_by_tier: first-response SLA states (spec/kpis.md "First-response SLA", the rule in
-- sla_state.sql) of the tickets T per priority tier and per group of the breakdown
-- (channel, region or branch), with the totals of each.
-- Grain: (group, priority) with rollups; all_groups / all_tiers say which side is a total.
-- met_pct = 100 x met / (met + breached), null when nothing is due yet; pending tickets
-- (no response, deadline after $as_of) are counted but left out of the share;
-- not_carried = tickets whose source has no first_response_at (no state at all).
-- Parameters: those of filtered_tickets and sla_state.
with
{{filtered_tickets}},

{{sla_state}}

select
    s.grp as "group",
    s.priority,
    grouping(s.grp) = 1 as all_groups,
    grouping(s.priority) = 1 as all_tiers,
    count(*) as tickets,
    count_if(s.sla_state = 'met') as met,
    count_if(s.sla_state = 'breached') as breached,
    count_if(s.sla_state = 'pending') as pending,
    count_if(s.sla_state is null) as not_carried,
    100.0::double * count_if(s.sla_state = 'met')
        / nullif(count_if(s.sla_state in ('met', 'breached')), 0) as met_pct
from sla_tickets as s
group by grouping sets ((s.grp, s.priority), (s.priority), (s.grp), ())
order by all_groups desc, s.grp nulls last, all_tiers, s.priority
