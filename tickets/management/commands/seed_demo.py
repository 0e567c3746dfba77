"""Load the demo desk: teams, staff, customers and a few dozen worked tickets.

`make run` calls this after `migrate` on every start. It loads the data once (the demo admin
is the marker) and afterwards only says that the data is there. It refuses to run when
DEBUG is off unless `--force` is given, so it never fills a production database.

Teams and routing rules are configuration and are written with the ORM; customers, tickets,
messages, assignments and status changes go through `tickets.services`, exactly as if agents
and customers had done them, so the audit trail, routing, SLA clocks and the secret shield
all behave as they would in production.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import base58
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone
from mnemonic import Mnemonic

from helpcenter.models import Article
from tickets import services
from tickets.models import (
    ACTIVE_STATUSES,
    AgentMembership,
    AuthorKind,
    Category,
    Channel,
    Customer,
    Language,
    Message,
    Priority,
    RoutingRule,
    Status,
    Team,
    Ticket,
    TicketEvent,
)
from tickets.roles import AGENT, KB_EDITOR, SUPERVISOR

User = get_user_model()

MARKER_USERNAME = "admin"
CUSTOMER_PASSWORD = "demo-pass-2024!"  # noqa: S105 - printed on purpose: demo data only
SEED = "helpdesk-demo-v1"  # every generated hash, address and phrase derives from this

TEAMS = [
    (
        "deposits-withdrawals",
        "Deposits & Withdrawals",
        "Deposits not credited, delayed or rejected withdrawals, wrong networks and missing memos.",
    ),
    (
        "account-security",
        "Account Security",
        "Suspicious logins, 2FA resets, frozen accounts and phishing reports.",
    ),
    ("kyc-compliance", "KYC & Compliance", "Identity verification reviews and rejected documents."),
    ("api-trading", "API & Trading", "API errors and rate limits, orders, futures and bots."),
    ("general", "General", "Campaigns, suggestions, disputes and everything else."),
]
ROUTES = {
    Category.DEPOSIT: "deposits-withdrawals",
    Category.WITHDRAWAL: "deposits-withdrawals",
    Category.SECURITY: "account-security",
    Category.ACCOUNT: "account-security",
    Category.KYC: "kyc-compliance",
    Category.API: "api-trading",
    Category.TRADING: "api-trading",
    Category.PROMOTIONS: "general",
    Category.SUGGESTION: "general",
    Category.DISPUTE: "general",
    Category.OTHER: "general",
}

# username, password, first name, last name, teams (slugs)
AGENTS = [
    (
        "agent1",
        "agent",
        "Sarah",
        "Mitchell",
        ["deposits-withdrawals", "account-security", "general"],
    ),
    (
        "agent2",
        "agent",
        "Wei",
        "Zhang",  # 张伟: answers most Chinese-language tickets
        ["deposits-withdrawals", "kyc-compliance", "account-security"],
    ),
    ("agent3", "agent", "Daniel", "Okafor", ["api-trading", "kyc-compliance", "general"]),
]

# key, email, name, language, exchange UID, anti-phishing code, social handles, has a login
CUSTOMERS = [
    (
        "wang",
        "wang.lei@example.com",
        "王磊",
        Language.CHINESE,
        "58213907",
        "WANGCAI-88",
        {"telegram": "@wanglei_trader"},
        True,
    ),
    (
        "emma",
        "emma.schmidt@example.com",
        "Emma Schmidt",
        Language.ENGLISH,
        "40718265",
        "BlueFalcon7",
        {},
        True,
    ),
    ("chen", "chen.jing@example.com", "陈静", Language.CHINESE, "71930482", "CJ-2024", {}, False),
    (
        "lucas",
        "lucas.oliveira@example.com",
        "Lucas Oliveira",
        Language.ENGLISH,
        "33851046",
        "LUCAS-OWL",
        {"x": "@lucas_onchain"},
        True,
    ),
    (
        "liu",
        "liuyang.quant@example.com",
        "刘洋",
        Language.CHINESE,
        "90127364",
        "QUANT-LY",
        {"telegram": "@liuyang_quant"},
        False,
    ),
    (
        "priya",
        "priya.nair@example.com",
        "Priya Nair",
        Language.ENGLISH,
        "62490531",
        "MangoTree",
        {},
        False,
    ),
    (
        "tom",
        "tom.becker@example.com",
        "Tom Becker",
        Language.ENGLISH,
        None,
        "",
        {"x": "@tombecker_eth"},
        False,
    ),
    ("zhang", "zhang.min@example.com", "张敏", Language.CHINESE, "27659013", "ZM-STAR", {}, True),
]

# BIP-173's own example of a valid native segwit (P2WPKH) mainnet address.
BTC_BECH32_ADDRESS = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


# --- deterministic blockchain values -----------------------------------------------------------


def _digest(label: str) -> bytes:
    return hashlib.sha256(f"{SEED}:{label}".encode()).digest()


def hex_txid(label: str) -> str:
    """A BTC/TRON transaction ID: 64 hex digits."""
    return _digest(label).hex()


def evm_txid(label: str) -> str:
    return "0x" + _digest(label).hex()


def evm_address(label: str) -> str:
    return "0x" + _digest(label).hex()[:40]


def tron_address(label: str) -> str:
    return base58.b58encode_check(b"\x41" + _digest(label)[:20]).decode()


def btc_legacy_address(label: str) -> str:
    return base58.b58encode_check(b"\x00" + _digest(label)[:20]).decode()


def sol_address(label: str) -> str:
    return base58.b58encode(_digest(label)).decode()


def sol_txid(label: str) -> str:
    signature = hashlib.sha512(f"{SEED}:{label}".encode()).digest()  # 64 bytes, like ed25519
    return base58.b58encode(signature).decode()


def demo_recovery_phrase() -> str:
    # Same algorithm as Mnemonic("english").generate(128), but from fixed entropy so that the
    # demo is identical on every machine. The shield removes it before it is stored anyway.
    return Mnemonic("english").to_mnemonic(_digest("phished-wallet")[:16])


# --- the tickets -------------------------------------------------------------------------------

# Steps, applied in order after the ticket is created:
#   ("reply", who, body, new_status | None)   public agent reply (emailed to the customer)
#   ("note", who, body)                        internal note
#   ("customer", body)                         the customer writes again
#   ("update", who, {field: value})            ticket_update: status / priority / team / assignee
#   ("merge_into", key)                        merge this ticket into ticket `key`
# `who` is a username, or "assignee" for whoever the ticket is assigned to at that moment.
# `age` is how long ago the customer opened the ticket.


def ticket_specs() -> list[dict[str, Any]]:
    usdt_trc_txid = hex_txid("usdt-trc20-deposit")
    usdt_trc_deposit_address = tron_address("wang-deposit-address")
    eth_bsc_txid = evm_txid("eth-over-bsc")
    emma_eth_address = evm_address("emma-eth-deposit-address")
    sol_small_txid = sol_txid("sol-below-minimum")
    lucas_sol_address = sol_address("lucas-sol-deposit-address")
    usdc_memo_txid = sol_txid("usdc-missing-memo")
    shared_sol_address = sol_address("exchange-shared-usdc-address")
    priya_erc_txid = evm_txid("priya-usdt-erc20")
    priya_eth_address = evm_address("priya-eth-deposit-address")
    zhang_btc_txid = hex_txid("zhang-btc-deposit")
    zhang_btc_address = btc_legacy_address("zhang-btc-deposit-address")
    tom_polygon_txid = evm_txid("tom-polygon-usdt")
    tom_polygon_address = evm_address("tom-polygon-deposit-address")
    emma_btc_withdrawal_txid = hex_txid("emma-btc-withdrawal-broadcast")
    wang_arb_address = evm_address("wang-arbitrum-wallet")
    wang_arb_txid = evm_txid("wang-arb-withdrawal")
    liu_tron_wallet = tron_address("liu-tron-wallet")
    liu_tron_txid = hex_txid("liu-trc20-withdrawal")
    lucas_eth_wallet = evm_address("lucas-ledger")

    return [
        # ---- deposits ---------------------------------------------------------------------
        {
            "key": "usdt-trc20",
            "customer": "wang",
            "category": Category.DEPOSIT,
            "channel": Channel.WEB,
            "subject": "USDT（TRC-20）充值 3 小时仍未到账",
            "body": (
                "您好，我今天下午从另一个交易所提了 1,250 USDT 到我在贵平台的 TRC-20 充值地址，"
                f"TRONSCAN 上已经显示成功，交易哈希：{usdt_trc_txid}\n"
                f"充值地址：{usdt_trc_deposit_address}\n"
                "但是我的资金账户里一直没有显示，请帮忙查一下，谢谢！"
            ),
            "asset": "USDT",
            "chain": "TRX",
            "txid": usdt_trc_txid,
            "address": usdt_trc_deposit_address,
            "amount": "1250",
            "transferred_hours_before": 3,
            "tags": ["trc20", "not-credited"],
            "age": timedelta(hours=20),
            "steps": [
                ("update", "agent1", {"assignee": "agent2"}),
                (
                    "reply",
                    "agent2",
                    "王先生您好，已收到您的反馈。我们已核实该笔交易在链上已确认，正在与钱包团队排查"
                    "入账延迟的原因，请您耐心等待，有进展会第一时间通知您。",
                    Status.INVESTIGATING,
                ),
                (
                    "note",
                    "agent2",
                    "TRONSCAN: 19/19 confirmations, to our hot wallet. Deposit scanner lagging on "
                    "TRC-20 since 14:05 UTC; wallet ops ticket WAL-2291 opened.",
                ),
            ],
        },
        {
            "key": "eth-bsc",
            "customer": "emma",
            "category": Category.DEPOSIT,
            "channel": Channel.WEB,
            "subject": "Sent ETH over BNB Smart Chain instead of Ethereum",
            "body": (
                "Hi, I withdrew 0.85 ETH from my MetaMask to my ETH deposit address but I only "
                "noticed afterwards that MetaMask was on BNB Smart Chain (BEP-20), not Ethereum. "
                f"The transaction is {eth_bsc_txid} and the address I sent to is "
                f"{emma_eth_address}. Can you recover it? It is most of my savings."
            ),
            "asset": "ETH",
            "chain": "BSC",
            "txid": eth_bsc_txid,
            "address": emma_eth_address,
            "amount": "0.85",
            "transferred_hours_before": 5,
            "tags": ["wrong-network"],
            "age": timedelta(hours=30),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Emma, thanks for the details. Because ETH deposit addresses are EVM "
                    "addresses, the BEP-20 transfer reached an address we control, so recovery is "
                    "usually possible. Please confirm you still have access to the sending wallet "
                    "and send a screenshot of the transaction in MetaMask. Note that a recovery "
                    "fee may apply.",
                    Status.PENDING_CUSTOMER,
                ),
                (
                    "customer",
                    "Yes, I still have the wallet. Screenshot attached to my next email, and the "
                    "fee is fine. Thank you so much!",
                ),
                (
                    "note",
                    "assignee",
                    "Confirmed on BscScan. Raised wrong-network recovery request to wallet ops, "
                    "typical turnaround 3-5 business days.",
                ),
                (
                    "reply",
                    "assignee",
                    "Thank you. We have submitted the recovery request to our wallet team. It "
                    "usually takes 3-5 business days; we will update you here.",
                    Status.INVESTIGATING,
                ),
                ("update", "assignee", {"status": Status.PENDING_CUSTOMER}),
            ],
        },
        {
            "key": "sol-minimum",
            "customer": "lucas",
            "category": Category.DEPOSIT,
            "channel": Channel.CHAT,
            "subject": "Small SOL deposit never arrived",
            "body": (
                "Hey, I sent a test deposit of 0.005 SOL before moving more, and it never "
                f"showed up. Signature: {sol_small_txid} to {lucas_sol_address}"
            ),
            "asset": "SOL",
            "chain": "SOL",
            "txid": sol_small_txid,
            "address": lucas_sol_address,
            "amount": "0.005",
            "transferred_hours_before": 1,
            "tags": ["below-minimum"],
            "age": timedelta(days=3),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Lucas, the minimum SOL deposit is 0.01 SOL; smaller deposits are not "
                    "credited on their own. If you send another deposit so the total reaches the "
                    "minimum, both will be credited together.",
                    Status.PENDING_CUSTOMER,
                ),
                ("customer", "Got it, sent another 0.5 SOL and both are in my account now."),
                (
                    "reply",
                    "assignee",
                    "Great to hear! Closing this one as solved.",
                    Status.RESOLVED,
                ),
            ],
        },
        {
            "key": "usdc-memo",
            "customer": "chen",
            "category": Category.DEPOSIT,
            "channel": Channel.EMAIL,
            "email_message_id": "<CAF7k2p0-usdc-memo@mail.example.com>",
            "subject": "USDC 充值忘记填写 Memo，资金未到账",
            "body": (
                "客服您好：\n我从钱包向平台的 Solana USDC 地址转了 300 USDC，页面提示需要填写 Memo"
                "（类似 XRP 的标签），但我转账时漏填了。\n"
                f"交易签名：{usdc_memo_txid}\n收款地址：{shared_sol_address}\n"
                "我的 Memo 应该是 71930482，麻烦帮我找回，谢谢。"
            ),
            "asset": "USDC",
            "chain": "SOL",
            "txid": usdc_memo_txid,
            "address": shared_sol_address,
            "memo": "71930482（转账时漏填）",
            "amount": "300",
            "transferred_hours_before": 2,
            "tags": ["missing-memo"],
            "age": timedelta(hours=9),
            "steps": [
                (
                    "reply",
                    "agent2",
                    "陈女士您好，漏填 Memo 的充值需要人工找回。请回复本邮件，提供转账钱包的截图以及"
                    "资金来源说明，我们会尽快为您处理。",
                    None,
                ),
            ],
        },
        {
            "key": "usdt-erc20-confirmations",
            "customer": "priya",
            "category": Category.DEPOSIT,
            "channel": Channel.API,
            "subject": "USDT ERC-20 deposit stuck at 32/64 confirmations",
            "body": (
                "Deposit of 5,000 USDT via ERC-20 shows 32/64 confirmations for over an hour. "
                f"TX {priya_erc_txid} to {priya_eth_address}."
            ),
            "asset": "USDT",
            "chain": "ETH",
            "txid": priya_erc_txid,
            "address": priya_eth_address,
            "amount": "5000",
            "transferred_hours_before": 2,
            "age": timedelta(days=6),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Priya, Ethereum was congested earlier today and the confirmation counter "
                    "paused while our node caught up. Your deposit has now reached 64 "
                    "confirmations and has been credited.",
                    Status.RESOLVED,
                ),
                ("customer", "Confirmed, I can see it. Thanks!"),
                ("update", "assignee", {"status": Status.CLOSED}),
            ],
        },
        {
            "key": "btc-deposit-unanswered",
            "customer": "zhang",
            "category": Category.DEPOSIT,
            "channel": Channel.CHAT,
            "subject": "BTC 充值一直显示待确认",
            "body": (
                "你好，我转入 0.042 BTC，区块浏览器上已经有 2 个确认了，"
                "但是平台还是显示待确认。\n"
                f"交易哈希 {zhang_btc_txid}\n地址 {zhang_btc_address}"
            ),
            "asset": "BTC",
            "chain": "BTC",
            "txid": zhang_btc_txid,
            "address": zhang_btc_address,
            "amount": "0.042",
            "transferred_hours_before": 1,
            # Nobody has answered for 6 hours: past the 4-hour first-response promise.
            "age": timedelta(hours=6),
            "steps": [],
        },
        {
            "key": "polygon-usdt",
            "customer": "tom",
            "category": Category.DEPOSIT,
            "channel": Channel.SOCIAL,
            "subject": "USDT on Polygon not showing up",
            "body": (
                "@support sent 420 USDT over Polygon 40 min ago, still nothing in my account. "
                f"tx {tom_polygon_txid}"
            ),
            "asset": "USDT",
            "chain": "POLYGON",
            "txid": tom_polygon_txid,
            "address": tom_polygon_address,
            "amount": "420",
            "transferred_hours_before": 1,
            "age": timedelta(minutes=50),
            "steps": [],
        },
        # ---- withdrawals ------------------------------------------------------------------
        {
            "key": "btc-withdrawal",
            "customer": "emma",
            "category": Category.WITHDRAWAL,
            "channel": Channel.WEB,
            "subject": "BTC withdrawal pending for 5 hours",
            "body": (
                "My withdrawal of 0.3 BTC to my hardware wallet "
                f"{BTC_BECH32_ADDRESS} has been 'pending' for 5 hours. Normally it takes "
                "30 minutes. Is something wrong?"
            ),
            "asset": "BTC",
            "chain": "BTC",
            "address": BTC_BECH32_ADDRESS,
            "amount": "0.3",
            "tags": ["pending-withdrawal"],
            # High priority, 24-hour resolution promise, still open after 30 hours: breached.
            "age": timedelta(hours=30),
            "steps": [
                ("update", "assignee", {"priority": Priority.HIGH}),
                (
                    "reply",
                    "assignee",
                    "Hi Emma, your withdrawal was held for a routine risk review because it goes "
                    "to a new address. We have escalated it to the review team.",
                    Status.INVESTIGATING,
                ),
                (
                    "note",
                    "assignee",
                    "Risk review queue is backed up (new-address rule). Pinged #risk-ops.",
                ),
                (
                    "note",
                    "supervisor",
                    f"Risk approved. Broadcast TXID: {emma_btc_withdrawal_txid}. Waiting for "
                    "first confirmation before we tell the customer.",
                ),
            ],
        },
        {
            "key": "arb-withdrawal",
            "customer": "wang",
            "category": Category.WITHDRAWAL,
            "channel": Channel.WEB,
            "subject": "USDT 提币到 Arbitrum 一直处理中",
            "body": (
                f"我提了 800 USDT 到 Arbitrum One 地址 {wang_arb_address}，"
                "已经两个小时了还是“处理中”，请问是什么原因？"
            ),
            "asset": "USDT",
            "chain": "ARB",
            "address": wang_arb_address,
            "amount": "800",
            "age": timedelta(days=4),
            "steps": [
                (
                    "reply",
                    "agent2",
                    "您好，Arbitrum 网络今日出现拥堵，提币已在队列中处理。"
                    f"现已广播成功，交易哈希 TXID：{wang_arb_txid}，请在钱包中查收。",
                    Status.RESOLVED,
                ),
                ("customer", "已经到账了，谢谢！"),
                ("update", "agent2", {"status": Status.CLOSED}),
            ],
        },
        {
            "key": "withdrawal-lock",
            "customer": "lucas",
            "category": Category.WITHDRAWAL,
            "channel": Channel.EMAIL,
            "email_message_id": "<20240611-lock.7731@mail.example.com>",
            "subject": "Withdrawal button disabled after I changed my password",
            "body": (
                "I changed my password this morning and now I can't withdraw ETH to "
                f"{lucas_eth_wallet}. The page says withdrawals are locked. Why?"
            ),
            "asset": "ETH",
            "chain": "ETH",
            "address": lucas_eth_wallet,
            "age": timedelta(hours=14),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Lucas, for your safety withdrawals are locked for 24 hours after a "
                    "password change. Did you make this change yourself? If so, the lock lifts "
                    "automatically tomorrow morning.",
                    Status.PENDING_CUSTOMER,
                ),
            ],
        },
        {
            "key": "trc20-withdrawal",
            "customer": "liu",
            "category": Category.WITHDRAWAL,
            "channel": Channel.API,
            "subject": "通过 API 提币到 TRON 地址显示成功但未到账",
            "body": (
                "我通过 API 提了 2,000 USDT 到 TRC-20 地址，订单状态是成功，"
                f"但是钱包没收到。地址：{liu_tron_wallet}"
            ),
            "asset": "USDT",
            "chain": "TRX",
            "address": liu_tron_wallet,
            "txid": liu_tron_txid,
            "amount": "2000",
            "age": timedelta(days=8),
            "steps": [
                (
                    "reply",
                    "agent2",
                    "您好，该笔提币已于链上确认，请在区块浏览器中查看该交易哈希。"
                    "部分钱包显示 TRC-20 代币需要手动添加 USDT 合约。",
                    Status.RESOLVED,
                ),
                ("customer", "找到了，钱包里没添加 USDT 代币，现在显示了。"),
                ("update", "agent2", {"status": Status.CLOSED}),
            ],
        },
        # ---- account security -------------------------------------------------------------
        {
            "key": "suspicious-login",
            "customer": "priya",
            "category": Category.SECURITY,
            "channel": Channel.WEB,
            "subject": "Login alert from a device I don't recognise",
            "body": (
                "I just got an email saying someone logged in to my account from a Windows PC "
                "in São Paulo. That wasn't me, I only use my iPhone. Please help!"
            ),
            "age": timedelta(hours=3),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Priya, we have temporarily frozen withdrawals on your account. Please "
                    "change your password and reset 2FA from your iPhone right away, and check "
                    "Settings > Devices to remove any device you don't recognise.",
                    Status.INVESTIGATING,
                ),
                (
                    "note",
                    "assignee",
                    "Login from new IP, password correct, 2FA passed via SMS. Possible SIM swap; "
                    "withdrawals frozen 48h.",
                ),
                ("customer", "Done, password changed and the Windows device removed."),
            ],
        },
        {
            "key": "lost-authenticator",
            "customer": "chen",
            "category": Category.SECURITY,
            "channel": Channel.EMAIL,
            "email_message_id": "<CAF7k2p0-ga-reset@mail.example.com>",
            "subject": "换手机后谷歌验证器丢失，无法登录",
            "body": (
                "我换了新手机，旧手机已经恢复出厂设置，谷歌验证器的绑定没有迁移，"
                "现在登录需要验证码，无法进入账户，请问怎么重置？"
            ),
            "age": timedelta(hours=10),
            "steps": [
                # Not an active attack: a supervisor lowers it from urgent.
                ("update", "supervisor", {"priority": Priority.HIGH}),
                (
                    "reply",
                    "agent2",
                    "您好，如需重置谷歌验证器，请先完成身份核验：在 App 登录页点击“安全项不可用”，"
                    "按提示上传身份证件并录制一段人脸视频，提交后回复本邮件告知我们。",
                    Status.PENDING_CUSTOMER,
                ),
            ],
        },
        {
            "key": "phished-seed",
            "customer": "tom",
            "category": Category.SECURITY,
            "channel": Channel.SOCIAL,
            "subject": "'Support agent' on Telegram asked me to verify my wallet",
            "body": (
                "Someone called 'OKX Support Team' messaged me on Telegram after I asked a "
                "question in the community group. They sent me a link to 'verify my wallet' "
                "so my deposit could be released. Is this really you?"
            ),
            "age": timedelta(hours=2),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Tom, that was not us. Our staff never contact you first on Telegram and "
                    "will never ask you to 'verify' a wallet. Please do not enter anything on "
                    "that site. Did you enter any information there?",
                    None,
                ),
                ("customer", "phrase"),  # replaced with the recovery phrase message below
                (
                    "note",
                    "assignee",
                    "Customer typed the seed phrase into a phishing site. Advised to move funds "
                    "to a new wallet immediately. Reported the Telegram account and the domain.",
                ),
                ("update", "assignee", {"status": Status.INVESTIGATING}),
            ],
        },
        {
            "key": "phishing-sms",
            "customer": "emma",
            "category": Category.SECURITY,
            "channel": Channel.CHAT,
            "subject": "Phishing SMS pretending to be you",
            "body": (
                "I got an SMS saying my account will be suspended unless I log in at "
                "okx-verify-account.top. Just reporting it."
            ),
            "age": timedelta(days=5),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Thank you for reporting it, Emma. That domain is not ours; we have asked the "
                    "registrar to take it down. Remember that our emails always show your "
                    "anti-phishing code.",
                    Status.RESOLVED,
                ),
                ("update", "assignee", {"status": Status.CLOSED}),
            ],
        },
        # ---- account ----------------------------------------------------------------------
        {
            "key": "change-phone",
            "customer": "wang",
            "category": Category.ACCOUNT,
            "channel": Channel.WEB,
            "subject": "旧手机号已停用，如何更换绑定手机",
            "body": "我原来绑定的手机号已经停用了，收不到短信验证码，请问怎么更换？",
            "age": timedelta(days=2),
            "steps": [
                (
                    "reply",
                    "agent2",
                    "您好，请进入“个人中心 > 安全中心 > 手机验证”，选择“旧手机号不可用”，"
                    "通过邮箱与谷歌验证器完成验证后即可绑定新手机号。",
                    Status.RESOLVED,
                ),
            ],
        },
        {
            "key": "account-locked",
            "customer": "lucas",
            "category": Category.ACCOUNT,
            "channel": Channel.WEB,
            "subject": "Account locked after too many password attempts",
            "body": "I mistyped my password a few times and now my account is locked for 2 "
            "hours. Can you unlock it earlier?",
            "age": timedelta(days=9),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Lucas, the lock protects your account from password guessing and cannot "
                    "be lifted early, sorry. It will release automatically.",
                    Status.RESOLVED,
                ),
                ("update", "assignee", {"status": Status.CLOSED}),
            ],
        },
        {
            "key": "sub-account",
            "customer": "tom",
            "category": Category.ACCOUNT,
            "channel": Channel.EMAIL,
            "email_message_id": "<tb-subacct-0412@mail.example.com>",
            "subject": "How do I create a sub-account for my trading bot?",
            "body": "I'd like to run a bot on a separate sub-account so it can't touch my main "
            "balance. Is that possible on a regular account?",
            "age": timedelta(hours=5),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Tom, yes: once you have completed identity verification you can create "
                    "up to 5 sub-accounts under Assets > Sub-accounts. Could you complete KYC "
                    "first? Your account is not verified yet.",
                    Status.OPEN,
                ),
            ],
        },
        # ---- KYC --------------------------------------------------------------------------
        {
            "key": "kyc-rejected",
            "customer": "priya",
            "category": Category.KYC,
            "channel": Channel.WEB,
            "subject": "KYC rejected: 'document could not be verified'",
            "body": (
                "My identity verification was rejected with 'document could not be verified'. "
                "I used my passport. What is wrong with it?"
            ),
            "age": timedelta(hours=26),
            "steps": [
                ("note", "assignee", "Vendor result: glare over the MRZ, expiry date unreadable."),
                (
                    "reply",
                    "assignee",
                    "Hi Priya, the photo of your passport had glare over the bottom two lines, so "
                    "the expiry date could not be read. Please retake it in daylight without "
                    "flash and make sure all four corners are visible.",
                    Status.PENDING_CUSTOMER,
                ),
            ],
        },
        {
            "key": "kyc-address",
            "customer": "zhang",
            "category": Category.KYC,
            "channel": Channel.WEB,
            "subject": "身份认证被拒：地址证明与填写地址不一致",
            "body": (
                "高级认证被拒绝，原因是地址证明不符。我上传的是三个月内的水电费账单，"
                "地址是我现在住的地方，请问哪里有问题？"
            ),
            "age": timedelta(hours=18),
            "steps": [
                # The round robin gave it to an agent who does not read Chinese.
                ("update", "supervisor", {"assignee": "agent2"}),
                (
                    "reply",
                    "agent2",
                    "张女士您好，您在认证表单中填写的门牌号与账单上的不一致（12 号 / 21 号）。"
                    "我们已将资料转交合规团队复核，请稍候。",
                    Status.INVESTIGATING,
                ),
            ],
        },
        {
            "key": "kyc-slow",
            "customer": "lucas",
            "category": Category.KYC,
            "channel": Channel.EMAIL,
            "email_message_id": "<20240608-kyc.1120@mail.example.com>",
            "subject": "Advanced verification under review for 5 days",
            "body": "I submitted advanced verification (proof of address) five days ago and "
            "it still says 'under review'. I need the higher withdrawal limit.",
            # Open for 3 days on a 48-hour promise: breached.
            "age": timedelta(days=3),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Lucas, sorry for the wait. I have asked the compliance team to prioritise "
                    "your review.",
                    Status.INVESTIGATING,
                ),
                ("note", "assignee", "Compliance backlog ~6 days. Flagged for priority review."),
            ],
        },
        # ---- API --------------------------------------------------------------------------
        {
            "key": "api-50011",
            "customer": "liu",
            "category": Category.API,
            "channel": Channel.API,
            "subject": "下单接口频繁返回 50011 错误",
            "body": (
                "我的量化程序调用 POST /api/v5/trade/order 时频繁返回 "
                '{"code":"50011","msg":"Rate limit reached"}，大约每秒 30 次请求，'
                "是不是限频规则变了？"
            ),
            "age": timedelta(days=2, hours=6),
            "steps": [
                (
                    "reply",
                    "agent3",
                    "您好，下单接口的限频为每 2 秒 60 次（按 instId 计算），批量下单另有单独限额。"
                    "建议改用批量下单接口，或在收到 50011 后按指数退避重试。",
                    Status.PENDING_CUSTOMER,
                ),
                ("customer", "改成批量下单后已经没有 50011 了，谢谢。"),
                (
                    "reply",
                    "agent3",
                    "好的，问题已解决，如有其他问题欢迎随时联系。",
                    Status.RESOLVED,
                ),
            ],
        },
        {
            "key": "websocket-disconnect",
            "customer": "lucas",
            "category": Category.API,
            "channel": Channel.API,
            "subject": "Private WebSocket disconnects every 30 seconds",
            "body": "My private WebSocket channel (orders) drops every ~30 seconds with code "
            "1006. Public channels are fine.",
            "age": timedelta(hours=7),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Lucas, connections without traffic are closed after 30 seconds. Please "
                    "send the string 'ping' every 20-25 seconds; the server answers 'pong'.",
                    Status.PENDING_CUSTOMER,
                ),
                (
                    "customer",
                    "I do send ping every 25 s, still drops. Logs: connection closed "
                    "1006 right after login op.",
                ),
                (
                    "note",
                    "assignee",
                    "Login op seems to time out. Asking the API team whether the timestamp "
                    "window changed.",
                ),
                ("update", "assignee", {"status": Status.INVESTIGATING}),
            ],
        },
        {
            "key": "api-ip-whitelist",
            "customer": "tom",
            "category": Category.API,
            "channel": Channel.WEB,
            "subject": "API error 50110: IP not in whitelist",
            "body": "My bot gets 50110 'Your IP is not included in your API key's IP "
            "whitelist' since I moved it to a new VPS.",
            "age": timedelta(days=4),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Tom, add the new server's IP to the key under API > Edit > IP "
                    "whitelist. Changes apply within a minute.",
                    Status.RESOLVED,
                ),
            ],
        },
        # ---- trading ----------------------------------------------------------------------
        {
            "key": "limit-slippage",
            "customer": "emma",
            "category": Category.TRADING,
            "channel": Channel.WEB,
            "subject": "Market order filled far from the displayed price",
            "body": "I placed a market buy for 2 ETH at 3,120 and it filled at an average "
            "of 3,148. Why so much slippage?",
            "age": timedelta(days=3, hours=4),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Emma, the order executed during a fast move after the CPI release and "
                    "consumed several levels of the order book. Consider limit orders in "
                    "volatile moments. Fills are listed under Orders > Trade history.",
                    Status.RESOLVED,
                ),
            ],
        },
        {
            "key": "grid-bot",
            "customer": "zhang",
            "category": Category.TRADING,
            "channel": Channel.CHAT,
            "subject": "现货网格策略自动停止了",
            "body": "我的 BTC/USDT 现货网格昨晚自动停止了，提示“价格超出区间”，能帮我看看吗？",
            "age": timedelta(hours=4),
            "steps": [
                (
                    "reply",
                    "agent3",
                    "您好，当价格超出网格区间上限时策略会自动停止并保留持仓。"
                    "您可以在策略详情里调整区间后重新启动。",
                    None,
                ),
            ],
        },
        # ---- promotions -------------------------------------------------------------------
        {
            "key": "campaign-reward",
            "customer": "priya",
            "category": Category.PROMOTIONS,
            "channel": Channel.SOCIAL,
            "subject": "Trading competition reward not received",
            "body": (
                "I finished 14th in the Spot Trading Championship, the leaderboard promised "
                "200 USDT to ranks 11-20. It's been 10 days and nothing arrived."
            ),
            "age": timedelta(hours=40),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Priya, rewards are distributed within 14 working days after the "
                    "campaign ends. I have checked with the campaign team for your UID.",
                    Status.INVESTIGATING,
                ),
            ],
        },
        {
            "key": "newcomer-reward",
            "customer": "wang",
            "category": Category.PROMOTIONS,
            "channel": Channel.WEB,
            "subject": "新人任务奖励未发放",
            "body": "我完成了新人首次充值和首笔交易任务，但是奖励中心没有收到 20 USDT 体验金。",
            "age": timedelta(days=3),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "您好，奖励已于今日补发，请在“奖励中心”查看。",
                    Status.RESOLVED,
                ),
                # The customer writes back, which reopens the resolved ticket.
                ("customer", "奖励中心里显示的是 10 USDT，不是活动页面写的 20 USDT。"),
            ],
        },
        # ---- suggestions ------------------------------------------------------------------
        {
            "key": "new-pair",
            "customer": "lucas",
            "category": Category.SUGGESTION,
            "channel": Channel.SOCIAL,
            "subject": "Please list TIA/USDC",
            "body": "Any plans to add a TIA/USDC spot pair? Only TIA/USDT is available and I "
            "hold mostly USDC.",
            "age": timedelta(days=7),
            "steps": [
                ("update", "assignee", {"priority": Priority.LOW}),
                (
                    "reply",
                    "assignee",
                    "Thanks for the suggestion, Lucas! We've passed it to the listings team.",
                    Status.RESOLVED,
                ),
                ("update", "assignee", {"status": Status.CLOSED}),
            ],
        },
        {
            "key": "dark-kline",
            "customer": "chen",
            "category": Category.SUGGESTION,
            "channel": Channel.WEB,
            "subject": "建议：K 线图支持自定义涨跌颜色",
            "body": "建议 App 的 K 线图支持“红涨绿跌”和“绿涨红跌”切换，海外版默认颜色看不习惯。",
            "priority": Priority.LOW,
            "age": timedelta(days=1),
            "steps": [
                (
                    "reply",
                    "agent3",
                    "感谢您的建议！目前可以在“设置 > 涨跌颜色”中切换，我们也会把反馈转给产品团队。",
                    Status.RESOLVED,
                ),
            ],
        },
        # ---- disputes ---------------------------------------------------------------------
        {
            "key": "liquidation-dispute",
            "customer": "emma",
            "category": Category.DISPUTE,
            "channel": Channel.EMAIL,
            "email_message_id": "<emma-liq-0613@mail.example.com>",
            "subject": "Futures position liquidated on a price wick",
            "body": (
                "My BTC-USDT-SWAP long (10x, 0.5 BTC) was liquidated at 04:12 UTC. The mark "
                "price on other exchanges never went near my liquidation price. I believe "
                "this was an abnormal wick and I want a review."
            ),
            "age": timedelta(hours=20),
            "steps": [
                # General took it first; futures questions belong to API & Trading.
                ("update", "supervisor", {"team": "api-trading"}),
                ("update", "supervisor", {"priority": Priority.HIGH}),
                (
                    "reply",
                    "assignee",
                    "Hi Emma, we have requested the mark price and index data for 04:10-04:15 "
                    "UTC from the risk team and will get back to you with the review.",
                    Status.INVESTIGATING,
                ),
                (
                    "note",
                    "assignee",
                    "Index had one constituent at -3.1% for 2s; checking whether mark price "
                    "filtered it.",
                ),
            ],
        },
        {
            "key": "p2p-dispute",
            "customer": "liu",
            "category": Category.DISPUTE,
            "channel": Channel.WEB,
            "subject": "P2P 订单申诉：已付款但商家未放币",
            "body": "P2P 订单我已经通过银行卡付款 7,200 元，商家 40 分钟没有放币，也不回复消息。",
            "age": timedelta(hours=3),
            "steps": [
                ("update", "supervisor", {"assignee": "agent2"}),
                (
                    "note",
                    "agent2",
                    "Merchant contacted via P2P console; waiting 30 min for payment proof check.",
                ),
            ],
        },
        # ---- other ------------------------------------------------------------------------
        {
            "key": "tax-statement",
            "customer": "tom",
            "category": Category.OTHER,
            "channel": Channel.EMAIL,
            "email_message_id": "<tb-tax-2023@mail.example.com>",
            "subject": "Annual account statement for my tax return",
            "body": "My accountant needs a statement of all trades and transfers for 2023. "
            "Can you send one?",
            "age": timedelta(days=1, hours=2),
            "steps": [
                (
                    "reply",
                    "assignee",
                    "Hi Tom, you can export it yourself under Assets > Statements > Export "
                    "(CSV, up to 1 year at a time). Which date range do you need?",
                    Status.PENDING_CUSTOMER,
                ),
            ],
        },
        {
            "key": "asset-proof",
            "customer": "zhang",
            "category": Category.OTHER,
            "channel": Channel.WEB,
            "subject": "申请开具资产证明",
            "body": "因办理签证需要，想申请一份账户资产证明，请问可以提供吗？",
            "age": timedelta(days=10),
            "steps": [
                (
                    "reply",
                    "agent3",
                    "您好，资产证明可在“资产 > 账单 > 资产证明”中在线生成 PDF，支持中英文版本。",
                    Status.RESOLVED,
                ),
                ("update", "agent3", {"status": Status.CLOSED}),
            ],
        },
        # ---- a duplicate, merged into the first ticket ------------------------------------
        {
            "key": "usdt-trc20-again",
            "customer": "wang",
            "category": Category.DEPOSIT,
            "channel": Channel.EMAIL,
            "email_message_id": "<wanglei-followup-8812@mail.example.com>",
            "subject": "再次询问：USDT 充值还没到账",
            "body": f"你好，我下午提交过工单，USDT 到现在还没到账，交易哈希 {usdt_trc_txid}，"
            "请尽快处理！",
            "asset": "USDT",
            "chain": "TRX",
            "txid": usdt_trc_txid,
            "age": timedelta(0),
            "steps": [("merge_into", "usdt-trc20")],
        },
    ]


def _phished_message() -> str:
    return (
        "I entered my wallet's recovery phrase on their site because they said it was needed "
        "to release my deposit. These are the words I typed:\n"
        f"{demo_recovery_phrase()}.\n"
        "Now they stopped answering. What should I do?"
    )


@contextmanager
def quiet_side_effects() -> Iterator[None]:
    """Seed without ~100 emails to demo customers and a log line for each of them.

    Mail goes to the in-memory backend; tasks run in-process even with a Redis broker (so no
    worker sends them later with the real backend); routine INFO logs are held back.
    """
    from config.celery import app as celery_app

    quiet = {"tickets": logging.WARNING, "celery": logging.WARNING, "kombu": logging.ERROR}
    loggers = [logging.getLogger(name) for name in quiet]
    levels = [logger.level for logger in loggers]
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    for logger in loggers:
        logger.setLevel(quiet[logger.name])
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            yield
    finally:
        celery_app.conf.task_always_eager = eager
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# --- the command -------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Load demo teams, staff, customers and tickets (once; DEBUG only unless --force)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even though DEBUG is off. Never do this in production.",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data: DEBUG is off, so this looks like a production "
                "database. Pass --force if you really want demo users with known passwords."
            )
        self._help_center()
        if User.objects.filter(username=MARKER_USERNAME).exists():
            self.stdout.write("Demo data is already loaded (user 'admin' exists); nothing to do.")
            return
        if Ticket.objects.exists() or Team.objects.exists():
            self.stdout.write(
                "The database already has teams or tickets; not loading demo data on top."
            )
            return
        missing = {AGENT, SUPERVISOR, KB_EDITOR} - set(
            Group.objects.filter(name__in=[AGENT, SUPERVISOR, KB_EDITOR]).values_list(
                "name", flat=True
            )
        )
        if missing:
            raise CommandError(
                f"Role groups {', '.join(sorted(missing))} are missing: run `migrate` first."
            )

        with quiet_side_effects(), transaction.atomic():
            self._seed()
        self._summary()

    # --- set-up ----------------------------------------------------------------------------

    def _help_center(self) -> None:
        """The bilingual knowledge base shipped in helpcenter/demo/, loaded once."""
        if Article.objects.exists():
            return
        demo = Path(settings.BASE_DIR) / "helpcenter" / "demo"
        call_command(
            "kb_import",
            str(demo / "articles.json"),
            categories=str(demo / "categories.json"),
            stdout=self.stdout,
        )

    def _seed(self) -> None:
        teams = self._teams()
        self.users = self._staff(teams)
        self.customers = self._customers()
        self.tickets: dict[str, Ticket] = {}
        for spec in ticket_specs():
            self.tickets[spec["key"]] = self._ticket(spec, teams)

    def _teams(self) -> dict[str, Team]:
        teams = {}
        for slug, name, description in TEAMS:
            teams[slug] = Team.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description}
            )[0]
        for category in Category:
            RoutingRule.objects.update_or_create(
                category=category, defaults={"team": teams[ROUTES[category]]}
            )
        return teams

    def _user(self, username: str, password: str, **fields: Any) -> Any:
        user = User(username=username, email=f"{username}@example.com", **fields)
        # Demo-only passwords: set directly, because the password validators would (rightly)
        # reject "admin" or "agent". Never use these outside a local demo.
        user.set_password(password)
        user.save()
        return user

    def _staff(self, teams: dict[str, Team]) -> dict[str, Any]:
        users = {
            "admin": self._user(
                "admin",
                "admin",
                first_name="Demo",
                last_name="Admin",
                is_staff=True,
                is_superuser=True,
            )
        }
        for username, password, first, last, slugs in AGENTS:
            user = self._user(username, password, first_name=first, last_name=last)
            for slug in slugs:
                services.team_add_agent(
                    team=teams[slug], agent=user, role=AGENT, acting_user=users["admin"]
                )
            users[username] = user
        supervisor = self._user(
            "supervisor", "supervisor", first_name="Maria", last_name="Fernandes"
        )
        for team in teams.values():
            services.team_add_agent(
                team=team, agent=supervisor, role=SUPERVISOR, acting_user=users["admin"]
            )
        # The supervisor oversees every queue but takes no tickets from automatic routing.
        AgentMembership.objects.filter(agent=supervisor).update(is_available=False)
        users["supervisor"] = supervisor
        editor = self._user(
            "editor", "editor", first_name="Olivia", last_name="Brooks", is_staff=True
        )
        editor.groups.add(Group.objects.get(name=KB_EDITOR))
        users["editor"] = editor
        return users

    def _customers(self) -> dict[str, Customer]:
        customers = {}
        for key, email, name, language, uid, code, handles, has_login in CUSTOMERS:
            customer = services.customer_get_or_create(
                email=email, name=name, uid=uid, language=language
            )
            if has_login:
                # Signing up keeps the record (and UID) created on first contact above.
                customer = services.customer_register(
                    email=email, password=CUSTOMER_PASSWORD, name=name, language=language
                )
            # No service edits these profile fields yet; set them directly for the demo.
            Customer.objects.filter(pk=customer.pk).update(
                anti_phishing_code=code, social_handles=handles
            )
            customer.refresh_from_db()
            customers[key] = customer
        return customers

    # --- tickets ---------------------------------------------------------------------------

    def _ticket(self, spec: dict[str, Any], teams: dict[str, Team]) -> Ticket:
        customer = self.customers[spec["customer"]]
        checkpoints = [timezone.now()]
        transferred_at = None
        if "transferred_hours_before" in spec:
            transferred_at = (
                checkpoints[0] - spec["age"] - timedelta(hours=spec["transferred_hours_before"])
            )
        ticket = services.ticket_create(
            customer=customer,
            subject=spec["subject"],
            body=spec["body"],
            category=spec["category"],
            channel=spec["channel"],
            acting_user=customer.user,
            asset=spec.get("asset", ""),
            chain=spec.get("chain", ""),
            txid=spec.get("txid", ""),
            address=spec.get("address", ""),
            memo=spec.get("memo", ""),
            amount=spec.get("amount"),
            transferred_at=transferred_at,
            priority=spec.get("priority"),
            tags=spec.get("tags", ()),
            email_message_id=spec.get("email_message_id", ""),
        )
        for step in spec["steps"]:
            checkpoints.append(timezone.now())
            ticket = self._step(ticket, step, customer, teams)
        ticket.refresh_from_db()
        if spec["age"]:
            kinds = [step[0] for step in spec["steps"]]
            self._backdate(ticket, spec["age"], checkpoints, kinds, spec["key"])
        return ticket

    def _who(self, who: str, ticket: Ticket) -> Any:
        if who == "assignee":
            ticket.refresh_from_db()
            if ticket.assignee is not None:
                return ticket.assignee
            return self.users["supervisor"]
        return self.users[who]

    def _step(
        self, ticket: Ticket, step: tuple, customer: Customer, teams: dict[str, Team]
    ) -> Ticket:
        kind = step[0]
        if kind == "reply":
            _, who, body, new_status = step
            services.message_create(
                ticket=ticket,
                body=body,
                author_kind=AuthorKind.AGENT,
                channel=Channel.AGENT,
                acting_user=self._who(who, ticket),
                new_status=new_status,
            )
        elif kind == "note":
            _, who, body = step
            services.message_create(
                ticket=ticket,
                body=body,
                author_kind=AuthorKind.AGENT,
                channel=Channel.AGENT,
                acting_user=self._who(who, ticket),
                internal=True,
            )
        elif kind == "customer":
            body = _phished_message() if step[1] == "phrase" else step[1]
            services.message_create(
                ticket=ticket,
                body=body,
                author_kind=AuthorKind.CUSTOMER,
                channel=ticket.channel,
                acting_user=customer.user,
            )
        elif kind == "update":
            _, who, changes = step
            changes = dict(changes)
            if "team" in changes:
                changes["team"] = teams[changes["team"]]
            if "assignee" in changes:
                changes["assignee"] = self.users[changes["assignee"]]
            ticket = services.ticket_update(
                ticket=ticket, acting_user=self._who(who, ticket), **changes
            )
        elif kind == "merge_into":
            services.ticket_merge(
                source=ticket,
                target=self.tickets[step[1]],
                acting_user=self.users["supervisor"],
            )
        else:  # pragma: no cover - a typo in the table above
            raise CommandError(f"Unknown demo step {kind!r}")
        return ticket

    def _backdate(
        self, ticket: Ticket, age: timedelta, checkpoints: list, kinds: list[str], key: str
    ) -> None:
        """Move a ticket's history `age` into the past. Demo realism only.

        The services stamp everything with the current time, and a demo where every ticket
        was opened a second ago shows no SLA clock running out. So once a ticket has been
        worked through the services, its history is replayed onto the past: the customer
        opened it `age` ago, the agent answered within the first-response promise, and later
        steps follow further apart over the next hours or days. Due times keep their distance
        from `created_at`, so the SLA promise itself is unchanged.
        """
        steps = len(checkpoints) - 1
        window = min(age * 0.9, timedelta(hours=36))
        new_start = timezone.now() - age
        # Phase 0 is the ticket's creation, phase i the i-th step of the spec.
        offsets = [window * (i / steps) ** 2 if steps else timedelta(0) for i in range(steps + 1)]
        if "reply" in kinds:
            first_reply = kinds.index("reply") + 1
            # Answered after 30-85 % of the promised time, varying (reproducibly) per ticket.
            share = 0.3 + 0.55 * _digest(key)[0] / 255
            promised = (ticket.first_response_due - ticket.created_at) * share
            if offsets[first_reply] > promised:
                for i in range(first_reply + 1):
                    offsets[i] = promised * i / first_reply

        def moved(moment):
            if moment is None:
                return None
            phase = max(
                (i for i, checkpoint in enumerate(checkpoints) if checkpoint <= moment), default=0
            )
            return new_start + offsets[phase] + (moment - checkpoints[phase])

        created_at = moved(ticket.created_at)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=created_at,
            updated_at=moved(ticket.updated_at),
            first_response_due=created_at + (ticket.first_response_due - ticket.created_at),
            resolution_due=created_at + (ticket.resolution_due - ticket.created_at),
            first_responded_at=moved(ticket.first_responded_at),
            resolved_at=moved(ticket.resolved_at),
            closed_at=moved(ticket.closed_at),
        )
        for model in (Message, TicketEvent):
            rows = list(model.objects.filter(ticket=ticket).only("pk", "created_at"))
            for row in rows:
                row.created_at = moved(row.created_at)
            model.objects.bulk_update(rows, ["created_at"])

    # --- report ----------------------------------------------------------------------------

    def _summary(self) -> None:
        tickets = Ticket.objects.all()
        now = timezone.now()
        overdue = tickets.filter(
            status__in=ACTIVE_STATUSES, sla_breached_at__isnull=True, merged_into__isnull=True
        ).filter(
            Q(first_responded_at__isnull=True, first_response_due__lt=now)
            | Q(resolution_due__lt=now)
        )
        statuses = Counter(tickets.values_list("status", flat=True))
        categories = Counter(tickets.values_list("category", flat=True))
        messages = Message.objects.all()
        write = self.stdout.write
        write(self.style.SUCCESS("Demo data loaded."))
        write(
            f"  {Team.objects.count()} teams, {RoutingRule.objects.count()} routing rules, "
            f"{Customer.objects.count()} customers, {tickets.count()} tickets, "
            f"{messages.filter(internal=False).count()} messages, "
            f"{messages.filter(internal=True).count()} internal notes"
        )
        write("  by status:   " + ", ".join(f"{s} {statuses[s]}" for s in Status.values))
        write("  by category: " + ", ".join(f"{c} {categories[c]}" for c in Category.values))
        write(
            f"  {tickets.filter(security_review=True).count()} flagged for security review "
            f"(recovery phrase removed), {tickets.filter(merged_into__isnull=False).count()} "
            f"merged, {overdue.count()} will breach their SLA at the next sweep"
        )
        login_customer = Customer.objects.filter(user__isnull=False).order_by("pk").first()
        rows = [
            ("admin", "admin", "superuser: admin, agent console"),
            ("agent1 / agent2 / agent3", "agent", "agents (Deposits, Security, KYC, API...)"),
            ("supervisor", "supervisor", "supervisor of every team"),
            ("editor", "editor", "help center (KB) editor"),
        ]
        if login_customer is not None:
            rows.append(
                (
                    login_customer.user.get_username(),
                    CUSTOMER_PASSWORD,
                    "customer (other demo customers with a login use the same password)",
                )
            )
        width = max(len(r[0]) for r in rows)
        write("")
        write("  Demo logins (local demo only):")
        for username, password, role in rows:
            write(f"    {username.ljust(width)}  {password.ljust(16)}  {role}")
