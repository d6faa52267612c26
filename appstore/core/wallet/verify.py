"""Checking a ledger end to end (``Ledger.verify``): every receipt's hash and signature, each
store's sequence and hash chain, the chain heads and the running totals, naming the first
entry that is wrong and how (docs/ledger.md)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

from appstore.core.errors import shorten
from appstore.core.wallet import seal as sealing
from appstore.core.wallet.ledgerdata import (
    _COLUMNS,
    _TEXT_FIELDS,
    PROGRESS_EVERY,
    LedgerError,
    Problem,
    ProblemKind,
    Verification,
    _Head,
    _meta,
    _receipt,
    _row_fields,
    _short,
)
from appstore.core.wallet.receipts import (
    FIELDS,
    ReceiptError,
    canonical_bytes,
    fields_problem,
    receipt_digest,
    signature_ok,
    utc_now,
)
from appstore.core.wallet.seal import Sealed
from appstore.core.wallet.trust import ServiceKeys


class CheckedLedger(Protocol):
    """What a check uses of the ledger (``ledger.Ledger``, which calls it): declared here, so
    this module does not import the ledger back."""

    path: Path
    _account: str | None

    def _connect(self) -> sqlite3.Connection: ...

    def _writing(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def keys(self, stores: Iterable[str]) -> dict[str, ServiceKeys | None]: ...


class _Scan:
    """One pass over the receipts in the order they were added (row id), each store's chain
    checked as it goes; then the chain heads and the running totals. ``trusted``: the keys each
    store's signed policy names (None: no policy; the chain's own key is held to). ``sealed``:
    a state an earlier check vouched for: only the rows added after it are read."""

    def __init__(self, db: sqlite3.Connection, account: str | None,
                 trusted: _Keys | Mapping[str, ServiceKeys | None], every_signature: bool,
                 progress: Callable[[int, int], None] | None, sealed: Sealed | None = None) -> None:
        self.db = db
        self.account = account or _meta(db, "account")
        self.trusted = trusted
        self.every_signature = every_signature
        self.progress = progress
        self.rows = self.signatures = 0
        self.recorded: dict[str, tuple[bytes, int, bytes, int]] = {}  # the services table
        self.unreadable: Problem | None = None  # a store name in it that is not text
        for store, key, seq, digest, count in db.execute("SELECT * FROM services"):
            name = _decoded_text(store)
            if isinstance(store, bytes) and _text(store) is None and self.unreadable is None:
                self.unreadable = Problem(ProblemKind.CHANGED, name, None, None,
                                          "the ledger's record of a store's chain (the services table) "
                                          "names a store that is not valid UTF-8 text: it was edited")
            self.recorded[name] = (key, seq, digest, count)
        self.heads: dict[str, _Head] = {}
        self.sums: dict[tuple[str, str], int] = {}
        self.last_id = 0
        self.sealed = sealed
        if sealed is not None:
            self.last_id = sealed.row
            self.heads = {s: _Head(k, q, h, c) for s, k, q, h, c in sealed.heads}
            self.sums = {(s, a): n for s, a, n in sealed.sums}
        # quick mode: each store's last row, key, signature, hash and seq
        self.last_rows: dict[str, tuple[int, bytes, bytes, bytes, int]] = {}

    def sealable(self, keys: tuple[tuple[str, str], ...]) -> Sealed:
        """The state this scan found, to seal (``keys``: the fingerprint of the stores' keys)."""
        heads = sorted((s, h.key, h.seq, h.hash, h.count) for s, h in self.heads.items())
        return Sealed(self.last_id, tuple(heads), tuple(sorted((s, a, n) for (s, a), n in self.sums.items())),
                      keys)

    def run(self) -> Problem | None:
        if self.unreadable is not None:
            return self.unreadable
        after = self.last_id
        total = int(self.db.execute("SELECT count(*) FROM receipts").fetchone()[0]) if self.progress else 0
        for row in self.db.execute("SELECT id, " + _COLUMNS + " FROM receipts WHERE id > ? ORDER BY id",
                                   (after,)):
            problem = self.check(row)
            if problem:
                return problem
            self.rows += 1
            self.last_id = _int(row[0]) or self.last_id
            if self.progress and self.rows % PROGRESS_EVERY == 0:
                self.progress(self.rows, total)
        for store in [s for s in self.heads if s not in self.last_rows and not self.every_signature]:
            problem = self.sealed_head(store)  # no row of it since the seal: its last one again
            if problem:
                return problem
        for store, (rid, key, sig, digest, seq) in self.last_rows.items():
            self.signatures += 1
            if not signature_ok(key, sig, digest):
                return Problem(ProblemKind.FORGED, store, seq, rid, self._bad_signature(store, key))
        return self.ends()

    def sealed_head(self, store: str) -> Problem | None:
        """A chain the seal vouched for, with no receipt since: its last receipt must still be
        the one sealed, intact and signed by a key the store's policy names."""
        head = self.heads[store]
        row = self.db.execute("SELECT id, " + _COLUMNS + " FROM receipts WHERE store = CAST(? AS TEXT) "
                              "AND seq = ?", (store.encode(), head.seq)).fetchone()
        if row is None:
            return Problem(ProblemKind.MISSING, store, head.seq, None,
                           f"the chain's last receipt #{head.seq} is gone since the ledger was last checked")
        fields = _row_fields(dict(zip(FIELDS, row[1:], strict=True)))
        if fields is None or receipt_digest(canonical_bytes(fields)) != head.hash or row[11] != head.hash:
            return _changed(store, row, "it was changed since the ledger was last checked")
        problem = self.key_problem(store, row[2], str(fields["time"]), head)
        if problem:
            return Problem(ProblemKind.FORGED, store, head.seq, _int(row[0]), problem)
        self.last_rows[store] = (_int(row[0]) or 0, row[2], row[12], head.hash, head.seq)
        return None

    def key_problem(self, store: str, key: bytes, time: str, head: _Head) -> str | None:
        """Why ``key`` cannot have signed a receipt of ``store`` dated ``time`` (None: it can)."""
        keys = self.trusted.get(store)
        if keys is not None:
            return None if keys.accepts(key.hex(), time) else keys.refusal(store, key.hex(), time)
        if key != head.key:
            return f"it is signed by key {_short(key)}, which is not store {store}'s IA service's key " \
                   f"{_short(head.key)}"
        return None

    def check(self, row: tuple[object, ...]) -> Problem | None:
        rid, store_b, key, seq, account_b, time_b, asset_b, amount, kind_b, ref_b, prev, digest, sig = row
        if not (type(rid) is int and type(seq) is int and type(amount) is int and isinstance(key, bytes)
                and isinstance(prev, bytes) and isinstance(digest, bytes) and isinstance(sig, bytes)
                and isinstance(store_b, bytes) and isinstance(account_b, bytes) and isinstance(time_b, bytes)
                and isinstance(asset_b, bytes) and isinstance(kind_b, bytes) and isinstance(ref_b, bytes)):
            return self.malformed(row)
        try:
            store, account, asset = store_b.decode(), account_b.decode(), asset_b.decode()
            fields: dict[str, object] = {
                "account": account, "amount": amount, "asset": asset, "kind": kind_b.decode(),
                "prev_hash": prev.hex(), "reference": ref_b.decode(), "seq": seq, "service_key": key.hex(),
                "store": store, "time": time_b.decode()}
        except UnicodeDecodeError:
            return self.malformed(row)
        computed = receipt_digest(canonical_bytes(fields))
        head = self.heads.get(store)
        if head is None:
            if store not in self.recorded:
                if computed != digest:
                    return self.changed(row, fields, computed)
                return Problem(ProblemKind.CHANGED, store, seq, rid, f"the ledger has no record of store "
                               f"{store}'s chain (its row in the services table was removed)")
            head = self.heads[store] = _Head(self.recorded[store][0])
        if computed != digest:
            return self.changed(row, fields, computed)
        if self.account is None:
            self.account = account
        if problem := self.key_problem(store, key, str(fields["time"]), head):
            return Problem(ProblemKind.FORGED, store, seq, rid, problem)
        if account != self.account:
            return Problem(ProblemKind.FOREIGN, store, seq, rid,
                           f"it is for account {account}, and this ledger holds {self.account}'s receipts")
        if self.every_signature:
            self.signatures += 1
            if not signature_ok(key, sig, digest):
                return self.bad_signature(store, seq, rid, digest, key)
        else:
            self.last_rows[store] = (rid, key, sig, digest, seq)
        if seq != head.seq + 1:
            return self.misplaced(store, seq, rid, head)
        if prev != head.hash:
            return Problem(ProblemKind.CHANGED, store, seq, rid,
                           f"the hash chain breaks here: it follows a receipt #{head.seq} other than the "
                           "one in the ledger (one of the two was replaced)")
        head.seq, head.hash, head.count, head.key = seq, digest, head.count + 1, key
        self.sums[(store, asset)] = self.sums.get((store, asset), 0) + amount
        return None

    def malformed(self, row: tuple[object, ...]) -> Problem:
        """A row whose fields cannot even be read back (text that is not UTF-8, a wrong type).
        A store or an account so damaged is told by trying the values it can only have had."""
        store = _decoded_text(row[1])
        for name, value in zip(FIELDS, row[1:], strict=True):
            if name in ("seq", "amount"):
                if type(value) is not int:
                    return _changed(store, row, f"its {name} is not stored as an integer")
            elif not isinstance(value, bytes):
                return _changed(store, row, f"its {name} is not stored as "
                                            f"{'text' if name in _TEXT_FIELDS else 'bytes'}")
            elif name in _TEXT_FIELDS:
                try:
                    value.decode()
                except UnicodeDecodeError:
                    detail = f"its {name} is not valid UTF-8 text (a byte of it was changed)"
                    originals = list(self.recorded) if name == "store" else [self.account]
                    for original in originals if name in ("store", "account") else []:
                        fields = _row_fields({**dict(zip(FIELDS, row[1:], strict=True)),
                                              name: str(original).encode()})
                        if fields and receipt_digest(canonical_bytes(fields)) == row[11]:
                            return _changed(str(original) if name == "store" else store, row,
                                            f"{detail}; it was {_shown(name, original)}")
                    return _changed(store, row, detail)
        return _changed(store, row, "a field of it cannot be read")

    def changed(self, row: tuple[object, ...], fields: dict[str, object], computed: bytes) -> Problem:
        """A row that does not match its hash: say which field changed when that can be told."""
        store = str(fields["store"])
        digest, key, sig = row[11], row[2], row[12]
        assert isinstance(key, bytes) and isinstance(digest, bytes) and isinstance(sig, bytes)
        if signature_ok(key, sig, computed):
            return _changed(store, row, "its hash was changed (its content and its signature are intact)")
        head = self.heads.get(store)
        guesses: list[tuple[str, object]] = [("store", s) for s in self.recorded if s != store]
        if head is not None:
            guesses += [("seq", head.seq + 1), ("prev_hash", head.hash.hex()),
                        ("service_key", head.key.hex())]
        keys = self.trusted.get(store)
        guesses += [("service_key", k) for k in (keys.all() if keys else ())
                    if head is None or k != head.key.hex()]
        if self.account:
            guesses.append(("account", self.account))
        for name, original in guesses:
            if original == fields[name]:
                continue
            if receipt_digest(canonical_bytes({**fields, name: original})) == digest:
                if name == "seq" and self._stored_seq(store, original):
                    return Problem(ProblemKind.OUT_OF_ORDER, store, _int(original), _int(row[0]),
                                   f"it is stored as #{fields['seq']}, and another row as #{original}: "
                                   "their sequence numbers were swapped")
                return _changed(str(original) if name == "store" else store, row,
                                f"its {name} was changed from {_shown(name, original)} to "
                                f"{_shown(name, fields[name])}", original if name == "seq" else None)
        if problem := fields_problem({**fields, "hash": digest.hex(), "signature": sig.hex()}):
            return _changed(store, row, f"its {problem}")
        return _changed(store, row, "its content no longer matches its hash: it was edited after the "
                                    "service signed it (amount, time, kind, asset or reference)")

    def bad_signature(self, store: str, seq: int, rid: int, digest: bytes, key: bytes) -> Problem:
        """A well-formed receipt whose signature fails: if the next receipt (validly signed)
        names this one's hash, the content is the service's and only the signature changed."""
        nxt = self.db.execute("SELECT id, " + _COLUMNS + " FROM receipts WHERE store = CAST(? AS TEXT) "
                              "AND seq = ?", (store.encode(), seq + 1)).fetchone()
        if nxt is not None and nxt[10] == digest:
            try:
                r = _receipt(nxt[1:])
                keys = self.trusted.get(store)
                if r.verify() is None and (keys.accepts(r.service_key, r.time) if keys
                                           else bytes.fromhex(r.service_key) == key):
                    return Problem(ProblemKind.CHANGED, store, seq, rid,
                                   f"its signature was changed (receipt #{seq + 1}, validly signed, vouches "
                                   "for its content)")
            except (ReceiptError, TypeError, ValueError):
                pass
        return Problem(ProblemKind.FORGED, store, seq, rid, self._bad_signature(store, key))

    def _bad_signature(self, store: str, key: bytes) -> str:
        return (f"its signature does not verify with store {store}'s IA service's key "
                f"{_short(key)} (it was made by someone else, or changed)")

    def misplaced(self, store: str, seq: int, rid: int, head: _Head) -> Problem:
        expected = head.seq + 1
        if seq < expected:
            return Problem(ProblemKind.OUT_OF_ORDER, store, seq, rid,
                           f"it comes after receipt #{head.seq}, which it should precede")
        if self._stored_seq(store, expected):
            return Problem(ProblemKind.OUT_OF_ORDER, store, seq, rid,
                           f"it is stored before receipt #{expected}, which it should follow")
        gap = f"#{expected} to #{seq - 1}" if seq - 1 > expected else ""
        return Problem(ProblemKind.MISSING, store, expected, None,
                       f"the ledger goes from #{head.seq} to #{seq}" + (f" (receipts {gap} are missing)"
                                                                         if gap else ""))

    def _stored_seq(self, store: str, seq: object) -> bool:
        return self.db.execute("SELECT 1 FROM receipts WHERE store = CAST(? AS TEXT) AND seq = ?",
                               (store.encode(), seq)).fetchone() is not None

    def ends(self) -> Problem | None:
        """Each chain ends where the ledger recorded it, and the running totals are the sums."""
        for store, (key, seq, digest, count) in self.recorded.items():
            head = self.heads.get(store, _Head(key))
            if seq > head.seq:
                gap = f"receipts #{head.seq + 1} to #{seq} are" if seq > head.seq + 1 else "it is"
                return Problem(ProblemKind.MISSING, store, head.seq + 1, None,
                               f"the ledger recorded store {store}'s chain up to #{seq}, and {gap} missing")
            if (seq, digest, count) != (head.seq, head.hash, head.count):
                return Problem(ProblemKind.TOTALS, store, None, None,
                               f"the ledger's record of store {store}'s chain (last #{seq}, {count} "
                               f"receipts) differs from its receipts (last #{head.seq}, {head.count})")
        recorded: dict[tuple[str, str], object] = {}
        for store_b, asset_b, amount in self.db.execute("SELECT store, asset, amount FROM totals"):
            recorded[(_decoded_text(store_b), _decoded_text(asset_b))] = amount
        for store, asset in sorted(set(recorded) | set(self.sums)):
            total, actual = recorded.get((store, asset), 0), self.sums.get((store, asset), 0)
            if total != actual:
                return Problem(ProblemKind.TOTALS, store, None, None,
                               f"its running total of {asset} is {total} base units, and its receipts add "
                               f"up to {actual}")
        return None


def _changed(store: str, row: tuple[object, ...], detail: str, seq: object = None) -> Problem:
    """A changed row: named by its seq as signed when that is known, else as stored."""
    return Problem(ProblemKind.CHANGED, store, _int(row[3] if seq is None else seq), _int(row[0]), detail)


def _int(value: object) -> int | None:
    return value if type(value) is int else None


def _shown(name: str, value: object) -> str:
    if name == "seq":
        return f"#{value}"
    if name in ("prev_hash", "service_key"):
        return str(value)[:16] + "…"
    return shorten(repr(value), 24)


def _text(value: bytes) -> str | None:
    try:
        return value.decode()
    except UnicodeDecodeError:
        return None


class _Keys:
    """The keys each store's signed policy names, asked for each store as the scan meets it
    (in the services table, a receipt, or a seal), so no store escapes the policy check."""

    def __init__(self, ledger: CheckedLedger) -> None:
        self.ledger = ledger
        self.found: dict[str, ServiceKeys | None] = {}

    def get(self, store: str) -> ServiceKeys | None:
        if store not in self.found:
            self.found[store] = self.ledger.keys([store])[store]
        return self.found[store]

    def fingerprint(self, stores: Iterable[str]) -> tuple[tuple[str, str], ...]:
        """What the keys of ``stores`` are now, for the seal: a seal made under other keys (a
        policy that dropped one since) does not hold."""
        out = []
        for store in sorted(stores):
            keys = self.get(store)
            text = "none" if keys is None else \
                repr((keys.current, sorted((r.key, r.until) for r in keys.retired)))
            out.append((store, hashlib.sha256(text.encode()).hexdigest()[:32]))
        return tuple(out)


def _decoded_text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def check(ledger: CheckedLedger, *, every_signature: bool, progress: Callable[[int, int], None] | None,
           seal_key: bytes | None = None) -> Verification:
    """``Ledger.verify`` and ``Ledger.quick_check``: one snapshot scanned against the keys the
    stores' signed policies name (from a seal, when one authenticates with ``seal_key``); the
    finding recorded (``meta.broken``), and with ``seal_key`` the state it found sealed."""
    start = time.perf_counter()
    keys = _Keys(ledger)
    db = ledger._connect()
    db.text_factory = bytes
    try:
        db.execute("BEGIN")  # one snapshot: appends may go on meanwhile
        sealed = sealing.read(db, seal_key) if seal_key else None
        if sealed is not None and sealed.keys != keys.fingerprint(h[0] for h in sealed.heads):
            sealed = None  # sealed under keys the policies no longer name: read it all again
        scan = _Scan(db, ledger._account, keys, every_signature, progress, sealed)
        problem = scan.run()
    except sqlite3.DatabaseError as e:
        raise LedgerError(f"cannot read the wallet's ledger {ledger.path} ({e}); move it away, then "
                          "re-sync the wallet from the stores' IA services") from None
    finally:
        db.close()
    fresh = scan.sealable(keys.fingerprint(scan.heads)) if seal_key and problem is None else None
    if problem is not None or sealed is None or fresh != sealed:
        with ledger._writing() as w:  # (nothing to write when a sealed state still holds)
            if problem is None:
                w.execute("DELETE FROM meta WHERE key = 'broken'")
            else:
                w.execute("INSERT OR REPLACE INTO meta VALUES ('broken', ?)",
                          (json.dumps({**asdict(problem), "kind": problem.kind.value}),))
                w.execute("DELETE FROM meta WHERE key = 'seal'")
            if fresh is not None and seal_key is not None:
                sealing.write(w, seal_key, fresh)
            if seal_key is None:
                w.execute("INSERT OR REPLACE INTO meta VALUES ('verified', ?)", (utc_now(),))
    unanchored = tuple(sorted(s for s, k in keys.found.items() if k is None))
    return Verification(problem, scan.rows, scan.signatures, time.perf_counter() - start, unanchored)
