"""The wallet's keys.

Known vectors (private key 1; BIP32 test vectors 1 and 2; BIP39's "TREZOR" vectors; BIP44's
first addresses of the "abandon … about" words), an independent BIP32 written here with
``cryptography`` for the BCD path, and restore checks. (Where the seed is kept:
test_wallet_seedstore.py and test_wallet_seedfile.py.)
"""

import hashlib
import hmac
import pickle
import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from appstore.core.wallet.address import (
    LOOKALIKE_NOTE,
    b58check_decode,
    b58check_encode,
    b58decode,
    b58encode,
    decode_address,
    hash160,
    is_address,
    p2pkh_address,
    ripemd160,
)
from appstore.core.wallet.errors import (
    BadAddress,
    BadWords,
)
from appstore.core.wallet.keys import (
    BCD_PATH,
    HARDENED,
    Account,
    ExtendedKey,
    new_words,
    parse_path,
    parse_words,
    wordlist,
)
from tests.seedkit import MemoryKeyring  # noqa: F401 - (other tests import it from here)

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ABANDON = "abandon " * 11 + "about"

# -- addresses ---------------------------------------------------------------------------------


def test_private_key_1_addresses() -> None:
    """Private key 1: compressed → 1BgGZ9…, uncompressed → 1EHNa6…: the wallet uses compressed."""
    account = Account.from_private_key((1).to_bytes(32, "big"))
    assert account.public_key.hex() == "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    assert account.address == "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    g = ec.derive_private_key(1, ec.SECP256K1()).public_key()
    assert p2pkh_address(g.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)) == account.address
    assert p2pkh_address(g.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)) == (
        "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm")


def test_ripemd160_vectors_and_fallback() -> None:
    """The published RIPEMD-160 vectors, for the pure-Python fallback and hashlib's."""
    vectors = {b"": "9c1185a5c5e9fc54612808977ee8f548b2258d31",
               b"a": "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe",
               b"abc": "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc",
               b"message digest": "5d0689ef49d2fae572b881b123a85ffa21595f36",
               b"1234567890" * 8: "9b752e45573d4b39f4dbd3323cab82bf63326bfb"}
    for data, digest in vectors.items():
        assert ripemd160(data).hex() == digest
    try:
        hashlib.new("ripemd160")
    except ValueError:
        return
    for n in range(0, 200, 7):
        data = secrets.token_bytes(n)
        assert ripemd160(data) == hashlib.new("ripemd160", data).digest()
    assert hash160(b"x") == hashlib.new("ripemd160", hashlib.sha256(b"x").digest()).digest()


def test_base58() -> None:
    assert b58encode(b"") == ""
    assert b58encode(b"\0\0\x01") == "112"
    assert b58decode("112") == b"\0\0\x01"
    for n in (0, 1, 5, 21, 33):
        data = b"\0" * (n % 3) + secrets.token_bytes(n)
        assert b58decode(b58encode(data)) == data
        assert b58check_decode(b58check_encode(data)) == data
    with pytest.raises(ValueError):
        b58decode("0OIl")
    with pytest.raises(ValueError):
        b58check_decode("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ")


def test_decode_address() -> None:
    assert decode_address(" 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH ")[0] == 0
    assert decode_address("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")[0] == 5  # P2SH, as on Bitcoin
    assert is_address("1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm")
    assert not is_address("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", p2sh=False)
    cases = {
        "": "enter a BCD address",
        "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ": "checksum",
        "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAM0": "never has",
        "1BgG": "25 to 35",
        "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ": "25 to 35",  # a WIF private key
        "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn": "other kind",  # a testnet address
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq": "never has",
    }
    for text, words in cases.items():
        with pytest.raises(BadAddress, match=words):
            decode_address(text)
    assert "Bitcoin" in LOOKALIKE_NOTE


# -- BIP32 / BIP39 / BIP44 vectors ---------------------------------------------------------------

# BIP32's test vectors 1 and 2: for each chain, its path, ext pub and ext prv
BIP32_VECTOR_1 = ("000102030405060708090a0b0c0d0e0f", """
m
xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8
xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi
m/0H
xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw
xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7
m/0H/1
xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ
xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs
m/0H/1/2H
xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7epu4trkrX7x7DogT5Uv6fcLW5
xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM
m/0H/1/2H/2
xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62cfN7fe5JnJ7dh8zL4fiyLHV
xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334
m/0H/1/2H/2/1000000000
xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy
xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76
""")
BIP32_VECTOR_2 = ("fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a2"
                  "9f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542", """
m
xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDzTJY47LJhkJ8UB7WEGuduB
xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U
m/0
xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH
xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt
m/0/2147483647H
xpub6ASAVgeehLbnwdqV6UKMHVzgqAG8Gr6riv3Fxxpj8ksbH9ebxaEyBLZ85ySDhKiLDBrQSARLq1uNRts8RuJiHjaDMBU4Zn9h8LZNnBC5y4a
xprv9wSp6B7kry3Vj9m1zSnLvN3xH8RdsPP1Mh7fAaR7aRLcQMKTR2vidYEeEg2mUCTAwCd6vnxVrcjfy2kRgVsFawNzmjuHc2YmYRmagcEPdU9
m/0/2147483647H/1
xpub6DF8uhdarytz3FWdA8TvFSvvAh8dP3283MY7p2V4SeE2wyWmG5mg5EwVvmdMVCQcoNJxGoWaU9DCWh89LojfZ537wTfunKau47EL2dhHKon
xprv9zFnWC6h2cLgpmSA46vutJzBcfJ8yaJGg8cX1e5StJh45BBciYTRXSd25UEPVuesF9yog62tGAQtHjXajPPdbRCHuWS6T8XA2ECKADdw4Ef
m/0/2147483647H/1/2147483646H
xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL
xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc
m/0/2147483647H/1/2147483646H/2
xpub6FnCn6nSzZAw5Tw7cgR9bi15UV96gLZhjDstkXXxvCLsUXBGXPdSnLFbdpq8p9HmGsApME5hQTZ3emM2rnY5agb9rXpVGyy3bdW6EEgAtqt
xprvA2nrNbFZABcdryreWet9Ea4LvTJcGsqrMzxHx98MMrotbir7yrKCEXw7nadnHM8Dq38EGfSh6dqA9QWTyefMLEcBYJUuekgW4BYPJcr9E7j
""")


@pytest.mark.parametrize("vector", [BIP32_VECTOR_1, BIP32_VECTOR_2], ids=["vector1", "vector2"])
def test_bip32_vectors(vector: tuple[str, str]) -> None:
    seed, text = vector
    lines = text.split()
    chains = [tuple(lines[i:i + 3]) for i in range(0, len(lines), 3)]
    master = ExtendedKey.from_seed(bytes.fromhex(seed))
    for path, xpub, xprv in chains:
        key = master.derive(path)
        assert (key.xpub(), key.xprv()) == (xpub, xprv), path
    # step by step gives the same as a whole path
    step = master
    for index in parse_path(chains[-1][0]):
        step = step.child(index)
    assert step.xpub() == chains[-1][1]


# BIP39's reference vectors (python-mnemonic's vectors.json), passphrase "TREZOR"
TREZOR = [
    (ABANDON,
     "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e5349553"
     "1f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"),
    ("legal winner thank year wave sausage worth useful legal winner thank yellow",
     "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6f"
     "a457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607"),
    ("letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
     "d71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30"
     "fa280f12eb2e47ed2ac03b5c462a0358d18d69fe4f985ec81778c1b370b652a8"),
    ("zoo " * 23 + "vote",
     "dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e16"
     "13912f0a5b694407be899ffd31ed3992c456cdf60f5d4564b8ba3f05a69890ad"),
]


@pytest.mark.parametrize(("words", "seed"), TREZOR)
def test_bip39_trezor_vectors(words: str, seed: str) -> None:
    assert parse_words(words).seed("TREZOR").hex() == seed


def test_bip44_vectors_and_the_bcd_path() -> None:
    """BIP44's published first addresses for "abandon … about" (coin type 0), then ours."""
    words = parse_words(ABANDON)
    assert words.seed().hex().startswith("5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc1")
    master = ExtendedKey.from_seed(words.seed())
    assert master.derive("m/44'/0'/0'").xpub() == (
        "xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj")
    assert Account.from_words(words, "m/44'/0'/0'/0/0").address == "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA"
    assert Account.from_words(words, "m/44'/0'/0'/0/1").address == "1Ak8PffB2meyfYnbXZR9EGfLfFZVpzJvQP"
    # the BCD account: BIP44 with SLIP-44 coin type 999 (pinned; checked below independently)
    assert BCD_PATH == "m/44'/999'/0'/0/0"
    account = Account.from_words(words)
    assert account.path == BCD_PATH
    assert account.address == "15STpNCgsJkDPRseRkXDTPMvG1U4w9QkBh"
    assert account.public_key == independent_public_key(words.seed(), BCD_PATH)


def independent_public_key(seed: bytes, path: str) -> bytes:
    """BIP32 written out from the BIP with integers and ``cryptography``'s secp256k1 (no code
    of ours): the compressed public key at ``path``."""
    def point(k: int) -> bytes:
        return ec.derive_private_key(k, ec.SECP256K1()).public_key().public_bytes(
            Encoding.X962, PublicFormat.CompressedPoint)

    i = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    k, c = int.from_bytes(i[:32], "big"), i[32:]
    for part in path.split("/")[1:]:
        index = int(part.rstrip("'hH")) + (2 ** 31 if part[-1] in "'hH" else 0)
        data = (b"\0" + k.to_bytes(32, "big") if index >= 2 ** 31 else point(k)) + index.to_bytes(4, "big")
        i = hmac.new(c, data, hashlib.sha512).digest()
        k, c = (int.from_bytes(i[:32], "big") + k) % N, i[32:]
    return point(k)


def test_derivation_agrees_with_an_independent_bip32() -> None:
    for n in range(12):
        seed = secrets.token_bytes(16 + 4 * (n % 13))
        path = "m/" + "/".join(f"{secrets.randbelow(2 ** 31)}{secrets.choice(['', chr(39)])}"
                               for _ in range(1 + n % 5))
        ours = ExtendedKey.from_seed(seed).derive(path).public_key
        assert ours == independent_public_key(seed, path), path
    words = new_words(24)
    assert Account.from_words(words).public_key == independent_public_key(words.seed(), BCD_PATH)


def test_parse_path() -> None:
    assert parse_path("m") == ()
    assert parse_path("m/44'/999'/0'/0/0") == (44 + HARDENED, 999 + HARDENED, HARDENED, 0, 0)
    assert parse_path("m/44h/1H/2") == (44 + HARDENED, 1 + HARDENED, 2)
    for bad in ("", "44/0", "m/", "m/-1", "m/2147483648", "m/1''", "m/a", "m//1", "M/1"):
        with pytest.raises(ValueError):
            parse_path(bad)


# -- seed words --------------------------------------------------------------------------------

def test_new_words() -> None:
    for count in (12, 24):
        words = new_words(count)
        assert len(words) == count == len(words.words())
        assert parse_words(words.reveal()) == words
    assert new_words() != new_words()
    with pytest.raises(ValueError):
        new_words(13)
    assert len(wordlist()) == 2048 and wordlist()[0] == "abandon"


def test_restore_tolerates_case_and_spacing() -> None:
    assert parse_words("  ABANDON abandon\tabandon\nabandon  abandon abandon abandon abandon abandon "
                       "abandon abandon About \n") == parse_words(ABANDON)
    assert len(parse_words("legal winner thank year wave sausage worth useful legal winner thank year "
                           "wave sausage worth useful legal will")) == 18


def test_restore_says_which_word_is_wrong() -> None:
    typed = ABANDON.split()
    typed[4] = "abandn"
    with pytest.raises(BadWords) as e:
        parse_words(" ".join(typed))
    err = e.value
    assert (err.reason, err.position) == ("unknown-word", 5)
    assert "word 5" in str(err) and "abandn" not in str(err)  # the message is logged: no near-seed words
    assert err.suggestions[0] == "abandon" and "abandon" not in str(err)
    assert "did you mean abandon" in err.user_detail()
    typed[9] = "zzzz"
    with pytest.raises(BadWords, match=r"word 5 .*\(and 1 more word\)"):
        parse_words(" ".join(typed))


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"),
    ("   \n", "empty"),
    ("abandon " * 11, "count"),
    ("abandon " * 13, "count"),
    ("abandon " * 12, "checksum"),
    ("about " + "abandon " * 11, "checksum"),  # two words swapped
    ("zoo " * 24, "checksum"),
])
def test_restore_refusals(text: str, reason: str) -> None:
    with pytest.raises(BadWords) as e:
        parse_words(text)
    assert e.value.reason == reason
    assert e.value.position is None
    if reason == "checksum":
        assert "checksum" in str(e.value)


def test_secrets_never_show_themselves() -> None:
    words = parse_words(ABANDON)
    master = ExtendedKey.from_seed(words.seed())
    account = Account.from_words(words)
    for obj in (words, master, account):
        shown = " ".join([repr(obj), str(obj), f"{obj}", f"{obj!r}", f"{obj:>10}", repr([obj])])
        for secret in ("abandon", words.seed().hex(), master.xprv(), master._key.secret.hex(),
                       account._key.secret.hex()):
            assert secret not in shown
        with pytest.raises(TypeError):
            pickle.dumps(obj)
    assert repr(words) == "SeedWords(12 words)"
    assert account.address in repr(account)
