-- warehouse_summary: how much data there is, for empty states and page headers.
select
    (select count(*) from tickets) as tickets,
    (select count(*) from surveys) as surveys,
    (select count(*) from customers) as customers,
    (select count(*) from branches) as branches,
    (select count(*) from fixes) as fixes,
    (select count(*) from rejects) as rejects,
    (select count(*) from loads) as loads,
    (select min(created_at)::date from tickets) as first_day,
    (select max(created_at)::date from tickets) as last_day,
    (select value from meta where key = 'as_of') as as_of
