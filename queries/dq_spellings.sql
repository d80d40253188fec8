-- dq_spellings: values that are probably spelling variants of each other or unknown.
-- channel: any value outside the usual channel list; category and branch_id: values that
-- differ only in case, spaces or punctuation. No parameters.
with known_channels as (
    select * from (values ('phone'), ('app'), ('web'), ('email'), ('social'), ('chat'),
                          ('branch counter')) as k (channel)
)

select 'channel' as dimension, t.channel as value, t.channel as looks_like, count(*) as tickets
from tickets as t
where t.channel not in (select channel from known_channels)
group by t.channel

union all

select 'category', v.category, v.canonical, v.n
from (
    select
        category,
        count(*) as n,
        lower(regexp_replace(category, '[^[:alnum:]]', '', 'g')) as folded,
        first(category) over (partition by lower(regexp_replace(category, '[^[:alnum:]]', '', 'g'))
                              order by count(*) desc) as canonical,
        count(*) over (partition by lower(regexp_replace(category, '[^[:alnum:]]', '', 'g')))
            as variants
    from tickets
    group by category
) as v
where v.variants > 1

order by dimension, tickets desc
