import pytest

from helpcenter import services
from helpcenter.models import Category

ARTICLES = [
    (
        "change-password",
        "en",
        "How to change your password",
        "## Steps\n1. Open **Security**.\n2. Choose *Change password* and confirm with 2FA.",
    ),
    (
        "change-password",
        "zh-hans",
        "如何修改登录密码",
        "## 操作步骤\n1. 打开**安全中心**。\n2. 选择“修改密码”，并完成双重验证。",
    ),
    (
        "deposit-not-credited",
        "en",
        "Deposit not credited",
        "A deposit is credited after enough network confirmations. Check the network and the "
        "memo/tag; deposits below the minimum are not credited.",
    ),
    (
        "deposit-not-credited",
        "zh-hans",
        "充币未到账怎么办",
        "充币需要足够的区块确认后才会到账。请检查充值网络是否正确、是否填写了标签（Memo），"
        "以及充值金额是否低于最低充值数量。USDT TRC20 充值通常需要 20 个确认。",
    ),
    (
        "withdrawal-delayed",
        "en",
        "Why is my withdrawal delayed?",
        "Withdrawals may wait for a security review or for network congestion to clear.",
    ),
    ("withdrawal-delayed", "zh-hans", "提币延迟的原因", "提币可能因安全审核或网络拥堵而延迟。"),
    (
        "reset-2fa",
        "en",
        "Lost your Google Authenticator? Reset 2FA",
        "If you lost the phone with your authenticator app, request a two-factor authentication "
        "(2FA) reset with identity "
        "verification.",
    ),
    (
        "reset-2fa",
        "zh-hans",
        "谷歌验证器丢失如何重置",
        "如果手机丢失，请提交重置谷歌验证的申请，并完成身份认证。",
    ),
    (
        "futures-liquidation",
        "zh-hans",
        "合约爆仓是什么",
        "当保证金不足以维持仓位时，系统会强制平仓，也就是爆仓。",
    ),
    (
        "futures-liquidation",
        "en",
        "What is liquidation in futures trading?",
        "When your margin falls below the maintenance margin, the position is liquidated.",
    ),
    (
        "kyc-levels",
        "en",
        "Identity verification (KYC) levels",
        "Verify your identity to raise your withdrawal limits.",
    ),
    ("kyc-levels", "zh-hans", "实名认证等级说明", "完成身份认证以提高提现额度。"),
]


@pytest.fixture
def kb(db):
    security = Category.objects.create(
        slug="account-security",
        name_en="Account & security",
        name_zh="账户安全",
        position=1,
        ticket_category="security",
    )
    deposits = Category.objects.create(
        slug="deposits",
        name_en="Deposits",
        name_zh="充值",
        position=2,
        ticket_category="deposit",
    )
    by_slug = {
        "change-password": security,
        "reset-2fa": security,
        "kyc-levels": security,
        "deposit-not-credited": deposits,
        "withdrawal-delayed": deposits,
        "futures-liquidation": deposits,
    }
    articles = {}
    for slug, language, title, body in ARTICLES:
        articles[(slug, language)] = services.article_create(
            acting_user=None,
            slug=slug,
            language=language,
            title=title,
            body=body,
            category=by_slug[slug],
            status="published",
        )
    return articles
