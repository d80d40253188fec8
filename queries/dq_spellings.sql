-- dq_spellings: values that are probably spelling variants of another value, or unusual.
-- channel: a value outside the usual channel list, with the usual channel it is probably
-- meant to be (same letters ignoring case, spaces and punctuation, or Jaro-Winkler
-- similarity >= 0.9), else looks_like null (an unusual value, perhaps a real new channel).
-- category and branch_id: values that differ only in case, spaces or punctuation from a
-- more frequent spelling (looks_like); the most frequent spelling itself is not listed.
-- Columns: dimension, value, looks_like, tickets. No parameters.
with known_channels as (
    select * from (values ('phone'), ('app'), ('web'), ('email'), ('social'), ('chat'),
                          ('branch counter')) as k (channel)
),

odd_channels as (
    select t.channel, count(*) as n
    from tickets as t
    where t.channel not in (select channel from known_channels)
    group by t.channel
),

channel_guess as (
    select
        o.channel,
        o.n,
        (select k.channel from known_channels as k
         where regexp_replace(k.channel, '[^[:alnum:]]', '', 'g')
                 = regexp_replace(lower(o.channel), '[^[:alnum:]]', '', 'g')
             or jaro_winkler_similarity(k.channel, o.channel) >= 0.9
         order by jaro_winkler_similarity(k.channel, o.channel) desc
         limit 1) as looks_like
    from odd_channels as o
),

folded as (
    select
        'category' as dimension,
        category as value,
        count(*) as n,
        lower(regexp_replace(category, '[^[:alnum:]]', '', 'g')) as fold
    from tickets
    group by category
    union all
    select
        'branch',
        branch_id,
        count(*),
        lower(regexp_replace(branch_id, '[^[:alnum:]]', '', 'g'))
    from tickets
    group by branch_id
),

ranked as (
    select
        dimension,
        value,
        n,
        first(value) over (partition by dimension, fold order by n desc, value) as canonical
    from folded
)

select 'channel' as dimension, channel as value, looks_like, n as tickets
from channel_guess
where looks_like is distinct from channel

union all

select dimension, value, canonical, n
from ranked
where value <> canonical

order by dimension, tickets desc
