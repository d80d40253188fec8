-- dq_checks: counts of the data-quality problems an analyst fixes at the source.
-- One row. No parameters.
select
    (select count(*) from tickets) as tickets,
    (select count(*) from tickets as t
     where not exists (select 1 from branches as b where b.branch_id = t.branch_id))
        as tickets_unknown_branch,
    (select count(*) from tickets as t
     where t.customer_id is not null
       and not exists (select 1 from customers as c where c.customer_id = t.customer_id))
        as tickets_unknown_customer,
    (select count(*) from tickets where customer_id is null) as tickets_anonymous,
    (select count(*) from surveys as s
     where not exists (select 1 from tickets as t where t.ticket_id = s.ticket_id))
        as orphan_surveys,
    (select count(*) from tickets
     where first_response_at < assigned_at
        or resolved_at < first_response_at
        or closed_at < resolved_at) as timestamps_out_of_order,
    (select count(*) from tickets
     where first_response_at is null and resolved_at is not null) as resolved_without_response
