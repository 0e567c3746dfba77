"""The exchange's vocabulary: words customers use for the same thing. Editable in the admin."""

from django.db import migrations

SYNONYMS = [
    "充值, 充币, 入金, deposit",
    "提现, 提币, 出金, withdraw, withdrawal",
    "谷歌验证, 谷歌验证器, 双重验证, 二次验证, 两步验证, 2FA, two-factor, google authenticator, authenticator",
    "实名认证, 身份认证, 身份验证, KYC, identity verification",
    "到账, 入账, credited, arrived",
    "密码, 登录密码, password",
    "爆仓, 强平, 强制平仓, liquidation, liquidated",
    "合约, 永续合约, 期货, futures, perpetual, derivatives",
    "手续费, 费用, fee, fees",
    "冻结, 锁定, frozen, locked, suspended",
    "标签, memo, tag, 备注",
    "钓鱼, 诈骗, 骗子, 假客服, phishing, scam, impersonator, fake support",
    "白名单, whitelist, allowlist",
    "子账户, sub-account, subaccount",
    "资金费率, funding rate, funding fee",
    "空投, 奖励, airdrop, reward, bonus",
    "限频, 频率限制, rate limit, too many requests",
    "签名, signature, sign",
    "网络, 链, 主网, network, chain",
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("helpcenter", "Synonym")
    for terms in SYNONYMS:
        Synonym.objects.get_or_create(terms=terms)


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0002_search_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
