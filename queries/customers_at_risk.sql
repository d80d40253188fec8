-- customers_at_risk: the customers a retention team calls back (issue 10): two or more
-- complaints among the tickets of the request (filters; the period is the caller's
-- window, by default the $at_risk_days days up to as_of) AND either a low latest score
-- (the customer's latest survey -- greatest responded_at, ties greatest survey_id, given
-- by $as_of -- has CSAT <= 2 or NPS <= 6) or an open ticket whose first-response SLA is
-- breached at as_of. Customers already churned at as_of are left out (nobody to keep).
-- Highest annual value first (unknown value last), then most complaints.
-- Grain: customer. Parameters: those of tickets_base, $limit.
with
{{tickets_base}},

per_customer as (
    select
        tl.customer_id,
        count_if(tl.type = 'complaint') as complaints,
        count(*) as contacts,
        count_if(tl.is_open and tl.sla_state = 'breached') as open_breached,
        count(distinct tl.channel) as channels,
        max(tl.created_at) as last_contact_at
    from tl
    where tl.customer_id is not null
    group by tl.customer_id
    having count_if(tl.type = 'complaint') >= 2
),

latest_score as (
    select
        tk.customer_id,
        arg_max_null(s.csat, (s.responded_at, s.survey_id)) as latest_csat,
        arg_max_null(s.nps, (s.responded_at, s.survey_id)) as latest_nps,
        max(s.responded_at) as latest_survey_at
    from surveys as s
    join tickets as tk on tk.ticket_id = s.ticket_id
    where tk.customer_id in (select pc.customer_id from per_customer as pc)
      and s.responded_at <= $as_of
    group by tk.customer_id
)

select
    pc.customer_id,
    cu.segment,
    cu.annual_value,
    cu.joined_at,
    pc.complaints,
    pc.contacts,
    pc.channels,
    pc.open_breached,
    ls.latest_csat,
    ls.latest_nps,
    ls.latest_survey_at,
    pc.last_contact_at,
    coalesce(ls.latest_csat <= 2, false) or coalesce(ls.latest_nps <= 6, false) as low_score
from per_customer as pc
left join latest_score as ls on ls.customer_id = pc.customer_id
left join customers as cu on cu.customer_id = pc.customer_id
where (coalesce(ls.latest_csat <= 2, false) or coalesce(ls.latest_nps <= 6, false)
       or pc.open_breached > 0)
  and not coalesce(cu.churned_at <= cast($as_of as date), false)
order by cu.annual_value desc nulls last, pc.complaints desc, pc.customer_id
limit $limit
