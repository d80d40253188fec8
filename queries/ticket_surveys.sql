-- ticket_surveys: the surveys of some tickets, oldest first, with which one is each
-- ticket's latest (greatest responded_at, ties greatest survey_id: the survey the KPIs use).
-- Grain: survey. Parameters: $ticket_ids (list of ticket ids).
select
    s.survey_id,
    s.ticket_id,
    s.responded_at,
    s.csat,
    s.nps,
    s.ces,
    s.comment,
    row_number() over (
        partition by s.ticket_id order by s.responded_at desc, s.survey_id desc
    ) = 1 as is_latest
from surveys as s
where list_contains($ticket_ids, s.ticket_id)
order by s.responded_at, s.survey_id
