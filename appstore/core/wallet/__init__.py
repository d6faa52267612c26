"""The wallet: seed words, keys, the BCD account, signed requests and amounts (docs/wallet.md).

* ``keys``: BIP39 seed words (``new_words``, ``parse_words``), BIP32 (``ExtendedKey``), and the
  account at ``m/44'/999'/0'/0/0`` (``Account``: address, public key, ``sign``).
* ``address``: Base58Check P2PKH addresses (version byte 0: they look exactly like Bitcoin's).
* ``signing``: the domain-separated request format and its verification.
* ``seedstore``: where the words are kept (the OS keyring, or a passphrase-protected file).
* ``amounts``: amounts typed by people and scripts, parsed and formatted in one place.

Importing the package (or its ledger) loads neither secp256k1, BIP39 nor the keyring: the names
below that need them load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from appstore.core.lazy import lazy_names
from appstore.core.wallet.amounts import BCD_DECIMALS, format_amount, max_units, parse_amount
from appstore.core.wallet.errors import (
    AmountError,
    BadAddress,
    BadWords,
    NoWallet,
    SigningError,
    WalletCorrupt,
    WalletError,
    WalletExists,
    WalletLocked,
    WrongPassphrase,
)

if TYPE_CHECKING:
    from appstore.core.wallet.address import LOOKALIKE_NOTE, decode_address, is_address, p2pkh_address
    from appstore.core.wallet.keys import BCD_PATH, Account, ExtendedKey, SeedWords, new_words, parse_words
    from appstore.core.wallet.seedstore import (
        ENV_PASSPHRASE,
        KdfParams,
        PassphraseRequest,
        SeedStore,
        WalletStatus,
        wallet_dir,
    )
    from appstore.core.wallet.signing import (
        dapp_message_purpose,
        decode_signature,
        encode_signature,
        ia_request_purpose,
        verify_request,
        verify_signed_by,
    )

_LAZY = {
    "LOOKALIKE_NOTE": "address", "decode_address": "address", "is_address": "address",
    "p2pkh_address": "address",
    "BCD_PATH": "keys", "Account": "keys", "ExtendedKey": "keys", "SeedWords": "keys",
    "new_words": "keys", "parse_words": "keys",
    "ENV_PASSPHRASE": "seedstore", "KdfParams": "seedstore", "PassphraseRequest": "seedstore",
    "SeedStore": "seedstore", "WalletStatus": "seedstore", "wallet_dir": "seedstore",
    "dapp_message_purpose": "signing", "decode_signature": "signing", "encode_signature": "signing",
    "ia_request_purpose": "signing", "verify_request": "signing", "verify_signed_by": "signing",
}


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = [
    "BCD_DECIMALS", "BCD_PATH", "ENV_PASSPHRASE", "LOOKALIKE_NOTE",
    "Account", "AmountError", "BadAddress", "BadWords", "ExtendedKey", "KdfParams", "NoWallet",
    "PassphraseRequest", "SeedStore", "SeedWords", "SigningError", "WalletCorrupt", "WalletError",
    "WalletExists", "WalletLocked", "WalletStatus", "WrongPassphrase",
    "dapp_message_purpose", "decode_address", "decode_signature", "encode_signature", "format_amount",
    "ia_request_purpose", "is_address", "max_units", "new_words", "p2pkh_address", "parse_amount",
    "parse_words", "verify_request", "verify_signed_by", "wallet_dir",
]
