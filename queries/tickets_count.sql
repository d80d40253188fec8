-- tickets_count: how many tickets the ticket list has in all (for paging), and how many
-- of them are open, SLA-breached and repeats. Grain: one row.
-- Parameters: those of tickets_base.
with
{{tickets_base}}

select
    count(*) as tickets,
    count_if(tl.is_open) as open_tickets,
    count_if(tl.sla_state = 'breached') as breached,
    count_if(tl.is_repeat) as repeats
from tl
