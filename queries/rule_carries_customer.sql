-- rule_carries_customer: the ticket's source had a customer_id column (natively or through
-- its profile); an empty cell in it is an anonymous contact, a missing column is "the source
-- does not say". Expression over `f` with the tickets table's not_carried list (fact_tickets
-- does not expose it: read `tickets as f`, as filtered_tickets.sql does).
(not coalesce(list_contains(f.not_carried, 'customer_id'), false))
