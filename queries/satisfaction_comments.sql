-- satisfaction_comments: the comments of low scorers (latest survey csat <= 2 or nps <= 6)
-- among the tickets T, newest survey first, one page ($limit rows from $offset).
-- Grain: one row per ticket (its latest survey). total = how many such comments in all.
-- $phrase (optional): only comments containing it, case-insensitive (a distinguishing phrase).
with
{{filtered_tickets}},
{{satisfaction_latest_comments}}

select
    c.survey_id,
    c.ticket_id,
    c.responded_at,
    c.csat,
    c.nps,
    c.comment,
    c.channel,
    c.branch_id,
    c.region,
    c.category,
    count(*) over () as total
from latest_comments as c
where c.score_class = 'low'
  and c.comment is not null
  and trim(c.comment) <> ''
  and ($phrase is null or contains(lower(c.comment), lower($phrase)))
order by c.responded_at desc, c.survey_id desc
limit $limit offset $offset
