"""Per-chain format checks for the blockchain fields of a support ticket.

Customers paste transaction IDs and addresses into deposit/withdrawal tickets, and a wrong value
(a typo, a truncated copy, the ID from a different network) sends an agent on a long hunt through
block explorers. These helpers reject such values up front with a message the customer can act
on, and return a canonical form so that equal values compare equal in the database.

Everything here is pure Python: no database access, no Django settings needed at import time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final

import base58
from Crypto.Hash import keccak
from django.core.exceptions import ValidationError
from django.db import models

__all__ = [
    "EVM_CHAINS",
    "Chain",
    "normalize_address",
    "normalize_asset",
    "normalize_txid",
]


class Chain(models.TextChoices):
    """Networks the desk supports; the values are the codes used in the API and the database."""

    BTC = "BTC", "Bitcoin"
    ETH = "ETH", "Ethereum (ERC-20)"
    TRX = "TRX", "TRON (TRC-20)"
    BSC = "BSC", "BNB Smart Chain (BEP-20)"
    SOL = "SOL", "Solana"
    POLYGON = "POLYGON", "Polygon"
    ARB = "ARB", "Arbitrum One"


# These networks all run the Ethereum Virtual Machine, so they share one address and transaction
# hash format: an address valid on one is valid on all of them (which is exactly why customers
# can send funds over the wrong one).
EVM_CHAINS: Final[frozenset[Chain]] = frozenset({Chain.ETH, Chain.BSC, Chain.POLYGON, Chain.ARB})

# Explicit ASCII classes rather than \d or str.isdigit(): those also accept other Unicode digits.
_HEX64_RE: Final = re.compile(r"[0-9a-fA-F]{64}")
_EVM_TXID_RE: Final = re.compile(r"0[xX][0-9a-fA-F]{64}")
_EVM_ADDRESS_RE: Final = re.compile(r"0[xX](?P<body>[0-9a-fA-F]{40})")
# Bitcoin's base58 alphabet leaves out 0, O, I and l because they are easy to misread.
_BASE58_RE: Final = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_ASSET_RE: Final = re.compile(r"[A-Z0-9.]{2,15}")

# Characters that copy-paste from chat apps, PDFs and web pages tends to drag along at either end.
_ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff"

# Version bytes of base58check payloads (the first byte before the 20-byte hash).
_BTC_P2PKH_VERSION: Final = 0x00  # addresses starting with 1
_BTC_P2SH_VERSION: Final = 0x05  # addresses starting with 3
_TRON_VERSION: Final = 0x41  # 0x41 is what makes every TRON address start with "T"

_CHECKSUM_HINT: Final = (
    "its checksum does not match, so it probably contains a typo. "
    "Please copy and paste it again from your wallet or the block explorer."
)


def _label(chain: Chain) -> str:
    return str(chain.label)


def _article(label: str) -> str:
    """'an Ethereum', 'an Arbitrum One', but 'a TRON', 'a Bitcoin'."""
    return "an" if label[:1] in "AEIOU" else "a"


def _clean(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return value.strip().strip(_ZERO_WIDTH).strip()


def _resolve_chain(chain: str) -> Chain:
    try:
        return Chain(chain)
    except ValueError:
        supported = ", ".join(Chain.values)
        raise ValidationError(
            f"Unsupported network {str(chain)[:20]!r}. Supported networks: {supported}.",
            code="invalid_chain",
        ) from None


# --------------------------------------------------------------------------------------------
# Transaction IDs
# --------------------------------------------------------------------------------------------


def _txid_error(chain: Chain, expected: str) -> ValidationError:
    label = _label(chain)
    return ValidationError(
        f"This does not look like {_article(label)} {label} transaction ID: expected {expected}.",
        code="invalid_txid",
    )


def _hex_txid(chain: Chain, value: str) -> str:
    # Bitcoin and TRON display transaction IDs as bare 64-character hex (a 32-byte hash). Explorers
    # print them in lowercase, but hex is case-insensitive, so we fold to lowercase.
    if _HEX64_RE.fullmatch(value):
        return value.lower()
    if _EVM_TXID_RE.fullmatch(value):
        # 0x-prefixed hashes come from Ethereum-style networks: say so instead of silently
        # dropping the prefix, because the customer has probably picked the wrong network.
        raise _txid_error(
            chain,
            "64 hexadecimal characters without a 0x prefix (IDs starting with 0x belong to "
            "Ethereum-style networks; please check that you selected the right network)",
        )
    raise _txid_error(chain, "64 hexadecimal characters")


def _evm_txid(chain: Chain, value: str) -> str:
    # EVM transaction hashes are a 32-byte keccak hash shown as 0x + 64 hex digits.
    if _EVM_TXID_RE.fullmatch(value):
        return "0x" + value[2:].lower()
    raise _txid_error(chain, "0x followed by 64 hexadecimal characters")


def _solana_txid(chain: Chain, value: str) -> str:
    # A Solana transaction is identified by its first signature: 64 bytes (ed25519) in base58,
    # i.e. 64 to 88 characters. The length check before decoding keeps the (quadratic) base58
    # decoder away from huge inputs. base58 is case-sensitive, so there is nothing to fold.
    if (
        64 <= len(value) <= 88
        and _BASE58_RE.fullmatch(value)
        and len(base58.b58decode(value)) == 64
    ):
        return value
    raise _txid_error(chain, "a base58 transaction signature (usually 87 or 88 characters)")


_TXID_VALIDATORS: Final[dict[Chain, Callable[[Chain, str], str]]] = {
    Chain.BTC: _hex_txid,
    Chain.TRX: _hex_txid,
    Chain.SOL: _solana_txid,
    **{chain: _evm_txid for chain in EVM_CHAINS},
}


def normalize_txid(chain: str, txid: str) -> str:
    """Validate a transaction ID for ``chain`` and return its canonical form.

    Raises ``ValidationError`` (code ``invalid_chain`` or ``invalid_txid``).
    """
    resolved = _resolve_chain(chain)
    return _TXID_VALIDATORS[resolved](resolved, _clean(txid))


# --------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------


class _BadChecksumError(Exception):
    """The value has the right shape but its checksum fails: almost certainly a typo."""


class _BadFormatError(Exception):
    """The value does not have the shape of an address on this network."""


def _decode_base58check(value: str) -> bytes:
    try:
        return base58.b58decode_check(value)
    except ValueError:
        # b58decode_check raises ValueError("Invalid checksum") when the last 4 bytes are not
        # the double-SHA256 of the payload.
        raise _BadChecksumError from None


# Bech32 / bech32m (BIP-173, BIP-350) ---------------------------------------------------------

_BECH32_CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX: Final = {char: i for i, char in enumerate(_BECH32_CHARSET)}
_BECH32_GENERATOR: Final = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
# The checksum is a BCH code whose polymod over hrp+data must equal a constant: 1 for the original
# bech32 (witness v0) and 0x2BC830A3 for bech32m (witness v1+, e.g. Taproot). BIP-350 introduced
# bech32m because bech32 let some insertions of "q" next to a final "p" go undetected.
_BECH32_CONST: Final = 1
_BECH32M_CONST: Final = 0x2BC830A3
_BECH32_MAX_LENGTH: Final = 90


def _bech32_polymod(values: Sequence[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_BECH32_GENERATOR):
            if (top >> i) & 1:
                checksum ^= generator
    return checksum


def _bech32_hrp_expand(hrp: str) -> list[int]:
    # The human-readable part is mixed into the checksum so that an address for another network
    # (tb1..., ltc1...) cannot pass as a Bitcoin mainnet one.
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: Sequence[int], from_bits: int, to_bits: int) -> list[int] | None:
    """Regroup 5-bit words into bytes; None if the leftover padding is not all zero bits."""
    acc = 0
    bits = 0
    out: list[int] = []
    max_value = (1 << to_bits) - 1
    max_acc = (1 << (from_bits + to_bits - 1)) - 1
    for value in data:
        acc = ((acc << from_bits) | value) & max_acc
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & max_value)
    if bits >= from_bits or ((acc << (to_bits - bits)) & max_value):
        return None
    return out


def _segwit_address(value: str) -> str:
    """Validate a native segwit mainnet address (bc1...) and return it in lowercase."""
    # BIP-173: an address may be all lowercase or all uppercase (uppercase packs better into QR
    # codes), but never mixed case.
    if value != value.lower() and value != value.upper():
        raise _BadFormatError
    address = value.lower()
    if len(address) > _BECH32_MAX_LENGTH or not address.startswith("bc1"):
        raise _BadFormatError
    data_part = address[3:]
    if len(data_part) < 6 + 1 or any(c not in _BECH32_INDEX for c in data_part):
        raise _BadFormatError
    data = [_BECH32_INDEX[c] for c in data_part]
    const = _bech32_polymod(_bech32_hrp_expand("bc") + data)
    if const not in (_BECH32_CONST, _BECH32M_CONST):
        raise _BadChecksumError
    version, payload = data[0], data[1:-6]
    program = _convert_bits(payload, 5, 8)
    # Witness programs are 2 to 40 bytes; version 0 only defines 20 (P2WPKH) and 32 (P2WSH).
    if version > 16 or program is None or not 2 <= len(program) <= 40:
        raise _BadFormatError
    if version == 0 and len(program) not in (20, 32):
        raise _BadFormatError
    # BIP-350: v0 must use bech32 and v1+ must use bech32m. Using the other constant is what a
    # wallet predating BIP-350 would produce, so it is a checksum problem, not a format one.
    if (version == 0) != (const == _BECH32_CONST):
        raise _BadChecksumError
    return address


def _btc_address(value: str) -> str:
    lowered = value.lower()
    if lowered.startswith(("tb1", "bcrt1")):
        raise _BadFormatError
    if lowered.startswith("bc1"):
        return _segwit_address(value)
    # Legacy base58check: 1 version byte + 20-byte hash, 26 to 35 characters in practice.
    if value[:1] in ("1", "3") and 26 <= len(value) <= 35 and _BASE58_RE.fullmatch(value):
        payload = _decode_base58check(value)
        if len(payload) == 21 and payload[0] in (_BTC_P2PKH_VERSION, _BTC_P2SH_VERSION):
            return value
    raise _BadFormatError


def _eip55(body_lower: str) -> str:
    """EIP-55: uppercase each hex letter whose nibble in keccak256(lowercase address) is >= 8."""
    digest = keccak.new(digest_bits=256, data=body_lower.encode("ascii")).hexdigest()
    return "0x" + "".join(
        char.upper() if int(nibble, 16) >= 8 else char
        for char, nibble in zip(body_lower, digest, strict=False)
    )


def _evm_address(value: str) -> str:
    match = _EVM_ADDRESS_RE.fullmatch(value)
    if match is None:
        raise _BadFormatError
    body = match["body"]
    checksummed = _eip55(body.lower())
    # All-lowercase and all-uppercase addresses carry no checksum (EIP-55 is backwards-compatible
    # with them), so only a mixed-case address can be checked; for it a mismatch means one of the
    # characters was mistyped.
    if body not in (body.lower(), body.upper()) and "0x" + body != checksummed:
        raise _BadChecksumError
    # Canonical form is the EIP-55 checksummed spelling, as block explorers and wallets show it:
    # every input spelling of the same address maps to the same string.
    return checksummed


def _tron_address(value: str) -> str:
    # TRON uses Bitcoin-style base58check over 0x41 + 20-byte hash, which always gives 34
    # characters starting with "T".
    if len(value) == 34 and value.startswith("T") and _BASE58_RE.fullmatch(value):
        payload = _decode_base58check(value)
        if len(payload) == 21 and payload[0] == _TRON_VERSION:
            return value
    raise _BadFormatError


def _solana_address(value: str) -> str:
    # A Solana address is a raw 32-byte ed25519 public key in base58 (no checksum), which is 32 to
    # 44 characters long.
    if (
        32 <= len(value) <= 44
        and _BASE58_RE.fullmatch(value)
        and len(base58.b58decode(value)) == 32
    ):
        return value
    raise _BadFormatError


_ADDRESS_VALIDATORS: Final[dict[Chain, Callable[[str], str]]] = {
    Chain.BTC: _btc_address,
    Chain.TRX: _tron_address,
    Chain.SOL: _solana_address,
    **{chain: _evm_address for chain in EVM_CHAINS},
}

_ADDRESS_EXPECTED: Final[dict[Chain, str]] = {
    Chain.BTC: "an address starting with 1, 3 or bc1",
    Chain.TRX: "34 characters starting with T",
    Chain.SOL: "a base58 address of 32 to 44 characters",
    **{chain: "0x followed by 40 hexadecimal characters" for chain in EVM_CHAINS},
}

# One representative per address family, used to tell a customer which network a value they
# entered for another network actually belongs to (the classic "sent USDT over the wrong chain").
_ADDRESS_FAMILIES: Final[tuple[tuple[Chain, str], ...]] = (
    (Chain.BTC, "a Bitcoin"),
    (Chain.ETH, "an Ethereum-style (ERC-20, BEP-20, Polygon or Arbitrum)"),
    (Chain.TRX, "a TRON (TRC-20)"),
    (Chain.SOL, "a Solana"),
)


def _family(chain: Chain) -> Chain:
    return Chain.ETH if chain in EVM_CHAINS else chain


def _other_network_hint(chain: Chain, value: str) -> str:
    for family, description in _ADDRESS_FAMILIES:
        if family == _family(chain):
            continue
        try:
            _ADDRESS_VALIDATORS[family](value)
        except (_BadFormatError, _BadChecksumError):
            continue
        return (
            f" It looks like {description} address instead, so please check that you selected "
            "the right network."
        )
    return ""


def normalize_address(chain: str, address: str) -> str:
    """Validate a wallet address for ``chain`` and return its canonical form.

    Canonical forms: BTC bech32 lowercase, EVM EIP-55 checksummed, base58 values unchanged
    (base58 is case-sensitive). Raises ``ValidationError`` (``invalid_chain``/``invalid_address``).
    """
    resolved = _resolve_chain(chain)
    value = _clean(address)
    label = _label(resolved)
    try:
        return _ADDRESS_VALIDATORS[resolved](value)
    except _BadChecksumError:
        message = f"This {label} address is not valid: {_CHECKSUM_HINT}"
    except _BadFormatError:
        message = (
            f"This does not look like {_article(label)} {label} address: expected "
            f"{_ADDRESS_EXPECTED[resolved]}."
        )
        if resolved == Chain.BTC and value.lower().startswith(("tb1", "bcrt1")):
            message += " Testnet addresses cannot receive real bitcoin."
        message += _other_network_hint(resolved, value)
    raise ValidationError(message, code="invalid_address")


# --------------------------------------------------------------------------------------------
# Assets
# --------------------------------------------------------------------------------------------


def normalize_asset(asset: str) -> str:
    """Validate a coin ticker (USDT, BTC, 1INCH, ...) and return it in uppercase.

    Raises ``ValidationError`` (code ``invalid_asset``).
    """
    value = _clean(asset)
    # Check for ASCII *before* uppercasing: str.upper() maps some non-ASCII letters onto ASCII
    # ("ı".upper() == "I", "ﬁ".upper() == "FI"), which would let look-alike tickers through.
    if value.isascii() and _ASSET_RE.fullmatch(value.upper()):
        return value.upper()
    raise ValidationError(
        "Please enter a coin ticker such as USDT or BTC: 2 to 15 letters, digits or dots.",
        code="invalid_asset",
    )
