"""Game rounds for tests: a real signed store with a reward policy and rounds published by the
project's round keeper (or a rounds file written by hand, e.g. a wrong reveal), and rounds files
for a service started in-process."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from appstore.core.games.keeper import RoundKeeper, Timing, make_round, publish_lock, publish_target
from appstore.core.games.rounds import ROUNDS_TARGET, Round, RoundsFile, parse_rounds
from appstore.core.ia.policy import policy_json
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import init_keys, load_service_key
from appstore.core.publish.source import load_source
from appstore.core.wallet.receipts import public_key_hex
from tests.storekit import make_source

if TYPE_CHECKING:
    from appstore.core.games.views import RoundView
    from appstore.core.services import Services

SEEDS = [bytes([i]) * 32 for i in range(1, 64)]  # fixed seeds: every test draws the same


def seed(n: int) -> str:
    return SEEDS[n].hex()


def a_round(kind: str, opens: datetime, n: int = 0, *, period: int = 60, reveal: int = 30,
            min_stake: int | None = None, max_stake: int | None = None) -> tuple[Round, str]:
    """A round of ``kind`` opening at ``opens`` and its seed (``SEEDS[n]``)."""
    s = seed(n)
    rnd = make_round(kind, opens, Timing(period, reveal), s, None)
    if n:
        rnd = replace(rnd, id=f"{rnd.id}-{n}")
    if min_stake is not None:
        rnd = replace(rnd, min_stake=min_stake)
    if max_stake is not None:
        rnd = replace(rnd, max_stake=max_stake)
    return rnd, s


class Holder:
    """A rounds provider for a service started in-process (``ServiceConfig.games``)."""

    def __init__(self, store: str, rounds: list[Round] | None = None) -> None:
        self.file = RoundsFile(store, 8, tuple(rounds or ()))

    def __call__(self) -> RoundsFile:
        return self.file

    def set(self, rounds: list[Round]) -> None:
        self.file = self.file.with_rounds(rounds)

    def reveal(self, round_id: str, seed_hex: str) -> None:
        self.set([replace(r, seed=seed_hex) if r.id == round_id else r for r in self.file.rounds])


@dataclass
class GameStore:
    """A published store (``out``, keys in ``keys``) with a policy, and its round keeper."""

    src: Path
    out: Path
    keys: Path
    keeper: RoundKeeper
    root_sha256: str = ""  # to add the store to an app (``Stores.add``)

    def publish_rounds(self, rounds: list[Round]) -> None:
        """Sign a rounds file written by hand (a wrong reveal, a late one…)."""
        data = RoundsFile("teststore", 8, tuple(rounds)).to_bytes()
        with publish_lock(self.out.parent):
            publish_target(self.out, self.keys, ROUNDS_TARGET, data)


def game_store(tmp: Path, *, timing: Timing | None = None, clock: object = None,
               store: str = "teststore") -> GameStore:
    keys_dir = tmp / "keys"
    keys = init_keys(keys_dir)
    src = make_source(tmp / "src")
    (src / "rewards").mkdir()
    service_key = public_key_hex(load_service_key(keys_dir))
    (src / "rewards" / "policy.json").write_bytes(policy_json(store, service_key))
    result = publish(load_source(src), tmp / "out", keys)
    keeper = RoundKeeper(tmp / "out", keys_dir, tmp / "games", store, timing=timing or Timing(60, 30),
                         clock=clock)  # type: ignore[arg-type]
    return GameStore(src, tmp / "out", keys_dir, keeper, result.root_sha256)


def period_start(now: datetime, period: int) -> datetime:
    epoch = int(now.timestamp())
    return now - timedelta(seconds=epoch % period, microseconds=now.microsecond)


def load(path: Path) -> dict[str, object]:
    return dict(json.loads(path.read_text("utf-8")))


# -- the demo store's games in-process (rounds of a day, driven by the round keeper's ``now``) --

@contextlib.contextmanager
def demo_games(data: Path) -> Iterator[Services]:
    """Services on ``data`` with a wallet holding 10 IA (two downloads claimed) and the demo
    store's rounds open. The caller sets ``IMAPP_WALLET_PASSPHRASE``, and ``IMAPP_GAMES_PERIOD``
    = 86400 (a round a day: open all day, whatever the hour) with ``IMAPP_GAMES_REVEAL`` = 3600."""
    from appstore.core.activity import Activity
    from appstore.core.services import Services
    from appstore.service.builtin import start_demo_service

    assert os.environ.get("IMAPP_GAMES_PERIOD") == "86400"
    s = Services.open(str(data), embedded=start_demo_service)
    try:
        s.wallet.address(create=True)
        for app in ("org.imapp.memory", "org.imapp.notes"):
            s.activity.record(Activity.DOWNLOAD, "demo", app)
        assert len(s.rewards.claim().credits) == 2
        assert s.games.keep_rounds()
        yield s
    finally:
        s.close()


def open_round(s: Services, kind: str) -> RoundView:
    return next(v for v in s.games.overview().rounds if v.state == "open" and v.round.kind == kind)


def kept_path(s: Services, round_id: str) -> Path:
    return s.paths.root / "games" / "demo" / f"{round_id}.json"


def reveal_and_settle(s: Services, view: RoundView) -> str:
    """The keeper reveals the round's seed (a margin after its lock); a request lets the service
    settle. The seed revealed."""
    from appstore.core.publish.targets import published_target

    margin = Timing.from_env().reveal_margin
    assert s.games.keep_rounds(view.round.locks_at + timedelta(seconds=margin))
    s.rewards.client("demo").status()  # settlement runs before each request
    published = parse_rounds(published_target(s.paths.demo_dir / "repo", ROUNDS_TARGET) or b"")
    rnd = published.get(view.round.id)
    assert rnd is not None and rnd.seed is not None
    return rnd.seed


def sign_rounds(s: Services, rounds: list[Round]) -> None:
    """The demo store signs ``rounds`` (as written) as its rounds file; the app refreshes it."""
    from appstore.core.publish.targets import published_target

    repo = s.paths.demo_dir / "repo"
    file = parse_rounds(published_target(repo, ROUNDS_TARGET) or b"")
    with publish_lock(repo.parent):
        publish_target(repo, s.paths.demo_dir / "keys", ROUNDS_TARGET, file.with_rounds(rounds).to_bytes())
    s.stores.refresh(["demo"])


def signed_rounds(s: Services) -> list[Round]:
    from appstore.core.publish.targets import published_target

    return list(parse_rounds(published_target(s.paths.demo_dir / "repo", ROUNDS_TARGET) or b"").rounds)


def fund(s: Services) -> None:
    """10 IA in the wallet from the demo store: two downloads claimed (the test's own claim round,
    off the GUI lane where a UI test runs)."""
    from appstore.core.activity import Activity
    from tests.lanekit import off_lane

    s.wallet.address(create=True)
    for app in ("org.imapp.memory", "org.imapp.notes"):
        s.activity.record(Activity.DOWNLOAD, "demo", app)
    with off_lane():
        report = s.rewards.claim()
    assert len(report.credits) == 2, report
