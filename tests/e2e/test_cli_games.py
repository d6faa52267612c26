"""``games``, ``games stake``, ``games verify`` as processes on the demo store, whose rounds the
app keeps running (here 12-second rounds): the ``--json`` contract, a stake paid by the rule and
checked, a late stake refused, a store that reveals the wrong seed caught and refunded, and two
identical stakes sent at once by two processes taken as two stakes, never one reported twice."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli import ROOT

PERIOD = 12


def env(period: int = PERIOD) -> dict[str, str]:
    return {**os.environ, "IMAPP_DATA_DIR": "", "IMAPP_GAMES_PERIOD": str(period), "IMAPP_GAMES_REVEAL": "30",
            "IMAPP_WALLET_PASSPHRASE": "a passphrase for the tests"}


def run(data: Path, *args: str, check: bool = True, period: int = PERIOD) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "appstore", "--data-dir", str(data), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, env=env(period))
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def rounds(data: Path) -> list[dict[str, Any]]:
    return list(json.loads(run(data, "games", "--json").stdout))


def wait_for(data: Path, round_id: str, states: tuple[str, ...]) -> dict[str, Any]:
    deadline = time.monotonic() + 4 * PERIOD + 30
    while True:
        found = [r for r in rounds(data) if r["id"] == round_id]
        if found and found[0]["state"] in states:
            return found[0]
        assert time.monotonic() < deadline, found
        time.sleep(1)


def independent_draw(seed: str, round_id: str, n: int) -> int:
    i = 0
    while True:
        digest = hmac.new(bytes.fromhex(seed), f"{round_id}:{i}".encode(), hashlib.sha256).digest()
        x = int.from_bytes(digest, "big")
        if x < 2**256 - 2**256 % n:
            return x % n
        i += 1


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli-games") / "data"
    run(d, "wallet", "address")
    for app in ("org.imapp.memory", "org.imapp.notes"):  # +5 IA each
        run(d, "install", app)
    return d


def _fresh_open(data: Path, kind: str) -> dict[str, Any]:
    """An open round of ``kind`` with at least 8 seconds left (a few commands' time)."""
    deadline = time.monotonic() + 6 * PERIOD + 60
    while True:
        assert time.monotonic() < deadline, f"no open {kind} round with 8 s left"
        for r in rounds(data):
            locks = datetime.strptime(r["locks_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            left = (locks - datetime.now(UTC)).total_seconds()
            if r["state"] == "open" and r["kind"] == kind and left > 8:
                return r
        time.sleep(0.5)


def test_games_json_contract_stake_settle_verify(data: Path) -> None:
    # all three kinds open at once (a command on a loaded machine may straddle a 12 s period's end)
    deadline = time.monotonic() + 6 * PERIOD + 60
    while True:
        listed = rounds(data)
        open_kinds = {r["kind"] for r in listed if r["state"] == "open"}
        if open_kinds == {"number", "higher-lower", "odd-even"}:
            break
        assert time.monotonic() < deadline, listed
        time.sleep(0.5)
    for r in listed:
        assert {"id", "title", "options", "odds", "min_stake", "max_stake", "state", "opens_at", "locks_at",
                "commitment", "stakes"} <= set(r)
        assert r["state"] in ("open", "locked", "revealed", "settled", "invalid", "refunded")
        assert len(r["commitment"]) == 64 and set(r["odds"]) == set(r["options"])
        assert all(type(bp) is int and bp > 10_000 for bp in r["odds"].values())
        assert isinstance(r["min_stake"], str) and isinstance(r["max_stake"], str)
    oe = _fresh_open(data, "odd-even")
    assert oe["odds"] == {"odd": 19400, "even": 19400} and oe["odds_decimal"]["odd"] == "1.94"
    refused = run(data, "games", "stake", oe["id"], "odd", "500", "--yes", check=False)
    assert refused.returncode == 1 and "at most 100 IA" in refused.stderr
    staked = json.loads(run(data, "games", "stake", oe["id"], "odd", "1.5", "--yes", "--json").stdout)
    assert staked["receipt"]["kind"] == "stake" and staked["receipt"]["amount"] == -150_000_000
    assert staked["wins"] == "2.91"  # 1.5 × 1.94
    mine = [r for r in rounds(data) if r["id"] == oe["id"]][0]
    assert [(s["option"], s["amount"]) for s in mine["stakes"]] == [("odd", "1.5")]

    settled = wait_for(data, oe["id"], ("settled",))
    seed = settled["seed"]
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == settled["commitment"]
    drawn = str(1 + independent_draw(seed, oe["id"], 10))
    assert settled["result"] == drawn
    won = int(drawn) % 2 == 1
    assert settled["received"] == ("2.91" if won else "0")
    checked = json.loads(run(data, "games", "verify", oe["id"], "--json").stdout)["check"]
    assert checked["verdict"] == "ok" and checked["commitment_ok"] is True
    assert checked["recomputed"] == settled["commitment"] and checked["result"] == drawn
    assert checked["tries"][0]["hmac"] == hmac.new(bytes.fromhex(seed), f"{oe['id']}:0".encode(),
                                                   hashlib.sha256).hexdigest()
    assert checked["stakes"][0]["stake_receipt"]["reference"].startswith(f"stake:{oe['id']}:odd:19400:")
    text = run(data, "games", "verify", oe["id"]).stdout
    assert "matches the commitment" in text and "verdict: ok" in text

    late = run(data, "games", "stake", oe["id"], "odd", "1", "--yes", check=False)
    assert late.returncode == 1 and "takes no more stakes" in late.stderr


def test_a_wrong_reveal_is_caught_and_refunded(data: Path) -> None:
    num = _fresh_open(data, "number")
    run(data, "games", "stake", num["id"], "3", "1", "--yes")
    balance = json.loads(run(data, "wallet", "balance", "--json").stdout)["IA"]
    seeds = data / "demo-store" / "games" / "seeds.json"
    secrets_ = json.loads(seeds.read_text())
    secrets_[num["id"]] = "00" * 32  # the store will reveal a seed it did not commit to
    seeds.write_text(json.dumps(secrets_))
    r = wait_for(data, num["id"], ("invalid",))
    assert hashlib.sha256(bytes.fromhex(r["seed"])).hexdigest() != r["commitment"]
    assert r["verdict"] == "invalid" and "broke its promise" in r["message"]
    assert r["received"] == "1" and r["owed"] == "0"  # the stake came back as a refund
    after = json.loads(run(data, "wallet", "balance", "--json").stdout)["IA"]
    assert Decimal(after) == Decimal(balance) + 1
    text = run(data, "games").stdout
    assert "broke its promise" in text
    history = json.loads(run(data, "wallet", "history", "--json", "--kind", "refund").stdout)
    assert history[0]["reference"].startswith(f"refund:{num['id']}:") and history[0]["amount"] == "1"


# A CLI process run as ``python -m appstore`` would be, that notes each lock it is refused (the
# file a flock found held, one line each) in the file $WATCH_REFUSED_LOCKS: how a test knows
# that the process is waiting for a lock another one holds. It changes nothing else.
WATCHED_CLI = """
import fcntl, os, runpy, sys
_flock = fcntl.flock
def flock(fd, operation):
    try:
        return _flock(fd, operation)
    except BlockingIOError:
        n = fd if isinstance(fd, int) else fd.fileno()
        with open(os.environ["WATCH_REFUSED_LOCKS"], "a") as out:
            out.write(os.readlink(f"/proc/self/fd/{n}") + "\\n")
        raise
fcntl.flock = flock
sys.argv[0] = "appstore"
runpy.run_module("appstore", run_name="__main__", alter_sys=True)
"""


def _utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_two_identical_stakes_from_two_processes_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    slow = 600  # ten-minute rounds: time for two processes to start while one stays open
    run(data, "wallet", "address", period=slow)
    run(data, "install", "org.imapp.memory", period=slow)  # +5 IA
    deadline = time.monotonic() + 120
    while True:
        listed = json.loads(run(data, "games", "--json", period=slow).stdout)
        now = datetime.now(UTC)
        oe = [r for r in listed if r["kind"] == "odd-even" and r["state"] == "open"
              and (_utc(r["locks_at"]) - now).total_seconds() > 60]
        if oe:
            break
        assert time.monotonic() < deadline, listed
        time.sleep(2)
    rid = oe[0]["id"]
    # the service's database is held: the first stake to reach it waits for its answer
    db = sqlite3.connect(data / "demo-store" / "service" / "ia-service.sqlite3", isolation_level=None,
                         timeout=30)
    db.execute("BEGIN IMMEDIATE")
    pending = data / "games" / "demo" / "pending" / f"{rid}.json"
    refused = tmp_path / "refused-locks"
    stakes_lock = os.path.realpath(data / "games" / "demo" / ".stakes.lock")
    try:
        command = [sys.executable, "-c", WATCHED_CLI, "--data-dir", str(data), "games", "stake", rid, "odd",
                   "1", "--yes", "--json"]
        procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  cwd=ROOT, env={**env(slow), "WATCH_REFUSED_LOCKS": str(refused)})
                 for _ in range(2)]
        deadline = time.monotonic() + 60
        # one stake is in flight, and the other process waits for the stake lock it holds (it
        # reaches its decision while the first waits)
        while not (pending.exists() and refused.exists()
                   and stakes_lock in refused.read_text().splitlines()):
            assert time.monotonic() < deadline, "no stake was sent, or the other never reached the lock"
            if any(p.poll() is not None for p in procs):
                break  # one ended already: what it said is checked below
            time.sleep(0.05)
    finally:
        db.execute("ROLLBACK")
        db.close()
    outs = [p.communicate(timeout=120) for p in procs]
    staked = [json.loads(out) for (out, _), p in zip(outs, procs, strict=True) if p.returncode == 0]
    others = [err for (_, err), p in zip(outs, procs, strict=True) if p.returncode != 0]
    # two stakes (two receipts), or one stake and a clear "already placed": never one receipt twice
    assert all("already placed" in err for err in others), others
    seqs = [s["receipt"]["seq"] for s in staked]
    assert len(staked) >= 1 and len(set(seqs)) == len(seqs), outs
    mine = [r for r in json.loads(run(data, "games", "--json", period=slow).stdout) if r["id"] == rid][0]
    assert sorted(s["receipt"] for s in mine["stakes"]) == sorted(seqs)
    assert not pending.exists()
