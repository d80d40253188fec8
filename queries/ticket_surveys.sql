-- ticket_surveys: the surveys of some tickets, oldest first, with which one is each
-- ticket's latest (the stored fact latest_survey_id of facts.sql: the survey the KPIs use).
-- Grain: survey. Parameters: $ticket_ids (list of ticket ids).
select
    s.survey_id,
    s.ticket_id,
    s.responded_at,
    s.csat,
    s.nps,
    s.ces,
    s.comment,
    coalesce(t.latest_survey_id = s.survey_id, false) as is_latest
from surveys as s
left join tickets as t on t.ticket_id = s.ticket_id
where list_contains($ticket_ids, s.ticket_id)
order by s.responded_at, s.survey_id
