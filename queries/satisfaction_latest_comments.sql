-- satisfaction_latest_comments: the comment of each ticket's latest survey (the stored
-- fact latest_survey_id of facts.sql -- the survey csat_avg uses) for the tickets T,
-- with its score class. Included by satisfaction_comments.sql and
-- satisfaction_comment_corpus.sql; never run alone (needs filtered_tickets' t before it).
--   score_class  'low'  csat <= 2 or nps <= 6 (a low scorer, spec issue 9),
--                'high' otherwise, when csat >= 4 or nps >= 9,
--                'mid'  the rest (csat 3, nps 7-8, or no score).
latest_comments as (
    select
        s.survey_id,
        s.ticket_id,
        s.responded_at,
        s.csat,
        s.nps,
        s.comment,
        t.channel,
        t.branch_id,
        t.region,
        t.category,
        t.created_at,
        case
            when s.csat <= 2 or s.nps <= 6 then 'low'
            when s.csat >= 4 or s.nps >= 9 then 'high'
            else 'mid'
        end as score_class
    from surveys as s
    join t on t.ticket_id = s.ticket_id and t.latest_survey_id = s.survey_id
)
