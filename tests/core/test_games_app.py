"""The app's side of the games on the real demo store and its embedded IA service (rounds of a
day, driven by the round keeper's ``now``): a stake whose answer was lost is sent again with
the same id and taken once, a seed the app never saw is taken from the service when it matches,
and the first seed seen is kept when the store publishes another."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from appstore.core.games.keeper import Timing, publish_lock, publish_target
from appstore.core.games.rounds import ROUNDS_TARGET, parse_rounds
from appstore.core.games.rule import seed_matches
from appstore.core.ia.errors import ServiceUnreachable
from appstore.core.publish.targets import published_target
from appstore.core.services import Services
from tests.gameskit import demo_games
from tests.gameskit import open_round as _open
from tests.gameskit import reveal_and_settle as _reveal_and_settle

IA = 10**8


@pytest.fixture
def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase for the tests")
    monkeypatch.setenv("IMAPP_GAMES_PERIOD", "86400")  # a round a day: open all day, whatever the hour
    monkeypatch.setenv("IMAPP_GAMES_REVEAL", "3600")
    with demo_games(tmp_path / "data") as s:
        yield s


def _kept(s: Services, round_id: str) -> dict[str, object]:
    return dict(json.loads((s.paths.root / "games" / "demo" / f"{round_id}.json").read_text("utf-8")))


def _pending(s: Services, round_id: str) -> dict[str, object] | None:
    path = s.paths.root / "games" / "demo" / "pending" / f"{round_id}.json"
    return dict(json.loads(path.read_text("utf-8"))) if path.exists() else None


def _stakes_on(s: Services, round_id: str) -> list[object]:
    return [r for r in s.wallet.ledger.history(kind="stake", service="demo", limit=1000)
            if r.reference.startswith(f"stake:{round_id}:")]


def test_a_stake_whose_answer_was_lost_is_sent_again_with_its_id_and_taken_once(services: Services) -> None:
    s = services
    view = _open(s, "odd-even")
    emb = s._embedded
    assert emb is not None and emb._server is not None
    emb._server.stop()  # the service stops answering (its address refuses connections)
    with pytest.raises(ServiceUnreachable, match="may have been taken") as e:
        s.games.stake(f"demo/{view.round.id}", "odd", IA, seen=view.round)
    assert "claims wait as pending" not in str(e.value)
    assert _kept(s, view.round.id)["definition"]  # the round as staked on stays, with the stake in flight
    pending = _pending(s, view.round.id)
    assert pending is not None and (pending["option"], pending["amount"]) == ("odd", IA)
    emb.stop()
    emb.start()  # back (on another port)
    # the first request had in fact been taken (only its answer was lost)
    first = s.rewards.client("demo").stake(view.round, "odd", IA, stake_id=str(pending["stake_id"]))
    before = s.rewards.client("demo").status().balances["IA"]
    # the user stakes again: the same id goes out, the same receipt comes back, nothing more is taken
    store, again = s.games.stake(f"demo/{view.round.id}", "odd", IA, seen=view.round)
    assert (store, again.seq, again.reference) == ("demo", first.seq, first.reference)
    assert s.rewards.client("demo").status().balances["IA"] == before
    assert len(_stakes_on(s, view.round.id)) == 1
    assert _pending(s, view.round.id) is None
    # a new stake (another amount) is a new action: a new id, taken
    s.games.stake(f"demo/{view.round.id}", "odd", 2 * IA, seen=view.round)
    assert len(_stakes_on(s, view.round.id)) == 2


def test_a_changed_round_or_a_published_seed_takes_no_stake_from_the_app(services: Services) -> None:
    from dataclasses import replace

    from appstore.core.errors import AppStoreError

    s = services
    view = _open(s, "number")
    shown = replace(view.round, options=tuple(replace(o, odds_bp=o.odds_bp + 1) for o in view.round.options))
    with pytest.raises(AppStoreError, match="changed round .* since it was shown"):
        s.games.stake(f"demo/{view.round.id}", "3", IA, seen=shown)
    assert not _stakes_on(s, view.round.id)
    assert not (s.paths.root / "games" / "demo" / f"{view.round.id}.json").exists()


def test_a_seed_the_app_never_saw_comes_from_the_service(services: Services) -> None:
    s = services
    view = _open(s, "number")
    s.games.stake(f"demo/{view.round.id}", "4", IA, seen=view.round)
    seed = _reveal_and_settle(s, view)
    rows = {r["id"]: r for r in s.games._reader("demo").game_rounds()}
    assert rows[view.round.id]["state"] == "settled" and rows[view.round.id]["seed"] == seed
    # the store drops the round (6 hours later) before this app read the rounds again
    gone = view.round.reveals_at + timedelta(seconds=Timing.from_env().keep + 1)
    s.games.keep_rounds(gone)
    s.games.clock = lambda: gone + timedelta(hours=1)
    checked = next(v for v in s.games.overview().rounds if v.round.id == view.round.id)
    assert not checked.listed
    assert checked.check.seed == seed and checked.state == "settled"
    assert checked.check.verdict == "ok", checked.check.message  # not a false "the store owes you"
    assert _kept(s, view.round.id)["seed"] == seed  # kept from now on


def test_the_first_seed_seen_is_kept_and_a_second_one_is_a_broken_promise(services: Services) -> None:
    s = services
    view = _open(s, "odd-even")
    s.games.stake(f"demo/{view.round.id}", "even", IA, seen=view.round)
    seed = _reveal_and_settle(s, view)
    first = next(v for v in s.games.overview().rounds if v.round.id == view.round.id)
    assert first.check.seed == seed and first.check.verdict == "ok"
    # the store signs the round again with another seed
    repo = s.paths.demo_dir / "repo"
    file = parse_rounds(published_target(repo, ROUNDS_TARGET) or b"")
    other = "00" * 32
    assert not seed_matches(other, view.round.commitment)
    swapped = file.with_rounds([r if r.id != view.round.id else replace_seed(r, other) for r in file.rounds])
    with publish_lock(repo.parent):
        publish_target(repo, s.paths.demo_dir / "keys", ROUNDS_TARGET, swapped.to_bytes())
    s.stores.refresh(["demo"])
    later = next(v for v in s.games.overview().rounds if v.round.id == view.round.id)
    assert later.check.seed == seed and later.check.other_seed == other  # the first one stays
    assert (later.state, later.check.verdict) == ("invalid", "invalid")
    assert "two different seeds" in later.check.message
    kept = _kept(s, view.round.id)
    assert (kept["seed"], kept["other_seed"]) == (seed, other)


def replace_seed(rnd, seed):  # type: ignore[no-untyped-def]
    from dataclasses import replace
    return replace(rnd, seed=seed)


def test_another_store_s_rounds_are_read_again_at_most_once_a_minute(services: Services,
                                                                     tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tests.gameskit import game_store

    s = services
    gs = game_store(tmp_path / "third", timing=Timing(60, 30))
    now = datetime.now(UTC).replace(microsecond=0)
    assert gs.keeper.tick(now)  # its publisher opens rounds
    assert s.add_store([gs.out.as_uri()], gs.root_sha256).ok
    s.games.clock = lambda: now + timedelta(seconds=1)
    s.games.overview()  # its rounds are known from now on (the first read)
    first = [v for v in s.games.overview().rounds if v.store == "teststore"]
    assert first and all(v.round.seed is None for v in first)
    locks = first[0].round.locks_at
    assert gs.keeper.tick(locks + timedelta(seconds=gs.keeper.timing.reveal_margin))  # and reveals them
    s.games.clock = lambda: locks + timedelta(seconds=20)
    # read within the minute after the last refresh (the page reloads often): not refreshed again
    assert s.games._refreshed["teststore"] == now + timedelta(seconds=1)
    s.games.clock = lambda: now + timedelta(seconds=30)
    assert all(v.round.seed is None for v in s.games.overview().rounds if v.store == "teststore")
    s.games.clock = lambda: now + timedelta(seconds=62)
    later = {v.round.id: v for v in s.games.overview().rounds if v.store == "teststore"}
    assert all(later[v.round.id].round.seed is not None for v in first if v.round.locks_at == locks)
