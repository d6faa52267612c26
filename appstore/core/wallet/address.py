"""BCD addresses: Base58Check over HASH160 of a public key (P2PKH, version byte 0).

Bitcoin Diamond kept Bitcoin's address formats: P2PKH ``1…`` (version 0) and P2SH ``3…``
(version 5). **A BCD address looks exactly like a Bitcoin address**; nothing in it says which
coin it is for, so every place that shows or takes one says so (``LOOKALIKE_NOTE``).
"""

from __future__ import annotations

import hashlib
import struct

from appstore.core.errors import shorten
from appstore.core.wallet.errors import BadAddress

P2PKH_VERSION = 0
P2SH_VERSION = 5
LOOKALIKE_NOTE = ("A BCD address looks exactly like a Bitcoin (BTC) address: check that whoever sends "
                  "to it, or receives from it, means BCD.")

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin's alphabet); each leading zero byte becomes a leading ``1``."""
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(ALPHABET[r])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """The bytes of Base58 ``text``; ``ValueError`` for a character outside the alphabet."""
    n = 0
    for c in text:
        i = _INDEX.get(c)
        if i is None:
            raise ValueError(f"{c!r} is not a Base58 character")
        n = n * 58 + i
    zeros = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * zeros + body


def checksum(payload: bytes) -> bytes:
    """The first 4 bytes of SHA-256(SHA-256(payload))."""
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def b58check_encode(payload: bytes) -> str:
    return b58encode(payload + checksum(payload))


def b58check_decode(text: str) -> bytes:
    """The payload of Base58Check ``text``; ``ValueError`` if it is not Base58 or its checksum
    does not match."""
    raw = b58decode(text)
    if len(raw) < 4 or checksum(raw[:-4]) != raw[-4:]:
        raise ValueError("the Base58Check checksum does not match")
    return raw[:-4]


def hash160(data: bytes) -> bytes:
    """RIPEMD-160(SHA-256(data)). (Some OpenSSL 3.0 builds have no RIPEMD-160 in hashlib: then
    the pure-Python one below, checked against hashlib and the published vectors in tests.)"""
    inner = hashlib.sha256(data).digest()
    try:
        return hashlib.new("ripemd160", inner).digest()
    except ValueError:
        return ripemd160(inner)


def p2pkh_address(public_key: bytes, version: int = P2PKH_VERSION) -> str:
    """The P2PKH address of an SEC1 public key (33 bytes compressed, which is what the wallet
    uses, or 65 bytes uncompressed: a different address for the same key)."""
    if len(public_key) not in (33, 65) or public_key[0] not in ((2, 3) if len(public_key) == 33 else (4,)):
        raise ValueError("a public key is 33 (compressed) or 65 (uncompressed) bytes in SEC1 form")
    return b58check_encode(bytes([version]) + hash160(public_key))


def decode_address(text: str, *, p2sh: bool = True) -> tuple[int, bytes]:
    """``(version, hash160)`` of a BCD address (P2PKH ``1…``, or P2SH ``3…`` unless
    ``p2sh=False``); ``BadAddress`` saying what is wrong. Surrounding spaces are ignored."""
    s = text.strip() if isinstance(text, str) else ""
    what = f"“{shorten(s, 40)}” is not a BCD address"
    if not s:
        raise BadAddress("enter a BCD address (it starts with 1 or 3, like a Bitcoin address)")
    bad = next((c for c in s if c not in _INDEX), None)
    if bad is not None:
        hint = " (0, O, I and l are never used)" if bad in "0OIl" else ""
        raise BadAddress(f"{what}: it has a character that an address never has, {bad!r}{hint}")
    if not 25 <= len(s) <= 35:
        raise BadAddress(f"{what}: an address has 25 to 35 characters")
    try:
        payload = b58check_decode(s)
    except ValueError:
        raise BadAddress(f"{what}: its checksum does not match (a character is wrong or missing)") from None
    allowed = (P2PKH_VERSION, P2SH_VERSION) if p2sh else (P2PKH_VERSION,)
    if len(payload) != 21 or payload[0] not in allowed:
        kinds = "1… or 3…" if p2sh else "1…"
        raise BadAddress(f"{what}: it is some other kind of key or address (a BCD address starts "
                         f"with {kinds})")
    return payload[0], payload[1:]


def is_address(text: str, *, p2sh: bool = True) -> bool:
    try:
        decode_address(text, p2sh=p2sh)
    except BadAddress:
        return False
    return True


# -- RIPEMD-160 (Dobbertin, Bosselaers, Preneel, 1996), for when hashlib has none -------------

_RL = [*range(16),
       7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
       3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
       1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
       4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13]
_RR = [5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
       6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
       15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
       8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
       12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11]
_SL = [11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
       7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
       11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
       11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
       9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6]
_SR = [8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
       9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
       9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
       15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
       8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11]
_KL = [0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E]
_KR = [0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000]
_M = 0xFFFFFFFF


def _f(j: int, x: int, y: int, z: int) -> int:
    if j < 16:
        return x ^ y ^ z
    if j < 32:
        return (x & y) | (~x & z)
    if j < 48:
        return (x | ~y & _M) ^ z
    if j < 64:
        return (x & z) | (y & ~z)
    return x ^ (y | ~z & _M)


def _rol(x: int, n: int) -> int:
    x &= _M
    return ((x << n) | (x >> (32 - n))) & _M


def ripemd160(data: bytes) -> bytes:
    """RIPEMD-160 in pure Python (slow; only for the 32 bytes of a HASH160)."""
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    msg = data + b"\x80" + b"\0" * ((55 - len(data)) % 64) + struct.pack("<Q", 8 * len(data))
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[off:off + 64])
        al, bl, cl, dl, el = h
        ar, br, cr, dr, er = h
        for j in range(80):
            t = _rol(al + _f(j, bl, cl, dl) + x[_RL[j]] + _KL[j // 16], _SL[j]) + el
            al, el, dl, cl, bl = el, dl, _rol(cl, 10), bl, t & _M
            t = _rol(ar + _f(79 - j, br, cr, dr) + x[_RR[j]] + _KR[j // 16], _SR[j]) + er
            ar, er, dr, cr, br = er, dr, _rol(cr, 10), br, t & _M
        t = (h[1] + cl + dr) & _M
        h[1] = (h[2] + dl + er) & _M
        h[2] = (h[3] + el + ar) & _M
        h[3] = (h[4] + al + br) & _M
        h[4] = (h[0] + bl + cr) & _M
        h[0] = t
    return struct.pack("<5I", *h)
