"""Customer-facing forms. They check input for clear, inline messages; the services decide.

Each ticket category asks what its specialist team needs. Labels come in both languages
(the site speaks English and Simplified Chinese); `bilingual_label` picks one per request.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from tickets import crypto
from tickets.models import Category, Language

# (English, Chinese) for every label and help text shown to customers.
Text = tuple[str, str]


def pick(language: str, text: Text) -> str:
    return text[1] if language == Language.CHINESE else text[0]


CATEGORY_TEXT: dict[str, tuple[Text, Text]] = {
    # category: ((title), (when to choose it))
    Category.DEPOSIT: (
        ("Deposit not credited", "充币未到账"),
        ("Crypto you sent has not arrived in your account.", "您转入的数字资产尚未到账。"),
    ),
    Category.WITHDRAWAL: (
        ("Withdrawal delayed", "提币延迟"),
        (
            "A withdrawal is pending, stuck in review or has not arrived.",
            "提币处于待处理、审核中或对方尚未收到。",
        ),
    ),
    Category.SECURITY: (
        ("Account security", "账户安全"),
        (
            "A login you do not recognise, a stolen account, changed settings.",
            "陌生登录、账户被盗、安全设置被更改。",
        ),
    ),
    Category.ACCOUNT: (
        ("Account", "账户问题"),
        (
            "Log in, frozen account, email or phone changes, sub-accounts.",
            "登录、账户冻结、更换邮箱或手机、子账户。",
        ),
    ),
    Category.KYC: (
        ("Identity verification (KYC)", "身份认证（KYC）"),
        ("Verification rejected or pending, documents, limits.", "认证被拒或审核中、证件、额度。"),
    ),
    Category.API: (
        ("API", "API"),
        ("API keys, errors, rate limits, signatures.", "API Key、错误码、限频、签名。"),
    ),
    Category.TRADING: (
        ("Trading", "交易"),
        ("Orders, fees, futures, liquidation.", "订单、手续费、合约、强平。"),
    ),
    Category.DISPUTE: (
        ("Trade dispute", "交易申诉"),
        ("Appeal a trade or a P2P order.", "对交易或 P2P 订单提出申诉。"),
    ),
    Category.PROMOTIONS: (
        ("Campaigns and rewards", "活动与奖励"),
        ("A reward or airdrop you expected.", "未收到的活动奖励或空投。"),
    ),
    Category.SUGGESTION: (
        ("Suggestion", "建议"),
        ("Tell us how to do better.", "告诉我们如何改进。"),
    ),
    Category.OTHER: (
        ("Something else", "其他问题"),
        ("Anything not listed above.", "以上未列出的问题。"),
    ),
}

# Fields beyond subject/description/attachments, per category, in display order. Names that
# are Ticket fields go to those; the rest are kept in `Ticket.details`.
TRANSFER_FIELDS = ("asset", "chain", "txid", "address", "memo", "amount", "transferred_at")
CATEGORY_FIELDS: dict[str, tuple[str, ...]] = {
    Category.DEPOSIT: ("asset", "chain", "txid", "address", "memo", "amount", "transferred_at"),
    Category.WITHDRAWAL: ("asset", "chain", "withdrawal_id", "txid", "amount", "address"),
    Category.SECURITY: ("what_happened", "happened_at", "last_good_login"),
    Category.ACCOUNT: (),
    Category.KYC: ("kyc_level", "document_type"),
    Category.API: ("api_key_label", "endpoint", "error_code"),
    Category.TRADING: ("order_id", "trading_pair"),
    Category.DISPUTE: ("order_id", "counterparty"),
    Category.PROMOTIONS: ("campaign",),
    Category.SUGGESTION: (),
    Category.OTHER: (),
}

LABELS: dict[str, Text] = {
    "email": ("Your email address", "您的邮箱地址"),
    "name": ("Your name (optional)", "您的称呼（选填）"),
    "uid": ("Exchange UID (optional)", "交易所 UID（选填）"),
    "subject": ("Subject", "主题"),
    "body": ("Describe what happened", "问题描述"),
    "attachments": ("Screenshots or documents", "截图或文件"),
    "asset": ("Coin", "币种"),
    "chain": ("Network", "网络"),
    "txid": ("Transaction ID (TXID)", "交易哈希（TXID）"),
    "address": ("Address", "地址"),
    "memo": ("Memo / tag (if any)", "标签 / Memo（如有）"),
    "amount": ("Amount", "数量"),
    "transferred_at": ("Time of the transfer (UTC)", "转账时间（UTC）"),
    "withdrawal_id": ("Withdrawal ID", "提币 ID"),
    "what_happened": ("What happened?", "发生了什么？"),
    "happened_at": ("When did it happen? (UTC)", "发生时间（UTC）"),
    "last_good_login": (
        "Your last login that you trust (date, device, place)",
        "您确认的最后一次正常登录（时间、设备、地点）",
    ),
    "kyc_level": ("Verification level", "认证等级"),
    "document_type": ("Document you submitted", "您提交的证件"),
    "api_key_label": ("API key name (never the secret key)", "API Key 名称（切勿填写密钥）"),
    "endpoint": ("Endpoint", "接口"),
    "error_code": ("Error code", "错误码"),
    "order_id": ("Order ID", "订单号"),
    "trading_pair": ("Trading pair", "交易对"),
    "counterparty": ("Counterparty or P2P order details", "对方信息或 P2P 订单信息"),
    "campaign": ("Campaign name", "活动名称"),
}
HELP: dict[str, Text] = {
    "txid": ("Copy it from your wallet or the block explorer.", "从钱包或区块浏览器复制。"),
    "address": (
        "For a deposit: your deposit address here. For a withdrawal: where it went.",
        "充币：您在本平台的充值地址；提币：目标地址。",
    ),
    "attachments": (
        "PNG, JPEG, GIF, WebP or PDF, up to {size} MB each, at most {count} files.",
        "支持 PNG、JPEG、GIF、WebP、PDF，每个不超过 {size} MB，最多 {count} 个。",
    ),
    "body": (
        "Never include your password, 2FA codes, recovery phrase or private keys.",
        "请勿填写密码、两步验证码、助记词或私钥。",
    ),
    "uid": ("Find it in your profile on the exchange.", "可在交易所个人中心查看。"),
}
CHOICES: dict[str, list[tuple[str, Text]]] = {
    "what_happened": [
        ("unknown_login", ("A login I do not recognise", "陌生设备或地点登录")),
        ("password_changed", ("My password was changed", "密码被修改")),
        ("2fa_changed", ("My 2FA was changed or disabled", "两步验证被修改或关闭")),
        ("funds_moved", ("Funds left my account", "资产被转出")),
        (
            "phishing",
            ("I gave information to a fake site or person", "我向虚假网站或人员泄露了信息"),
        ),
        ("other", ("Something else", "其他")),
    ],
    "kyc_level": [
        ("1", ("Level 1 (basic)", "一级（基础认证）")),
        ("2", ("Level 2 (advanced)", "二级（高级认证）")),
        ("business", ("Business", "企业认证")),
    ],
    "document_type": [
        ("id_card", ("National ID card", "身份证")),
        ("passport", ("Passport", "护照")),
        ("driving_licence", ("Driving licence", "驾驶证")),
        ("proof_of_address", ("Proof of address", "地址证明")),
    ],
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={
                    "accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf",
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _field(name: str, language: str) -> forms.Field:
    label = pick(language, LABELS[name])
    help_text = pick(language, HELP[name]) if name in HELP else ""
    if name in CHOICES:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "—")] + [(v, pick(language, t)) for v, t in CHOICES[name]],
        )
    if name == "chain":
        return forms.ChoiceField(
            label=label, required=False, choices=[("", "—"), *crypto.Chain.choices]
        )
    if name == "amount":
        return forms.DecimalField(
            label=label, required=False, min_value=0, max_digits=38, decimal_places=18
        )
    if name in ("transferred_at", "happened_at"):
        return forms.DateTimeField(
            label=label,
            required=False,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        )
    max_length = {"txid": 100, "address": 100, "memo": 128, "asset": 15}.get(name, 200)
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text)


class TicketForm(forms.Form):
    """The ticket form for one category, in one language."""

    def __init__(
        self,
        *args: Any,
        category: str,
        language: str,
        anonymous: bool,
        verified_uid: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.category = category
        self.language = language
        self.verified_uid = verified_uid
        say = lambda name: pick(language, LABELS[name])  # noqa: E731
        if anonymous:
            self.fields["email"] = forms.EmailField(label=say("email"))
            self.fields["name"] = forms.CharField(label=say("name"), required=False, max_length=150)
        if not verified_uid:
            self.fields["uid"] = forms.CharField(
                label=say("uid"),
                required=False,
                max_length=32,
                help_text=pick(language, HELP["uid"]),
            )
        self.fields["subject"] = forms.CharField(
            label=say("subject"),
            max_length=200,
            widget=forms.TextInput(attrs={"data-deflect": "", "autocomplete": "off"}),
        )
        for name in CATEGORY_FIELDS[category]:
            self.fields[name] = _field(name, language)
        self.fields["body"] = forms.CharField(
            label=say("body"),
            max_length=20000,
            widget=forms.Textarea(attrs={"rows": 8}),
            help_text=pick(language, HELP["body"]),
        )
        size_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        self.fields["attachments"] = MultipleFileField(
            label=say("attachments"),
            required=False,
            help_text=pick(language, HELP["attachments"]).format(
                size=size_mb, count=settings.ATTACHMENTS_PER_MESSAGE
            ),
        )
        self.fields["deflection_token"] = forms.CharField(
            required=False, widget=forms.HiddenInput, max_length=64
        )

    def clean_uid(self) -> str:
        uid = self.cleaned_data.get("uid", "").strip()
        if uid and not uid.isdigit():
            raise ValidationError(pick(self.language, ("Digits only.", "UID 只包含数字。")))
        return uid

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chain = data.get("chain") or ""
        for name, normalize in (
            ("txid", crypto.normalize_txid),
            ("address", crypto.normalize_address),
        ):
            value = (data.get(name) or "").strip()
            if not value:
                continue
            if not chain:
                self.add_error(
                    "chain",
                    pick(
                        self.language,
                        ("Choose the network so we can check this.", "请选择网络，以便我们核对。"),
                    ),
                )
                continue
            try:
                data[name] = normalize(chain, value)
            except ValidationError as exc:
                self.add_error(name, exc)
        if data.get("asset"):
            try:
                data["asset"] = crypto.normalize_asset(data["asset"])
            except ValidationError as exc:
                self.add_error("asset", exc)
        return data

    def service_arguments(self) -> dict[str, Any]:
        """What `services.ticket_create` takes, from the cleaned form."""
        data = self.cleaned_data
        arguments: dict[str, Any] = {
            "subject": data["subject"],
            "body": data["body"],
            "category": self.category,
            "attachments": data.get("attachments") or [],
            "uid": self.verified_uid or data.get("uid", ""),
        }
        details = {}
        for name in CATEGORY_FIELDS[self.category]:
            value = data.get(name)
            if value in (None, ""):
                continue
            if name in TRANSFER_FIELDS:
                arguments[name] = value
            else:
                details[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        arguments["details"] = details
        return arguments


class ReplyForm(forms.Form):
    body = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(required=False)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SignUpForm(forms.Form):
    email = forms.EmailField()
    name = forms.CharField(required=False, max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, max_length=128)
    language = forms.ChoiceField(choices=Language.choices)


class ProfileForm(forms.Form):
    name = forms.CharField(required=False, max_length=150)
    language = forms.ChoiceField(choices=Language.choices)
    anti_phishing_code = forms.CharField(required=False, max_length=20)
