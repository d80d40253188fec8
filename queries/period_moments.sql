-- period_moments: the spread of the survey answers of a period's tickets T, which the
-- test of a change between two periods needs and the KPI set does not carry (the same
-- moments as weekly_moments.sql, for one period instead of per ISO week): the sample
-- variance of the latest-survey csat (n - 1 denominator) and the promoter / detractor
-- counts of the latest-survey nps.
-- Grain: one row for the tickets T (period and filters as in filtered_tickets).
-- Parameters: filtered_tickets' ones. Values are bound, never formatted in.
with
{{filtered_tickets}}

select
    {{survey_moments}}
from t
