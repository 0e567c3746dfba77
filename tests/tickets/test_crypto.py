"""Tests for tickets.crypto: per-chain transaction ID, address and asset checks."""

from __future__ import annotations

from collections.abc import Callable

import base58
import pytest
from django.core.exceptions import ValidationError

from tickets.crypto import Chain, normalize_address, normalize_asset, normalize_txid

# Coinbase transaction of the Bitcoin genesis block.
GENESIS_COINBASE_TXID = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
# First transaction on Ethereum mainnet (block 46147).
ETH_TXID = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
# A Solana signature is 64 bytes; any 64 bytes have the right shape.
SOL_SIGNATURE = base58.b58encode(bytes(range(64))).decode()

SATOSHI_ADDRESS = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
P2SH_ADDRESS = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
# BIP-173 / BIP-350 test vectors.
BIP173_P2WPKH = "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"
BIP173_P2WSH = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"
BIP350_P2TR = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
# EIP-55 test vector.
EIP55_ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
# USDT's TRC-20 contract.
USDT_TRC20_ADDRESS = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
# USDC's SPL mint, and the System Program (32 zero bytes).
USDC_SOL_MINT = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
SOL_SYSTEM_PROGRAM = "11111111111111111111111111111111"

EVM_CHAINS = [Chain.ETH, Chain.BSC, Chain.POLYGON, Chain.ARB]


def _message(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# --------------------------------------------------------------------------------------------
# Chains
# --------------------------------------------------------------------------------------------


def test_chain_codes_are_the_api_codes() -> None:
    assert Chain.values == ["BTC", "ETH", "TRX", "BSC", "SOL", "POLYGON", "ARB"]


@pytest.mark.parametrize("chain", ["DOGE", "eth", "", "Bitcoin"])
def test_unknown_chain_is_rejected_listing_supported_codes(chain: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_txid(chain, GENESIS_COINBASE_TXID)
    assert exc.value.code == "invalid_chain"
    assert "BTC, ETH, TRX, BSC, SOL, POLYGON, ARB" in _message(exc)


def test_unknown_chain_is_rejected_for_addresses_too() -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("LTC", SATOSHI_ADDRESS)
    assert exc.value.code == "invalid_chain"


def test_chain_enum_member_is_accepted() -> None:
    assert normalize_txid(Chain.BTC, GENESIS_COINBASE_TXID) == GENESIS_COINBASE_TXID


# --------------------------------------------------------------------------------------------
# Transaction IDs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chain", [Chain.BTC, Chain.TRX])
def test_hex_txid_is_canonical_lowercase(chain: Chain) -> None:
    assert normalize_txid(chain, GENESIS_COINBASE_TXID.upper()) == GENESIS_COINBASE_TXID


def test_txid_surrounding_whitespace_and_zero_width_chars_are_stripped() -> None:
    pasted = f" \t{GENESIS_COINBASE_TXID}\u200b\n"
    assert normalize_txid("BTC", pasted) == GENESIS_COINBASE_TXID


@pytest.mark.parametrize("chain", EVM_CHAINS)
def test_evm_txid_accepted_on_every_evm_chain(chain: Chain) -> None:
    assert normalize_txid(chain, ETH_TXID) == ETH_TXID


def test_evm_txid_is_canonical_lowercase() -> None:
    assert normalize_txid("ETH", "0X" + ETH_TXID[2:].upper()) == ETH_TXID


def test_solana_signature_is_returned_unchanged() -> None:
    assert normalize_txid("SOL", SOL_SIGNATURE) == SOL_SIGNATURE


@pytest.mark.parametrize(
    ("chain", "txid"),
    [
        pytest.param("BTC", GENESIS_COINBASE_TXID[:-1], id="btc-63-chars"),
        pytest.param("BTC", GENESIS_COINBASE_TXID + "a", id="btc-65-chars"),
        pytest.param("BTC", GENESIS_COINBASE_TXID[:-1] + "g", id="btc-non-hex"),
        pytest.param("BTC", "0x" + GENESIS_COINBASE_TXID, id="btc-with-0x"),
        pytest.param("BTC", SOL_SIGNATURE, id="btc-given-solana-signature"),
        pytest.param("BTC", "", id="btc-empty"),
        pytest.param("TRX", ETH_TXID, id="trx-given-evm-hash"),
        pytest.param("TRX", GENESIS_COINBASE_TXID[:32], id="trx-truncated"),
        pytest.param("ETH", ETH_TXID[2:], id="eth-without-0x"),
        pytest.param("ETH", ETH_TXID[:-1], id="eth-63-hex"),
        pytest.param("BSC", ETH_TXID[:-1] + "z", id="bsc-non-hex"),
        pytest.param("POLYGON", SOL_SIGNATURE, id="polygon-given-solana-signature"),
        pytest.param("SOL", GENESIS_COINBASE_TXID, id="sol-given-hex"),
        pytest.param("SOL", base58.b58encode(bytes(range(1, 64))).decode(), id="sol-63-bytes"),
        pytest.param("SOL", base58.b58encode(bytes(range(1, 66))).decode(), id="sol-65-bytes"),
        pytest.param("SOL", SOL_SIGNATURE[:-1] + "0", id="sol-non-base58-char"),
    ],
)
def test_malformed_txid_is_rejected(chain: str, txid: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_txid(chain, txid)
    assert exc.value.code == "invalid_txid"


def test_txid_error_message_names_network_and_expected_format() -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_txid("TRX", "abc")
    assert _message(exc) == (
        "This does not look like a TRON (TRC-20) transaction ID: "
        "expected 64 hexadecimal characters."
    )


def test_txid_error_message_uses_an_before_vowel() -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_txid("ETH", "abc")
    assert _message(exc).startswith("This does not look like an Ethereum (ERC-20) transaction ID")


def test_0x_hash_on_bitcoin_points_to_wrong_network() -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_txid("BTC", ETH_TXID)
    assert "without a 0x prefix" in _message(exc)
    assert "right network" in _message(exc)


# --------------------------------------------------------------------------------------------
# Bitcoin addresses
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        pytest.param(SATOSHI_ADDRESS, SATOSHI_ADDRESS, id="p2pkh"),
        pytest.param(P2SH_ADDRESS, P2SH_ADDRESS, id="p2sh"),
        pytest.param(BIP173_P2WPKH, BIP173_P2WPKH.lower(), id="p2wpkh-uppercase"),
        pytest.param(BIP173_P2WPKH.lower(), BIP173_P2WPKH.lower(), id="p2wpkh-lowercase"),
        pytest.param(BIP173_P2WSH, BIP173_P2WSH, id="p2wsh"),
        pytest.param(BIP350_P2TR, BIP350_P2TR, id="taproot-bech32m"),
        pytest.param(f"  {SATOSHI_ADDRESS}\n", SATOSHI_ADDRESS, id="surrounding-whitespace"),
    ],
)
def test_valid_bitcoin_address(address: str, expected: str) -> None:
    assert normalize_address("BTC", address) == expected


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", id="p2pkh-last-char"),
        pytest.param("1A1zP1eP5QGefi2DMPTfTL5SLmv7DjvfNa", id="p2pkh-middle-char"),
        pytest.param("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", id="p2sh-last-char"),
        pytest.param("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", id="bech32-last-char"),
        pytest.param("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3q4", id="bech32-middle-char"),
        # BIP-350 invalid vectors: v1+ with a bech32 checksum, v0 with a bech32m checksum.
        pytest.param(
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", id="v1-bech32"
        ),
        pytest.param("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", id="v0-bech32m"),
    ],
)
def test_bitcoin_address_typo_fails_checksum(address: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("BTC", address)
    assert exc.value.code == "invalid_address"
    assert "checksum does not match" in _message(exc)


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3T4", id="bech32-mixed-case"),
        pytest.param("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3b4", id="bech32-char-not-in-set"),
        pytest.param(SATOSHI_ADDRESS[:20], id="p2pkh-truncated"),
        pytest.param("2A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", id="unknown-prefix"),
        pytest.param("", id="empty"),
        pytest.param(EIP55_ADDRESS, id="evm-address"),
        pytest.param(USDT_TRC20_ADDRESS, id="tron-address"),
    ],
)
def test_malformed_bitcoin_address_is_rejected(address: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("BTC", address)
    assert exc.value.code == "invalid_address"
    assert "does not look like a Bitcoin address" in _message(exc)


def test_bitcoin_testnet_address_is_rejected_with_explanation() -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("BTC", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx")
    assert "Testnet" in _message(exc)


# --------------------------------------------------------------------------------------------
# EVM addresses
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        EIP55_ADDRESS,
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ],
)
def test_eip55_checksummed_address_is_returned_unchanged(address: str) -> None:
    assert normalize_address("ETH", address) == address


@pytest.mark.parametrize("spelling", [str.lower, str.upper], ids=["lowercase", "uppercase"])
def test_single_case_evm_address_is_accepted_and_checksummed(
    spelling: Callable[[str], str],
) -> None:
    address = "0x" + spelling(EIP55_ADDRESS[2:])
    assert normalize_address("ETH", address) == EIP55_ADDRESS


@pytest.mark.parametrize("chain", EVM_CHAINS)
def test_evm_address_accepted_on_every_evm_chain(chain: Chain) -> None:
    assert normalize_address(chain, EIP55_ADDRESS) == EIP55_ADDRESS


def test_evm_address_with_wrong_capitalisation_fails_checksum() -> None:
    typo = EIP55_ADDRESS[:-1] + "D"  # ...BeAed -> ...BeAeD
    with pytest.raises(ValidationError) as exc:
        normalize_address("ETH", typo)
    assert exc.value.code == "invalid_address"
    assert "checksum does not match" in _message(exc)
    assert "typo" in _message(exc)


def test_evm_address_with_mistyped_digit_fails_checksum() -> None:
    typo = EIP55_ADDRESS.replace("6053", "6054")
    with pytest.raises(ValidationError) as exc:
        normalize_address("BSC", typo)
    assert "checksum does not match" in _message(exc)


@pytest.mark.parametrize(
    "address",
    [
        pytest.param(EIP55_ADDRESS[:-1], id="39-hex"),
        pytest.param(EIP55_ADDRESS + "a", id="41-hex"),
        pytest.param(EIP55_ADDRESS[2:], id="missing-0x"),
        pytest.param(EIP55_ADDRESS[:-1] + "g", id="non-hex"),
        pytest.param(ETH_TXID, id="transaction-hash"),
        pytest.param(SATOSHI_ADDRESS, id="bitcoin-address"),
    ],
)
def test_malformed_evm_address_is_rejected(address: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("ETH", address)
    assert exc.value.code == "invalid_address"


def test_tron_address_on_evm_network_points_to_wrong_network() -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("BSC", USDT_TRC20_ADDRESS)
    message = _message(exc)
    assert message.startswith("This does not look like a BNB Smart Chain (BEP-20) address")
    assert "TRON" in message
    assert "right network" in message


# --------------------------------------------------------------------------------------------
# TRON addresses
# --------------------------------------------------------------------------------------------


def test_tron_address_is_returned_unchanged() -> None:
    assert normalize_address("TRX", USDT_TRC20_ADDRESS) == USDT_TRC20_ADDRESS


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T", id="last-char-case"),
        pytest.param("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj7t", id="one-char"),
        pytest.param("TR7NHqjeKQxGTCi8q8ZEpxWKmuRNRWVJ2W", id="garbled-tail"),
    ],
)
def test_tron_address_typo_fails_checksum(address: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("TRX", address)
    assert exc.value.code == "invalid_address"
    assert "checksum does not match" in _message(exc)


@pytest.mark.parametrize(
    "address",
    [
        pytest.param(USDT_TRC20_ADDRESS[:-1], id="33-chars"),
        pytest.param(USDT_TRC20_ADDRESS + "a", id="35-chars"),
        pytest.param("A" + USDT_TRC20_ADDRESS[1:], id="not-starting-with-T"),
        pytest.param(USDT_TRC20_ADDRESS[:-1] + "0", id="non-base58-char"),
        pytest.param(
            # Valid base58check, 34 characters, starts with T, but not the 0x41 version byte.
            base58.b58encode_check(b"\x42" + bytes(20)).decode(),
            id="wrong-version-byte",
        ),
    ],
)
def test_malformed_tron_address_is_rejected(address: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("TRX", address)
    assert exc.value.code == "invalid_address"
    assert "expected 34 characters starting with T" in _message(exc)


def test_evm_address_on_tron_points_to_wrong_network() -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("TRX", EIP55_ADDRESS)
    assert "Ethereum-style" in _message(exc)


# --------------------------------------------------------------------------------------------
# Solana addresses
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [USDC_SOL_MINT, SOL_SYSTEM_PROGRAM])
def test_solana_address_is_returned_unchanged(address: str) -> None:
    assert normalize_address("SOL", address) == address


@pytest.mark.parametrize(
    "address",
    [
        pytest.param(base58.b58encode(b"\x01" * 31).decode(), id="31-bytes"),
        pytest.param(base58.b58encode(b"\x01" * 33).decode(), id="33-bytes"),
        pytest.param(USDC_SOL_MINT[:-1] + "0", id="non-base58-char"),
        pytest.param(USDC_SOL_MINT[:-1] + "l", id="lowercase-L"),
        pytest.param(SOL_SIGNATURE, id="transaction-signature"),
        pytest.param(EIP55_ADDRESS, id="evm-address"),
    ],
)
def test_malformed_solana_address_is_rejected(address: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("SOL", address)
    assert exc.value.code == "invalid_address"


def test_bitcoin_address_on_solana_points_to_wrong_network() -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_address("SOL", SATOSHI_ADDRESS)
    assert "Bitcoin" in _message(exc)


# --------------------------------------------------------------------------------------------
# Assets
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asset", "expected"),
    [
        ("USDT", "USDT"),
        ("usdt", "USDT"),
        (" btc\n", "BTC"),
        ("1inch", "1INCH"),
        ("USDC.E", "USDC.E"),
        ("OP", "OP"),
        ("A" * 15, "A" * 15),
    ],
)
def test_valid_asset_is_uppercased(asset: str, expected: str) -> None:
    assert normalize_asset(asset) == expected


@pytest.mark.parametrize(
    "asset",
    [
        pytest.param("U", id="too-short"),
        pytest.param("A" * 16, id="too-long"),
        pytest.param("US DT", id="inner-space"),
        pytest.param("USDT!", id="punctuation"),
        pytest.param("USDT-TRC20", id="hyphen"),
        pytest.param("", id="empty"),
        pytest.param("usd\u0131", id="dotless-i-uppercases-to-ascii"),
        pytest.param("\ufb01l", id="fi-ligature-uppercases-to-ascii"),
        pytest.param("ＵＳＤＴ", id="fullwidth"),
    ],
)
def test_invalid_asset_is_rejected(asset: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_asset(asset)
    assert exc.value.code == "invalid_asset"
