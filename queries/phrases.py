"""Phrases that distinguish low-score comments from high-score ones (issue 9).

Method: the weighted log-odds ratio with an informative Dirichlet prior of Monroe,
Colaresi and Quinn (2008), "Fightin' Words", section 3.5. For a phrase w, with y_w^L and
y_w^H the counts in low- and high-score comments, n^L and n^H the totals, and a prior
alpha_w taken from the whole comment corpus (alpha_w = the phrase's count in all comments,
alpha_0 = their sum -- the pooled counts, as tidylo does):

    delta_w = log((y^L + a_w) / (n^L + a_0 - y^L - a_w)) - log((y^H + a_w) / (n^H + a_0 - y^H - a_w))
    var_w  ~= 1 / (y^L + a_w) + 1 / (y^H + a_w)
    z_w     = delta_w / sqrt(var_w)

z > 0: typical of low scorers; z < 0: of high scorers. The prior shrinks rare phrases
toward zero, so one angry comment repeating a word does not make it a finding.

Counts are per comment (a phrase counts once per comment it appears in), so the page can
say "in 120 low-score comments, 8 high-score ones" and a click lists exactly those.

Phrases are single words and pairs of adjacent words. English: lower-cased words, common
function words left out (negations kept: "no", "not", "never" carry meaning here).
Chinese: words from jieba (its bundled dictionary; nothing is downloaded), initialised once
per process; pairs are joined without a space, so a pair is a substring of the comment.
No Streamlit here: the page, the CLI and the report can share it.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache

import polars as pl

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# words, and every other non-space character as a token of its own (so it breaks pairs)
_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|[^\sa-z]")
_TOKEN_OK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffa-z][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffa-z']*$")

EN_STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i i'm i've if in into is it
it's its itself just me more most my myself of off on once only or other our ours ourselves
out over own same she should so some such than that that's the their theirs them themselves
then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours yourself yourselves also get
got really still even us one
""".split())

ZH_STOPWORDS = frozenset("""
的 了 是 我 你 他 她 它 我们 你们 他们 很 也 都 就 在 和 与 及 还 又 吗 呢 吧 啊 呀 哦 嗯 这 那 这个 那个
这次 一个 一下 一些 有 被 把 给 让 对 从 到 为 为了 着 过 得 地 之 而 并 但 但是 所以 因为 如果 就是
还是 非常 真的 已经 一直 其实 然后 可以 自己 什么 怎么 这样 那样 还有 比较 个 次 些 上 下 中
""".split())


@cache
def _jieba():
    """jieba, initialised once per process (its first use builds a prefix dictionary)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def language_of(text: str) -> str:
    """'zh' when the text has Chinese characters, else 'en'."""
    return "zh" if _CJK.search(text) else "en"


def tokens(text: str) -> tuple[str, list[str | None]]:
    """(language, words in order); a word left out (stopword, digits, punctuation) is None
    in the sequence so pairs never bridge it."""
    lang = language_of(text)
    lowered = text.lower()
    if lang == "zh":
        raw = [w.strip() for w in _jieba().lcut(lowered)]
        raw = [w for w in raw if w]
        stop = ZH_STOPWORDS | EN_STOPWORDS
    else:
        raw = _EN_WORD.findall(lowered)
        stop = EN_STOPWORDS
    return lang, [w if (_TOKEN_OK.match(w) and w not in stop) else None for w in raw]


@lru_cache(maxsize=100_000)
def phrases_of(text: str) -> tuple[str, frozenset[str]]:
    """(language, the distinct phrases of one comment): words and adjacent word pairs.
    Cached: comments repeat (short stock answers), and segmenting is the slow part."""
    lang, words = tokens(text)
    joiner = "" if lang == "zh" else " "
    found: set[str] = {w for w in words if w is not None}
    for first, second in zip(words, words[1:], strict=False):
        if first is not None and second is not None:
            found.add(first + joiner + second)
    return lang, frozenset(found)


def weighted_log_odds(low: Counter[str], high: Counter[str], prior: Counter[str]
                      ) -> dict[str, tuple[float, float]]:
    """Monroe et al. (2008) weighted log-odds with the informative Dirichlet prior `prior`
    (counts; alpha_0 = their sum): {phrase: (delta, z)} for every phrase in `prior`."""
    n_low, n_high = sum(low.values()), sum(high.values())
    alpha0 = sum(prior.values())
    out: dict[str, tuple[float, float]] = {}
    for w, alpha in prior.items():
        if alpha <= 0:
            continue
        yl, yh = low.get(w, 0), high.get(w, 0)
        if n_low + alpha0 - yl - alpha <= 0 or n_high + alpha0 - yh - alpha <= 0:
            continue  # a corpus of one phrase: nothing to contrast it with
        delta = (math.log((yl + alpha) / (n_low + alpha0 - yl - alpha))
                 - math.log((yh + alpha) / (n_high + alpha0 - yh - alpha)))
        variance = 1.0 / (yl + alpha) + 1.0 / (yh + alpha)
        out[w] = (delta, delta / math.sqrt(variance))
    return out


def distinguishing_phrases(comments: Iterable[tuple[str, str]], min_comments: int = 3,
                           top: int = 15) -> pl.DataFrame:
    """Phrases that set low-score comments apart from high-score ones, and the reverse.

    comments: (score_class, text) pairs, score_class 'low' | 'high' | 'mid' (mid comments
    join the prior only). Returns a frame phrase, lang ('en'|'zh'), low_comments,
    high_comments (how many comments of each class contain it), log_odds, z, side ('low'
    when z > 0); the `top` phrases of each side with |z| largest, in at least
    `min_comments` comments of their side. Low side first, strongest first.
    """
    low: Counter[str] = Counter()
    high: Counter[str] = Counter()
    prior: Counter[str] = Counter()
    lang_of: dict[str, str] = {}
    for score_class, text in comments:
        if not text or not text.strip():
            continue
        lang, found = phrases_of(text)
        for w in found:
            lang_of.setdefault(w, lang)
        prior.update(found)
        if score_class == "low":
            low.update(found)
        elif score_class == "high":
            high.update(found)
    scores = weighted_log_odds(low, high, prior)
    rows = [{"phrase": w, "lang": lang_of[w], "low_comments": low.get(w, 0),
             "high_comments": high.get(w, 0), "log_odds": d, "z": z,
             "side": "low" if z > 0 else "high"} for w, (d, z) in scores.items()]
    schema = {"phrase": pl.String, "lang": pl.String, "low_comments": pl.Int64,
              "high_comments": pl.Int64, "log_odds": pl.Float64, "z": pl.Float64,
              "side": pl.String}
    frame = pl.DataFrame(rows, schema=schema)
    low_side = (frame.filter((pl.col("side") == "low") & (pl.col("low_comments") >= min_comments))
                .sort(["z", "phrase"], descending=[True, False]).head(top))
    high_side = (frame.filter((pl.col("side") == "high")
                              & (pl.col("high_comments") >= min_comments))
                 .sort(["z", "phrase"], descending=[False, False]).head(top))
    return pl.concat([low_side, high_side])
