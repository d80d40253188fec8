"""`cxdash demo`: a realistic, reproducible multi-channel service operation.

Everything is drawn with numpy in whole arrays (no per-ticket Python loop), so
10 million tickets take minutes. The story the data tells, on purpose:
- 7 channels, 60 branches in 6 regions, 12 categories, 4 types, 4 priorities;
- weekly and yearly seasonality (a December peak), hour-of-day and weekday
  patterns per channel (the branch counter is closed on Sundays);
- e-mail is the slow channel for first response; three branches are genuinely
  bad (slower, more reopens and escalations, lower satisfaction);
- complaints that went badly come back: repeat-complaint chains; customers
  churn more after unresolved, repeated or badly rated complaints;
- about a third of resolved tickets get a survey, CSAT/NPS follow the case;
- 13 fixes: most really lower repeats (some also churn) in their scope from
  launch, one is a placebo, one targets the branch with the worst recent repeat
  rate without any real effect (regression to the mean), one launched recently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from dashboard import demo_text
from dashboard.warehouse import append_frame, refresh_facts, stage_frame, write_transaction

END = datetime(2026, 11, 20, 18, 0, 0)  # fixed, so a seed always gives the same warehouse
DAYS = 730

REGIONS = ["North", "South", "East", "West", "Central", "Coast"]
TOWNS = [
    "Harbour", "Market", "Station", "Riverside", "Old Town", "Hillside", "Parkway", "Bridge",
    "Cathedral", "University",
]


@dataclass(frozen=True)
class Channel:
    name: str
    share: float
    frt_median_min: float
    anonymous: float
    weekend: tuple[float, float]  # Saturday, Sunday volume factor
    hours: tuple[float, ...]      # relative volume per hour 0..23
    survey_rate: float


def _hours(peaks: list[tuple[int, int, float]], base: float = 0.02) -> tuple[float, ...]:
    h = np.full(24, base)
    for start, end, weight in peaks:
        h[start:end] += weight
    return tuple(h / h.sum())


CHANNELS = [
    Channel("phone", 0.27, 9, 0.12, (0.45, 0.2), _hours([(8, 20, 1.0), (9, 12, 0.6), (13, 16, 0.4)]), 0.30),
    Channel("app", 0.19, 70, 0.0, (1.1, 1.0), _hours([(7, 23, 0.6), (19, 23, 0.8), (12, 14, 0.4)], 0.05), 0.45),
    Channel("web", 0.14, 180, 0.04, (0.8, 0.7), _hours([(8, 23, 0.7), (20, 22, 0.4)], 0.05), 0.35),
    Channel("email", 0.12, 1100, 0.03, (0.5, 0.4), _hours([(7, 19, 1.0)], 0.06), 0.28),
    Channel("social", 0.07, 55, 0.35, (1.0, 1.0), _hours([(9, 24, 0.8), (18, 23, 0.5)], 0.05), 0.15),
    Channel("chat", 0.11, 3, 0.10, (0.7, 0.5), _hours([(8, 22, 1.0), (11, 14, 0.4)]), 0.40),
    Channel("branch counter", 0.10, 1.5, 0.25, (0.5, 0.0), _hours([(9, 17, 1.0), (11, 14, 0.5)], 0.0), 0.25),
]

CATEGORIES = [
    # name, share, resolution median hours, urgent share
    ("billing", 0.15, 20, 0.02), ("cards", 0.12, 30, 0.05), ("account access", 0.11, 6, 0.08),
    ("loans", 0.07, 70, 0.02), ("fees", 0.10, 24, 0.01), ("transfers", 0.09, 12, 0.06),
    ("mobile app", 0.09, 16, 0.03), ("statements", 0.06, 30, 0.01), ("fraud", 0.05, 40, 0.35),
    ("staff conduct", 0.05, 60, 0.03), ("branch services", 0.06, 18, 0.01),
    ("address change", 0.05, 8, 0.0),
]
TYPES = (["complaint", "inquiry", "suggestion", "praise"], [0.55, 0.31, 0.08, 0.06])
PRIORITY_FACTOR = {"urgent": 0.25, "high": 0.55, "normal": 1.0, "low": 2.2}
SEGMENTS = (["retail", "premium", "business", "private banking"], [0.70, 0.15, 0.11, 0.04])


# --- the Chinese operation (`cxdash demo --locale zh-CN`) -----------------------------
# The same generator draws the same numbers; only the stored labels differ: region, branch
# name and place, category, segment and the fixes' words (channel, type and priority stay
# the codes of spec/extracts.md). So both demos have exactly the same shape.
LOCALES = ("en", "zh-CN")
ZH_REGIONS = {"North": "华北", "South": "华南", "East": "华东", "West": "西南",
              "Central": "西北", "Coast": "东北"}
# Ten branches per region (branch i is in REGIONS[i % 6], the (i // 6)-th of its region).
ZH_BRANCHES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "North": (("北京朝阳支行", 39.92, 116.44), ("北京海淀支行", 39.96, 116.30),
              ("天津和平支行", 39.12, 117.20), ("石家庄长安支行", 38.05, 114.52),
              ("北京西城支行", 39.91, 116.37), ("天津南开支行", 39.13, 117.15),
              ("太原迎泽支行", 37.86, 112.56), ("保定莲池支行", 38.87, 115.46),
              ("唐山路北支行", 39.63, 118.18), ("呼和浩特新城支行", 40.84, 111.75)),
    "South": (("广州天河支行", 23.13, 113.36), ("深圳福田支行", 22.54, 114.05),
              ("广州越秀支行", 23.13, 113.27), ("深圳南山支行", 22.53, 113.93),
              ("东莞南城支行", 23.02, 113.75), ("佛山禅城支行", 23.02, 113.12),
              ("南宁青秀支行", 22.82, 108.38), ("海口龙华支行", 20.04, 110.32),
              ("厦门思明支行", 24.45, 118.08), ("福州鼓楼支行", 26.08, 119.30)),
    "East": (("上海浦东支行", 31.22, 121.54), ("上海徐汇支行", 31.19, 121.44),
             ("杭州西湖支行", 30.26, 120.13), ("南京鼓楼支行", 32.07, 118.77),
             ("苏州工业园区支行", 31.32, 120.72), ("宁波鄞州支行", 29.82, 121.55),
             ("合肥蜀山支行", 31.85, 117.26), ("济南历下支行", 36.67, 117.08),
             ("青岛市南支行", 36.07, 120.38), ("无锡梁溪支行", 31.57, 120.30)),
    "West": (("成都锦江支行", 30.66, 104.08), ("成都武侯支行", 30.64, 104.04),
             ("重庆渝中支行", 29.56, 106.57), ("重庆江北支行", 29.61, 106.57),
             ("昆明五华支行", 25.04, 102.71), ("贵阳云岩支行", 26.58, 106.71),
             ("绵阳涪城支行", 31.46, 104.74), ("拉萨城关支行", 29.65, 91.13),
             ("遵义汇川支行", 27.70, 106.93), ("宜宾翠屏支行", 28.77, 104.63)),
    "Central": (("西安雁塔支行", 34.22, 108.95), ("西安碑林支行", 34.26, 108.94),
                ("兰州城关支行", 36.06, 103.83), ("银川兴庆支行", 38.47, 106.28),
                ("西宁城中支行", 36.62, 101.78), ("乌鲁木齐天山支行", 43.79, 87.62),
                ("宝鸡渭滨支行", 34.36, 107.24), ("咸阳秦都支行", 34.33, 108.71),
                ("榆林榆阳支行", 38.28, 109.73), ("天水秦州支行", 34.58, 105.72)),
    "Coast": (("沈阳和平支行", 41.79, 123.40), ("大连中山支行", 38.92, 121.64),
              ("长春朝阳支行", 43.88, 125.32), ("哈尔滨南岗支行", 45.76, 126.65),
              ("沈阳沈河支行", 41.80, 123.45), ("大连沙河口支行", 38.90, 121.59),
              ("吉林船营支行", 43.84, 126.55), ("鞍山铁东支行", 41.11, 122.99),
              ("齐齐哈尔龙沙支行", 47.35, 123.96), ("哈尔滨道里支行", 45.77, 126.62)),
}
ZH_CATEGORIES = {
    "billing": "账单", "cards": "信用卡", "account access": "账户登录", "loans": "贷款",
    "fees": "收费", "transfers": "转账汇款", "mobile app": "手机银行", "statements": "理财",
    "fraud": "盗刷欺诈", "staff conduct": "服务态度", "branch services": "网点服务",
    "address change": "信息变更",
}
ZH_SEGMENTS = {"retail": "大众客户", "premium": "贵宾客户", "business": "对公客户",
               "private banking": "私人银行"}
ZH_OWNERS = {"Billing Ops": "账单运营部", "Digital": "数字银行部", "Contact Centre": "客服中心",
             "Card Services": "信用卡中心", "Fraud Team": "反欺诈中心", "Payments": "支付结算部",
             "Regional Ops": "区域运营部", "Lending": "信贷部", "Customer Comms": "客户沟通部",
             "Service Quality": "服务质量部"}
ZH_FIXES = {  # fix id -> (title, description)
    "F-01": ("账单通俗化改版", "账单重新编写，逐项说明每笔费用。"),
    "F-02": ("手机银行自助重置登录", "客户在手机银行自助重置登录，不用再回电。"),
    "F-03": ("邮件 4 小时内分派", "每封邮件 4 小时内指定负责人。"),
    "F-04": ("补卡物流跟踪", "每张补办的卡都附物流跟踪链接。"),
    "F-05": ("收费问题电话回拨承诺", "客服预约回拨，不再转接。"),
    "F-06": ("盗刷案件专人负责", "从报案到退款由一名调查员全程负责。"),
    "F-07": ("转账进度短信通知", "延迟转账的每一步都发短信通知。"),
    "F-08": ("华东区域投诉处理培训", "华东全体员工参加两天的服务补救培训。"),
    "F-09": ("理财热线更换等候音乐", "安慰剂：处理方式没有任何变化。"),
    "F-10": ("重复投诉率最高网点辅导", "因上季度数据最差而选中；处理方式没有变化。"),
    "F-11": ("社交媒体响应专席", "刚上线：整改后的观察窗口仍在累积。"),
    "F-12": ("贷款决定书写明原因", "拒贷通知书写明原因和后续步骤。"),
    "F-13": ("华北理财说明书改版", "简化理财产品说明书，在华北试点。"),
}


@dataclass(frozen=True)
class FixPlan:
    fix_id: str
    title: str
    days_before_end: int
    category: str | None = None
    channel: str | None = None
    region: str | None = None
    branch_id: str | None = None
    repeat_cut: float = 0.0  # share of would-be repeats prevented after launch, in scope
    churn_cut: float = 0.0
    owner: str = "Service Quality"
    description: str = ""


FIX_PLANS = [
    FixPlan("F-01", "Plain-language bills", 300, category="billing", repeat_cut=0.72,
            churn_cut=0.3, owner="Billing Ops", description="Bills rewritten; charges explained line by line."),
    FixPlan("F-02", "Self-service login reset in the app", 420, category="account access",
            channel="app", repeat_cut=0.85, churn_cut=0.45, owner="Digital",
            description="Customers reset access themselves instead of calling back."),
    FixPlan("F-03", "E-mail triage within 4 hours", 260, channel="email", repeat_cut=0.48,
            owner="Contact Centre", description="Every e-mail gets an owner within 4 hours."),
    FixPlan("F-04", "Card replacement tracking", 210, category="cards", repeat_cut=0.64,
            owner="Card Services", description="Tracking link sent with every replacement card."),
    FixPlan("F-05", "Phone callback promise on fees", 350, category="fees", channel="phone",
            repeat_cut=0.48, owner="Contact Centre", description="Agents book a callback instead of a transfer."),
    FixPlan("F-06", "Named owner for every fraud case", 185, category="fraud", repeat_cut=0.56,
            churn_cut=0.68, owner="Fraud Team", description="One named investigator from report to refund."),
    FixPlan("F-07", "Transfer status text messages", 470, category="transfers", repeat_cut=0.56,
            owner="Payments", description="Status SMS at each step of a delayed transfer."),
    FixPlan("F-08", "East region complaint-handling training", 230, region="East", repeat_cut=0.32,
            churn_cut=0.22, owner="Regional Ops", description="Two-day recovery training for all East staff."),
    FixPlan("F-09", "New hold music on statement lines", 270, category="statements",
            channel="phone", owner="Contact Centre",
            description="Placebo: nothing about handling changed."),
    # F-10's branch is chosen after the tickets exist: the worst repeat rate before launch.
    FixPlan("F-10", "Coaching at the branch with the worst repeat rate", 160,
            owner="Regional Ops", description="Chosen because last quarter looked worst; no change in handling."),
    FixPlan("F-11", "Social media response desk", 40, channel="social", repeat_cut=0.56,
            owner="Digital", description="Launched recently: the after-window is still filling."),
    FixPlan("F-12", "Loan decision letters with reasons", 330, category="loans", repeat_cut=0.48,
            churn_cut=0.38, owner="Lending", description="Decline letters now give reasons and next steps."),
    FixPlan("F-13", "North statements redesign", 520, category="statements", region="North",
            repeat_cut=0.4, owner="Customer Comms", description="Simpler statements, piloted in the North."),
]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class _Progress:
    def __init__(self, enabled: bool, steps: int) -> None:
        self.enabled = enabled
        if enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._p = Progress(TextColumn("{task.description:<28}"), BarColumn(),
                               TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn())
            self._p.start()
            self._task = self._p.add_task("demo warehouse", total=steps)

    def step(self, what: str) -> None:
        if self.enabled:
            self._p.update(self._task, advance=1, description=what)

    def done(self) -> None:
        if self.enabled:
            self._p.update(self._task, completed=self._p.tasks[0].total, description="done")
            self._p.stop()


def build_demo(path: Path, tickets: int = 300_000, seed: int = 7, progress: bool = False,
               end: datetime = END, locale: str = "en") -> dict[str, int]:
    """Write a fresh demo warehouse to `path` (atomically replacing any old one).

    `tickets` is the number of first contacts asked for (repeat chains add ~7 %, so the
    tickets written differ): the result maps each table to the rows written.
    `locale` "en" or "zh-CN" (the Chinese operation: same numbers, Chinese labels and text).
    """
    bar = _Progress(progress, 9)
    frames = generate(tickets, seed, end, bar, locale=locale)
    bar.step("writing warehouse")
    with write_transaction(Path(path), fresh=True) as con:
        for table in ("branches", "customers", "surveys", "fixes"):
            append_frame(con, table, frames[table])
        bar.step("computing stored facts")
        # staged, then written once with their facts (as a first load of an extract is)
        stage_frame(con, frames["tickets"])
        refresh_facts(con, with_incoming=True)
    bar.done()
    return {name: frame.height for name, frame in frames.items()}


def generate(n_tickets: int, seed: int, end: datetime = END, bar: _Progress | None = None,
             locale: str = "en") -> dict[str, pl.DataFrame]:
    """The demo's tables as frames: branches, customers, tickets, surveys, fixes.

    The numbers depend only on (n_tickets, seed, end); `locale` ("en" or "zh-CN") only
    chooses the stored labels and the language of subjects, descriptions and comments.
    """
    if locale not in LOCALES:
        raise ValueError(f"unknown demo locale {locale!r} (choose from {', '.join(LOCALES)})")
    zh = locale == "zh-CN"
    bar = bar or _Progress(False, 0)
    rng = np.random.default_rng(seed)
    start_day = np.datetime64((end - timedelta(days=DAYS)).date(), "D")
    end_us = np.datetime64(end, "us")

    # --- branches ---------------------------------------------------------------
    n_branches = 60
    branch_ids = np.array([f"B{i + 1:02d}" for i in range(n_branches)])
    branch_region = np.array([REGIONS[i % 6] for i in range(n_branches)])
    branch_quality = rng.normal(0, 0.25, n_branches)
    bad = np.array([7, 22, 41])  # genuinely bad branches
    branch_quality[bad] = [-1.1, -0.9, -1.3]
    centres = {"North": (53.5, -2.2), "South": (50.9, -1.4), "East": (52.6, 1.3),
               "West": (51.5, -3.2), "Central": (52.5, -1.9), "Coast": (50.4, -4.1)}
    lat = np.array([centres[r][0] for r in branch_region]) + rng.normal(0, 0.3, n_branches)
    lon = np.array([centres[r][1] for r in branch_region]) + rng.normal(0, 0.3, n_branches)
    if zh:  # the same noise, a few km around each branch's own city
        places = [ZH_BRANCHES[branch_region[i]][i // 6 % 10] for i in range(n_branches)]
        lat = np.array([p[1] for p in places]) + (lat - [centres[r][0] for r in branch_region]) * 0.1
        lon = np.array([p[2] for p in places]) + (lon - [centres[r][1] for r in branch_region]) * 0.1
        names = [p[0] for p in places]
        region_labels = np.array([ZH_REGIONS[r] for r in branch_region])
    else:
        names = [f"{branch_region[i]} {TOWNS[i // 6 % 10]}" for i in range(n_branches)]
        region_labels = branch_region
    branches = pl.DataFrame({
        "branch_id": branch_ids, "branch_name": names,
        "region": region_labels, "latitude": lat.round(4), "longitude": lon.round(4),
    })
    bar.step("branches and customers")

    # --- customers --------------------------------------------------------------
    n_customers = max(50, int(n_tickets / 2.6))
    cust_ids = np.array([f"C{i:07d}" for i in range(n_customers)])
    cust_home = rng.integers(0, n_branches, n_customers)
    cust_segment = rng.choice(SEGMENTS[0], n_customers, p=SEGMENTS[1])
    cust_activity = rng.pareto(1.6, n_customers) + 1.0  # a few customers call a lot
    joined = start_day - rng.integers(0, 3650, n_customers).astype("timedelta64[D]")
    seg_value = {"retail": 400, "premium": 2500, "business": 6000, "private banking": 15000}
    annual_value = np.array([seg_value[s] for s in cust_segment]) * rng.lognormal(0, 0.6, n_customers)

    # --- primary tickets ---------------------------------------------------------
    n_primary = max(1, int(n_tickets / 1.07))  # repeat chains add ~7 %
    days = np.arange(DAYS)
    day_dates = start_day + days.astype("timedelta64[D]")
    doy = (day_dates - day_dates.astype("datetime64[Y]")).astype(int)
    dow = (day_dates.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    season = (1.0 + 0.35 * np.exp(-(((doy - 345) / 14.0) ** 2))   # December peak
              + 0.12 * np.exp(-(((doy - 10) / 8.0) ** 2))          # January catch-up
              - 0.10 * np.exp(-(((doy - 215) / 20.0) ** 2)))       # August lull
    trend = 1.0 + 0.12 * days / DAYS

    channel_names = np.array([c.name for c in CHANNELS])
    shares = np.array([c.share for c in CHANNELS])
    ch = rng.choice(len(CHANNELS), n_primary, p=shares / shares.sum())
    created = np.empty(n_primary, dtype="datetime64[us]")
    for ci, c in enumerate(CHANNELS):
        idx = np.flatnonzero(ch == ci)
        week = np.where(dow == 5, c.weekend[0], np.where(dow == 6, c.weekend[1], 1.0))
        w = season * trend * week
        d = rng.choice(DAYS, idx.size, p=w / w.sum())
        hour = rng.choice(24, idx.size, p=np.array(c.hours))
        secs = hour * 3600 + rng.integers(0, 3600, idx.size)
        created[idx] = (day_dates[d].astype("datetime64[us]")
                        + (secs * 1_000_000).astype("timedelta64[us]"))
    bar.step("tickets")

    cat_names = np.array([c[0] for c in CATEGORIES])
    cat_share = np.array([c[1] for c in CATEGORIES])
    cat = rng.choice(len(CATEGORIES), n_primary, p=cat_share / cat_share.sum())
    mobile = int(np.flatnonzero(cat_names == "mobile app")[0])
    app_ch = int(np.flatnonzero(channel_names == "app")[0])
    cat = np.where((ch == app_ch) & (rng.random(n_primary) < 0.25), mobile, cat)

    anon_p = np.array([c.anonymous for c in CHANNELS])[ch]
    anonymous = rng.random(n_primary) < anon_p
    cust = rng.choice(n_customers, n_primary, p=cust_activity / cust_activity.sum())
    # accountable branch: the customer's home branch, sometimes another one
    branch = np.where(rng.random(n_primary) < 0.8, cust_home[cust],
                      rng.integers(0, n_branches, n_primary))
    ttype = rng.choice(TYPES[0], n_primary, p=TYPES[1])

    tickets = _assemble(rng, {
        "created": created, "ch": ch, "cat": cat, "cust": np.where(anonymous, -1, cust),
        "branch": branch, "type": ttype,
    }, first_id=0, is_child=False)
    next_id = n_primary

    # --- repeat chains: badly handled complaints come back ------------------------
    fix_launch = {f.fix_id: np.datetime64(end.date() - timedelta(days=f.days_before_end), "us")
                  for f in FIX_PLANS}
    region_of_branch = branch_region
    generation = tickets
    all_parts = [tickets]
    for _ in range(3):
        outcome = _handle(rng, generation, branch_quality, end_us)
        generation = {**generation, **outcome}
        all_parts[-1] = generation
        is_c = (generation["type"] == "complaint") & (generation["cust"] >= 0)
        badness = generation["badness"]
        p = _sigmoid(-2.5 + 0.9 * badness + 0.9 * ~generation["resolved_ok"]) * 0.75
        p = p * _fix_multiplier(generation, fix_launch, region_of_branch, channel_names,
                                cat_names, branch_ids, "repeat_cut")
        spawn = is_c & (rng.random(p.size) < p)
        idx = np.flatnonzero(spawn)
        if idx.size == 0:
            break
        gap_s = rng.exponential(9 * 86400, idx.size) + 3600
        child_created = generation["created"][idx] + (gap_s * 1e6).astype("timedelta64[us]")
        keep = child_created < end_us
        idx, child_created = idx[keep], child_created[keep]
        child_ch = np.where(rng.random(idx.size) < 0.6, generation["ch"][idx],
                            rng.choice(len(CHANNELS), idx.size, p=shares / shares.sum()))
        generation = _assemble(rng, {
            "created": child_created, "ch": child_ch, "cat": generation["cat"][idx],
            "cust": generation["cust"][idx], "branch": generation["branch"][idx],
            "type": np.full(idx.size, "complaint"),
        }, first_id=next_id, is_child=True)
        next_id += idx.size
        all_parts.append(generation)
    last = all_parts[-1]
    if "badness" not in last:
        all_parts[-1] = {**last, **_handle(rng, last, branch_quality, end_us)}
    t = {k: np.concatenate([part[k] for part in all_parts]) for k in all_parts[0]}
    order = np.argsort(t["created"], kind="stable")
    t = {k: v[order] for k, v in t.items()}
    n = t["created"].size
    bar.step("repeat chains and handling")

    # --- surveys ----------------------------------------------------------------
    survey_rate = np.array([c.survey_rate for c in CHANNELS])[t["ch"]]
    resp_delay = (rng.exponential(1.5 * 86400, n) + 600) * 1e6
    responded = t["resolved"] + resp_delay.astype("timedelta64[us]")
    has_resolved = ~np.isnat(t["resolved"])
    surveyed = has_resolved & (responded <= end_us) & (rng.random(n) < survey_rate)
    si = np.flatnonzero(surveyed)
    quality = branch_quality[t["branch"][si]]
    mood = -0.75 * t["badness"][si] + 0.6 * quality + rng.normal(0, 0.7, si.size)
    mood = mood + np.where(t["type"][si] == "praise", 0.8, 0.0)
    csat = np.clip(np.round(4.1 + mood), 1, 5).astype(np.int32)
    nps = np.clip(np.round(7.6 + 1.9 * mood + rng.normal(0, 0.8, si.size)), 0, 10).astype(np.int32)
    ces = np.clip(np.round(3.0 - 1.2 * mood + rng.normal(0, 0.8, si.size)), 1, 7).astype(np.int32)
    which = rng.random(si.size)
    csat_v = np.where(which < 0.08, -1, csat)            # 8 % answered only NPS
    nps_v = np.where((which >= 0.08) & (which < 0.16), -1, nps)  # 8 % only CSAT
    survey_ids = np.array([f"S{i:08d}" for i in range(si.size)])
    # A few tickets get a second, later survey (the latest one counts).
    again = np.flatnonzero(rng.random(si.size) < 0.03)
    later = responded[si][again] + (rng.exponential(3 * 86400, again.size) * 1e6).astype("timedelta64[us]")
    ok = later <= end_us
    again, later = again[ok], later[ok]
    csat2 = np.clip(csat[again] + rng.integers(-1, 2, again.size), 1, 5)
    surveys = pl.DataFrame({
        "survey_id": np.concatenate([survey_ids, np.array([f"S{si.size + i:08d}" for i in range(again.size)])]),
        "ticket_id": np.concatenate([t["ticket_id"][si], t["ticket_id"][si][again]]),
        "responded_at": np.concatenate([responded[si], later]),
        "csat": np.concatenate([csat_v, csat2]).astype(np.int32),
        "nps": np.concatenate([nps_v, nps[again]]).astype(np.int32),
        "ces": np.concatenate([ces, ces[again]]).astype(np.int32),
    }).with_columns(
        pl.when(pl.col("csat") < 0).then(None).otherwise(pl.col("csat")).alias("csat"),
        pl.when(pl.col("nps") < 0).then(None).otherwise(pl.col("nps")).alias("nps"),
    )
    # Comments follow the case (dashboard/demo_text.py); their random numbers are their own.
    frt_min = (t["responded"][si] - t["created"][si]).astype("timedelta64[s]").astype(float) / 60
    res_h = (t["resolved"][si] - t["responded"][si]).astype("timedelta64[s]").astype(float) / 3600
    frt_usual = np.array([c.frt_median_min for c in CHANNELS])[t["ch"][si]]
    res_usual = np.array([c[2] for c in CATEGORIES])[t["cat"][si]]
    repeat = (t["reopen"][si] > 0) | t["is_child"][si]
    cat_si = cat_names[t["cat"][si]]
    comment = demo_text.comments(
        seed, locale, csat=csat_v, nps=nps_v, repeat=repeat, passed=t["escalated"][si],
        waited=(frt_min > 3 * frt_usual) | (res_h > 3 * res_usual),
        fees=(cat_si == "fees") | (cat_si == "billing"),
        quick=(res_h < 0.5 * res_usual) & ~repeat & ~t["escalated"][si])
    surveys = surveys.with_columns(
        pl.concat([comment, pl.Series([None] * again.size, dtype=pl.String)]).alias("comment"))
    # per-ticket latest csat for churn: low ratings drive churn
    low_rating = np.zeros(n, dtype=bool)
    low_rating[si] = csat <= 2
    bar.step("surveys")

    # --- F-10: the branch whose repeat rate looked worst before its launch --------
    f10 = next(f for f in FIX_PLANS if f.fix_id == "F-10")
    l10 = fix_launch["F-10"]
    # Measured as the dashboard measures it (spec/kpis.md: a complaint of the same customer
    # and category in the 30 days before), and chosen the way a manager would: the branch
    # that looked worst last quarter against its own usual level (the quarter before). Part
    # of such a jump is noise that goes away by itself: regression to the mean.
    comp = np.flatnonzero((t["type"] == "complaint") & (t["cust"] >= 0))
    comp = comp[np.lexsort((t["created"][comp], t["cat"][comp], t["cust"][comp]))]
    same = np.zeros(comp.size, dtype=bool)
    same[1:] = (t["cust"][comp][1:] == t["cust"][comp][:-1]) & (
        t["cat"][comp][1:] == t["cat"][comp][:-1]) & (
        t["created"][comp][1:] - t["created"][comp][:-1] <= np.timedelta64(30, "D"))
    quarter = np.timedelta64(90, "D")

    def _rates(lo: np.datetime64, hi: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
        inside = (t["created"][comp] >= lo) & (t["created"][comp] < hi)
        br = t["branch"][comp][inside]
        counts = np.bincount(br, minlength=n_branches)
        reps = np.bincount(br, weights=same[inside], minlength=n_branches)
        return reps / np.maximum(counts, 1), counts

    rate_pre, n_pre = _rates(l10 - quarter, l10)
    rate_hist, n_hist = _rates(l10 - 2 * quarter, l10 - quarter)
    jump = rate_pre - rate_hist
    jump[bad] = -1  # the genuinely bad ones are a different story
    jump[(n_pre < 30) | (n_hist < 30)] = -1
    worst = int(np.argmax(jump))
    plans = [f if f is not f10 else FixPlan(**{**f.__dict__, "branch_id": str(branch_ids[worst])})
             for f in FIX_PLANS]

    # --- churn: worse experiences, more churn; fixes in scope reduce it -----------
    churned_at = _churn(rng, t, low_rating, n_customers, fix_launch, plans, region_of_branch,
                        channel_names, cat_names, branch_ids, end, start_day)
    churned_at = np.maximum(churned_at, joined)  # never before joining (NaT stays NaT)
    customers = pl.DataFrame({
        "customer_id": cust_ids, "segment": cust_segment,
        "home_branch_id": branch_ids[cust_home],
        "joined_at": joined.astype("datetime64[D]"),
        "churned_at": churned_at.astype("datetime64[D]"),
        "annual_value": annual_value.round(2),
    }).with_columns(pl.col("joined_at").cast(pl.Date), pl.col("churned_at").cast(pl.Date))
    bar.step("churn")

    cust_col = pl.Series(cust_ids[np.maximum(t["cust"], 0)]).zip_with(
        pl.Series(t["cust"] >= 0), pl.Series([None] * n, dtype=pl.String))
    tickets_df = pl.DataFrame({
        "ticket_id": t["ticket_id"],
        "customer_id": cust_col,
        "channel": channel_names[t["ch"]],
        "branch_id": branch_ids[t["branch"]],
        "category": cat_names[t["cat"]],
        "type": t["type"],
        "priority": t["priority"],
        "created_at": t["created"],
        "assigned_at": t["assigned"],
        "first_response_at": t["responded"],
        "resolved_at": t["resolved"],
        "closed_at": t["closed"],
        "reopen_count": t["reopen"].astype(np.int32),
        "escalated": t["escalated"],
        "agent_id": np.char.add("A", (t["branch"] * 7 + t["ch"]).astype(str)),
    })
    subject, description = demo_text.ticket_texts(seed, locale, t["cat"], t["type"], t["is_child"])
    tickets_df = tickets_df.with_columns(subject, description)
    bar.step("texts")
    if zh:  # stored labels of the Chinese operation (same rows, same numbers)
        tickets_df = tickets_df.with_columns(pl.col("category").replace_strict(ZH_CATEGORIES))
        customers = customers.with_columns(pl.col("segment").replace_strict(ZH_SEGMENTS))
        plans = [FixPlan(**{**f.__dict__, "title": ZH_FIXES[f.fix_id][0],
                            "description": ZH_FIXES[f.fix_id][1], "owner": ZH_OWNERS[f.owner],
                            "category": ZH_CATEGORIES.get(f.category or "", None),
                            "region": ZH_REGIONS.get(f.region or "", None)})
                 for f in plans]

    fixes = pl.DataFrame({
        "fix_id": [f.fix_id for f in plans], "title": [f.title for f in plans],
        "launched_at": [end.date() - timedelta(days=f.days_before_end) for f in plans],
        "category": [f.category for f in plans], "channel": [f.channel for f in plans],
        "branch_id": [f.branch_id for f in plans], "region": [f.region for f in plans],
        "owner": [f.owner for f in plans], "description": [f.description for f in plans],
    }, schema_overrides={"launched_at": pl.Date, "category": pl.String, "channel": pl.String,
                         "branch_id": pl.String, "region": pl.String})
    return {"branches": branches, "customers": customers, "tickets": tickets_df,
            "surveys": surveys, "fixes": fixes}


def _assemble(rng: np.random.Generator, base: dict[str, np.ndarray], first_id: int,
              is_child: bool) -> dict[str, np.ndarray]:
    """Ids, priorities and the repeat-chain marker of a batch of new tickets."""
    n = base["created"].size
    cat_urgent = np.array([c[3] for c in CATEGORIES])[base["cat"]]
    r = rng.random(n)
    priority = np.where(r < cat_urgent, "urgent",
                        np.where(r < cat_urgent + 0.13, "high",
                                 np.where(r < cat_urgent + 0.13 + 0.62, "normal", "low")))
    ids = np.char.add("T", np.char.zfill(np.arange(first_id, first_id + n).astype(str), 8))
    return {**base, "ticket_id": ids, "priority": priority, "is_child": np.full(n, is_child)}


def _handle(rng: np.random.Generator, t: dict[str, np.ndarray], branch_quality: np.ndarray,
            end_us: np.datetime64) -> dict[str, np.ndarray]:
    """Timestamps of handling and how well the case went ("badness"), open cases by end."""
    n = t["created"].size
    q = branch_quality[t["branch"]]
    frt_med = np.array([c.frt_median_min for c in CHANNELS])[t["ch"]]
    pf = np.vectorize(PRIORITY_FACTOR.get, otypes=[float])(t["priority"]) if n else np.zeros(0)
    frt_noise = rng.normal(0, 0.9, n)
    frt_min = frt_med * pf * np.exp(-0.6 * q + frt_noise)
    assign_min = np.minimum(frt_min * rng.uniform(0.1, 0.6, n), frt_min)
    res_med_h = np.array([c[2] for c in CATEGORIES])[t["cat"]]
    res_noise = rng.normal(0, 1.0, n)
    res_h = res_med_h * np.exp(-0.5 * q + res_noise)
    close_h = rng.exponential(20, n) + 0.1

    def at(base: np.ndarray, minutes: np.ndarray) -> np.ndarray:
        return base + (minutes * 60e6).astype("timedelta64[us]")

    assigned = at(t["created"], assign_min)
    responded = at(t["created"], frt_min)
    resolved = at(responded, res_h * 60)
    closed = at(resolved, close_h * 60)
    abandoned = rng.random(n) < 0.025
    nat = np.datetime64("NaT", "us")
    skip_assign = rng.random(n) < 0.06  # some systems never record assignment
    assigned = np.where((assigned > end_us) | skip_assign, nat, assigned)
    responded = np.where(responded > end_us, nat, responded)
    resolved = np.where((resolved > end_us) | abandoned | np.isnat(responded), nat, resolved)
    closed = np.where((closed > end_us) | np.isnat(resolved) | (rng.random(n) < 0.05), nat, closed)
    reopen_p = _sigmoid(-3.0 - 0.9 * q + 0.5 * res_noise)
    reopen = np.where(~np.isnat(resolved) & (rng.random(n) < reopen_p),
                      rng.integers(1, 3, n), 0)
    esc_p = _sigmoid(-3.3 - 0.8 * q + 0.5 * frt_noise) + np.where(t["priority"] == "urgent", 0.08, 0)
    escalated = rng.random(n) < esc_p
    badness = 0.6 * frt_noise + 0.6 * res_noise + 1.0 * (reopen > 0) + 0.9 * escalated - 0.6 * q
    resolved_ok = ~np.isnat(resolved) & (reopen == 0)
    return {"assigned": assigned, "responded": responded, "resolved": resolved, "closed": closed,
            "reopen": reopen, "escalated": escalated, "badness": badness,
            "resolved_ok": resolved_ok}


def _scope_mask(t: dict[str, np.ndarray], plan: FixPlan, region_of_branch: np.ndarray,
                channel_names: np.ndarray, cat_names: np.ndarray, branch_ids: np.ndarray
                ) -> np.ndarray:
    m = np.ones(t["created"].size, dtype=bool)
    if plan.category:
        m &= cat_names[t["cat"]] == plan.category
    if plan.channel:
        m &= channel_names[t["ch"]] == plan.channel
    if plan.region:
        m &= region_of_branch[t["branch"]] == plan.region
    if plan.branch_id:
        m &= branch_ids[t["branch"]] == plan.branch_id
    return m


def _fix_multiplier(t, fix_launch, region_of_branch, channel_names, cat_names, branch_ids,
                    attr: str, plans: list[FixPlan] | None = None) -> np.ndarray:
    mult = np.ones(t["created"].size)
    for plan in plans or FIX_PLANS:
        cut = getattr(plan, attr)
        if cut <= 0:
            continue
        m = _scope_mask(t, plan, region_of_branch, channel_names, cat_names, branch_ids)
        m &= t["created"] >= fix_launch[plan.fix_id]
        mult = np.where(m, mult * (1 - cut), mult)
    return mult


def _churn(rng, t, low_rating, n_customers, fix_launch, plans, region_of_branch, channel_names,
           cat_names, branch_ids, end: datetime, start_day) -> np.ndarray:
    nat = np.datetime64("NaT", "us")
    end_us = np.datetime64(end, "us")
    churned = np.full(n_customers, nat)
    is_c = (t["type"] == "complaint") & (t["cust"] >= 0)
    # Risk of each complaint: bad handling, unresolved, repeat, low rating.
    risk = (-4.3 + 0.55 * t["badness"] + 0.9 * ~t["resolved_ok"] + 0.8 * t["is_child"]
            + 1.1 * low_rating)
    p = _sigmoid(risk) * _fix_multiplier(t, fix_launch, region_of_branch, channel_names,
                                         cat_names, branch_ids, "churn_cut", plans)
    leave = is_c & (rng.random(p.size) < p)
    idx = np.flatnonzero(leave)
    when = t["created"][idx] + (rng.uniform(2, 85, idx.size) * 86400e6).astype("timedelta64[us]")
    ok = when <= end_us
    idx, when = idx[ok], when[ok]
    # earliest churn per customer wins
    order = np.argsort(when)
    cust = t["cust"][idx][order]
    first = np.unique(cust, return_index=True)[1]
    churned[cust[first]] = when[order][first]
    # background churn unrelated to complaints: ~3 % a year
    base = rng.random(n_customers) < 0.06
    base_when = (start_day.astype("datetime64[us]")
                 + (rng.uniform(0, DAYS, n_customers) * 86400e6).astype("timedelta64[us]"))
    churned = np.where(np.isnat(churned) & base, base_when, churned)
    return churned
