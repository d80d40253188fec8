-- satisfaction_comment_corpus: every non-empty comment of a latest survey of the tickets T
-- with its score class ('low' / 'high' / 'mid'), the input of the distinguishing phrases.
-- Grain: one row per ticket (its latest survey), newest first; at most $limit rows.
with
{{filtered_tickets}},
{{satisfaction_latest_comments}}

select
    c.survey_id,
    c.ticket_id,
    c.score_class,
    c.comment
from latest_comments as c
where c.comment is not null
  and trim(c.comment) <> ''
order by c.responded_at desc, c.survey_id desc
limit $limit
