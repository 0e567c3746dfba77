"""Tests for tickets.secret_shield: secrets never reach storage, ordinary messages pass intact."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable

import base58
import pytest
from mnemonic import Mnemonic

from tickets.secret_shield import ShieldResult, redact_secrets

ENGLISH = Mnemonic("english")
CHINESE = Mnemonic("chinese_simplified")

PHRASE = "[removed: recovery phrase]"
KEY = "[removed: private key]"
XPRV = "[removed: extended private key]"
API_SECRET = "[removed: API secret]"

# Deterministic 32-byte values: tests must not depend on luck.
PRIVATE_KEY = hashlib.sha256(b"test private key").digest()
PRIVATE_KEY_HEX = PRIVATE_KEY.hex()
TXID = hashlib.sha256(b"test transaction").hexdigest()
WIF_COMPRESSED = base58.b58encode_check(b"\x80" + PRIVATE_KEY + b"\x01").decode()
WIF_UNCOMPRESSED = base58.b58encode_check(b"\x80" + PRIVATE_KEY).decode()
EVM_ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
API_SECRET_VALUE = "Zq8vN2xKpL4mR7tW9yB3cF6hJ1sD5gQe"  # not hex, so only the label rule applies


def _chinese_phrase(seed: bytes, strength_bytes: int) -> str:
    """A fixed, valid Chinese mnemonic (characters separated by spaces)."""
    return CHINESE.to_mnemonic(hashlib.sha256(seed).digest()[:strength_bytes])


def _xprv(version: str) -> str:
    """A BIP-32 serialised private key: version, depth/fingerprint/index, chain code, 0x00, key."""
    chain_code = hashlib.sha256(b"chain code").digest()
    payload = bytes.fromhex(version) + bytes(9) + chain_code + b"\x00" + PRIVATE_KEY
    return base58.b58encode_check(payload).decode()


# --------------------------------------------------------------------------------------------
# Ordinary messages pass through untouched
# --------------------------------------------------------------------------------------------

NORMAL_MESSAGES = [
    "My USDT deposit on TRC20 has not arrived after two hours, please check",
    "I forgot my password and my google authenticator is lost",
    "Hello, I made a withdrawal yesterday and the status still says processing. "
    "Can you tell me when it will be completed? Thank you.",
    "What is the minimum deposit for SOL? I sent 0.01 SOL and it never showed up.",
    f"I sent 250 USDT to {EVM_ADDRESS} on BSC but the wallet shows nothing",
    "My API key returns error -2015 Invalid API-key, IP, or permissions for action.",
    "Someone asked for my recovery phrase on Telegram, is that really your support team?",
    "Please unlock my account, I have verified my identity and uploaded my passport twice.",
    "I used passphrase protection on my Ledger and now I cannot see my funds",
    "You can also just say that they have to make sure the time is right, about one day.",
    "我的充值还没有到账，请帮我查一下，谢谢",
    "您好，重置谷歌验证器需要完成身份核验。",  # rare characters, checksum passes by chance
    "您好，我昨天提现的USDT到现在还没有到账，请问是什么原因？",
    "我忘记了我的助记词请问怎么才能找回我的钱包资产",
    "有人冒充你们的客服要我的助记词，我没有给他，但是很害怕",
    "为什么导入助记词后地址和以前不一样我充值的钱去哪里了",
    "我的账户被冻结了，请问怎么解冻？已经提交了身份证和人脸认证。",
    "",
]


@pytest.mark.parametrize("message", NORMAL_MESSAGES)
def test_normal_message_is_untouched(message: str) -> None:
    result = redact_secrets(message)
    assert result == ShieldResult(text=message, findings=())
    assert not result.found


# --------------------------------------------------------------------------------------------
# English recovery phrases
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("strength", [128, 160, 192, 224, 256], ids=[12, 15, 18, 21, 24])
def test_english_phrase_is_removed(strength: int) -> None:
    phrase = ENGLISH.generate(strength=strength)
    result = redact_secrets(f"Support asked for my wallet words: {phrase}. Is that normal?")
    assert result.text == f"Support asked for my wallet words: {PHRASE}. Is that normal?"
    assert result.findings == ("seed_phrase",)


@pytest.mark.parametrize(
    ("separator", "numbering"),
    [
        pytest.param("\n", "{}. ", id="numbered-dot-lines"),
        pytest.param(" ", "{}) ", id="numbered-paren"),
        pytest.param(", ", "", id="comma"),
        pytest.param("\n", "", id="newline"),
        pytest.param("  ", "#{} ", id="hash-numbered"),
    ],
)
def test_english_phrase_layouts_are_removed(separator: str, numbering: str) -> None:
    words = ENGLISH.generate(strength=128).split()
    pasted = separator.join(numbering.format(i) + word for i, word in enumerate(words, 1))
    result = redact_secrets(f"here:\n{pasted}\nthanks")
    assert result.text == f"here:\n{numbering.format(1)}{PHRASE}\nthanks"
    assert all(word not in result.text.split() for word in words)


@pytest.mark.parametrize("case", [str.upper, str.title], ids=["upper", "title"])
def test_english_phrase_is_case_insensitive(case: Callable[[str], str]) -> None:
    phrase = case(ENGLISH.generate(strength=128))
    result = redact_secrets(phrase)
    assert result.text == PHRASE


def test_english_phrase_as_json_list_is_removed() -> None:
    words = ENGLISH.generate(strength=128).split()
    pasted = "[" + ", ".join(f'"{word}"' for word in words) + "]"
    result = redact_secrets(pasted)
    assert result.text == f'["{PHRASE}"]'


def test_list_words_adjacent_to_a_phrase_are_removed_with_it() -> None:
    # "please" and "help" are BIP-39 words too; nothing tells them apart from the phrase, and
    # removing two extra words is the safe direction.
    phrase = ENGLISH.generate(strength=128)
    assert redact_secrets(f"{phrase} please help").text == PHRASE


def test_eleven_list_words_are_not_a_phrase() -> None:
    text = " ".join(ENGLISH.generate(strength=128).split()[:11])
    assert redact_secrets(text).text == text


# --------------------------------------------------------------------------------------------
# Chinese recovery phrases
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("strength", [128, 256], ids=[12, 24])
def test_spaced_chinese_phrase_is_removed(strength: int) -> None:
    phrase = CHINESE.generate(strength=strength)
    result = redact_secrets(f"我的助记词：{phrase}，请帮我恢复钱包")
    assert result.text == f"我的助记词：{PHRASE}，请帮我恢复钱包"
    assert result.findings == ("seed_phrase",)


def test_chinese_phrase_separated_by_enumeration_commas_is_removed() -> None:
    phrase = "、".join(CHINESE.generate(strength=128).split())
    assert redact_secrets(f"助记词 {phrase} 谢谢").text == f"助记词 {PHRASE} 谢谢"


@pytest.mark.parametrize(
    ("seed", "strength_bytes"),
    [(b"contiguous-12", 16), (b"contiguous-18", 24), (b"contiguous-24", 32)],
)
def test_contiguous_chinese_phrase_with_valid_checksum_is_removed(
    seed: bytes, strength_bytes: int
) -> None:
    phrase = _chinese_phrase(seed, strength_bytes).replace(" ", "")
    result = redact_secrets(f"助记词：{phrase}。")
    assert result.text == f"助记词：{PHRASE}。"


def test_contiguous_chinese_run_is_removed_exactly_when_checksum_validates() -> None:
    words = _chinese_phrase(b"checksum-oracle", 16).split()
    candidates = ["".join([*words[:-1], last]) for last in CHINESE.wordlist[1000:1064]]
    for candidate in candidates:
        expected_removed = CHINESE.check(" ".join(candidate))
        result = redact_secrets(f"{candidate}。")
        assert result.found is expected_removed, candidate


def test_freshly_generated_contiguous_chinese_phrase_is_removed() -> None:
    phrase = CHINESE.generate(strength=256).replace(" ", "")
    assert redact_secrets(f"“{phrase}”").text == f"“{PHRASE}”"


@pytest.mark.parametrize(
    ("seed", "strength_bytes"), [(b"glued-12", 16), (b"glued-24", 32)], ids=[12, 24]
)
def test_chinese_phrase_glued_to_its_label_is_removed(seed: bytes, strength_bytes: int) -> None:
    phrase = _chinese_phrase(seed, strength_bytes).replace(" ", "")
    result = redact_secrets(f"我的助记词是{phrase}请帮我看看")
    assert result.text == f"我的助记词是{PHRASE}请帮我看看"


# --------------------------------------------------------------------------------------------
# Raw private keys (64 hex) versus transaction IDs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [PRIVATE_KEY_HEX, "0x" + PRIVATE_KEY_HEX, PRIVATE_KEY_HEX.upper()],
    ids=["bare", "0x", "uppercase"],
)
def test_unlabelled_64_hex_is_treated_as_a_key(value: str) -> None:
    result = redact_secrets(f"please import this into the app {value} thanks")
    assert result.text == f"please import this into the app {KEY} thanks"
    assert result.findings == ("private_key",)


@pytest.mark.parametrize(
    "label",
    ["private key: ", "My privkey is ", "priv key=", "secret ", "私钥：", "密钥是"],
)
def test_labelled_private_key_is_removed_and_label_kept(label: str) -> None:
    result = redact_secrets(f"{label}{PRIVATE_KEY_HEX}")
    assert result.text == f"{label}{KEY}"


def test_key_wording_wins_over_transaction_wording() -> None:
    text = f"not the tx hash, this is the private key {PRIVATE_KEY_HEX}"
    assert redact_secrets(text).text == f"not the tx hash, this is the private key {KEY}"


@pytest.mark.parametrize(
    "text",
    [
        f"TXID: {TXID}",
        f"tx id {TXID}",
        f"Transaction hash 0x{TXID}",
        f"交易哈希：{TXID}",
        f"https://etherscan.io/tx/0x{TXID}",
        f"https://tronscan.org/#/transaction/{TXID}",
        f"https://mempool.space/tx/{TXID}",
    ],
)
def test_labelled_transaction_id_survives(text: str) -> None:
    assert redact_secrets(text) == ShieldResult(text=text, findings=())


@pytest.mark.parametrize(
    "known",
    [TXID, "0x" + TXID, TXID.upper(), f" {TXID}\n"],
    ids=["same", "0x", "uppercase", "whitespace"],
)
def test_known_txid_survives_without_label(known: str) -> None:
    text = f"I deposited 500 USDT: {TXID}"
    assert redact_secrets(text, known_txids=[known]).text == text


def test_known_txid_survives_even_next_to_key_wording() -> None:
    text = f"is this my private key? {TXID}"
    assert redact_secrets(text, known_txids=(TXID,)).text == text


def test_known_txids_protect_only_themselves() -> None:
    text = f"deposit {TXID} and {PRIVATE_KEY_HEX}"
    result = redact_secrets(text, known_txids=iter([TXID]))
    assert result.text == f"deposit {TXID} and {KEY}"


@pytest.mark.parametrize(
    "text",
    [
        f"send to {EVM_ADDRESS}",
        f"signature 0x{PRIVATE_KEY_HEX}{TXID}",
        f"id {PRIVATE_KEY_HEX}ff",
    ],
    ids=["evm-address", "128-hex", "66-hex"],
)
def test_hex_that_is_not_exactly_64_digits_survives(text: str) -> None:
    assert redact_secrets(text).text == text


# --------------------------------------------------------------------------------------------
# WIF private keys
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wif", [WIF_COMPRESSED, WIF_UNCOMPRESSED], ids=["compressed", "legacy"])
def test_wif_key_is_removed(wif: str) -> None:
    result = redact_secrets(f"Electrum shows {wif} for my address")
    assert result.text == f"Electrum shows {KEY} for my address"
    assert result.findings == ("private_key",)


def test_wif_with_broken_checksum_is_not_a_key_on_its_own() -> None:
    broken = WIF_COMPRESSED[:-1] + ("2" if WIF_COMPRESSED[-1] != "2" else "3")
    text = f"reference {broken}"
    assert redact_secrets(text).text == text


def test_wif_with_broken_checksum_next_to_key_wording_is_removed() -> None:
    broken = WIF_COMPRESSED[:-1] + ("2" if WIF_COMPRESSED[-1] != "2" else "3")
    assert redact_secrets(f"private key: {broken}").text == f"private key: {KEY}"


# --------------------------------------------------------------------------------------------
# Extended private keys
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "prefix"),
    [
        ("0488ade4", "xprv"),
        ("049d7878", "yprv"),
        ("04b2430c", "zprv"),
        ("04358394", "tprv"),
        ("044a4e28", "uprv"),
        ("045f18bc", "vprv"),
    ],
)
def test_extended_private_key_is_removed(version: str, prefix: str) -> None:
    xprv = _xprv(version)
    assert xprv.startswith(prefix)
    result = redact_secrets(f"my wallet export:\n{xprv}\nis it safe?")
    assert result.text == f"my wallet export:\n{XPRV}\nis it safe?"
    assert result.findings == ("extended_private_key",)


def test_extended_public_key_survives() -> None:
    xpub = base58.b58encode_check(bytes.fromhex("0488b21e") + bytes(41) + b"\x02" * 33).decode()
    text = f"watch-only xpub {xpub}"
    assert redact_secrets(text).text == text


# --------------------------------------------------------------------------------------------
# Exchange API secrets
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "API secret: ",
        "api_secret=",
        "API_SECRET = ",
        "Secret Key: ",
        "secretKey:",
        "SecretKey ",
        "secret key is ",
        "passphrase: ",
        "Passphrase is ",
        "API 密钥：",
        "API密钥 ",
        "密钥：",
        '"secret": "',
    ],
)
def test_api_secret_value_is_removed_and_label_kept(label: str) -> None:
    result = redact_secrets(f"{label}{API_SECRET_VALUE}")
    assert result.text == f"{label}{API_SECRET}"
    assert result.findings == ("api_secret",)


def test_api_key_is_kept_while_its_secret_is_removed() -> None:
    api_key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    text = f"API Key: {api_key}\nSecret Key: {API_SECRET_VALUE}\nwhy error -1022?"
    result = redact_secrets(text)
    assert result.text == f"API Key: {api_key}\nSecret Key: {API_SECRET}\nwhy error -1022?"


def test_plain_api_key_is_not_a_secret() -> None:
    text = f"my API key is {API_SECRET_VALUE}"
    assert redact_secrets(text).text == text


def test_short_value_after_secret_label_is_not_removed() -> None:
    text = "I forgot the secret key, where can I reset it?"
    assert redact_secrets(text).text == text


def test_secret_label_on_a_known_txid_does_not_remove_it() -> None:
    text = f"secret: {TXID}"
    assert redact_secrets(text, known_txids=[TXID]).text == text


# --------------------------------------------------------------------------------------------
# Result shape
# --------------------------------------------------------------------------------------------


def test_findings_are_deduplicated_in_fixed_order() -> None:
    text = "\n".join(
        [
            f"api secret: {API_SECRET_VALUE}",
            _xprv("0488ade4"),
            PRIVATE_KEY_HEX,
            ENGLISH.generate(strength=128),
            WIF_COMPRESSED,
            ENGLISH.generate(strength=256),
        ]
    )
    result = redact_secrets(text)
    assert result.findings == ("seed_phrase", "private_key", "extended_private_key", "api_secret")
    assert result.text == "\n".join([f"api secret: {API_SECRET}", XPRV, KEY, PHRASE, KEY, PHRASE])


def test_overlapping_detections_become_one_placeholder() -> None:
    # "secret key" labels an API secret, and is key wording for the 64-hex rule as well.
    result = redact_secrets(f"secret key: {PRIVATE_KEY_HEX} ok")
    assert result.text == f"secret key: {KEY} ok"
    assert result.findings == ("private_key",)


def test_found_reflects_findings() -> None:
    assert redact_secrets(PRIVATE_KEY_HEX).found
    assert not redact_secrets("hello").found


def test_result_is_immutable() -> None:
    result = redact_secrets("hello")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "changed"  # type: ignore[misc]


def test_large_ordinary_message_passes_through_untouched() -> None:
    chunk = (
        "My USDT deposit on TRC20 has not arrived after two hours, please check. "
        "我的充值还没有到账，请帮我查一下，谢谢。"
        f"TXID: {TXID} "
    )
    text = chunk * (100_000 // len(chunk))
    result = redact_secrets(text)
    assert result.text == text
    assert result.findings == ()
