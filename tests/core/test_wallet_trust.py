"""The ledger's trust anchor and the check before a spend: every receipt against the keys the
store's signed policy names (a rotation's retired keys included, up to their time), a quick
check that reads only what was added since its sealed state, and what it catches."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appstore.core.ia.errors import PolicyError
from appstore.core.ia.policy import parse_policy, policy_json
from appstore.core.paths import Paths
from appstore.core.wallet.ledger import Ledger, LedgerBroken, LedgerError, ProblemKind, ledger_path
from appstore.core.wallet.receipts import ZERO_HASH, Receipt, public_key_hex, sign_receipt
from appstore.core.wallet.trust import RetiredKey, ServiceKeys
from appstore.core.wallet.wallet import Wallet
from tests.core.test_wallet_keys import MemoryKeyring
from tests.walletkit import TEST_SERVICE_KEY, chain

TEST_KEY = public_key_hex(TEST_SERVICE_KEY)
NEW = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


@pytest.fixture
def wallet(tmp_path: Path) -> Iterator[Wallet]:
    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    paths = Paths.resolve(tmp_path / "data")
    paths.ensure()
    anchors = {"demo": ServiceKeys(TEST_KEY)}
    w = Wallet(paths, trust=anchors.get)  # what the stores' signed policies name
    w.address(create=True)
    yield w
    w.close()
    keyring.set_keyring(before)


def sql(w: Wallet, *statements: str) -> None:
    db = sqlite3.connect(ledger_path(w.paths))
    for s in statements:
        db.execute(s)
    db.commit()
    db.close()


def test_the_quick_check_seals_and_then_reads_only_what_was_added(wallet: Wallet) -> None:
    receipts = chain(wallet.address(), 7)
    wallet.ledger.append_many(receipts[:6])
    first = wallet.require_spendable()
    assert first.ok and first.receipts == 6 and first.signatures == 1  # the chain's last signature
    again = wallet.require_spendable()
    assert again.receipts == 0 and again.signatures == 1  # sealed: its head checked again, no rows read
    wallet.ledger.append(receipts[6])
    assert wallet.require_spendable().receipts == 1


@pytest.mark.parametrize("edit, kind", [
    ("UPDATE totals SET amount = amount * 100 WHERE asset = 'IA'", ProblemKind.TOTALS),
    ("UPDATE receipts SET amount = amount * 100 WHERE seq = 6", ProblemKind.CHANGED),  # the last one
    ("DELETE FROM receipts WHERE seq = 6", ProblemKind.MISSING),
    ("UPDATE services SET receipts = 60", ProblemKind.TOTALS),
])
def test_a_ledger_changed_since_the_last_check_blocks_the_spend(wallet: Wallet, edit: str,
                                                                 kind: ProblemKind) -> None:
    wallet.ledger.append_many(chain(wallet.address(), 6))
    wallet.require_spendable()  # sealed
    sql(wallet, edit)
    with pytest.raises(LedgerBroken) as caught:
        wallet.require_spendable()
    assert caught.value.problem.kind == kind
    assert "Nothing can be spent" in str(caught.value)
    with pytest.raises(LedgerBroken):  # kept until a re-sync or a verification passes
        wallet.require_spendable()


def test_an_amount_and_its_total_changed_together_are_caught_before_any_verify(wallet: Wallet) -> None:
    wallet.ledger.append_many(chain(wallet.address(), 6))
    wallet.require_spendable()
    sql(wallet, "UPDATE receipts SET amount = amount * 100 WHERE seq = 1",
        "UPDATE totals SET amount = amount + 99 * 200000000 WHERE asset = 'IA'")
    with pytest.raises(LedgerBroken) as caught:
        wallet.require_spendable()
    assert caught.value.problem.kind == ProblemKind.TOTALS
    assert wallet.verify().problem.seq == 1  # the full check names the row  # type: ignore[union-attr]


def test_a_seal_that_does_not_authenticate_is_ignored_not_believed(wallet: Wallet) -> None:
    wallet.ledger.append_many(chain(wallet.address(), 6))
    wallet.require_spendable()
    db = sqlite3.connect(ledger_path(wallet.paths))
    raw = json.loads(db.execute("SELECT value FROM meta WHERE key = 'seal'").fetchone()[0])
    body = json.loads(raw["body"])
    body["sums"] = [[s, a, n * 100] for s, a, n in body["sums"]]  # a forger's seal for bigger totals
    raw["body"] = json.dumps(body, sort_keys=True, separators=(",", ":"))
    db.execute("UPDATE meta SET value = ? WHERE key = 'seal'", (json.dumps(raw),))
    db.execute("UPDATE totals SET amount = amount * 100")
    db.commit()
    db.close()
    with pytest.raises(LedgerBroken) as caught:  # the whole chain read again: the totals differ
        wallet.require_spendable()
    assert caught.value.problem.kind == ProblemKind.TOTALS


def test_a_chain_signed_by_a_key_the_policy_does_not_name_fails_at_its_first_row(wallet: Wallet) -> None:
    forger = Ed25519PrivateKey.generate()
    unanchored = Ledger(ledger_path(wallet.paths), account=wallet.address())  # as a forger writes it
    unanchored.append_many(chain(wallet.address(), 5, key=forger))
    unanchored.close()
    result = wallet.verify()
    assert result.problem is not None and result.problem.kind == ProblemKind.FORGED
    assert (result.problem.seq, result.problem.row) == (1, 1)
    assert public_key_hex(forger)[:16] in result.problem.detail and TEST_KEY[:16] in result.problem.detail
    with pytest.raises(LedgerBroken):
        wallet.require_spendable()


def rotated(account: str) -> list[Receipt]:
    """#1–#3 by the old key (November), #4–#5 by the new one (December)."""
    out: list[Receipt] = []
    prev = ZERO_HASH
    for seq in range(1, 6):
        key = TEST_SERVICE_KEY if seq <= 3 else NEW
        r = sign_receipt({"store": "demo", "seq": seq, "account": account,
                          "time": f"2026-{11 if seq <= 3 else 12}-0{seq}T10:00:00Z", "asset": "IA",
                          "amount": 100, "kind": "reward", "reference": "org.imapp.charity",
                          "prev_hash": prev}, key)
        out.append(r)
        prev = r.hash
    return out


def test_a_rotation_keeps_the_receipts_the_retired_key_signed_before_it_retired(tmp_path: Path) -> None:
    keys = ServiceKeys(public_key_hex(NEW), (RetiredKey(TEST_KEY, "2026-11-30T23:59:59Z"),))
    receipts = rotated("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH")
    led = Ledger(tmp_path / "l.sqlite3", service_keys={"demo": keys})
    assert led.append_many(receipts) == 5
    assert led.verify().ok
    led.close()
    early = ServiceKeys(public_key_hex(NEW), (RetiredKey(TEST_KEY, "2026-11-02T00:00:00Z"),))
    strict = Ledger(tmp_path / "l.sqlite3", service_keys={"demo": early})
    problem = strict.verify().problem
    assert problem is not None and problem.kind == ProblemKind.FORGED and problem.seq == 2
    assert "retired at 2026-11-02T00:00:00Z" in problem.detail
    strict.close()
    fresh = Ledger(tmp_path / "m.sqlite3", service_keys={"demo": early})
    with pytest.raises(LedgerError, match="retired at"):
        fresh.append_many(receipts)
    assert fresh.count() == 0
    fresh.close()


def test_a_resync_accepts_a_rotated_chain_and_refuses_a_foreign_one(tmp_path: Path) -> None:
    account = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    led = Ledger(tmp_path / "l.sqlite3")
    led.append_many(chain(account, 3, key=Ed25519PrivateKey.generate()))  # a forger's chain, pinned
    keys = ServiceKeys(public_key_hex(NEW), (RetiredKey(TEST_KEY, "2026-11-30T23:59:59Z"),))
    with pytest.raises(LedgerError, match="signed policy does not name"):
        led.reset_from("demo", chain(account, 2, key=Ed25519PrivateKey.generate()), service_key=keys)
    done = led.reset_from("demo", rotated(account), service_key=keys)
    assert (done.receipts, done.quarantined) == (5, 3)
    assert led.verify().ok
    led.close()


def test_balances_leave_out_stores_no_signed_policy_vouches_for(wallet: Wallet) -> None:
    wallet.ledger.append_many(chain(wallet.address(), 2))
    wallet.ledger.append_many(chain(wallet.address(), 2, store="gone", key=NEW))
    balances = wallet.balances()
    assert balances.totals["IA"].units == 250_000_000 and list(balances.stores) == ["demo"]
    assert balances.unanchored["gone"]["IA"].units == 250_000_000
    assert wallet.verify().unanchored == ("gone",)


def test_the_policy_names_retired_keys_with_their_time() -> None:
    base = json.loads(policy_json("demo", public_key_hex(NEW)))
    base["previous_keys"] = [{"key": TEST_KEY, "until": "2026-11-30T23:59:59Z"}]
    policy = parse_policy(json.dumps(base).encode())
    assert policy.keys.accepts(TEST_KEY, "2026-11-30T23:59:59Z")
    assert not policy.keys.accepts(TEST_KEY, "2026-12-01T00:00:00Z")
    assert parse_policy(json.dumps(policy.to_json()).encode()) == policy
    for bad, field in [([{"key": TEST_KEY}], "previous_keys[0]"),
                       ([{"key": "AB" * 32, "until": "2026-11-30T23:59:59Z"}], "previous_keys[0].key"),
                       ([{"key": public_key_hex(NEW), "until": "2026-11-30T23:59:59Z"}],
                        "previous_keys[0].key"),
                       ([{"key": TEST_KEY, "until": "2026-11-30"}], "previous_keys[0].until"),
                       ("x", "previous_keys")]:
        base["previous_keys"] = bad
        with pytest.raises(PolicyError, match=field.replace("[", r"\[").replace("]", r"\]")):
            parse_policy(json.dumps(base).encode())


def test_a_planted_unreadable_store_name_does_not_switch_the_anchor_off(wallet: Wallet) -> None:
    """A forger's own chain for the demo store, plus a services row whose store name is not
    text: the check must not fall back to the keys the file names."""
    forger = Ed25519PrivateKey.generate()
    plain = Ledger(ledger_path(wallet.paths), account=wallet.address())
    plain.append_many(chain(wallet.address(), 6, key=forger))
    plain.close()
    sql(wallet, "INSERT INTO services VALUES (CAST(x'78ff' AS TEXT), zeroblob(32), 0, zeroblob(32), 0)")
    result = wallet.verify()
    assert result.problem is not None and result.problem.kind == ProblemKind.CHANGED
    assert "not valid UTF-8" in result.problem.detail
    with pytest.raises(LedgerBroken):
        wallet.require_spendable()
    sql(wallet, "DELETE FROM services WHERE store = CAST(x'78ff' AS TEXT)")
    assert wallet.verify().problem.kind == ProblemKind.FORGED  # type: ignore[union-attr]


def test_a_seal_made_under_keys_the_policy_no_longer_names_does_not_hold(tmp_path: Path) -> None:
    account = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    anchors = {"demo": ServiceKeys(public_key_hex(NEW), (RetiredKey(TEST_KEY, "2026-11-30T23:59:59Z"),))}
    led = Ledger(tmp_path / "l.sqlite3", trust=anchors.get)
    led.append_many(rotated(account))
    seal_key = bytes(32)
    led.quick_check(seal_key)
    assert led.quick_check(seal_key).receipts == 0  # sealed
    anchors["demo"] = ServiceKeys(public_key_hex(NEW))  # the policy drops the retired key
    with pytest.raises(LedgerBroken) as caught:  # the seal does not vouch: every row read again
        led.quick_check(seal_key)
    assert caught.value.problem.kind == ProblemKind.FORGED and caught.value.problem.seq == 1
    led.close()


def test_a_row_planted_where_the_next_receipt_belongs_is_a_ledger_error(wallet: Wallet) -> None:
    receipts = chain(wallet.address(), 3)
    wallet.ledger.append_many(receipts[:2])
    sql(wallet, "INSERT INTO receipts (store, service_key, seq, account, time, asset, amount, kind, "
                "reference, prev_hash, hash, signature) SELECT store, service_key, 3, account, time, asset, "
                "amount, kind, reference, prev_hash, hash, signature FROM receipts WHERE seq = 1")
    with pytest.raises(LedgerError, match="nothing was written"):
        wallet.ledger.append(receipts[2])
