"""The wallet's ledger at size: a ledger of N real, signed receipts (default 1,000,000).

``python -m bench.ledger [--n N] [--batch B]`` builds the ledger (receipts signed with a real
Ed25519 key in a loop, added with ``append_many`` in batches), then measures, in the same run:

* ``balance()`` latency from a freshly opened ledger (target: 5 ms or less at 1,000,000);
* a full ``verify()`` (every hash, signature, the chain and the totals) and a quick one (the
  chain, and each chain's last signature), against a bare SHA-256 of the same canonical bytes
  (the domain prefix included) — and, for scale, bare Ed25519 verifications, extrapolated from
  a sample;
* appends per second: batched (``append_many``) and one durable transaction per receipt;
* the check before a spend (``quick_check`` with a seal key, the signer checked against the
  policy's key): the first one, which reads every row and seals, then the sealed ones (target:
  5 ms or less at 1,000,000), and one after a new receipt.

It prints a summary, then the results as JSON on its last line. At 1,000,000 receipts a run
takes about 6 minutes on a 2-core machine and about 0.5 GB of disk (removed afterwards).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appstore.core.wallet.ledger import Ledger
from appstore.core.wallet.receipts import DOMAIN, ZERO_HASH, Receipt, canonical_bytes, sign_receipt

RESULTS = Path(__file__).resolve().parent / "results"
ACCOUNT = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
PATTERN = [("reward", "IA", 1_500_000), ("dividend", "IA", 250), ("swap", "IA", -1_000_000),
           ("swap", "BCD", 70_000), ("stake", "IA", -300), ("payout", "IA", 600),
           ("withdrawal", "BCD", -20_000), ("payment", "IA", -5), ("refund", "IA", 5)]
START = datetime(2026, 1, 1, tzinfo=UTC)


def receipts(key: Ed25519PrivateKey, first: int, count: int, prev: str) -> list[Receipt]:
    out = []
    for seq in range(first, first + count):
        kind, asset, amount = PATTERN[seq % len(PATTERN)]
        r = sign_receipt({"store": "demo", "seq": seq, "account": ACCOUNT,
                          "time": (START + timedelta(seconds=seq * 7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "asset": asset, "amount": amount, "kind": kind,
                          "reference": f"org.bench.app{seq % 500}", "prev_hash": prev}, key)
        out.append(r)
        prev = r.hash
    return out


def build(ledger: Ledger, key: Ed25519PrivateKey, n: int, batch: int) -> dict[str, float]:
    sign_s = append_s = 0.0
    prev, seq = ZERO_HASH, 1
    while seq <= n:
        t = time.perf_counter()
        chunk = receipts(key, seq, min(batch, n - seq + 1), prev)
        sign_s += time.perf_counter() - t
        t = time.perf_counter()
        ledger.append_many(chunk)
        append_s += time.perf_counter() - t
        prev, seq = chunk[-1].hash, seq + len(chunk)
        print(f"  {seq - 1:>9} receipts", end="\r", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return {"sign_s": sign_s, "append_many_s": append_s}


def balance_latency(path: Path) -> dict[str, float]:
    t = time.perf_counter()
    ledger = Ledger(path)
    ledger.balance("IA")
    first = time.perf_counter() - t
    times = []
    for i in range(2000):
        t = time.perf_counter()
        ledger.balance("IA" if i % 2 else "BCD", None if i % 3 else "demo")
        times.append(time.perf_counter() - t)
    ledger.close()
    times.sort()
    return {"balance_first_ms": first * 1e3, "balance_p50_ms": statistics.median(times) * 1e3,
            "balance_p95_ms": times[int(len(times) * 0.95)] * 1e3, "balance_max_ms": times[-1] * 1e3}


def bare_hashing(path: Path) -> float:
    """Seconds of SHA-256 alone over every row's canonical bytes (built beforehand, untimed)."""
    import sqlite3

    db = sqlite3.connect(path)
    total, last = 0.0, 0
    while True:
        rows = db.execute("SELECT id, store, service_key, seq, account, time, asset, amount, kind, "
                          "reference, prev_hash FROM receipts WHERE id > ? ORDER BY id LIMIT 100000",
                          (last,)).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        data = [canonical_bytes({"store": s, "service_key": k.hex(), "seq": q, "account": a, "time": tm,
                                 "asset": at, "amount": am, "kind": kd, "reference": rf,
                                 "prev_hash": p.hex()})
                for _, s, k, q, a, tm, at, am, kd, rf, p in rows]
        sha256, prefix = hashlib.sha256, DOMAIN
        t = time.perf_counter()
        for c in data:
            sha256(prefix + c).digest()
        total += time.perf_counter() - t
    db.close()
    return total


def bare_ed25519_per_s(key: Ed25519PrivateKey) -> float:
    public, digest = key.public_key(), hashlib.sha256(b"x").digest()
    signature = key.sign(digest)
    t = time.perf_counter()
    for _ in range(5000):
        public.verify(signature, digest)
    return 5000 / (time.perf_counter() - t)


def sealed_checks(path: Path, key: Ed25519PrivateKey) -> dict[str, float]:
    from appstore.core.wallet.receipts import public_key_hex

    seal_key = hashlib.sha256(b"bench seal key").digest()
    ledger = Ledger(path, service_keys={"demo": public_key_hex(key)})
    t = time.perf_counter()
    ledger.quick_check(seal_key)
    first = time.perf_counter() - t
    times = []
    for _ in range(200):
        t = time.perf_counter()
        result = ledger.quick_check(seal_key)
        times.append(time.perf_counter() - t)
        assert result.receipts == 0, result
    prev = ledger.last("demo")
    ledger.append(receipts(key, prev[0] + 1, 1, prev[1])[0])
    t = time.perf_counter()
    ledger.quick_check(seal_key)
    after_one = time.perf_counter() - t
    ledger.close()
    times.sort()
    return {"quick_check_unsealed_s": first, "quick_check_sealed_p50_ms": statistics.median(times) * 1e3,
            "quick_check_sealed_p95_ms": times[int(len(times) * 0.95)] * 1e3,
            "quick_check_after_one_receipt_ms": after_one * 1e3}


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ledger")
    p.add_argument("--n", type=int, default=1_000_000, help="receipts in the ledger (default 1,000,000)")
    p.add_argument("--batch", type=int, default=10_000, help="receipts per append_many")
    args = p.parse_args()
    started = time.perf_counter()
    RESULTS.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ledger-", dir=RESULTS))  # on disk: fsync costs what it costs
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    try:
        path = work / "wallet" / "ledger.sqlite3"
        ledger = Ledger(path)
        built = build(ledger, key, args.n, args.batch)
        prev = ledger.last("demo")[1]
        single = receipts(key, args.n + 1, 300, prev)
        t = time.perf_counter()
        for r in single:
            ledger.append(r)
        single_s = time.perf_counter() - t
        ledger.close()
        n = args.n + len(single)
        size_mb = sum(f.stat().st_size for f in path.parent.iterdir()) / 1e6
        latency = balance_latency(path)
        ledger = Ledger(path)
        full = ledger.verify()
        quick = ledger.verify(every_signature=False)
        ledger.close()
        assert full.ok and quick.ok and full.receipts == n, (full, quick)
        sha_s = bare_hashing(path)
        ed_per_s = bare_ed25519_per_s(key)
        checks = sealed_checks(path, key)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result: dict[str, Any] = {
        "receipts": n,
        "file_mb": round(size_mb, 1),
        "sign_per_s": round(args.n / built["sign_s"]),
        "append_many_per_s": round(args.n / built["append_many_s"]),
        "append_single_per_s": round(len(single) / single_s),
        **{k: round(v, 3) for k, v in latency.items()},
        "balance_target_ms": 5,
        **{k: round(v, 3) for k, v in checks.items()},
        "quick_check_target_ms": 5,
        "verify_full_s": round(full.seconds, 2),
        "verify_quick_s": round(quick.seconds, 2),
        "sha256_bare_s": round(sha_s, 3),
        "verify_full_vs_sha256": round(full.seconds / sha_s, 1),
        "verify_quick_vs_sha256": round(quick.seconds / sha_s, 1),
        "ed25519_bare_s_estimated": round(n / ed_per_s, 2),
        "verify_full_vs_sha256_plus_ed25519": round(full.seconds / (sha_s + n / ed_per_s), 2),
        "run_s": round(time.perf_counter() - started, 1),
    }
    print(f"{n} receipts, {result['file_mb']} MB: balance p50 {result['balance_p50_ms']} ms, p95 "
          f"{result['balance_p95_ms']} ms (first, opening the file: {result['balance_first_ms']} ms; "
          "target 5)")
    print(f"verify: full {result['verify_full_s']} s, quick {result['verify_quick_s']} s; bare SHA-256 "
          f"{result['sha256_bare_s']} s (ratios {result['verify_full_vs_sha256']}, "
          f"{result['verify_quick_vs_sha256']}); bare Ed25519 ~{result['ed25519_bare_s_estimated']} s")
    print(f"check before a spend: sealed p50 {result['quick_check_sealed_p50_ms']} ms, p95 "
          f"{result['quick_check_sealed_p95_ms']} ms (target 5); after one new receipt "
          f"{result['quick_check_after_one_receipt_ms']} ms; the first, unsealed "
          f"{result['quick_check_unsealed_s']} s")
    print(f"appends: {result['append_many_per_s']}/s in batches of {args.batch}, "
          f"{result['append_single_per_s']}/s one transaction each; signing {result['sign_per_s']}/s")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
