"""The round keeper: makes a store's guessing-game rounds and reveals their seeds on time
(docs/games.md, "Publishing rounds"). The demo store runs one whenever imapp runs.

Each ``period`` (default 10 minutes) three rounds open — a number draw, higher / lower against the
last revealed draw, odd / even — each open for one period, then locked; the seed is published at
the first tick after the lock, and must be by ``reveals_at`` (lock + ``reveal`` seconds), or the
service refunds every stake. The secret seeds live in ``STATE/seeds.json`` (0600, never logged,
never in the published tree) until their round is revealed; ``STATE/rounds.json`` is the file as
last published. Publishing signs a new ``games/rounds.json`` target into the store folder with the
store's keys (every other target as it is). One keeper at a time per state folder (a file lock).

Durations come from ``Timing`` (``IMAPP_GAMES_PERIOD`` / ``IMAPP_GAMES_REVEAL`` seconds in the
environment), so tests run rounds of a few seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

from appstore.core.errors import ConfigError
from appstore.core.fileio import write_bytes_atomic
from appstore.core.games.rounds import (
    ROUNDS_TARGET,
    Option,
    Round,
    RoundsError,
    RoundsFile,
    parse_rounds,
)
from appstore.core.games.rule import commitment_of, draw_index, seed_matches
from appstore.core.logs import log
from appstore.core.oslock import held

NUMBERS = tuple(str(n) for n in range(1, 11))
EDGE_PERCENT = 3  # the house keeps 3 %: fair odds × 0.97
MIN_STAKE, MAX_STAKE = "1", "100"


@dataclass(frozen=True)
class Timing:
    period: int = 600  # seconds: a new set of rounds each period, each open for one period
    reveal: int = 300  # seconds after the lock by which the seed must be published
    keep: int = 6 * 3600  # seconds a finished round stays in the published file
    margin: int | None = None  # seconds after the lock before the seed is published (None: see below)

    @property
    def reveal_margin(self) -> int:
        """How long after ``locks_at`` the seed is published: longer than any clock skew between
        this machine and the service (which takes stakes until ``locks_at`` by its own clock), and
        short enough to publish before ``reveals_at``: 60 s, or half the reveal time if shorter."""
        return self.margin if self.margin is not None else min(60, self.reveal // 2)

    @classmethod
    def from_env(cls) -> Timing:
        def seconds(name: str, default: int, low: int) -> int:
            raw = os.environ.get(name, "")
            if not raw:
                return default
            if not raw.isdigit() or int(raw) < low:
                raise ConfigError(f"${name} must be a whole number of seconds, at least {low}")
            return int(raw)
        period = seconds("IMAPP_GAMES_PERIOD", cls.period, 2)
        return cls(period, seconds("IMAPP_GAMES_REVEAL", max(2, min(cls.reveal, period // 2)), 2))


def odds_bp(wins: int, draws: int) -> int:
    """Fair odds less the house's edge, in basis points, rounded down."""
    return 10_000 * draws * (100 - EDGE_PERCENT) // (wins * 100)


def _stamp(t: datetime) -> str:
    return t.strftime("%Y%m%d-%H%M%S")


def _label(en: str, zh: str) -> MappingProxyType[str, str]:
    return MappingProxyType({"en": en, "zh_CN": zh})


def make_round(kind: str, opens: datetime, timing: Timing, seed: str, last_draw: str | None, *,
               decimals: int = 8) -> Round:
    """One round of ``kind`` (``number``, ``higher-lower``, ``odd-even``) opening at ``opens``."""
    from appstore.core.wallet.amounts import parse_amount

    locks = opens + timedelta(seconds=timing.period)
    reveals = locks + timedelta(seconds=timing.reveal)
    n = len(NUMBERS)
    if kind == "number":
        rid = f"num-{_stamp(opens)}"
        title = _label("Number draw", "数字抽奖")
        question = _label("Which number from 1 to 10 will be drawn?", "会抽出 1 到 10 中的哪个数字？")
        options = [Option(v, _label(v, v), (v,), odds_bp(1, n)) for v in NUMBERS]
    elif kind == "odd-even":
        rid = f"oe-{_stamp(opens)}"
        title = _label("Odd or even", "单或双")
        question = _label("Will the number drawn from 1 to 10 be odd or even?",
                          "从 1 到 10 抽出的数字是单数还是双数？")
        odd = tuple(v for v in NUMBERS if int(v) % 2)
        even = tuple(v for v in NUMBERS if not int(v) % 2)
        options = [Option("odd", _label("Odd", "单"), odd, odds_bp(len(odd), n)),
                   Option("even", _label("Even", "双"), even, odds_bp(len(even), n))]
    elif kind == "higher-lower":
        rid = f"hl-{_stamp(opens)}"
        base = last_draw if last_draw in NUMBERS else "5"
        assert base is not None
        title = _label("Higher or lower", "更高还是更低")
        question = _label(f"The last number draw gave {base}. Will this draw (1 to 10) be higher, lower "
                          "or the same?",
                          f"上一次数字抽奖的结果是 {base}。这次（1 到 10）会更高、更低还是相同？")
        groups = [("higher", _label("Higher", "更高"), tuple(v for v in NUMBERS if int(v) > int(base))),
                  ("lower", _label("Lower", "更低"), tuple(v for v in NUMBERS if int(v) < int(base))),
                  ("same", _label("The same", "相同"), (base,))]
        options = [Option(oid, label, wins, odds_bp(len(wins), n)) for oid, label, wins in groups if wins]
    else:
        raise ValueError(f"unknown kind of round {kind!r}")
    return Round(rid, kind, title, question, NUMBERS, tuple(options), parse_amount(MIN_STAKE, decimals),
                 parse_amount(MAX_STAKE, decimals), opens, locks, reveals, commitment_of(seed))


@contextlib.contextmanager
def publish_lock(folder: Path, timeout: float = 30.0) -> Iterator[None]:
    """One publisher at a time for a store folder (processes and threads): ``folder/.publish.lock``."""
    folder.mkdir(parents=True, exist_ok=True)
    with held(folder / ".publish.lock", timeout, lambda: ConfigError(
            f"another imapp is publishing {folder.name} (its lock is held); try again")):
        yield


class RoundKeeper:
    """Keeps the rounds of the store published in ``repo`` (signed with the keys in
    ``keys_dir``) current; its secrets and state in ``state_dir``."""

    KINDS = ("number", "higher-lower", "odd-even")

    def __init__(self, repo: Path, keys_dir: Path, state_dir: Path, store: str, *, decimals: int = 8,
                 timing: Timing | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.repo = repo
        self.keys_dir = keys_dir
        self.state_dir = state_dir
        self.store = store
        self.decimals = decimals
        self.timing = timing or Timing()
        self.clock = clock or (lambda: datetime.now(UTC))

    @property
    def rounds_path(self) -> Path:
        return self.state_dir / "rounds.json"

    @property
    def seeds_path(self) -> Path:
        return self.state_dir / "seeds.json"

    # -- state ---------------------------------------------------------------------------

    def current(self) -> RoundsFile:
        """The rounds as last published: the store's signed target (what clients and the service
        see, even if this keeper stopped before noting it in ``STATE/rounds.json``), else that
        note, else an empty file."""
        published = self._published()
        if published is not None:
            try:
                file = parse_rounds(published, ROUNDS_TARGET, decimals=self.decimals)
                if file.store == self.store:
                    return file
            except RoundsError as e:
                log.warning("games: the published %s", e)
        try:
            data = self.rounds_path.read_bytes()
        except FileNotFoundError:
            return RoundsFile(self.store, self.decimals)
        try:
            return parse_rounds(data, str(self.rounds_path), decimals=self.decimals)
        except RoundsError as e:
            log.warning("games: %s; starting the rounds again", e)
            return RoundsFile(self.store, self.decimals)

    def _seeds(self) -> dict[str, str]:
        try:
            raw = json.loads(self.seeds_path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("games: the seeds file is damaged; unrevealed rounds will be refunded")
            return {}
        return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)} \
            if isinstance(raw, dict) else {}

    def _save_seeds(self, seeds: dict[str, str]) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.state_dir, 0o700)
        write_bytes_atomic(self.seeds_path, json.dumps(seeds, sort_keys=True).encode("utf-8"))
        os.chmod(self.seeds_path, 0o600)

    # -- the work ------------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> bool:
        """Open this period's rounds, reveal the seeds of locked ones, drop old ones; publish
        when anything changed. True when the store was published anew."""
        now = (now or self.clock()).astimezone(UTC).replace(microsecond=0)
        with publish_lock(self.repo.parent):
            file = self.current()
            rounds, seeds, changed = self._plan(file, now)
            if not changed and self._published() == file.to_bytes():
                return False
            new = file.with_rounds(rounds)
            self._save_seeds(seeds)  # before any commitment to them is published
            data = new.to_bytes()
            parse_rounds(data, "the rounds made", decimals=self.decimals)
            publish_target(self.repo, self.keys_dir, ROUNDS_TARGET, data)
            write_bytes_atomic(self.rounds_path, data)
            revealed = sum(1 for r in rounds if r.seed is not None and (old := file.get(r.id)) is not None
                           and old.seed is None)
            log.info("games: published %d rounds (%d revealed now)", len(rounds), revealed)
            return True

    def _plan(self, file: RoundsFile, now: datetime) -> tuple[list[Round], dict[str, str], bool]:
        seeds = self._seeds()
        t = self.timing
        keep_after = now - timedelta(seconds=t.keep)
        rounds: list[Round] = []
        changed = False
        for r in file.rounds:
            if r.reveals_at < keep_after:
                seeds.pop(r.id, None)
                changed = True
                continue
            if r.seed is None and now >= r.locks_at + timedelta(seconds=t.reveal_margin) and r.id in seeds:
                r = _with_seed(r, seeds[r.id])
                changed = True
            rounds.append(r)
        period = t.period
        epoch = int(now.timestamp())
        opens = datetime.fromtimestamp(epoch - epoch % period, UTC)
        have = {r.id for r in rounds}
        for kind in self.KINDS:
            if any(r.kind == kind and r.opens_at == opens for r in rounds):
                continue
            seed = secrets.token_bytes(32).hex()
            rnd = make_round(kind, opens, t, seed, _last_draw(rounds), decimals=self.decimals)
            if rnd.id in have:
                continue
            if rnd.id in seeds:  # made before (a crash between saving its seed and publishing): the same seed
                seed = seeds[rnd.id]
                rnd = make_round(kind, opens, t, seed, _last_draw(rounds), decimals=self.decimals)
            seeds[rnd.id] = seed
            rounds.append(rnd)
            changed = True
        rounds.sort(key=lambda r: (r.opens_at, self.KINDS.index(r.kind) if r.kind in self.KINDS else 9))
        return rounds, seeds, changed

    def _published(self) -> bytes | None:
        from appstore.core.publish.targets import published_target

        try:
            return published_target(self.repo, ROUNDS_TARGET)
        except ConfigError:
            return None


def _with_seed(r: Round, seed: str) -> Round:
    from dataclasses import replace

    return replace(r, seed=seed)


def _last_draw(rounds: list[Round]) -> str | None:
    """The result of the latest revealed number draw (public by then), if any."""
    for r in sorted(rounds, key=lambda r: r.opens_at, reverse=True):
        if r.kind == "number" and r.seed is not None and seed_matches(r.seed, r.commitment):
            i = draw_index(r.seed, r.id, len(r.draw))
            if i >= 0:
                return r.draw[i]
    return None


def publish_target(repo: Path, keys_dir: Path, name: str, data: bytes) -> None:
    """Sign ``name`` = ``data`` into the store published in ``repo``, every other target as
    published (the caller holds ``publish_lock``)."""
    from appstore.core.publish.builder import publish
    from appstore.core.publish.keys import load_keys
    from appstore.core.publish.targets import published_content

    content = published_content(repo)
    content.files[name] = data
    publish(content, repo, load_keys(keys_dir))
