"""Keep customers' wallet secrets out of the database.

Customers of an exchange sometimes paste a wallet recovery phrase, a private key or an exchange
API secret into a support message, usually because someone posing as "support" asked for it. The
inbound path runs :func:`redact_secrets` *before* anything is stored or logged, so the unredacted
text is never written anywhere. Nothing in this module logs, stores or raises with the input.

Design rules:

* A missed secret can empty a wallet; a wrongly removed value only costs the agent a follow-up
  question. Where a rule has to guess, it guesses "secret".
* Ordinary English and Chinese support messages must pass through untouched, so every rule is
  anchored on something a normal sentence does not contain (a checksum, a long run of word-list
  words, 64 hex digits, an explicit "secret" label).
* Runs on every inbound message (up to ~100 KB): regexes are precompiled, word lists are loaded
  once, and every scan is a single linear pass.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal, NamedTuple

import base58
from mnemonic import Mnemonic

__all__ = ["SecretKind", "ShieldResult", "redact_secrets"]

SecretKind = Literal["seed_phrase", "private_key", "extended_private_key", "api_secret"]

# Order of ShieldResult.findings, and which placeholder wins when two detections overlap.
_KIND_ORDER: Final[tuple[SecretKind, ...]] = (
    "seed_phrase",
    "private_key",
    "extended_private_key",
    "api_secret",
)
_PLACEHOLDERS: Final[dict[SecretKind, str]] = {
    "seed_phrase": "[removed: recovery phrase]",
    "private_key": "[removed: private key]",
    "extended_private_key": "[removed: extended private key]",
    "api_secret": "[removed: API secret]",
}


@dataclass(frozen=True)
class ShieldResult:
    """Outcome of :func:`redact_secrets`."""

    text: str
    """The input with every detected secret replaced by a placeholder."""
    findings: tuple[SecretKind, ...] = ()
    """Kinds of secret found, deduplicated, in the order of ``_KIND_ORDER``."""

    @property
    def found(self) -> bool:
        return bool(self.findings)


class _Span(NamedTuple):
    start: int
    end: int
    kind: SecretKind


# Characters of "before" context inspected for wording such as "private key" or "TXID".
_CONTEXT_CHARS: Final = 40

# BIP-39 mnemonics have 12, 15, 18, 21 or 24 words (128-256 bits of entropy + checksum).
_MNEMONIC_LENGTHS: Final = (12, 15, 18, 21, 24)
_MIN_MNEMONIC_WORDS: Final = 12

_BASE58_CLASS: Final = "1-9A-HJ-NP-Za-km-z"

# --------------------------------------------------------------------------------------------
# Word lists (loaded once, on first use, so importing this module stays cheap)
# --------------------------------------------------------------------------------------------


class _ChineseWordList(NamedTuple):
    index: dict[str, int]  # character -> position in the BIP-39 list (its 11-bit value)
    run_re: re.Pattern[str]  # maximal runs of list characters


@cache
def _english_words() -> frozenset[str]:
    return frozenset(Mnemonic("english").wordlist)


@cache
def _chinese_words() -> _ChineseWordList:
    words = Mnemonic("chinese_simplified").wordlist
    index = {word: i for i, word in enumerate(words)}
    # One character class of 2048 CJK characters: the regex engine tests membership with a
    # bitmap, so finding all runs is a single linear scan.
    run_re = re.compile("[" + "".join(re.escape(word) for word in words) + "]+")
    return _ChineseWordList(index, run_re)


def _bip39_checksum_ok(indices: Sequence[int]) -> bool:
    """BIP-39 checksum: the last len/3 bits are the leading bits of SHA-256(entropy).

    Same result as ``Mnemonic(...).check()`` (the tests compare the two), but works on
    precomputed word indices; ``check()`` looks every word up with ``list.index``, which is too
    slow to run over every run of characters in a long Chinese message.
    """
    count = len(indices)
    if count not in _MNEMONIC_LENGTHS:
        return False
    packed = 0
    for index in indices:
        packed = (packed << 11) | index
    checksum_bits = count // 3
    entropy = (packed >> checksum_bits).to_bytes(count * 4 // 3, "big")
    checksum = packed & ((1 << checksum_bits) - 1)
    return hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits) == checksum


# --------------------------------------------------------------------------------------------
# Seed phrases: English
# --------------------------------------------------------------------------------------------

# ASCII alphanumeric tokens. A token mixing letters and digits ("abc123") is never a mnemonic
# word and ends a run, which keeps base58/hex strings from chaining word-list fragments.
_EN_TOKEN_RE: Final = re.compile(r"[A-Za-z0-9]+")
# What may stand between two words of a phrase. Deliberately no "." after a word: that would
# join the sentences of a normal message, and many everyday English words are on the BIP-39
# list ("that", "have", "you", "this", "about", "just", "know", ...).
_EN_GAP_AFTER_WORD_RE: Final = re.compile(r"[\s,;|/\"'\[\]()#\-\u3001\uff0c\uff1b\u201c\u201d]*")
# After a list number ("1." / "2)" / "3:") the punctuation of the numbering is allowed too.
_EN_GAP_AFTER_NUMBER_RE: Final = re.compile(
    r"[\s,;|/\"'\[\]()#\-.:\u3001\uff0c\uff1b\uff1a\u201c\u201d]*"
)
_MAX_GAP: Final = 32


def _english_seed_spans(text: str) -> list[_Span]:
    words = _english_words()
    spans: list[_Span] = []
    count = 0  # words in the current run
    run_start = run_end = 0
    prev_end = 0
    prev_was_number = False

    def close_run() -> None:
        nonlocal count
        if count >= _MIN_MNEMONIC_WORDS:
            spans.append(_Span(run_start, run_end, "seed_phrase"))
        count = 0

    for match in _EN_TOKEN_RE.finditer(text):
        token = match.group()
        if count:
            gap = text[prev_end : match.start()]
            gap_re = _EN_GAP_AFTER_NUMBER_RE if prev_was_number else _EN_GAP_AFTER_WORD_RE
            if len(gap) > _MAX_GAP or not gap_re.fullmatch(gap):
                close_run()
        if token.isdigit() and len(token) <= 2:
            # Numbering such as "1. abandon 2. ability": transparent inside a run. Before a run
            # it stays outside the span (the "1. " of the first word is left in the text).
            if count:
                prev_end = match.end()
                prev_was_number = True
            continue
        if token.isalpha() and token.lower() in words:
            if not count:
                run_start = match.start()
            count += 1
            run_end = prev_end = match.end()
            prev_was_number = False
        else:
            close_run()
    close_run()
    return spans


# --------------------------------------------------------------------------------------------
# Seed phrases: Chinese (simplified)
# --------------------------------------------------------------------------------------------

# Between single characters of a spaced-out phrase: spaces, commas, 、, semicolons, numbering.
_ZH_GAP_RE: Final = re.compile(r"[\s,;\u3001\uff0c\uff1b\d.:()\uff1a\uff08\uff09]{1,16}")
# Wording that announces a recovery phrase, in any language, somewhere before a run.
_SEED_WORDING_RE: Final = re.compile(
    r"助记|种子|恢复|备份|seed|mnemonic|recovery|phrase|words", re.IGNORECASE
)
# The same wording *inside* a run of list characters ("我的助记词是<phrase>"), followed by an
# optional connector; where it ends is where a glued-on phrase would start.
_ZH_IN_RUN_WORDING_RE: Final = re.compile(
    r"(?:助记词|助记码|助记|种子短语|种子词|恢复短语|恢复词|备份短语|备份词)(?:如下|是|为)?"
)
# The Chinese list is ordered by character frequency, so ordinary text is dominated by its first
# few hundred entries, while a random mnemonic draws uniformly from all 2048. The mean of
# log2(rank + 1) separates the two: about 9.6 for a random phrase, mostly 5-7.5 for the text of
# support messages. It backs up the checksum, which is only 4 bits for 12 words and so on its own
# would accept 1 in 16 ordinary 12-character clauses.
# - A whole run of exactly 12/15/18/21/24 characters: lenient (misses ~1 in 10,000 real 12-word
#   phrases, rejects ~3/4 of the ordinary clauses that pass the checksum by chance).
# - A window inside a longer run (rule 3): stricter (misses ~1 in 1,000, rejects ~93 %), because
#   several windows are tried per run.
_ZH_RUN_MIN_MEAN_LOG_RANK: Final = 7.5
# A whole run with no recovery-phrase wording before it must look rarer still: everyday
# sentences full of uncommon characters ("重置谷歌验证器需要完成身份核验", mean 8.25) pass the
# checksum by chance often enough to matter. At 8.5 about 1 % of real phrases written
# contiguously and unannounced would be missed — the rarest way of pasting one.
_ZH_UNANNOUNCED_MIN_MEAN_LOG_RANK: Final = 8.5
_ZH_WINDOW_MIN_MEAN_LOG_RANK: Final = 8.0


def _mean_log_rank(indices: Sequence[int]) -> float:
    return sum(math.log2(i + 1) for i in indices) / len(indices)


def _chinese_seed_spans(text: str) -> list[_Span]:
    wordlist = _chinese_words()
    index = wordlist.index
    spans: list[_Span] = []
    singles = 0  # length of the current run of separated single characters
    singles_start = singles_end = 0

    def close_singles() -> None:
        nonlocal singles
        if singles >= _MIN_MNEMONIC_WORDS:
            spans.append(_Span(singles_start, singles_end, "seed_phrase"))
        singles = 0

    for match in wordlist.run_re.finditer(text):
        start, end = match.span()
        if singles and not _ZH_GAP_RE.fullmatch(text, singles_end, start):
            close_singles()
        if end - start == 1:
            # Rule 1: >= 12 list characters each standing alone between separators
            # ("的 一 是 ..." / "的、一、是"). Normal Chinese is never written like that.
            if not singles:
                singles_start = start
            singles += 1
            singles_end = end
            continue
        close_singles()
        run = match.group()
        indices = [index[char] for char in run]
        # Rule 2: a contiguous run is a phrase only if its length is a mnemonic length and the
        # checksum validates: ordinary sentences are mostly made of list characters, so the
        # checksum (with the frequency test above) is what tells them apart.
        announced = _SEED_WORDING_RE.search(text, max(0, start - _CONTEXT_CHARS), start)
        threshold = _ZH_RUN_MIN_MEAN_LOG_RANK if announced else _ZH_UNANNOUNCED_MIN_MEAN_LOG_RANK
        if (
            len(indices) in _MNEMONIC_LENGTHS
            and _mean_log_rank(indices) >= threshold
            and _bip39_checksum_ok(indices)
        ):
            spans.append(_Span(start, end, "seed_phrase"))
            continue
        # Rule 3: a phrase glued to other list characters ("助记词：<phrase>请帮我看看",
        # "我的助记词是<phrase>") makes the run longer than the phrase. Only where wording
        # announces a phrase, try the windows that would start right after that wording.
        anchors = {m.end() for m in _ZH_IN_RUN_WORDING_RE.finditer(run)}
        if announced:
            anchors.add(0)
        for anchor in sorted(anchors):
            length = _longest_mnemonic_at(indices, anchor)
            if length:
                spans.append(_Span(start + anchor, start + anchor + length, "seed_phrase"))
    close_singles()
    return spans


def _longest_mnemonic_at(indices: Sequence[int], anchor: int) -> int:
    """Length of the longest plausible mnemonic starting at ``anchor`` (0 if none).

    The longest, so that a 24-word phrase whose first 12 characters happen to pass the 4-bit
    checksum as well is still removed in full; at worst a few following characters go with it.
    """
    for length in reversed(_MNEMONIC_LENGTHS):
        window = indices[anchor : anchor + length]
        if len(window) != length:
            continue
        # Cheap frequency filter first; the SHA-256 only runs on plausible windows.
        if _mean_log_rank(window) >= _ZH_WINDOW_MIN_MEAN_LOG_RANK and _bip39_checksum_ok(window):
            return length
    return 0


# --------------------------------------------------------------------------------------------
# Private keys
# --------------------------------------------------------------------------------------------

# 64 hex digits (a 32-byte secp256k1/ed25519 private key), optionally 0x-prefixed, not part of a
# longer alphanumeric token (so 40-hex EVM addresses and 128-hex blobs do not match).
_HEX64_RE: Final = re.compile(r"(?<![0-9A-Za-z])(?:0[xX])?(?P<hex>[0-9a-fA-F]{64})(?![0-9A-Za-z])")
_KEY_WORDING_RE: Final = re.compile(
    r"priv(?:ate)?[\s_-]*key|privkey|secret|私钥|密钥|秘钥", re.IGNORECASE
)
# "tx" alone covers explorer links (etherscan.io/tx/0x..., mempool.space/tx/...) and "Tx: ...".
_TX_WORDING_RE: Final = re.compile(
    r"tx[\s_-]*id|tx[\s_-]*hash|(?<![A-Za-z])txn?(?![A-Za-z])|hash|transaction|交易|哈希",
    re.IGNORECASE,
)
# Wallet Import Format: base58check(0x80 + key [+ 0x01 if the public key is compressed]).
# Uncompressed keys are 51 characters starting with 5, compressed ones 52 starting with K or L.
_WIF_RE: Final = re.compile(
    rf"(?<![0-9A-Za-z])(?:5[{_BASE58_CLASS}]{{50}}|[KL][{_BASE58_CLASS}]{{51}})(?![0-9A-Za-z])"
)
_WIF_VERSION: Final = 0x80
# BIP-32 extended private keys (and the SLIP-132 variants for other script types / testnet):
# 78 bytes base58check = 111 characters. A truncated copy is still redacted: even part of a key
# and chain code helps an attacker, and "xprv" followed by base58 appears in nothing else.
_XPRV_RE: Final = re.compile(rf"(?<![0-9A-Za-z])[xyztuvYZUV]prv[{_BASE58_CLASS}]{{20,}}")


def _normalize_hex(value: str) -> str:
    value = value.strip().lower()
    return value[2:] if value.startswith("0x") else value


def _hex_key_spans(text: str, known_txids: frozenset[str]) -> list[_Span]:
    spans: list[_Span] = []
    for match in _HEX64_RE.finditer(text):
        if match["hex"].lower() in known_txids:
            # The system already knows this value as a transaction ID (e.g. a deposit the
            # customer is asking about): never remove it.
            continue
        before_start = max(0, match.start() - _CONTEXT_CHARS)
        # A 64-hex string is exactly what BTC/TRX/EVM transaction IDs look like too, and
        # customers paste TXIDs into deposit tickets all the time. We only keep it when
        # transaction wording labels it and no key wording does. An *unlabelled* 64-hex string
        # is treated as a key: a leaked key loses the customer's funds for good, while a
        # removed TXID only costs a question ("could you send the transaction ID again?").
        if _KEY_WORDING_RE.search(text, before_start, match.start()) or not (
            _TX_WORDING_RE.search(text, before_start, match.start())
        ):
            spans.append(_Span(match.start(), match.end(), "private_key"))
    return spans


def _is_wif(token: str) -> bool:
    try:
        payload = base58.b58decode_check(token)
    except ValueError:
        return False
    if not payload or payload[0] != _WIF_VERSION:
        return False
    if len(token) == 51:
        return len(payload) == 33  # uncompressed
    return len(payload) == 34 and payload[-1] == 0x01  # compressed marker byte


def _wif_spans(text: str) -> list[_Span]:
    spans: list[_Span] = []
    for match in _WIF_RE.finditer(text):
        # A WIF with a failing checksum is normally just some other base58 string, but next to
        # key wording it is a key with a typo, one brute-forced character away from the real
        # one, so it is removed too.
        if _is_wif(match.group()) or _KEY_WORDING_RE.search(
            text, max(0, match.start() - _CONTEXT_CHARS), match.start()
        ):
            spans.append(_Span(match.start(), match.end(), "private_key"))
    return spans


def _xprv_spans(text: str) -> list[_Span]:
    return [_Span(m.start(), m.end(), "extended_private_key") for m in _XPRV_RE.finditer(text)]


# --------------------------------------------------------------------------------------------
# Exchange API secrets
# --------------------------------------------------------------------------------------------

# Labels that name a *secret*. A plain "API key" is deliberately absent: it is the public half
# of the pair, agents need it to find the key in the admin, and it cannot sign requests alone.
# The value follows an optional ":", "：", "=", "is", "是" or "为", possibly quoted (JSON, .env).
# Possessive quantifiers (*+, ++) keep whitespace runs from being re-split on a failed match.
_API_SECRET_RE: Final = re.compile(
    r"(?<![A-Za-z])"
    r"(?:api[\s_-]*secret(?:[\s_-]*key)?|secret[\s_-]*key|client[\s_-]*secret|secret"
    r"|pass[\s_-]*phrase|api[\s_-]*(?:密钥|秘钥)|密钥|秘钥)"
    r"(?![A-Za-z])[\"']?\s*+"
    r"(?:(?:is|was)\s++|[是为]\s*+)?"
    r"(?:[:=\uff1a]\s*+)?"
    r"[\"'\u201c\u2018]?"
    r"(?P<value>[A-Za-z0-9+/=_-]{16,})",
    re.IGNORECASE,
)


def _api_secret_spans(text: str, known_txids: frozenset[str]) -> list[_Span]:
    spans: list[_Span] = []
    for match in _API_SECRET_RE.finditer(text):
        if _normalize_hex(match["value"]) in known_txids:
            continue
        # Only the value is replaced; the label stays so the agent sees what was shared.
        spans.append(_Span(match.start("value"), match.end("value"), "api_secret"))
    return spans


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def _merge(spans: list[_Span]) -> list[_Span]:
    """Merge overlapping detections so that no fragment of a secret survives between them."""
    merged: list[_Span] = []
    for span in sorted(spans):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, span.kind, key=_KIND_ORDER.index)
            merged[-1] = _Span(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
    return merged


def redact_secrets(text: str, *, known_txids: Iterable[str] = ()) -> ShieldResult:
    """Replace recovery phrases, private keys and API secrets in ``text`` with placeholders.

    ``known_txids`` are transaction IDs the caller already knows belong to this conversation
    (for example the ticket's TXID field); a 64-hex value equal to one of them is never removed.
    """
    known = frozenset(_normalize_hex(txid) for txid in known_txids if isinstance(txid, str))
    spans = [
        *_english_seed_spans(text),
        *_chinese_seed_spans(text),
        *_hex_key_spans(text, known),
        *_wif_spans(text),
        *_xprv_spans(text),
        *_api_secret_spans(text, known),
    ]
    if not spans:
        return ShieldResult(text=text)
    parts: list[str] = []
    position = 0
    kinds: set[SecretKind] = set()
    for span in _merge(spans):
        parts.append(text[position : span.start])
        parts.append(_PLACEHOLDERS[span.kind])
        position = span.end
        kinds.add(span.kind)
    parts.append(text[position:])
    findings = tuple(kind for kind in _KIND_ORDER if kind in kinds)
    return ShieldResult(text="".join(parts), findings=findings)
