-- survey_moments: the select-list columns that give the spread of the survey answers of
-- the tickets t, which a change interval of csat_avg or nps needs and the KPI set does not
-- carry (spec/kpis.md "Is the change real?"): the sample variance of the latest-survey csat
-- (n - 1 denominator) and the promoter / detractor counts of the latest-survey nps.
-- Included by period_moments.sql (one period) and weekly_moments.sql (per ISO week).
count(t.latest_csat) as n_csat,
var_samp(t.latest_csat) as csat_var,
count(t.latest_nps) as n_nps,
count_if(t.latest_nps >= 9) as nps_promoters,
count_if(t.latest_nps <= 6) as nps_detractors
