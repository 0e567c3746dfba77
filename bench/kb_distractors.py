"""Distractor articles for the help-center search benchmark (`python -m bench.kb_search`).

Bench data generation, not a product path. Each distractor is support text assembled from
the exchange's vocabulary (both languages) shuffled into template sentences, in one of the
demo categories, with the words of that category's topic weighted up: a distractor filed
under Deposits talks about deposits, USDT, TRC20, 充值, 到账..., so it competes with the
real deposit articles for the same query words without being a copy of any of them.

Deterministic: distractor number n depends only on (seed, n), so the first 10,000 of
100,000 are the 10,000 of a smaller run, chunks can be generated in parallel, and every
backend and size sees the same articles.
"""

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

COINS = ["USDT", "BTC", "ETH", "USDC", "TRX", "SOL", "XRP", "BNB", "DOGE", "TON", "LTC", "ADA"]
NETWORKS = ["TRC20", "ERC20", "BEP20", "Solana", "Arbitrum One", "Polygon", "Optimism", "TON"]
PLACES_EN = [
    "Assets > Overview",
    "the Funding account",
    "Account > Security",
    "the History page",
    "the order panel",
    "Settings > Preferences",
    "the Rewards Hub",
    "API Management",
    "the deposit page",
    "the withdrawal page",
    "Identity Verification",
    "the app's Profile tab",
]
PLACES_ZH = [
    "资产总览",
    "资金账户",
    "账户安全中心",
    "历史记录页面",
    "下单面板",
    "偏好设置",
    "奖励中心",
    "API 管理页面",
    "充币页面",
    "提币页面",
    "身份认证页面",
    "App 个人中心",
]
TIMES_EN = ["a few minutes", "30 minutes", "one hour", "24 hours", "1–3 business days", "a week"]
TIMES_ZH = ["几分钟", "30 分钟", "1 小时", "24 小时", "1–3 个工作日", "一周"]
STATES_EN = [
    "pending",
    "delayed",
    "stuck",
    "rejected",
    "frozen",
    "locked",
    "under review",
    "failed",
    "not credited",
    "suspended",
    "cancelled",
]
STATES_ZH = ["延迟", "未到账", "卡住", "被拒绝", "被冻结", "处理中", "审核中", "失败", "被暂停"]
SECRETS_EN = [
    "password",
    "2FA code",
    "SMS verification code",
    "API secret",
    "seed phrase",
    "email code",
]
SECRETS_ZH = ["登录密码", "谷歌验证码", "短信验证码", "API 密钥", "助记词", "邮箱验证码"]
FEATURES_EN = [
    "Google Authenticator",
    "two-factor authentication",
    "the anti-phishing code",
    "the withdrawal whitelist",
    "login alerts",
    "a passkey",
]
FEATURES_ZH = ["谷歌验证", "双重验证", "防钓鱼码", "提币白名单", "登录提醒", "通行密钥"]
GENERAL_EN = [
    "account",
    "balance",
    "support team",
    "request",
    "email",
    "phone number",
    "security settings",
    "announcement",
    "transaction",
    "limit",
    "fee",
    "order",
    "network",
    "verification",
    "asset",
    "record",
]
GENERAL_ZH = [
    "账户",
    "余额",
    "客服",
    "申请",
    "邮箱",
    "手机号",
    "安全设置",
    "公告",
    "交易",
    "限额",
    "手续费",
    "订单",
    "网络",
    "验证",
    "资产",
    "记录",
]

# Per demo category: the nouns its articles are about, English and Chinese.
TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "registration": (
        [
            "registration",
            "sign-up",
            "referral code",
            "sub-account",
            "login ID",
            "verification code",
            "email address",
            "mobile number",
            "country code",
            "main account",
        ],
        [
            "注册",
            "邀请码",
            "子账户",
            "登录账号",
            "验证码",
            "邮箱地址",
            "手机号码",
            "区号",
            "主账户",
        ],
    ),
    "kyc": (
        [
            "KYC",
            "identity verification",
            "passport",
            "ID card",
            "selfie",
            "proof of address",
            "verification level",
            "document",
            "face check",
            "driving licence",
        ],
        [
            "实名认证",
            "身份认证",
            "护照",
            "身份证",
            "自拍照",
            "地址证明",
            "认证等级",
            "证件",
            "人脸识别",
            "驾照",
        ],
    ),
    "two-factor": (
        [
            "password",
            "2FA",
            "Google Authenticator",
            "authenticator app",
            "security key",
            "backup code",
            "login password",
            "fund password",
            "passkey",
            "SMS code",
        ],
        [
            "密码",
            "谷歌验证器",
            "双重验证",
            "身份验证器",
            "安全密钥",
            "备用码",
            "登录密码",
            "资金密码",
            "通行密钥",
            "短信验证码",
        ],
    ),
    "account-recovery": (
        [
            "account recovery",
            "frozen account",
            "unlock request",
            "password reset",
            "lost phone",
            "old email",
            "security review",
            "login",
            "locked account",
            "recovery form",
        ],
        [
            "账户找回",
            "账户冻结",
            "解冻申请",
            "重置密码",
            "手机丢失",
            "旧邮箱",
            "安全审核",
            "登录",
            "账户锁定",
            "找回表单",
        ],
    ),
    "phishing-fraud": (
        [
            "phishing",
            "scam",
            "fake support",
            "impersonator",
            "anti-phishing code",
            "suspicious login",
            "Telegram",
            "fraud",
            "malicious link",
            "login alert",
        ],
        [
            "钓鱼",
            "诈骗",
            "假客服",
            "冒充者",
            "防钓鱼码",
            "异常登录",
            "电报",
            "欺诈",
            "恶意链接",
            "登录提醒",
        ],
    ),
    "deposits": (
        [
            "deposit",
            "deposit address",
            "memo",
            "tag",
            "confirmations",
            "TXID",
            "minimum deposit",
            "crypto deposit",
            "blockchain",
            "credited amount",
            "wrong network",
            "transfer",
        ],
        [
            "充值",
            "充币",
            "充币地址",
            "标签",
            "区块确认",
            "交易哈希",
            "最小充值金额",
            "到账",
            "区块链",
            "充错网络",
            "划转",
            "入金",
        ],
    ),
    "withdrawals": (
        [
            "withdrawal",
            "withdrawal address",
            "whitelist",
            "withdrawal fee",
            "daily limit",
            "network fee",
            "withdraw",
            "payout",
            "address book",
            "withdrawal request",
        ],
        [
            "提币",
            "提现",
            "提币地址",
            "白名单",
            "提币手续费",
            "每日限额",
            "矿工费",
            "出金",
            "地址簿",
            "提币申请",
        ],
    ),
    "spot": (
        [
            "spot trading",
            "limit order",
            "market order",
            "maker fee",
            "taker fee",
            "trading pair",
            "order book",
            "stop-limit order",
            "fee tier",
            "filled order",
        ],
        [
            "现货交易",
            "限价单",
            "市价单",
            "挂单费",
            "吃单费",
            "交易对",
            "订单簿",
            "止盈止损",
            "费率等级",
            "成交",
        ],
    ),
    "derivatives": (
        [
            "futures",
            "perpetual contract",
            "leverage",
            "margin",
            "liquidation",
            "funding rate",
            "position",
            "isolated margin",
            "cross margin",
            "mark price",
        ],
        [
            "合约",
            "永续合约",
            "杠杆",
            "保证金",
            "爆仓",
            "强平",
            "资金费率",
            "仓位",
            "逐仓",
            "全仓",
            "标记价格",
        ],
    ),
    "api-keys": (
        [
            "API key",
            "API secret",
            "signature",
            "HMAC",
            "timestamp",
            "IP whitelist",
            "permissions",
            "passphrase",
            "request header",
            "trading bot",
        ],
        [
            "API Key",
            "API 密钥",
            "签名",
            "时间戳",
            "IP 白名单",
            "权限",
            "口令",
            "请求头",
            "量化机器人",
            "接口",
        ],
    ),
    "rate-limits": (
        [
            "rate limit",
            "error code",
            "request weight",
            "too many requests",
            "endpoint",
            "WebSocket",
            "burst",
            "REST API",
            "HTTP 429",
            "quota",
        ],
        [
            "限频",
            "错误码",
            "请求权重",
            "请求过于频繁",
            "接口",
            "WebSocket",
            "突发请求",
            "REST API",
            "配额",
            "访问频率",
        ],
    ),
    "campaign-rules": (
        [
            "campaign",
            "reward",
            "airdrop",
            "bonus",
            "voucher",
            "trading competition",
            "referral reward",
            "prize pool",
            "eligibility",
            "distribution",
        ],
        [
            "活动",
            "奖励",
            "空投",
            "奖金",
            "体验金",
            "交易大赛",
            "返佣",
            "奖池",
            "参与资格",
            "发放",
        ],
    ),
}

SENTENCES_EN = [
    "If your {a} is {state}, check the {b} before you contact the {g}.",
    "The {a} depends on the {b} and the {c} you selected.",
    "Most {a} requests are processed within {time}, but a {b} can take longer during busy periods.",
    "You can review the {a} and the {b} under {place} at any time.",
    "We recommend enabling {feature} before you change your {a}.",
    "Our team may ask for more information when the {a} looks unusual.",
    "Each {a} has its own {b}, shown next to the {c} in {place}.",
    "For {coin} on {net}, the {a} is updated after {num} network confirmations.",
    "Never share your {secret} with anyone, including people who claim to be from the {g}.",
    "A {a} that was {state} cannot be reversed once the {b} is confirmed.",
    "To avoid delays, make sure the {a} matches the {b} shown in {place}.",
    "The {a} resets every day at 00:00 UTC.",
    "Fees for the {a} are deducted from your {g} automatically.",
    "When the {a} changes, we publish an {g} at least {time} in advance.",
    "Some regions have a lower {a}; the {b} page shows the value for your account.",
    "After you submit the {a}, you will receive an email with the {b}.",
    "The {a} for {coin} is different from the {b} for {coin2}.",
    "Keep a record of the {a}, the {b} and the time of the request.",
    "If the {a} still shows {state} after {time}, open a ticket and attach the {b}.",
    "Switching the {a} does not affect any {b} that is already in progress.",
    "Only the account owner can change the {a} or request a {b}.",
    "Check {place} to see whether the {a} has been applied to your {b}.",
    "The {b} shown in the app is an estimate; the final {a} is calculated at settlement.",
    "You may need to complete {feature} again after a {a}.",
]
STEPS_EN = [
    "Open {place}.",
    "Select the {a} you want to manage.",
    "Choose {coin} and the {net} network.",
    "Enter the {b} and confirm with your {secret}.",
    "Review the {a} and the {b}, then select **Confirm**.",
    "Wait for the status to change from {state} to completed.",
    "Copy the {a} and keep it somewhere safe.",
    "Turn on {feature} if it is not active yet.",
]
HEADINGS_EN = [
    "Before you start",
    "Steps",
    "Common questions",
    "What to check",
    "Limits and fees",
    "Processing times",
    "If something goes wrong",
    "Good to know",
    "Security tips",
]
TITLES_EN = [
    "{A} {b}: what you need to know",
    "How the {a} works for {coin}",
    "{A} and {b} on {net}",
    "Understanding the {a} and {b}",
    "Why is my {a} {state}?",
    "{A} {state} after a {b}",
    "A guide to {a} for new users",
    "{A} FAQ ({coin})",
    "Changes to the {a} and {b}",
    "{A} requirements by region",
    "Troubleshooting {a} problems",
    "{A}: {b} explained",
]

SENTENCES_ZH = [
    "如果{a}{state}，请先检查{b}，再联系{g}。",
    "{a}通常在{time}内完成，高峰期{b}可能会更慢。",
    "你可以随时在{place}查看{a}和{b}。",
    "{a}与{b}和{c}有关，具体以页面显示为准。",
    "请勿将{secret}告诉任何人，包括自称{g}的人员。",
    "{coin}通过{net}转账时，需要{num}个区块确认后才会更新{a}。",
    "为保障资金安全，建议先开启{feature}再修改{a}。",
    "每个{a}都有对应的{b}，请在{place}确认。",
    "{a}一旦提交无法撤销，请仔细核对{b}。",
    "平台会根据市场情况调整{a}，调整前会提前{time}发布公告。",
    "部分地区的{a}较低，请以{b}页面显示为准。",
    "提交{a}后，你会收到一封包含{b}的邮件。",
    "{coin}的{a}与{coin2}的{b}不同。",
    "请保留{a}、{b}和操作时间的记录。",
    "如果超过{time}{a}仍然{state}，请提交工单并附上{b}。",
    "切换{a}不会影响正在进行中的{b}。",
    "只有账户本人可以修改{a}或申请{b}。",
    "App 中显示的{b}仅供参考，最终{a}以结算时为准。",
    "完成{a}后，可能需要重新开启{feature}。",
    "{a}每天 00:00（UTC）重置。",
]
STEPS_ZH = [
    "打开{place}。",
    "选择需要管理的{a}。",
    "选择{coin}及{net}网络。",
    "填写{b}，并输入{secret}确认。",
    "核对{a}和{b}后点击**确认**。",
    "等待状态从{state}变为已完成。",
    "复制{a}并妥善保存。",
    "如尚未开启{feature}，请先开启。",
]
HEADINGS_ZH = ["开始之前", "操作步骤", "常见问题", "检查事项", "限额与费用", "处理时间", "安全提示"]
TITLES_ZH = [
    "{a}{b}说明",
    "{a}常见问题（{coin}）",
    "为什么{a}{state}",
    "{a}与{b}的区别",
    "关于{a}和{b}的调整公告",
    "{a}操作指南",
    "{net}网络{a}须知",
    "{a}{state}后如何处理{b}",
    "新用户{a}入门",
    "各地区{a}要求",
]

_SLUG_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Distractor:
    slug: str
    language: str
    title: str
    body: str
    category: str


def _pick3(rng: random.Random, own: list[str], extra: list[str]) -> list[str]:
    """Three different words, each from the article's own topic three times in four."""
    picked: list[str] = []
    while len(picked) < 3:
        word = rng.choice(own if not extra or rng.random() < 0.75 else extra)
        if word not in picked:
            picked.append(word)
    return picked


def _fill(
    rng: random.Random, template: str, own: list[str], extra: list[str], chinese: bool
) -> str:
    a, b, c = _pick3(rng, own, extra)
    general = GENERAL_ZH if chinese else GENERAL_EN
    coin, coin2 = rng.sample(COINS, 2)
    values = {
        "a": a,
        "b": b,
        "c": c,
        "A": a[:1].upper() + a[1:],
        "g": rng.choice(general),
        "coin": coin,
        "coin2": coin2,
        "net": rng.choice(NETWORKS),
        "num": rng.choice(["1", "6", "12", "20", "64"]),
        "state": rng.choice(STATES_ZH if chinese else STATES_EN),
        "time": rng.choice(TIMES_ZH if chinese else TIMES_EN),
        "place": rng.choice(PLACES_ZH if chinese else PLACES_EN),
        "secret": rng.choice(SECRETS_ZH if chinese else SECRETS_EN),
        "feature": rng.choice(FEATURES_ZH if chinese else FEATURES_EN),
    }
    return template.format(**values)


def _body(rng: random.Random, own: list[str], extra: list[str], chinese: bool) -> str:
    sentences, steps, headings = (
        (SENTENCES_ZH, STEPS_ZH, HEADINGS_ZH) if chinese else (SENTENCES_EN, STEPS_EN, HEADINGS_EN)
    )
    joiner = "" if chinese else " "
    # About the length of the demo articles: ~1,300-2,300 characters in English,
    # ~550-1,100 in Chinese (whose sentences are shorter).
    per_section = (5, 8) if chinese else (3, 5)
    parts = [joiner.join(_fill(rng, t, own, extra, chinese) for t in rng.sample(sentences, 3))]
    for heading in rng.sample(headings, rng.randint(3, 4)):
        parts.append(f"## {heading}")
        if rng.random() < 0.35:
            chosen = rng.sample(steps, rng.randint(3, 6))
            parts.append(
                "\n".join(
                    f"{n}. {_fill(rng, t, own, extra, chinese)}" for n, t in enumerate(chosen, 1)
                )
            )
        else:
            chosen = rng.sample(sentences, rng.randint(*per_section))
            parts.append(joiner.join(_fill(rng, t, own, extra, chinese) for t in chosen))
    if rng.random() < 0.5:
        label = rng.choice(["注意", "提示"]) if chinese else rng.choice(["Note", "Tip"])
        colon = "：" if chinese else ":"
        parts.append(
            f"> **{label}{colon}** {_fill(rng, rng.choice(sentences), own, extra, chinese)}"
        )
    return "\n\n".join(parts)


def generate(
    start: int, count: int, *, categories: list[str], forbidden_titles: set[str], seed: int
) -> Iterator[Distractor]:
    """Distractors number `start` to `start + count - 1`: even numbers English, odd ones
    Chinese, spread over `categories`.

    Titles never equal a demo title (`forbidden_titles`, compared case-folded); slugs are
    unique (`kb-bench-<n>-<words>`), so they never collide with a real article's.
    """
    folded = {" ".join(t.casefold().split()) for t in forbidden_titles}
    topics = [c for c in categories if c in TOPICS]
    for number in range(start, start + count):
        rng = random.Random(seed * 1_000_003 + number)
        chinese = number % 2 == 1
        category = rng.choice(topics)
        topic_en, topic_zh = TOPICS[category]
        # Mostly the category's words, some of a neighbouring topic and general ones:
        # real articles mention other topics too (a withdrawal article mentions 2FA).
        other_en, other_zh = TOPICS[rng.choice(topics)]
        own = topic_zh if chinese else topic_en
        if chinese:
            extra = rng.sample(other_zh, 3) + rng.sample(GENERAL_ZH, 4)
        else:
            extra = rng.sample(other_en, 3) + rng.sample(GENERAL_EN, 4)
        titles = TITLES_ZH if chinese else TITLES_EN
        while True:  # titles come from the topic's own words only
            title = _fill(rng, rng.choice(titles), own, [], chinese)
            if " ".join(title.casefold().split()) not in folded:
                break
        body = _body(rng, own, extra, chinese)
        key = _SLUG_RE.sub("-", rng.choice(topic_en).lower()).strip("-")
        yield Distractor(
            slug=f"kb-bench-{number:06d}-{key}"[:120],
            language="zh-hans" if chinese else "en",
            title=title[:200],
            body=body,
            category=category,
        )
