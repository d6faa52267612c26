"""The wallet's ledger of signed receipts: real SQLite files, real Ed25519 keys, and an attacker
who edits the file with SQL behind imapp's back."""

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from appstore.core.wallet.ledger import (
    Ledger,
    LedgerBroken,
    LedgerError,
    PendingClaim,
    ProblemKind,
)
from appstore.core.wallet.receipts import (
    DOMAIN,
    FIELDS,
    ZERO_HASH,
    Receipt,
    ReceiptError,
    public_key_hex,
    sign_receipt,
)

ACCOUNT = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"  # private key 1
OTHER_ACCOUNT = "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm"  # private key 3
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
# kind, asset, amount: credits, debits, both sides of a swap
PATTERN = [("reward", "IA", 1_500_000), ("dividend", "IA", 250), ("swap", "IA", -1_000_000),
           ("swap", "BCD", 70_000), ("stake", "IA", -300), ("payout", "IA", 600),
           ("withdrawal", "BCD", -20_000), ("payment", "IA", -5), ("refund", "IA", 5)]


def make_chain(n: int, *, key: Ed25519PrivateKey = KEY, store: str = "demo", start: int = 1,
               prev: str = ZERO_HASH, account: str = ACCOUNT) -> list[Receipt]:
    out = []
    for seq in range(start, start + n):
        kind, asset, amount = PATTERN[(seq - 1) % len(PATTERN)]
        r = sign_receipt({"store": store, "seq": seq, "account": account,
                          "time": f"2026-01-{1 + seq % 28:02d}T10:{seq % 60:02d}:00Z", "asset": asset,
                          "amount": amount * (1 + seq // len(PATTERN)), "kind": kind,
                          "reference": f"org.example.app{seq}", "prev_hash": prev}, key)
        out.append(r)
        prev = r.hash
    return out


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    led = Ledger(tmp_path / "wallet" / "ledger.sqlite3")
    yield led
    led.close()


def raw(led: Ledger) -> sqlite3.Connection:
    """The attacker's connection to the file."""
    return sqlite3.connect(led.path, isolation_level=None)


# -- receipts ---------------------------------------------------------------------------------

def test_the_canonical_bytes_hash_and_signature_are_as_documented() -> None:
    r = make_chain(1)[0]
    expected = ('{"account":"1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH","amount":1500000,"asset":"IA",'
                '"kind":"reward","prev_hash":"' + "0" * 64 + '","reference":"org.example.app1","seq":1,'
                '"service_key":"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8",'
                '"store":"demo","time":"2026-01-02T10:01:00Z"}')
    assert r.canonical == expected.encode()
    digest = hashlib.sha256(b"imapp-receipt-v1\0" + expected.encode()).digest()
    assert DOMAIN == b"imapp-receipt-v1\0" and r.hash == digest.hex()
    # checked with the key's raw bytes, outside the module: Ed25519 over the 32 hash bytes
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(r.service_key))
    public.verify(bytes.fromhex(r.signature), digest)
    assert r.verify() is None
    assert Receipt.from_json(r.to_json()) == r
    assert json.loads(r.to_json()).keys() == set(FIELDS)


def test_the_known_answer_vector_in_the_docs() -> None:
    """docs/ledger.md gives receipt #1 signed with key bytes 0..31 (Ed25519 is deterministic)."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "ledger.md").read_text("utf-8")
    r = make_chain(1)[0]
    assert r.hash in text and r.signature in text and r.canonical.decode() in text


@pytest.mark.parametrize(("field", "value", "says"), [
    ("seq", 0, "seq must be 1 to"), ("seq", True, "seq must be an integer"),
    ("seq", "1", "seq must be an integer"),
    ("seq", 2**53, "seq must be 1 to"), ("amount", 1.5, "amount must be an integer"),
    ("amount", 0, "amount must be a non-zero"), ("amount", -5, "a reward is a credit"),
    ("amount", 2**53, "amount must be a non-zero"), ("asset", "ETH", "asset 'ETH' is not IA or BCD"),
    ("kind", "gift", "kind 'gift' is not one of"), ("store", "../x", "store '../x' is not a store id"),
    ("hash", "AB" * 32, "hash 'ABAB"), ("hash", "ab" * 31, "not 64 lowercase hex"),
    ("signature", "ab" * 63, "not 128 lowercase hex"), ("service_key", None, "service_key must be a string"),
    ("time", "2026-01-02T03:04:05+00:00", "is not a UTC time"), ("time", "2026-02-30T03:04:05Z", "not a UTC"),
    ("time", "２026-01-02T03:04:05Z", "not a UTC"),
    ("account", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMh", "checksum"),
    ("account", " " + ACCOUNT, "spaces around it"), ("reference", 'a"b', "without"),
    ("reference", "a\nb", "printable"), ("reference", "", "1 to 200"), ("reference", "x" * 201, "1 to 200"),
    ("prev_hash", "1" * 64, "receipt #1 follows no receipt"),
])
def test_every_field_is_checked_with_a_clear_message(field: str, value: object, says: str) -> None:
    data = make_chain(1)[0].to_dict()
    data[field] = value
    with pytest.raises(ReceiptError) as err:
        Receipt.from_dict(data)
    assert says in str(err.value) and (field in str(err.value) or field == "amount")


def test_bad_json_and_unknown_or_missing_fields_are_refused() -> None:
    r = make_chain(1)[0]
    for text, says in [("[1]", "JSON object"), ("{", "not valid JSON"),
                       (r.to_json().replace('"amount":1500000', '"amount":NaN'), "not valid JSON"),
                       (r.to_json()[:-1] + ',"extra":1}', "unknown field 'extra'"),
                       (r.to_json().replace('"kind":"reward",', ""), "field 'kind' is missing")]:
        with pytest.raises(ReceiptError, match=says):
            Receipt.from_json(text)
    with pytest.raises(ReceiptError, match="public key of the key signing it"):
        sign_receipt({**{k: v for k, v in r.to_dict().items() if k not in ("hash", "signature")},
                      "service_key": public_key_hex(OTHER_KEY)}, KEY)


def test_a_receipt_notices_a_changed_field_or_a_foreign_signature() -> None:
    r = make_chain(1)[0]
    changed = Receipt(**{**r.to_dict(), "amount": r.amount + 1})
    assert "does not match its hash" in (changed.verify() or "")
    unsigned = {k: v for k, v in r.to_dict().items() if k not in ("hash", "signature", "service_key")}
    forged = sign_receipt(unsigned, OTHER_KEY)
    resigned = Receipt(**{**forged.to_dict(), "service_key": r.service_key})
    assert "does not match its hash" in (resigned.verify() or "")
    swapped = Receipt(**{**r.to_dict(), "signature": forged.signature})
    assert "signature that does not verify" in (swapped.verify() or "")


# -- appending, balances, history ---------------------------------------------------------------

def test_balances_are_the_sums_of_the_receipts(ledger: Ledger) -> None:
    demo, other = make_chain(40), make_chain(13, key=OTHER_KEY, store="other")
    assert ledger.append_many(demo[:25]) == 25
    for r in demo[25:]:
        assert ledger.append(r)
    ledger.append_many(other)
    for asset in ("IA", "BCD"):
        assert ledger.balance(asset) == sum(r.amount for r in demo + other if r.asset == asset)
        assert ledger.balance(asset, "other") == sum(r.amount for r in other if r.asset == asset)
    assert ledger.balances() == {a: ledger.balance(a) for a in ("IA", "BCD")}
    assert ledger.balances("demo") == {a: ledger.balance(a, "demo") for a in ("IA", "BCD")}
    assert ledger.last("demo") == (40, demo[-1].hash) and ledger.last("nowhere") == (0, ZERO_HASH)
    assert ledger.services() == {"demo": public_key_hex(KEY), "other": public_key_hex(OTHER_KEY)}
    assert ledger.verify().ok
    again = Ledger(ledger.path)  # another process's view: the same numbers
    assert again.balances() == ledger.balances() and again.account() == ACCOUNT
    again.close()
    with pytest.raises(LedgerError, match="no asset 'ETH'"):
        ledger.balance("ETH")


def test_an_identical_receipt_sent_again_is_ignored(ledger: Ledger) -> None:
    chain = make_chain(5)
    ledger.append_many(chain)
    before = ledger.balances()
    assert ledger.append(chain[2]) is False
    assert ledger.append_many(chain) == 0
    assert ledger.append_many([*chain, *make_chain(1, start=6, prev=chain[-1].hash)]) == 1
    assert ledger.balances()["IA"] == before["IA"] + make_chain(6)[-1].amount
    assert ledger.count() == 6 and ledger.verify().ok


def test_appends_that_do_not_follow_the_chain_are_refused_and_change_nothing(ledger: Ledger) -> None:
    chain = make_chain(6)
    ledger.append_many(chain[:3])
    before = (ledger.balances(), ledger.count(), ledger.last("demo"))
    cases = [
        (chain[4], "the ledger's last one is #3, so #4 is missing"),
        (make_chain(3, start=6, prev=chain[4].hash)[0], "#4 to #5 are missing"),
        (make_chain(1, start=4, prev=chain[0].hash)[0], "does not follow the ledger's receipt #3"),
        (make_chain(4, key=OTHER_KEY)[3], "signed by key"),
        (make_chain(2, account=OTHER_ACCOUNT)[0], f"it is for account {OTHER_ACCOUNT}"),
        (Receipt(**{**chain[3].to_dict(), "amount": 7}), "does not match its hash"),
    ]
    differs = sign_receipt({**{k: v for k, v in chain[1].to_dict().items() if k not in ("hash", "signature")},
                            "reference": "another"}, KEY)
    cases.append((differs, "holds a different receipt #2"))
    for receipt, says in cases:
        with pytest.raises(LedgerError, match=says):
            ledger.append(receipt)
    # one transaction: a refused receipt in a batch leaves out the whole batch
    with pytest.raises(LedgerError, match="#5 is missing"):
        ledger.append_many([chain[3], chain[5]])
    assert (ledger.balances(), ledger.count(), ledger.last("demo")) == before


def test_a_forged_receipt_is_refused_and_the_policy_key_wins(tmp_path: Path) -> None:
    led = Ledger(tmp_path / "l.sqlite3", service_keys={"demo": public_key_hex(OTHER_KEY)})
    with pytest.raises(LedgerError, match="signed policy does not name"):
        led.append(make_chain(1)[0])
    assert led.count() == 0
    led.append_many(make_chain(2, key=OTHER_KEY))
    assert led.verify().ok
    led.close()
    # the file's receipts are OTHER_KEY's: a policy naming KEY makes them fail
    strict = Ledger(tmp_path / "l.sqlite3", service_keys={"demo": public_key_hex(KEY)})
    problem = strict.verify().problem
    assert problem and problem.kind == ProblemKind.FORGED and problem.seq == 1 \
        and "signed policy does not name" in problem.detail
    strict.close()


def test_history_filters_and_pages(ledger: Ledger) -> None:
    chain = make_chain(30)
    ledger.append_many(chain)
    newest = sorted(chain, key=lambda r: (r.time, r.seq), reverse=True)
    assert ledger.history(limit=5) == newest[:5]
    assert ledger.history(limit=5, offset=5) == newest[5:10]
    assert [r.asset for r in ledger.history(asset="BCD", limit=100)] == ["BCD"] * ledger.count(asset="BCD")
    assert {r.kind for r in ledger.history(kind="swap", limit=100)} == {"swap"}
    assert [r.seq for r in ledger.history(text="app13", limit=100)] == [13]
    assert ledger.count(text="100%") == 0 and ledger.count(text="_") == 0
    assert ledger.count(asset="IA", kind="reward") == len([r for r in chain if r.kind == "reward"])


def test_pending_claims_are_listed_and_never_counted(ledger: Ledger) -> None:
    chain = make_chain(3)
    ledger.append_many(chain[:2])
    before = ledger.balances()
    a = ledger.add_pending(PendingClaim("demo", "browse", "org.example.app", amount=1_000))
    b = ledger.add_pending(PendingClaim("demo", "forward", "org.example.other"))
    ledger.add_pending(a)  # made twice (a retry): kept once
    assert ledger.balances() == before and ledger.balance("IA") == before["IA"]
    assert {c.id for c in ledger.pending()} == {a.id, b.id} and ledger.pending("elsewhere") == []
    assert ledger.pending_totals() == {"IA": 1_000, "BCD": 0}
    ledger.append(chain[2], settles=[a.id])  # the receipt that answers it, in one transaction
    assert [c.id for c in ledger.pending()] == [b.id]
    assert ledger.remove_pending(b.id) and not ledger.remove_pending(b.id)
    with pytest.raises(LedgerError, match="amount must be a whole number"):
        PendingClaim("demo", "browse", "x", amount=-1)
    with pytest.raises(LedgerError, match="store is not a store id"):
        PendingClaim("../x", "browse", "x")


# -- verification -------------------------------------------------------------------------------

COLUMNS = ("store", "service_key", "seq", "account", "time", "asset", "amount", "kind", "reference",
           "prev_hash", "hash", "signature")
TEXT = {"store", "account", "time", "asset", "kind", "reference"}


def flips(value: object) -> Iterator[tuple[int, int, object]]:
    """Every byte of a stored value flipped, one at a time, with two masks (0x01 keeps text
    ASCII, 0x80 makes it invalid UTF-8); integers as their 8 bytes, two's complement."""
    if isinstance(value, int):
        data = value.to_bytes(8, "big", signed=True)
    else:
        assert isinstance(value, bytes)
        data = value
    for i in range(len(data)):
        for mask in (0x01, 0x80):
            new = data[:i] + bytes([data[i] ^ mask]) + data[i + 1:]
            yield i, mask, int.from_bytes(new, "big", signed=True) if isinstance(value, int) else new


def test_flipping_any_byte_of_any_field_of_any_row_is_caught_at_that_row(ledger: Ledger) -> None:
    chain = make_chain(6)
    ledger.append_many(chain)
    attacker = raw(ledger)
    attacker.text_factory = bytes
    checked = 0
    for rid in (1, 3, 6):  # the first, one in the middle, the last
        seq = rid
        original = attacker.execute(f"SELECT {', '.join(COLUMNS)} FROM receipts WHERE id = ?",
                                    (rid,)).fetchone()
        for column, value in zip(COLUMNS, original, strict=True):
            cast = "CAST(? AS TEXT)" if column in TEXT else "?"
            for i, mask, new in flips(value):
                try:
                    attacker.execute(f"UPDATE receipts SET {column} = {cast} WHERE id = ?", (new, rid))
                except sqlite3.IntegrityError:  # a seq another row has: UNIQUE refuses the edit
                    assert column == "seq"
                    continue
                problem = ledger.verify().problem
                where = f"row {rid}, {column} byte {i} ^ {mask:#x}"
                assert problem is not None, where
                assert problem.row == rid and problem.seq == seq, (where, problem)
                want = ProblemKind.FORGED if column == "signature" and rid == 6 else ProblemKind.CHANGED
                assert problem.kind == want, (where, problem)
                if column == "signature" and rid < 6:
                    assert "signature was changed" in problem.detail, problem
                with pytest.raises(LedgerBroken, match=f"receipt #{seq} from store demo"):
                    ledger.require_verified()
                attacker.execute(f"UPDATE receipts SET {column} = {cast} WHERE id = ?", (value, rid))
                checked += 1
    assert checked > 1_400
    assert ledger.verify().ok
    ledger.require_verified()


def test_changes_are_described(tmp_path: Path) -> None:
    pristine = Ledger(tmp_path / "pristine.sqlite3")
    pristine.append_many(make_chain(5))
    pristine.close()  # the last connection checkpoints the WAL into the file
    cases = [
        ("UPDATE receipts SET amount = amount * 10 WHERE id = 2", "no longer matches its hash"),
        ("UPDATE receipts SET asset = 'XX' WHERE id = 2", "asset 'XX' is not IA or BCD"),
        ("UPDATE receipts SET hash = zeroblob(32) WHERE id = 2", "its hash was changed"),
        ("UPDATE receipts SET seq = 70 WHERE id = 2", "its seq was changed from #2 to #70"),
        ("UPDATE receipts SET store = 'elsewhere' WHERE id = 2", "store was changed from 'demo' to 'else"),
        (f"UPDATE receipts SET account = '{OTHER_ACCOUNT}' WHERE id = 2", "its account was changed"),
        ("UPDATE receipts SET prev_hash = zeroblob(32) WHERE id = 2", "its prev_hash was changed"),
        ("UPDATE receipts SET reference = CAST(X'FF' AS TEXT) WHERE id = 2", "reference is not valid UTF-8"),
        ("UPDATE receipts SET store = CAST(X'64656DFF' AS TEXT) WHERE id = 2", "it was 'demo'"),
    ]
    for n, (sql, says) in enumerate(cases):
        path = tmp_path / f"case{n}.sqlite3"
        shutil.copy(tmp_path / "pristine.sqlite3", path)
        led = Ledger(path)
        raw(led).execute(sql)
        problem = led.verify().problem
        led.close()
        assert problem and problem.row == 2 and problem.kind == ProblemKind.CHANGED, (sql, problem)
        assert says in problem.detail and problem.store == "demo" and problem.seq == 2, (sql, problem)


def test_a_deleted_row_is_missing(ledger: Ledger) -> None:
    ledger.append_many(make_chain(6))
    raw(ledger).execute("DELETE FROM receipts WHERE seq = 3")
    problem = ledger.verify().problem
    assert problem and (problem.kind, problem.seq, problem.row) == (ProblemKind.MISSING, 3, None)
    assert str(problem) == "receipt #3 from store demo (missing): the ledger goes from #2 to #4"


def test_deleted_last_rows_are_missing(ledger: Ledger) -> None:
    ledger.append_many(make_chain(6))
    raw(ledger).execute("DELETE FROM receipts WHERE seq >= 5")
    problem = ledger.verify().problem
    assert problem and (problem.kind, problem.seq) == (ProblemKind.MISSING, 5)
    assert "receipts #5 to #6 are missing" in problem.detail


def test_a_reordered_row_is_out_of_order(ledger: Ledger) -> None:
    ledger.append_many(make_chain(6))
    attacker = raw(ledger)
    attacker.execute("BEGIN")
    attacker.execute("UPDATE receipts SET seq = -1 WHERE seq = 3")
    attacker.execute("UPDATE receipts SET seq = 3 WHERE seq = 4")
    attacker.execute("UPDATE receipts SET seq = 4 WHERE seq = -1")
    attacker.execute("COMMIT")
    problem = ledger.verify().problem
    assert problem and (problem.kind, problem.seq, problem.row) == (ProblemKind.OUT_OF_ORDER, 3, 3)
    assert "sequence numbers were swapped" in problem.detail


def test_rows_moved_around_whole_are_out_of_order(ledger: Ledger) -> None:
    ledger.append_many(make_chain(6))
    attacker = raw(ledger)
    attacker.execute("BEGIN")
    attacker.execute("UPDATE receipts SET id = 100 WHERE id = 3")  # row 3 now comes after row 6
    attacker.execute("COMMIT")
    problem = ledger.verify().problem
    assert problem and (problem.kind, problem.seq, problem.row) == (ProblemKind.OUT_OF_ORDER, 4, 4)
    assert "stored before receipt #3" in problem.detail


def _insert(led: Ledger, r: Receipt) -> None:
    raw(led).execute(f"INSERT INTO receipts ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * 12)})", r.row())


def test_a_forged_receipt_inserted_raw_is_caught(ledger: Ledger) -> None:
    chain = make_chain(4)
    ledger.append_many(chain)
    # made by someone else with their own key, continuing the chain
    forged = make_chain(1, key=OTHER_KEY, start=5, prev=chain[-1].hash)[0]
    _insert(ledger, forged)
    problem = ledger.verify().problem
    assert problem and (problem.kind, problem.seq, problem.row) == (ProblemKind.FORGED, 5, 5)
    assert "which is not store demo's IA service's key" in problem.detail
    raw(ledger).execute("DELETE FROM receipts WHERE id = 5")
    # naming the service's key, signed with another one
    fake = Receipt(**{**make_chain(5)[4].to_dict(), "signature": forged.signature})
    _insert(ledger, fake)
    problem = ledger.verify().problem
    assert problem and (problem.kind, problem.seq, problem.row) == (ProblemKind.FORGED, 5, 5)
    assert "does not verify with store demo's IA service's key" in problem.detail


def test_changed_totals_are_caught(ledger: Ledger) -> None:
    ledger.append_many(make_chain(6))
    raw(ledger).execute("UPDATE totals SET amount = amount + 1 WHERE asset = 'BCD'")
    problem = ledger.verify().problem
    assert problem and problem.kind == ProblemKind.TOTALS and "running total of BCD" in problem.detail
    assert str(problem).startswith("the running totals of store demo (totals differ)")


def test_a_failed_verification_is_kept_and_blocks_spending(ledger: Ledger) -> None:
    ledger.append_many(make_chain(4))
    ledger.require_verified()
    raw(ledger).execute("UPDATE receipts SET amount = 1 WHERE id = 2")
    assert not ledger.verify().ok
    reopened = Ledger(ledger.path)
    with pytest.raises(LedgerBroken) as err:
        reopened.require_verified()
    assert "receipt #2 from store demo (changed)" in str(err.value)
    assert "re-synced from store demo's IA service" in str(err.value)
    assert err.value.problem.row == 2
    reopened.close()


def test_quick_verification_checks_content_and_each_chains_last_signature(ledger: Ledger) -> None:
    chain = make_chain(5)
    ledger.append_many(chain)
    attacker = raw(ledger)
    assert (v := ledger.verify(every_signature=False)).ok and v.signatures == 1
    attacker.execute("UPDATE receipts SET amount = 1 WHERE id = 2")
    assert (ledger.verify(every_signature=False).problem or pytest.fail()).row == 2
    attacker.execute("UPDATE receipts SET amount = ? WHERE id = 2", (chain[1].amount,))
    attacker.execute("UPDATE receipts SET signature = zeroblob(64) WHERE id = 5")
    problem = ledger.verify(every_signature=False).problem
    assert problem and (problem.kind, problem.row) == (ProblemKind.FORGED, 5)


def test_progress_is_reported(ledger: Ledger) -> None:
    ledger.append_many(make_chain(4200))
    seen: list[tuple[int, int]] = []
    v = ledger.verify(progress=lambda done, total: seen.append((done, total)))
    assert v.ok and v.receipts == v.signatures == 4200 and seen == [(4096, 4200)]


# -- re-sync ------------------------------------------------------------------------------------

def test_a_resync_replaces_the_chain_and_keeps_the_old_rows(ledger: Ledger) -> None:
    chain = make_chain(8)
    ledger.append_many(chain[:6])
    ledger.append_many(make_chain(3, key=OTHER_KEY, store="other"))
    ledger.add_pending(PendingClaim("demo", "browse", "org.example.app"))
    raw(ledger).execute("UPDATE receipts SET amount = 99 WHERE store = 'demo' AND seq = 2")
    raw(ledger).execute("UPDATE receipts SET reference = CAST(X'FF' AS TEXT) "
                        "WHERE store = 'demo' AND seq = 4")
    assert not ledger.verify().ok
    with pytest.raises(LedgerError, match="cannot read"):
        ledger.history(limit=100)
    result = ledger.reset_from("demo", chain)  # the service re-sends #1 to #8
    assert (result.receipts, result.quarantined, result.signed_not_resent) == (8, 2, 0)
    assert result.verification is not None and result.verification.ok
    ledger.require_verified()
    assert ledger.balance("IA", "demo") == sum(r.amount for r in chain if r.asset == "IA")
    assert ledger.last("demo") == (8, chain[-1].hash) and ledger.count(service="other") == 3
    q, unreadable = ledger.quarantined()
    assert (q.store, q.seq, q.signed, q.receipt and q.receipt.amount) == ("demo", 2, False, 99)
    assert (unreadable.store, unreadable.seq, unreadable.signed) == ("demo", 4, False)
    assert unreadable.receipt is None
    assert "sent a different receipt with this number" in q.reason
    assert ledger.history(service="demo", limit=100)[-1] == chain[0]
    assert len(ledger.pending()) == 1
    assert ledger.verify().ok


def test_a_resync_that_drops_signed_receipts_keeps_them_in_quarantine(ledger: Ledger) -> None:
    chain = make_chain(6)
    ledger.append_many(chain)
    result = ledger.reset_from("demo", chain[:4])
    assert (result.receipts, result.quarantined, result.signed_not_resent) == (4, 2, 2)
    assert [(q.seq, q.signed, q.receipt) for q in ledger.quarantined("demo")] == [(5, True, chain[4]),
                                                                                  (6, True, chain[5])]
    assert all("did not send it again" in q.reason for q in ledger.quarantined())
    assert ledger.verify().ok and ledger.last("demo") == (4, chain[3].hash)


def test_a_bad_resync_changes_nothing(ledger: Ledger) -> None:
    chain = make_chain(6)
    ledger.append_many(chain)
    before = (ledger.balances(), ledger.count(), ledger.last("demo"))
    for receipts, says in [(chain[1:], "receipt #2 does not follow #0"),
                           ([*chain[:2], chain[3]], "receipt #4 does not follow #2"),
                           (make_chain(3, key=OTHER_KEY), "signed by key"),
                           ([Receipt(**{**chain[0].to_dict(), "amount": 3}), *chain[1:]],
                            "does not match its hash"),
                           (make_chain(2, store="other"), "receipt #1 is from store other")]:
        with pytest.raises(LedgerError, match=says):
            ledger.reset_from("demo", receipts)
    assert (ledger.balances(), ledger.count(), ledger.last("demo")) == before and ledger.quarantined() == []
    # a new key for the service, given from the store's policy
    rotated = make_chain(3, key=OTHER_KEY)
    ledger.reset_from("demo", rotated, service_key=public_key_hex(OTHER_KEY))
    assert ledger.services()["demo"] == public_key_hex(OTHER_KEY) and ledger.verify().ok
    assert len(ledger.quarantined()) == 6


def test_a_resync_settles_the_claims_it_names_in_its_transaction(ledger: Ledger) -> None:
    chain = make_chain(3)
    answered, waiting = (PendingClaim("demo", "browse", app) for app in ("org.example.a", "org.example.b"))
    ledger.add_pending_many([answered, waiting])
    with pytest.raises(LedgerError, match="does not follow"):  # refused: the claim stays pending
        ledger.reset_from("demo", chain[1:], settles=[answered.id])
    assert {c.id for c in ledger.pending()} == {answered.id, waiting.id}
    ledger.reset_from("demo", chain, settles=[answered.id])
    assert [c.id for c in ledger.pending()] == [waiting.id] and ledger.count(service="demo") == 3


# -- crashes ------------------------------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from appstore.core.wallet.ledger import Ledger
from appstore.core.wallet.receipts import ZERO_HASH, sign_receipt
key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
ledger = Ledger(Path(sys.argv[1]))
prev = ZERO_HASH
for seq in range(1, 100000):
    r = sign_receipt({"store": "demo", "seq": seq, "account": "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH",
                      "time": "2026-01-02T03:04:05Z", "asset": "IA", "amount": seq, "kind": "reward",
                      "reference": f"app{seq}", "prev_hash": prev}, key)
    ledger.append(r)
    prev = r.hash
    print(seq, flush=True)
"""


def test_a_killed_writer_leaves_a_ledger_that_verifies_with_every_committed_receipt(tmp_path: Path) -> None:
    path = tmp_path / "wallet" / "ledger.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    reported = 0
    for _ in range(300):
        reported = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ledger = Ledger(path)
    verification = ledger.verify()
    assert verification.ok, verification
    last, _ = ledger.last("demo")
    assert last >= reported == 300
    assert [r.seq for r in reversed(ledger.history(limit=last))] == list(range(1, last + 1))
    assert ledger.balance("IA") == last * (last + 1) // 2
    # and it goes on from there
    nxt = sign_receipt({"store": "demo", "seq": last + 1, "account": ACCOUNT, "time": "2026-01-02T03:04:06Z",
                        "asset": "IA", "amount": 1, "kind": "reward", "reference": "after",
                        "prev_hash": ledger.last("demo")[1]}, KEY)
    assert ledger.append(nxt) and ledger.verify().ok
    ledger.close()
