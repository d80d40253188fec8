-- effects_weekly: the event study of a fix -- each week's value of every effect metric for
-- the treated and the control group, from the start of the history window (L - 2W) to
-- the end of the post window (or as_of), spec/kpis.md "Before/after a fix". Weeks are
-- counted from launch (week 0 starts at launch; see effects_base.sql); the value of a week
-- follows the cell rules of effects.sql over that week's tickets (repeat % of complaints,
-- mean latest-survey CSAT, churn % of matured first complaints, complaint count), and n is
-- its denominator. A week without tickets in an arm has no row.
-- Grain: fix x metric x arm x week. Parameters: $as_of, $window_days, $fix_id (null =
-- all), $repeat_days, $churn_days.
with
{{effects_base}}

select
    fx.fix_id,
    w.metric,
    case w.arm when 0 then 'treated' else 'control' end as arm,
    w.week,
    (fx.launch + to_days(7 * w.week))::date as week_start,
    w.value,
    w.n
from week_values as w
join fx on fx.fix_no = w.fix_no
order by fx.fix_id, w.metric_no, w.arm, w.week
