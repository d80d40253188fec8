"""The demo's words: ticket subjects and descriptions, survey comments, in English or Chinese.

What a text says follows what happened to the case, so the phrases that separate low-score
comments from high-score ones on the Satisfaction page make sense:

- a complaint that comes back (a repeat in a chain) says so in its description
  ("second time", "第二次反映");
- a survey comment names the salient event: a repeated problem (reopened or a repeat
  complaint), being passed around (escalated), a long wait (first response or resolution far
  slower than usual for its channel/category), fees (the fees and billing categories);
  low scores say negative things, high scores positive ones (a quick fix, a friendly agent,
  solved at the first contact), middle scores mixed ones;
- a few texts carry made-up personal details (phone numbers: Chinese mobiles, landlines,
  international; e-mail addresses on example domains) so masking can be seen working.

Everything is vectorised: every possible sentence is composed once in Python (a few hundred
strings), each row only picks an index, and polars gathers the strings (a gather shares the
string buffers, so 10 million rows cost an index each, not a copy of the text). The random
numbers come from a generator of their own, so adding or changing texts never moves the
numbers of the demo, and the English and Chinese demos pick the same sentence slots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

# Category order is the demo's CATEGORIES order (codes in English).
CATEGORY_ORDER = (
    "billing", "cards", "account access", "loans", "fees", "transfers", "mobile app",
    "statements", "fraud", "staff conduct", "branch services", "address change",
)
TICKET_TYPES = ("complaint", "inquiry", "suggestion", "praise")


@dataclass(frozen=True)
class Texts:
    """The sentence pools of one language (see the module docstring for the rules)."""

    sep: str                                   # between two sentences
    problems: dict[str, tuple[tuple[str, str], ...]]  # category -> 3 (subject, description)
    questions: dict[str, tuple[str, str]]      # category -> (subject, description) of an inquiry
    suggestions: tuple[tuple[str, str], ...]
    praises: tuple[tuple[str, str], ...]
    repeat_note: tuple[str, ...]               # appended to a repeat complaint's description
    low: dict[str, tuple[str, ...]]            # salient event -> negative comments
    low_close: tuple[str, ...]
    mid: tuple[str, ...]
    high: dict[str, tuple[str, ...]]           # salient event -> positive comments
    high_close: tuple[str, ...]
    contact: tuple[str, ...]                   # sentences with {phone} / {email}
    phones: tuple[str, ...]
    emails: tuple[str, ...]


EN = Texts(
    sep=" ",
    problems={
        "billing": (("Wrong amount on my bill", "My bill shows an amount I do not recognise."),
                    ("Charged twice for one payment", "The same payment was taken twice this month."),
                    ("Bill arrived late", "My bill arrived after the due date and now I owe interest.")),
        "cards": (("Replacement card never arrived", "I ordered a replacement card three weeks ago and it has not arrived."),
                  ("Card declined abroad", "My card was declined at a shop while travelling although my account is fine."),
                  ("Card blocked without notice", "My card was blocked and nobody told me why.")),
        "account access": (("Cannot log in", "I cannot log in to online banking since the last update."),
                           ("Password reset does not work", "The password reset link expires before I can use it."),
                           ("Locked out of my account", "My account is locked after one wrong password.")),
        "loans": (("Loan application still pending", "I applied for a loan a month ago and have no decision."),
                  ("Loan declined without a reason", "My loan was declined and the letter gives no reason."),
                  ("Wrong interest on my loan", "The interest on my loan statement is higher than agreed.")),
        "fees": (("Unexpected account fee", "An account fee was charged that nobody told me about."),
                 ("Overdraft fee is too high", "I was charged an overdraft fee for a few pounds over the limit."),
                 ("Fee for a free service", "I was charged a fee for a service that was supposed to be free.")),
        "transfers": (("Transfer has not arrived", "A transfer I made five days ago has not reached the recipient."),
                      ("International transfer delayed", "My international transfer is stuck and the money is gone from my account."),
                      ("Transfer sent to the wrong account", "My transfer went to the wrong account and I need it back.")),
        "mobile app": (("App keeps crashing", "The mobile app crashes every time I open my statements."),
                       ("Cannot pay in the app", "Payments in the app fail with an error message."),
                       ("App login code not received", "I never receive the login code for the app.")),
        "statements": (("Statement is confusing", "I cannot understand the entries on my statement."),
                       ("Statement missing", "I did not receive my monthly statement."),
                       ("Transactions missing from statement", "Some transactions are missing from my statement.")),
        "fraud": (("Card used by someone else", "There are payments on my card that I did not make."),
                  ("Refund for fraud not received", "I reported fraudulent payments and I am still waiting for the refund."),
                  ("Suspicious call from the bank", "Someone called pretending to be the bank and asked for my code.")),
        "staff conduct": (("Rude staff at the branch", "The staff member at the counter was rude to me."),
                          ("Agent hung up on me", "The agent on the phone hung up before my question was answered."),
                          ("Wrong advice from staff", "A member of staff gave me wrong advice about my savings.")),
        "branch services": (("Long queue at the branch", "The queue at the branch was over an hour."),
                            ("Branch closed without notice", "The branch was closed during its opening hours."),
                            ("Cash machine out of order", "The cash machine at the branch has been broken for a week.")),
        "address change": (("Address not updated", "I changed my address but letters still go to the old one."),
                           ("Cannot change my phone number", "The form to change my phone number does not work."),
                           ("Name change not done", "My name change after marriage has not been done.")),
    },
    questions={
        "billing": ("Question about my bill", "Could you explain the charges on my last bill?"),
        "cards": ("Question about card delivery", "How long does a new card take to arrive?"),
        "account access": ("How do I reset my password?", "Where can I reset my online banking password?"),
        "loans": ("Question about loan rates", "What interest rate would I get on a personal loan?"),
        "fees": ("Question about fees", "Which fees apply to my current account?"),
        "transfers": ("Question about transfer times", "How long does an international transfer take?"),
        "mobile app": ("Question about the app", "Can I set up standing orders in the app?"),
        "statements": ("Question about statements", "Can I get my statements as PDF?"),
        "fraud": ("Question about card security", "How do I switch on payment alerts for my card?"),
        "staff conduct": ("Question about an appointment", "Can I book an appointment with an adviser?"),
        "branch services": ("Question about opening hours", "Is the branch open on Saturdays?"),
        "address change": ("How do I change my address?", "What do I need to change my address?"),
    },
    suggestions=(("Suggestion: longer opening hours", "It would help if the branch opened later on Thursdays."),
                 ("Suggestion for the app", "Please add a dark mode and a search for transactions."),
                 ("Suggestion: text message updates", "A text message when my case moves on would be useful.")),
    praises=(("Thank you to your staff", "I want to thank the agent who helped me last week."),
             ("Great help at the branch", "The staff at the branch were very helpful."),
             ("Problem solved quickly", "My problem was solved in one call, thank you.")),
    repeat_note=("This is the second time I am contacting you about this.",
                 "I already reported this and nothing happened.",
                 "Same problem again, it was supposed to be fixed."),
    low={
        "repeat": ("The same problem came back again.",
                   "I had to call again because the problem was not fixed.",
                   "Third time I report the same problem.",
                   "Nothing was fixed, the problem is back."),
        "passed": ("I was passed around from one department to another.",
                   "I was transferred four times and had to explain everything again.",
                   "Nobody took ownership, I was passed from person to person.",
                   "Escalated and then forgotten."),
        "wait": ("I waited far too long for an answer.",
                 "Waited days for a reply.",
                 "Nobody answered for a long time.",
                 "The waiting time was unacceptable."),
        "fees": ("The fee was never refunded.",
                 "Hidden fees and no explanation.",
                 "You charged me a fee for your own mistake.",
                 "Still waiting for the fee refund."),
        "other": ("The answer did not help me.",
                  "My problem is still not solved.",
                  "Very poor service.",
                  "Nobody listened to me."),
    },
    low_close=("Very disappointed.", "I am thinking of moving my account.",
               "Nobody called me back.", "Not acceptable."),
    mid=("Solved in the end, but it took too long.",
         "OK, but I had to explain my problem twice.",
         "The agent was polite but could not really help.",
         "Average service, nothing special.",
         "Fixed, although the fee was not explained.",
         "It works now, but the process was slow."),
    high={
        "quick": ("Quick fix, thank you!",
                  "Solved within minutes.",
                  "Fast and easy, problem solved right away.",
                  "Sorted out quickly."),
        "friendly": ("Very friendly and helpful agent.",
                     "The agent was friendly and patient.",
                     "Friendly staff who really listened.",
                     "Helpful and polite service."),
        "first": ("Solved at the first call.",
                  "Everything was solved in one contact.",
                  "Clear answer the first time.",
                  "They fixed it without me having to call again."),
    },
    high_close=("Thank you!", "Great service.", "I would recommend you.", "Well done."),
    contact=("Please call me back on {phone}.", "You can reach me at {email}.",
             "My number is {phone}, e-mail {email}."),
    phones=("+44 20 7946 0958", "020 7946 0321", "07700 900123", "+1 415 555 0134",
            "+86 138 1234 5678", "0161 496 0754"),
    emails=("j.smith@example.com", "maria.garcia@example.org", "tom.baker@example.net",
            "anna.k@example.co.uk"),
)

ZH = Texts(
    sep="",
    problems={
        "billing": (("账单金额不对", "我的账单上有一笔不认识的金额。"),
                    ("一笔消费被扣了两次", "这个月同一笔消费被扣了两次款。"),
                    ("账单寄晚了", "账单过了还款日才收到，现在还要付利息。")),
        "cards": (("补办的卡一直没收到", "三周前申请补办信用卡，到现在还没收到。"),
                  ("信用卡在境外被拒", "出国旅游时刷卡被拒，但我的账户没有问题。"),
                  ("信用卡被冻结没有通知", "我的卡被冻结了，没有人告诉我原因。")),
        "account access": (("无法登录", "上次更新后就登录不了网上银行。"),
                           ("重置密码不成功", "重置密码的链接还没用就过期了。"),
                           ("账户被锁定", "输错一次密码账户就被锁定了。")),
        "loans": (("贷款申请迟迟没有结果", "一个月前申请的贷款到现在还没有审批结果。"),
                  ("贷款被拒没有说明原因", "贷款被拒，通知书上没有写任何原因。"),
                  ("贷款利息算错了", "贷款对账单上的利息比合同约定的高。")),
        "fees": (("莫名其妙的账户管理费", "账户被扣了一笔管理费，事先没有任何告知。"),
                 ("透支手续费太高", "只超出额度几十块钱就被收了透支手续费。"),
                 ("免费业务被收费", "说好免费的业务却收了手续费。")),
        "transfers": (("转账还没到账", "五天前的转账对方到现在还没收到。"),
                      ("跨境汇款延误", "跨境汇款一直卡着，钱已经从我账户扣走了。"),
                      ("转错账户", "转账转到了错误的账户，需要追回。")),
        "mobile app": (("手机银行总是闪退", "手机银行一打开账单就闪退。"),
                       ("手机银行付款失败", "在手机银行付款总是提示错误。"),
                       ("收不到登录验证码", "手机银行登录时一直收不到验证码。")),
        "statements": (("理财产品说明看不懂", "理财产品的说明书写得太复杂，看不懂。"),
                       ("理财收益与宣传不符", "理财产品的实际收益比宣传的低很多。"),
                       ("理财赎回没到账", "理财产品赎回三天了钱还没到账。")),
        "fraud": (("信用卡被盗刷", "卡上有几笔不是我本人的消费。"),
                  ("盗刷退款一直没到", "盗刷已经报案，退款到现在还没收到。"),
                  ("接到冒充银行的电话", "有人冒充银行打电话向我要验证码。")),
        "staff conduct": (("网点工作人员态度差", "柜台工作人员对我态度很不耐烦。"),
                          ("客服挂我电话", "问题还没说完客服就挂了电话。"),
                          ("工作人员给了错误建议", "工作人员关于存款的建议是错误的。")),
        "branch services": (("网点排队太久", "在网点排了一个多小时的队。"),
                            ("网点营业时间关门", "营业时间内网点却关着门。"),
                            ("网点取款机坏了", "网点的取款机坏了一个星期了。")),
        "address change": (("地址没有更新", "地址已经改了，信件还是寄到旧地址。"),
                           ("无法修改手机号", "修改手机号的页面提交不了。"),
                           ("姓名变更没办好", "婚后申请的姓名变更一直没有办好。")),
    },
    questions={
        "billing": ("咨询账单", "能解释一下上期账单里的各项费用吗？"),
        "cards": ("咨询寄卡时间", "新卡一般多久能寄到？"),
        "account access": ("怎么重置密码？", "网上银行的密码在哪里重置？"),
        "loans": ("咨询贷款利率", "个人消费贷款的利率是多少？"),
        "fees": ("咨询收费标准", "我的借记卡有哪些收费项目？"),
        "transfers": ("咨询到账时间", "跨境汇款一般多久到账？"),
        "mobile app": ("咨询手机银行功能", "手机银行可以设置定期转账吗？"),
        "statements": ("咨询理财产品", "这款理财产品的风险等级是多少？"),
        "fraud": ("咨询用卡安全", "怎么开通信用卡的交易短信提醒？"),
        "staff conduct": ("预约理财经理", "可以预约理财经理面谈吗？"),
        "branch services": ("咨询营业时间", "网点周六营业吗？"),
        "address change": ("怎么修改地址？", "修改通讯地址需要带什么材料？"),
    },
    suggestions=(("建议延长营业时间", "希望网点周四能晚一点关门。"),
                 ("对手机银行的建议", "希望手机银行增加交易记录搜索功能。"),
                 ("建议短信通知进度", "处理进度有变化时能发短信通知就好了。")),
    praises=(("感谢你们的工作人员", "想感谢上周帮我处理问题的客服。"),
             ("网点服务很好", "网点的工作人员非常热情。"),
             ("问题很快解决了", "一个电话就解决了我的问题，谢谢。")),
    repeat_note=("这个问题我已经是第二次反映了。",
                 "之前已经反映过，一直没有处理。",
                 "同样的问题又出现了，上次说已经处理好了。"),
    low={
        "repeat": ("同样的问题又出现了。",
                   "问题没解决，只好又打了一次电话。",
                   "同一个问题已经反映第三次了。",
                   "什么都没解决，问题又来了。"),
        "passed": ("被转来转去，没人负责。",
                   "转了四次电话，每次都要重新说一遍。",
                   "各部门互相推诿，被推来推去。",
                   "说是升级处理，然后就没人管了。"),
        "wait": ("等了很久才有人回复。",
                 "等了好几天都没有答复。",
                 "很长时间没人理。",
                 "等待时间太长了，无法接受。"),
        "fees": ("手续费一直没有退。",
                 "乱收费，也不解释。",
                 "你们自己的错误却收我手续费。",
                 "还在等手续费退款。"),
        "other": ("回答对我没有帮助。",
                  "问题到现在还没解决。",
                  "服务太差了。",
                  "根本没人听我说。"),
    },
    low_close=("非常失望。", "考虑换一家银行了。", "也没人给我回电话。", "不能接受。"),
    mid=("最后解决了，但是花的时间太长。",
         "还行，就是问题要说两遍。",
         "客服态度还可以，但没真正帮上忙。",
         "服务一般，没什么特别的。",
         "问题解决了，不过手续费没解释清楚。",
         "现在可以用了，就是流程有点慢。"),
    high={
        "quick": ("很快就解决了，谢谢！",
                  "几分钟就处理好了。",
                  "快速方便，马上就解决了。",
                  "处理得很及时。"),
        "friendly": ("客服态度很好，很热情。",
                     "工作人员态度好，很有耐心。",
                     "服务热情，认真听我说。",
                     "服务周到，很有礼貌。"),
        "first": ("一次就解决了。",
                  "一个电话全部搞定。",
                  "第一次就给了明确答复。",
                  "不用再打第二次电话，很省心。"),
    },
    high_close=("谢谢！", "服务很好。", "会推荐给朋友。", "点赞。"),
    contact=("请回电 {phone}。", "我的邮箱是 {email}。", "联系电话：{phone}，邮箱：{email}。"),
    phones=("138 1234 5678", "139-0011-2233", "+86 186 2345 6789", "010-6552 8899",
            "(021) 5888 1234", "+44 20 7946 0958", "+1 415 555 0134"),
    emails=("wangfang@example.com", "li.na@example.cn", "zhang_wei88@example.com.cn",
            "chen.jing@example.org"),
)

LANGUAGES = {"en": EN, "zh-CN": ZH}

LOW_EVENTS = ("repeat", "passed", "wait", "fees", "other")
HIGH_EVENTS = ("quick", "friendly", "first")
COMMENT_SHARE = 0.40   # of surveys
CONTACT_SHARE = 0.015  # of descriptions and of comments carrying a phone number or e-mail


def _contacts(texts: Texts) -> list[str]:
    out = []
    for i, template in enumerate(texts.contact):
        for j, phone in enumerate(texts.phones):
            email = texts.emails[(i + j) % len(texts.emails)]
            out.append(template.format(phone=phone, email=email))
    return out


def _with_contacts(rng: np.random.Generator, texts: Texts, series: pl.Series) -> pl.Series:
    """A few non-null rows get a sentence with a made-up phone number or e-mail address."""
    rows = np.flatnonzero(series.is_not_null().to_numpy()
                          & (rng.random(series.len()) < CONTACT_SHARE))
    if rows.size == 0:
        return series
    contacts = _contacts(texts)
    which = rng.integers(0, len(contacts), rows.size)
    extra = pl.Series([contacts[k] for k in range(len(contacts))]).gather(which)
    values = pl.select(pl.concat_str([series.gather(rows), pl.lit(texts.sep), extra])).to_series()
    return series.scatter(rows, values)


def ticket_texts(seed: int, language: str, cat: np.ndarray, ttype: np.ndarray,
                 is_child: np.ndarray) -> tuple[pl.Series, pl.Series]:
    """(subject, description) of every ticket.

    cat: category index into CATEGORY_ORDER; ttype: type codes (TICKET_TYPES);
    is_child: the ticket repeats an earlier complaint. Complaints get one of three problems of
    their category (repeats add a note that they are back); inquiries a question about their
    category; suggestions and praise their own pools.
    """
    texts = LANGUAGES[language]
    rng = np.random.default_rng([seed, 90210])  # its own stream: the numbers never move
    n = cat.size
    subjects: list[str] = []
    descriptions: list[str] = []
    n_rep = len(texts.repeat_note)
    # complaints: (cat, k, note) -> slot; note 0 = none, 1.. = repeat_note[note - 1]
    for name in CATEGORY_ORDER:
        for subject, description in texts.problems[name]:
            for note in range(n_rep + 1):
                subjects.append(subject)
                descriptions.append(description if note == 0 else
                                    description + texts.sep + texts.repeat_note[note - 1])
    q0 = len(subjects)
    for name in CATEGORY_ORDER:
        subjects.append(texts.questions[name][0])
        descriptions.append(texts.questions[name][1])
    s0 = len(subjects)
    for subject, description in texts.suggestions:
        subjects.append(subject)
        descriptions.append(description)
    p0 = len(subjects)
    for subject, description in texts.praises:
        subjects.append(subject)
        descriptions.append(description)

    variant = rng.integers(0, 3, n)
    note_no = np.where(is_child, rng.integers(1, n_rep + 1, n), 0)
    complaint_slot = (cat * 3 + variant) * (n_rep + 1) + note_no
    slot = np.select(
        [ttype == "complaint", ttype == "inquiry", ttype == "suggestion"],
        [complaint_slot, q0 + cat, s0 + variant % len(texts.suggestions)],
        default=p0 + variant % len(texts.praises)).astype(np.uint32)
    subject_col = pl.Series("subject", subjects).gather(slot)
    description_col = pl.Series("description", descriptions).gather(slot)
    return subject_col, _with_contacts(rng, texts, description_col)


def comments(seed: int, language: str, *, csat: np.ndarray, nps: np.ndarray,
             repeat: np.ndarray, passed: np.ndarray, waited: np.ndarray, fees: np.ndarray,
             quick: np.ndarray) -> pl.Series:
    """A comment for about 40 % of surveys (null for the rest), following score and case.

    csat (1-5) and nps (0-10) may be -1 for "not answered". Tone, so that the Satisfaction
    page's low scores (CSAT <= 2 or NPS <= 6) mostly say negative things: negative for CSAT
    <= 2, or CSAT 3 with NPS <= 6, or no CSAT and NPS <= 6; positive for CSAT >= 4 unless NPS
    <= 6, or no CSAT and NPS >= 9; mixed otherwise. A low comment
    names the first of: repeat > passed around > waited > fees > other; a high one: quick
    fix > friendly agent (most) / solved the first time. About half add a closing sentence.
    """
    texts = LANGUAGES[language]
    rng = np.random.default_rng([seed, 4711])
    n = csat.size
    pool: list[str | None] = []
    low_slot: dict[str, int] = {}
    n_low_close = len(texts.low_close)
    for event in LOW_EVENTS:
        low_slot[event] = len(pool)
        for sentence in texts.low[event]:
            pool.append(sentence)
            pool.extend(sentence + texts.sep + close for close in texts.low_close)
    mid0 = len(pool)
    pool.extend(texts.mid)
    high_slot: dict[str, int] = {}
    n_high_close = len(texts.high_close)
    for event in HIGH_EVENTS:
        high_slot[event] = len(pool)
        for sentence in texts.high[event]:
            pool.append(sentence)
            pool.extend(sentence + texts.sep + close for close in texts.high_close)
    none_slot = len(pool)
    pool.append(None)

    nps_low = (nps >= 0) & (nps <= 6)
    low = np.where(csat >= 0, (csat <= 2) | ((csat == 3) & nps_low), nps_low)
    high = np.where(csat >= 0, (csat >= 4) & ~nps_low, nps >= 9)
    variant = rng.integers(0, 4, n)
    closing = rng.random(n) < 0.5
    low_close = np.where(closing, 1 + rng.integers(0, n_low_close, n), 0)
    high_close = np.where(closing, 1 + rng.integers(0, n_high_close, n), 0)
    low_event = np.select([repeat, passed, waited, fees], [0, 1, 2, 3], default=4)
    low_base = np.array([low_slot[e] for e in LOW_EVENTS])[low_event]
    low_idx = low_base + variant * (n_low_close + 1) + low_close
    friendly_or_first = np.where(rng.random(n) < 0.65, 1, 2)
    high_event = np.where(quick, 0, friendly_or_first)
    high_base = np.array([high_slot[e] for e in HIGH_EVENTS])[high_event]
    high_idx = high_base + variant * (n_high_close + 1) + high_close
    mid_idx = mid0 + rng.integers(0, len(texts.mid), n)
    slot = np.where(low, low_idx, np.where(high, high_idx, mid_idx))
    slot = np.where(rng.random(n) < COMMENT_SHARE, slot, none_slot).astype(np.uint32)
    comment = pl.Series("comment", pool, dtype=pl.String).gather(slot)
    return _with_contacts(rng, texts, comment)
