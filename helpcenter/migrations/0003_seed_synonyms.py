"""The exchange's vocabulary: words customers use for the same thing. Editable in the admin."""

from django.db import migrations

SYNONYMS = [
    "充值, 充币, 入金, deposit",
    "提现, 提币, 出金, withdraw, withdrawal",
    "谷歌验证, 谷歌验证器, 双重验证, 二次验证, 两步验证, 2FA, two-factor, google authenticator, authenticator",
    "实名认证, 身份认证, 身份验证, KYC, identity verification",
    "到账, 入账, credited, arrived, received",
    "延迟, 卡住, 未到, 很慢, 慢, pending, stuck, delayed, slow",
    "密码, 登录密码, password, credentials",
    "登录, 登陆, 登不上, log in, login",
    "爆仓, 强平, 强制平仓, liquidation, liquidated, margin call",
    "限价单, 限价委托, limit order",
    "市价单, 市价委托, market order",
    "逐仓, isolated margin",
    "全仓, cross margin",
    "仓位, 持仓, position",
    "余额, 资产, balance",
    "证件, 证明文件, 身份证, 护照, document, documents, papers, passport, id card",
    "手机, 手机号, phone, mobile",
    "短信, sms, text message",
    "电报, TG, telegram",
    "合约, 永续合约, 期货, futures, perpetual, derivatives",
    "手续费, 费用, 费率, fee, fees, commission, cost",
    "冻结, 锁定, frozen, locked, suspended",
    "标签, memo, tag, 备注",
    "钓鱼, 诈骗, 骗子, 假客服, phishing, scam, impersonator, fake support",
    "白名单, whitelist, allowlist",
    "子账户, sub-account, subaccount",
    "资金费率, funding rate, funding fee",
    "空投, 奖励, 奖金, 返佣, airdrop, reward, bonus, prize",
    "限频, 频率限制, rate limit, too many requests",
    "签名, signature, sign, hmac",
    "网络, 链, 主网, network, chain",
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("helpcenter", "Synonym")
    for terms in SYNONYMS:
        Synonym.objects.get_or_create(terms=terms)


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0002_search_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
