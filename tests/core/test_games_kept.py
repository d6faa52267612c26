"""A round kept on this computer (``DATA/games/STORE/ID.json``) is not signed: editing it never
makes imapp say the store broke its promise, while a broken promise the store signed is still
caught — even after the store stops listing the round (the kept proof verifies again) — and two
identical stakes sent at once from one data dir are two stakes, never one stake reported twice.
On the real demo store and its embedded IA service, with rounds of a day."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import FrameType

import pytest

from appstore.core.errors import AppStoreError
from appstore.core.games.evidence import Signed
from appstore.core.games.games import Games
from appstore.core.games.keeper import Timing
from appstore.core.games.kept import KeptRounds
from appstore.core.games.rule import seed_matches
from appstore.core.games.views import RoundView
from appstore.core.services import Services
from appstore.core.wallet.receipts import Receipt
from appstore.service.storage import DB_NAME
from tests.gameskit import demo_games, kept_path, open_round, reveal_and_settle, sign_rounds, signed_rounds

IA = 10**8
WRONG = "00" * 32  # a seed no demo round commits to


@pytest.fixture
def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase for the tests")
    monkeypatch.setenv("IMAPP_GAMES_PERIOD", "86400")
    monkeypatch.setenv("IMAPP_GAMES_REVEAL", "3600")
    with demo_games(tmp_path / "data") as s:
        yield s


def _view(s: Services, round_id: str) -> RoundView:
    return next(v for v in s.games.overview().rounds if v.round.id == round_id)


def _edit(s: Services, round_id: str, **fields: object) -> None:
    path = kept_path(s, round_id)
    raw = json.loads(path.read_text("utf-8"))
    raw.update(fields)
    path.write_text(json.dumps(raw), "utf-8")


def _edit_definition(s: Services, round_id: str, **fields: object) -> None:
    raw = json.loads(kept_path(s, round_id).read_text("utf-8"))
    definition = json.loads(raw["definition"])
    definition.update(fields)
    _edit(s, round_id, definition=json.dumps(definition))


def _not_accused(v: RoundView) -> None:
    assert v.check.verdict not in ("invalid", "owed", "refunded"), v.check.message
    assert v.state != "invalid" and v.check.other_seed is None
    assert "broke its promise" not in v.check.message and "owes you" not in v.check.message


def _stake(s: Services, kind: str, option: str) -> RoundView:
    view = open_round(s, kind)
    s.games.stake(f"demo/{view.round.id}", option, IA, seen=view.round)
    return view


def test_a_planted_first_seed_is_ignored_and_the_real_one_kept(services: Services) -> None:
    s = services
    view = _stake(s, "number", "4")
    _edit(s, view.round.id, seed=WRONG, seed_seen_at="2020-01-01T00:00:00Z")
    v = _view(s, view.round.id)
    _not_accused(v)
    assert v.check.seed is None and v.check.record_changed and "proves nothing" in v.check.message
    assert v.to_json()["verdict"] == "open" and v.check.to_json(8)["record_changed"] is True
    # the store reveals its seed: that one is kept (the record rewritten from signed data), the round is fair
    seed = reveal_and_settle(s, view)
    later = _view(s, view.round.id)
    assert (later.check.seed, later.check.verdict) == (seed, "ok"), later.check.message
    assert json.loads(kept_path(s, view.round.id).read_text("utf-8"))["seed"] == seed
    assert not _view(s, view.round.id).check.record_changed


def test_a_planted_second_seed_is_no_broken_promise(services: Services) -> None:
    s = services
    view = _stake(s, "odd-even", "even")
    seed = reveal_and_settle(s, view)
    assert _view(s, view.round.id).check.verdict == "ok"
    _edit(s, view.round.id, other_seed=WRONG)
    v = _view(s, view.round.id)
    _not_accused(v)
    assert (v.check.seed, v.check.verdict, v.check.record_changed) == (seed, "ok", True)
    # nor once the store no longer lists the round (the signed stake receipt names the kept terms)
    gone = view.round.reveals_at + timedelta(seconds=Timing.from_env().keep + 1)
    s.games.keep_rounds(gone)
    s.games.clock = lambda: gone + timedelta(hours=1)
    v = _view(s, view.round.id)
    assert not v.listed
    _not_accused(v)
    assert v.check.verdict == "ok" and v.check.seed == seed


def test_a_changed_commitment_or_definition_is_checked_against_the_signed_round(services: Services) -> None:
    s = services
    view = _stake(s, "number", "4")
    rid = view.round.id
    _edit_definition(s, rid, commitment="ab" * 32)  # so that the real seed would "not match"
    seed = reveal_and_settle(s, view)
    v = _view(s, rid)
    _not_accused(v)
    assert (v.check.seed, v.check.commitment) == (seed, view.round.commitment)
    assert v.check.verdict == "ok" and v.check.record_changed, v.check.message
    # the record was rewritten from the signed round: later checks need no warning
    assert json.loads(json.loads(kept_path(s, rid).read_text("utf-8"))["definition"])["commitment"] == \
        view.round.commitment
    assert not _view(s, rid).check.record_changed
    # other odds and other winning draws in the record: the same (the receipt names the signed terms)
    kept = json.loads(json.loads(kept_path(s, rid).read_text("utf-8"))["definition"])
    options = [{**o, "wins": list(view.round.draw), "odds_bp": 10_001 + i}
               for i, o in enumerate(kept["options"])]
    _edit_definition(s, rid, options=options)
    v = _view(s, rid)
    _not_accused(v)
    assert v.check.verdict == "ok" and v.check.record_changed


def test_a_changed_record_of_a_round_the_store_no_longer_lists_proves_nothing(services: Services) -> None:
    s = services
    view = _stake(s, "number", "4")
    rid = view.round.id
    reveal_and_settle(s, view)
    _edit_definition(s, rid, commitment="ab" * 32)
    gone = view.round.reveals_at + timedelta(seconds=Timing.from_env().keep + 1)
    s.games.keep_rounds(gone)
    s.games.clock = lambda: gone + timedelta(hours=1)
    v = _view(s, rid)
    assert not v.listed
    _not_accused(v)
    assert v.check.verdict == "unknown" and v.check.record_changed
    assert "proves nothing" in v.check.message and "cannot check" in v.check.message


def test_a_wrong_seed_the_store_signed_is_caught_and_stays_proved(services: Services) -> None:
    s = services
    view = _stake(s, "number", "4")
    rid = view.round.id
    # the store signs a seed that is not the one it committed to
    sign_rounds(s, [replace(r, seed=WRONG) if r.id == rid else r for r in signed_rounds(s)])
    v = _view(s, rid)
    assert (v.state, v.check.verdict, v.check.seed) == ("invalid", "invalid", WRONG)
    assert "broke its promise" in v.check.message and not v.check.record_changed
    proof = kept_path(s, rid).parent / "proof" / f"{rid}.{WRONG}.json"
    assert proof.is_file()  # the signed rounds file and the metadata that signs it
    # the store drops the round (and signs new files since): the kept proof still verifies
    sign_rounds(s, [r for r in signed_rounds(s) if r.id != rid])
    later = _view(s, rid)
    assert not later.listed and (later.check.verdict, later.check.seed) == ("invalid", WRONG)
    # a proof edited here proves nothing: no accusation, only the warning
    kept = Signed.from_bytes(proof.read_bytes())
    assert kept is not None
    text = kept.rounds.decode("utf-8")
    forged = Signed(text.replace(WRONG, "11" * 32).encode("utf-8"), kept.roles)
    proof.write_bytes(forged.to_bytes())
    _edit(s, rid, seed="11" * 32)
    assert not seed_matches("11" * 32, view.round.commitment)
    v = _view(s, rid)
    _not_accused(v)
    assert v.check.seed is None and v.check.record_changed


def test_a_planted_proof_of_another_seed_proves_nothing(services: Services) -> None:
    s = services
    view = _stake(s, "odd-even", "odd")
    rid = view.round.id
    seed = reveal_and_settle(s, view)
    assert _view(s, rid).check.verdict == "ok"
    # the real signed rounds file and metadata, with the round's seed changed in the file's bytes
    meta = s.paths.root / "stores" / "demo" / "metadata"
    data = (s.paths.root / "stores" / "demo" / "targets" / "games" / "rounds.json").read_bytes()
    assert seed in data.decode("utf-8")
    roles = (("targets", (meta / "targets.json").read_bytes()),)
    planted = Signed(data.replace(seed.encode(), WRONG.encode()), roles)
    folder = kept_path(s, rid).parent / "proof"
    folder.mkdir(exist_ok=True)
    (folder / f"{rid}.{WRONG}.json").write_bytes(planted.to_bytes())
    _edit(s, rid, other_seed=WRONG)
    v = _view(s, rid)
    _not_accused(v)
    assert (v.check.seed, v.check.verdict, v.check.record_changed) == (seed, "ok", True)


def test_two_identical_stakes_at_once_are_two_stakes(services: Services) -> None:
    """Two games sides on one data dir (another window, another process) stake the same amount on
    the same option while the first stake's answer has not come: never one stake reported twice."""
    s = services
    view = open_round(s, "odd-even")
    rid = view.round.id
    other = Games(s.paths, s.stores, s.rewards)
    emb = s._embedded
    assert emb is not None
    db = sqlite3.connect(emb.directory / DB_NAME, isolation_level=None, timeout=30)
    db.execute("BEGIN IMMEDIATE")  # the service cannot write: the first stake waits for its answer
    results: dict[str, Receipt | AppStoreError] = {}
    reached = threading.Event()  # the second stake is at its decision while the first is in flight

    def watch(frame: FrameType, event: str, arg: object) -> None:
        if event == "c_exception" and getattr(arg, "__name__", "") == "flock":
            reached.set()  # refused a lock the first stake holds: it waits for it
        elif event == "return" and frame.f_code is KeptRounds.pending.__code__:
            reached.set()  # read the stake in flight (an imapp without the lock would decide on it)

    def stake(name: str, games: Games, watched: bool = False) -> None:
        if watched:
            sys.setprofile(watch)  # (this thread only)
        try:
            results[name] = games.stake(f"demo/{rid}", "odd", IA, seen=view.round)[1]
        except AppStoreError as e:
            results[name] = e
        finally:
            sys.setprofile(None)

    first = threading.Thread(target=stake, args=("first", s.games))
    second = threading.Thread(target=stake, args=("second", other, True))
    pending = kept_path(s, rid).parent / "pending" / f"{rid}.json"
    try:
        first.start()
        deadline = time.monotonic() + 30
        while not pending.exists():  # the first stake is in flight
            assert time.monotonic() < deadline and first.is_alive()
            time.sleep(0.02)
        second.start()
        assert reached.wait(30), "the second stake never reached its decision"
    finally:
        db.execute("ROLLBACK")
        db.close()
    first.join(60)
    second.join(60)
    receipts = [r for r in results.values() if isinstance(r, Receipt)]
    assert len(receipts) == 2, results
    assert receipts[0].seq != receipts[1].seq
    stakes = [v for v in s.games.overview().rounds if v.round.id == rid][0].check.stakes
    assert sorted(st.receipt.seq for st in stakes) == sorted(r.seq for r in receipts)
    assert not pending.exists()


def test_a_stake_in_flight_kept_by_an_older_imapp_is_read_once_then_moved(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from appstore.core.games.keeper import make_round
    from appstore.core.games.kept import Kept, KeptRounds, Pending

    opens = datetime(2026, 11, 26, 15, 40, tzinfo=UTC)
    rnd = make_round("odd-even", opens, Timing(600, 300), "01" * 32, None)
    kept = KeptRounds(tmp_path / "games" / "demo", 8)
    kept.write(Kept(rnd, None))
    path = kept.folder / f"{rnd.id}.json"
    raw = json.loads(path.read_text("utf-8"))
    raw["pending"] = {"stake_id": "ab" * 16, "option": "odd", "amount": IA}  # where it used to be kept
    path.write_text(json.dumps(raw), "utf-8")
    assert kept.pending(rnd.id) == Pending("ab" * 16, "odd", IA)
    kept.set_pending(rnd.id, None)  # answered: gone from both places, the round kept
    assert kept.pending(rnd.id) is None and "pending" not in json.loads(path.read_text("utf-8"))
    assert kept.get(rnd.id) == Kept(rnd, None)
    # a malformed stake in flight is none (a new id is made)
    kept.set_pending(rnd.id, Pending("cd" * 16, "odd", IA))
    (kept.folder / "pending" / f"{rnd.id}.json").write_text('{"stake_id": "x", "option": "odd", "amount": 1}')
    assert kept.pending(rnd.id) is None


def test_a_proof_of_a_rounds_file_a_hashed_bin_lists(services: Services, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A store that delegates its files to hashed bins (as big stores do): the proof holds the
    targets role and the bin that lists the rounds file, and verifies only as signed."""
    from datetime import UTC, datetime

    from appstore.core.games.evidence import capture, verified
    from appstore.core.games.rounds import ROUNDS_TARGET, RoundsFile
    from appstore.core.publish import builder
    from tests.gameskit import game_store

    monkeypatch.setattr(builder, "BINS_FROM_APPS", 0)  # this small store publishes like a big one
    s = services
    gs = game_store(tmp_path / "third", timing=Timing(60, 30))
    assert gs.keeper.tick(datetime.now(UTC))
    assert s.add_store([gs.out.as_uri()], gs.root_sha256).ok
    client = s.stores.client("teststore")
    data = client.fetch_target(ROUNDS_TARGET).read_bytes()
    proof = capture(client.meta_dir, data, "teststore", 8)
    assert proof is not None and [n for n, _ in proof.roles][0] == "targets"
    assert len(proof.roles) == 2 and proof.roles[1][0].startswith("bins-")
    root = (client.meta_dir / "root.json").read_bytes()

    def check(p: Signed, with_root: bytes = root) -> RoundsFile | None:
        return verified(p, with_root, "teststore", 8)

    file = check(proof)
    assert file is not None and file.rounds
    # the bin's signature broken, another (signed) bin in its place, other bytes: no proof
    name, signed = proof.roles[1]
    md = json.loads(signed)
    md["signatures"][0]["sig"] = "00" * 64
    assert check(Signed(data, (proof.roles[0], (name, json.dumps(md).encode())))) is None
    bins = (gs.out / "metadata").glob("*.bins-*.json")
    other = next(p for p in bins if not p.name.endswith(f".{name}.json"))
    other_name = other.name.split(".", 1)[1].removesuffix(".json")
    assert check(Signed(data, (proof.roles[0], (other_name, other.read_bytes())))) is None
    assert check(Signed(data + b" ", proof.roles)) is None
    demo_root = (s.paths.root / "stores" / "demo" / "metadata" / "root.json").read_bytes()
    assert check(proof, demo_root) is None  # another store's root


def test_an_overview_goes_on_while_a_stake_waits_for_its_answer(services: Services) -> None:
    """The games side holds no lock of its own across the network: a stake waiting for the
    service's answer (or for the user's passphrase) leaves the overview free (it waited for the
    stake's whole round trip when one lock covered both)."""
    s = services
    view = open_round(s, "odd-even")
    rid = view.round.id
    emb = s._embedded
    assert emb is not None
    db = sqlite3.connect(emb.directory / DB_NAME, isolation_level=None, timeout=30)
    db.execute("BEGIN IMMEDIATE")  # the service cannot write: the stake waits for its answer
    staked: list[object] = []
    first = threading.Thread(target=lambda: staked.append(
        s.games.stake(f"demo/{rid}", "odd", IA, seen=view.round)[1]))
    pending = kept_path(s, rid).parent / "pending" / f"{rid}.json"
    seen: list[RoundView] = []
    try:
        first.start()
        deadline = time.monotonic() + 30
        while not pending.exists():  # the stake is in flight
            assert time.monotonic() < deadline and first.is_alive()
            time.sleep(0.02)
        reader = threading.Thread(target=lambda: seen.extend(s.games.overview(sync=False).rounds))
        reader.start()
        reader.join(30)
        assert not reader.is_alive() and first.is_alive()  # answered while the stake still waits
        assert any(v.round.id == rid for v in seen)
    finally:
        db.execute("ROLLBACK")
        db.close()
    first.join(60)
    assert len(staked) == 1 and isinstance(staked[0], Receipt)
