-- tickets_count: how many tickets the ticket list has in all (for paging).
-- Grain: one row. Only a count, so the per-ticket rules are computed only when a narrowing
-- needs them. Parameters: those of tickets_base.
with
{{tickets_base}}

select count(*) as tickets
from tl
