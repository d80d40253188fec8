-- customer: one customer's profile (spec/extracts.md customers) with tenure at as_of and
-- the customer's home branch name. Grain: one row (none when the id is unknown).
-- Parameters: $customer_id, $as_of.
select
    c.customer_id,
    c.segment,
    c.home_branch_id,
    b.branch_name as home_branch_name,
    b.region as home_region,
    c.joined_at,
    c.churned_at,
    c.annual_value,
    date_diff('day', c.joined_at, cast($as_of as date)) as tenure_days,
    c.churned_at is not null and c.churned_at <= cast($as_of as date) as churned
from customers as c
left join branches as b on b.branch_id = c.home_branch_id
where c.customer_id = $customer_id
