"""The wallet's keys: BIP39 seed words, BIP32 derivation, and the one BCD account.

* **Seed words**: BIP39, English word list (from the ``mnemonic`` package, the reference
  implementation), 12 words for a new wallet (24 on request); a restore takes 12, 15, 18, 21 or
  24 words and checks each word and the checksum. No BIP39 passphrase ("25th word"): the seed is
  ``PBKDF2-HMAC-SHA512(words, "mnemonic", 2048)``, as every BIP39 wallet computes it.
* **Derivation**: BIP32 from that seed, path ``m/44'/999'/0'/0/0`` (BIP44: purpose 44, coin
  type 999 = Bitcoin Diamond in SLIP-44, account 0, external chain, index 0).
* **Account**: that key on secp256k1, its 33-byte compressed public key, and its BCD address
  (P2PKH, version byte 0: it looks exactly like a Bitcoin address).

Secret-holding objects (``SeedWords``, ``ExtendedKey``, ``Account``) never show their secret in
``repr``/``str``/f-strings and refuse to be pickled; the secret comes out only through the
explicitly named ``reveal()`` (words) and ``xprv()`` (for tests against the BIP32 vectors).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import NoReturn

from coincurve import PrivateKey
from mnemonic import Mnemonic

from appstore.core.wallet.address import b58check_encode, hash160, p2pkh_address
from appstore.core.wallet.errors import BadWords, WalletError
from appstore.core.wallet.signing import sign_request

NEW_WORD_COUNTS = (12, 24)
RESTORE_WORD_COUNTS = (12, 15, 18, 21, 24)
HARDENED = 0x80000000
BCD_COIN_TYPE = 999  # SLIP-44: 999 / 0x800003e7 / BCD / Bitcoin Diamond
BCD_PATH = "m/44'/999'/0'/0/0"
XPRV_VERSION = bytes.fromhex("0488ade4")
XPUB_VERSION = bytes.fromhex("0488b21e")
LANGUAGE = "english"


@functools.cache
def _mnemo() -> Mnemonic:
    return Mnemonic(LANGUAGE)


@functools.cache
def wordlist() -> tuple[str, ...]:
    """The 2048 words of the BIP39 English list."""
    return tuple(_mnemo().wordlist)


@functools.cache
def _wordset() -> frozenset[str]:
    return frozenset(wordlist())


class _Secret:
    """A value that never shows itself and is never pickled."""

    __slots__ = ()

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} holds a secret and is not pickled")

    def __str__(self) -> str:
        return repr(self)

    def __format__(self, spec: str) -> str:
        return repr(self)


class SeedWords(_Secret):
    """BIP39 seed words, checked. Shows as ``SeedWords(12 words)``; ``reveal()`` gives them."""

    __slots__ = ("_phrase",)

    def __init__(self, phrase: str) -> None:
        """Prefer ``parse_words`` (which checks) or ``new_words``."""
        self._phrase = phrase

    def reveal(self) -> str:
        """The words, space-separated: for the backup screen only."""
        return self._phrase

    def words(self) -> list[str]:
        return self._phrase.split(" ")

    def __len__(self) -> int:
        return self._phrase.count(" ") + 1

    def seed(self, passphrase: str = "") -> bytes:
        """The 64-byte BIP39 seed (the wallet uses no passphrase)."""
        return Mnemonic.to_seed(self._phrase, passphrase)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SeedWords):
            return NotImplemented
        return hmac.compare_digest(self._phrase.encode(), other._phrase.encode())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SeedWords({len(self)} words)"


def new_words(count: int = 12) -> SeedWords:
    """Fresh seed words from the OS's random source: 12 (128 bits) or 24 (256 bits)."""
    if count not in NEW_WORD_COUNTS:
        raise ValueError(f"a new wallet has 12 or 24 words, not {count!r}")
    return SeedWords(_mnemo().generate(strength=count * 32 // 3))


def parse_words(text: str) -> SeedWords:
    """Seed words typed or pasted by the user, checked; ``BadWords`` says what is wrong.

    Case, extra spaces and line breaks do not matter. A word that is not in the list is named
    by its position (the first one; the message counts the others) with close words from the list
    in ``err.suggestions``; if every word is in the list, a wrong count or checksum is said so.
    """
    words = unicodedata.normalize("NFKD", text).lower().split() if isinstance(text, str) else []
    if not words:
        raise BadWords("type or paste your seed words (12 or 24 words)", reason="empty")
    unknown = [i for i, w in enumerate(words, 1) if w not in _wordset()]
    if unknown:
        first = unknown[0]
        more = f" (and {len(unknown) - 1} more {'word' if len(unknown) == 2 else 'words'})" \
            if len(unknown) > 1 else ""
        raise BadWords(f"word {first} is not in the BIP39 English word list{more}",
                       reason="unknown-word", position=first, suggestions=suggest(words[first - 1]))
    if len(words) not in RESTORE_WORD_COUNTS:
        raise BadWords(f"seed words come as 12, 15, 18, 21 or 24 words; these are {len(words)}",
                       reason="count")
    phrase = " ".join(words)
    if not _mnemo().check(phrase):
        raise BadWords("every word is in the list, but the checksum does not match: a word is "
                       "wrong or two are swapped; check them against your backup", reason="checksum")
    return SeedWords(phrase)


def suggest(word: str, n: int = 4) -> tuple[str, ...]:
    """Up to ``n`` words of the list close to ``word``: those with its first four letters (which
    identify a BIP39 word), then the closest by spelling."""
    w = word.lower()
    found = [c for c in wordlist() if len(w) >= 3 and c.startswith(w[:4])][:n]
    for c in difflib.get_close_matches(w, wordlist(), n=n, cutoff=0.6):
        if c not in found:
            found.append(c)
    return tuple(found[:n])


# -- BIP32 ---------------------------------------------------------------------------------

def parse_path(path: str) -> tuple[int, ...]:
    """``m/44'/999'/0'/0/0`` (``h`` or ``H`` also mark a hardened index) as child numbers."""
    parts = path.split("/") if isinstance(path, str) else []
    if not parts or parts[0] != "m":
        raise ValueError(f"a derivation path starts with m/, not {path!r:.40}")
    out = []
    for p in parts[1:]:
        m = re.fullmatch(r"([0-9]{1,10})(['hH]?)", p)
        if not m or int(m[1]) >= HARDENED:
            raise ValueError(f"{p!r:.20} is not a child index in a derivation path")
        out.append(int(m[1]) + (HARDENED if m[2] else 0))
    return tuple(out)


class ExtendedKey(_Secret):
    """A BIP32 extended private key (secp256k1)."""

    __slots__ = ("_key", "chain_code", "depth", "parent_fingerprint", "child_number")

    def __init__(self, key: PrivateKey, chain_code: bytes, depth: int = 0,
                 parent_fingerprint: bytes = b"\0\0\0\0", child_number: int = 0) -> None:
        self._key = key
        self.chain_code = chain_code
        self.depth = depth
        self.parent_fingerprint = parent_fingerprint
        self.child_number = child_number

    @classmethod
    def from_seed(cls, seed: bytes) -> ExtendedKey:
        """The master key of a BIP32 seed (16 to 64 bytes)."""
        if not 16 <= len(seed) <= 64:
            raise ValueError("a BIP32 seed has 16 to 64 bytes")
        i = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
        try:
            key = PrivateKey(i[:32])
        except ValueError:  # probability below 2**-127
            raise WalletError("this seed gives no valid master key: make a new wallet") from None
        return cls(key, i[32:])

    @property
    def public_key(self) -> bytes:
        """The 33-byte compressed public key."""
        return self._key.public_key.format(compressed=True)

    @property
    def fingerprint(self) -> bytes:
        return hash160(self.public_key)[:4]

    def child(self, index: int) -> ExtendedKey:
        """CKDpriv: the child at ``index`` (``HARDENED`` + i for a hardened one)."""
        if not 0 <= index < 2 ** 32:
            raise ValueError("a child index is from 0 to 2**32 - 1")
        if index >= HARDENED:
            data = b"\0" + self._key.secret + index.to_bytes(4, "big")
        else:
            data = self.public_key + index.to_bytes(4, "big")
        i = hmac.new(self.chain_code, data, hashlib.sha512).digest()
        try:
            key = self._key.add(i[:32])  # (IL + k) mod n; refuses IL >= n and a zero result
        except ValueError:  # probability below 2**-127
            raise WalletError(f"child {index} of this key is invalid (BIP32): use the next one") from None
        return ExtendedKey(key, i[32:], self.depth + 1, self.fingerprint, index)

    def derive(self, path: str | Sequence[int]) -> ExtendedKey:
        key = self
        for index in parse_path(path) if isinstance(path, str) else path:
            key = key.child(index)
        return key

    def _serialize(self, version: bytes, key_data: bytes) -> str:
        if self.depth > 255:
            raise ValueError("a serialized BIP32 key is at most 255 levels deep")
        return b58check_encode(version + bytes([self.depth]) + self.parent_fingerprint
                               + self.child_number.to_bytes(4, "big") + self.chain_code + key_data)

    def xpub(self) -> str:
        return self._serialize(XPUB_VERSION, self.public_key)

    def xprv(self) -> str:
        """The extended private key (secret: for tests against the BIP32 vectors)."""
        return self._serialize(XPRV_VERSION, b"\0" + self._key.secret)

    def __repr__(self) -> str:
        return f"ExtendedKey(depth={self.depth}, fingerprint={self.fingerprint.hex()}, private)"


class Account(_Secret):
    """The wallet's account: a secp256k1 key, its compressed public key and its BCD address.

    ``account.sign(purpose, payload)`` signs a request (see ``signing``)."""

    __slots__ = ("_key", "public_key", "address", "path")

    def __init__(self, key: PrivateKey, path: str = "") -> None:
        self._key = key
        self.public_key: bytes = key.public_key.format(compressed=True)
        self.address: str = p2pkh_address(self.public_key)
        self.path = path

    @classmethod
    def from_words(cls, words: SeedWords, path: str = BCD_PATH) -> Account:
        """The account of seed words: BIP39 seed (no passphrase), BIP32 ``path``."""
        ext = ExtendedKey.from_seed(words.seed()).derive(path)
        return cls(ext._key, path)

    @classmethod
    def from_private_key(cls, secret: bytes) -> Account:
        """An account from a raw 32-byte private key (tests, and a service's test keys)."""
        try:
            return cls(PrivateKey(secret))
        except (ValueError, TypeError):
            raise WalletError("not a secp256k1 private key") from None

    def sign(self, purpose: str, payload: Mapping[str, object]) -> bytes:
        """The 64-byte compact, low-S signature of ``payload`` under ``purpose``."""
        return sign_request(self._key, purpose, payload)

    def seal_key(self) -> bytes:
        """A secret of this account for sealing the ledger's checked state (docs/ledger.md):
        HMAC-SHA256 of the private key over a fixed label; it reveals nothing of the key."""
        return hmac.new(self._key.secret, b"imapp-ledger-seal-key-v1", hashlib.sha256).digest()

    def __repr__(self) -> str:
        return f"Account({self.address})"
