"""The games' outcome rule (docs/games.md): a known-answer vector that openssl recomputes, a
chi-squared test that the draw is uniform over many fixed seeds, the rounds file's checks, and
the verification view against an independent recomputation."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from appstore.core.games.keeper import Timing, make_round, odds_bp
from appstore.core.games.rounds import (
    RoundsError,
    RoundsFile,
    parse_rounds,
    parse_settle_reference,
    parse_stake_reference,
    settle_reference,
    stake_reference,
    terms_hash,
)
from appstore.core.games.rule import SPACE, commitment_of, derive, draw_index, payout, seed_matches
from appstore.core.games.verify import verify_round
from appstore.core.wallet.receipts import ZERO_HASH, Receipt, sign_receipt
from tests.walletkit import TEST_SERVICE_KEY

SEED = "01" * 32
ROUND = "num-20261126-100000"
OPENS = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_known_answer_vector_matches_openssl() -> None:
    # The worked example of docs/games.md.
    assert commitment_of(SEED) == "72cd6e8422c407fb6d098690f1130b7ded7ec2f7f5e1d30bd9d521f015363793"
    d = derive(SEED, ROUND, 10)
    assert d.tries[0].message == f"{ROUND}:0"
    assert d.tries[0].digest == "2eaa338d6f59fe5666ff27ef4bba4b7224a824b3791d4036adf6180780ea486e"
    assert d.index == 4 and len(d.tries) == 1 and d.tries[0].accepted
    if shutil.which("openssl"):
        out = subprocess.run(["openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", f"hexkey:{SEED}"],
                             input=f"{ROUND}:0".encode(), capture_output=True, check=True).stdout.decode()
        assert out.strip().endswith(d.tries[0].digest)
        out = subprocess.run(["openssl", "dgst", "-sha256"], input=bytes.fromhex(SEED), capture_output=True,
                             check=True).stdout.decode()
        assert out.strip().endswith(commitment_of(SEED))


def test_rejection_limit_is_a_multiple_of_the_count() -> None:
    for n in (1, 2, 3, 7, 10, 11, 1000):
        d = derive(SEED, ROUND, n)
        assert d.limit % n == 0 and 0 <= SPACE - d.limit < n
        assert 0 <= d.index < n
    with pytest.raises(ValueError):
        derive(SEED, ROUND, 0)


@pytest.mark.parametrize("count", [2, 3, 7, 10])
def test_the_draw_is_uniform_over_many_seeds(count: int) -> None:
    # 20,000 fixed seeds (not random: the test gives the same answer every run).
    n = 20_000
    hits = [0] * count
    for i in range(n):
        seed = hashlib.sha256(f"imapp-games-test-{i}".encode()).hexdigest()
        hits[draw_index(seed, f"r-{i % 7}", count)] += 1
    expected = n / count
    chi2 = sum((h - expected) ** 2 / expected for h in hits)
    # 99.9th percentile of chi-squared with count-1 degrees of freedom.
    critical = {1: 10.83, 2: 13.82, 6: 22.46, 9: 27.88}[count - 1]
    assert chi2 < critical, (hits, chi2)
    assert min(hits) > 0


def test_the_same_seed_gives_other_draws_for_other_rounds() -> None:
    draws = {draw_index(SEED, f"num-{i}", 10) for i in range(200)}
    assert draws == set(range(10))


def test_seed_matches_commitment_only_for_its_seed() -> None:
    c = commitment_of(SEED)
    assert seed_matches(SEED, c)
    assert not seed_matches("02" * 32, c)
    assert not seed_matches("zz", c)
    ab = "ab" * 32
    assert seed_matches(ab, commitment_of(ab)) and not seed_matches(ab.upper(), commitment_of(ab))


def test_payouts_round_down_in_base_units() -> None:
    assert payout(100_000_000, 19_400) == 194_000_000
    assert payout(3, 19_400) == 5  # 5.82 → 5
    assert odds_bp(1, 10) == 97_000 and odds_bp(5, 10) == 19_400 and odds_bp(4, 10) == 24_250


def _file(rnd_json: dict[str, object]) -> bytes:
    return json.dumps({"format": 1, "store": "demo", "decimals": 8, "rounds": [rnd_json]}).encode()


def test_rounds_file_round_trips_and_names_bad_fields() -> None:
    rnd = make_round("odd-even", OPENS, Timing(600, 300), SEED, None)
    f = RoundsFile("demo", 8, (rnd,))
    back = parse_rounds(f.to_bytes(), decimals=8)
    assert back.rounds[0] == rnd and back.get(rnd.id) == rnd
    good = rnd.to_json(8)
    cases = [
        ({"odds_bp": 100}, "options"),
        ({"min_stake": 1}, "rounds[0].min_stake: must be an amount written as a string"),
        ({"max_stake": "0.5"}, "rounds[0].max_stake: is less than min_stake"),
        ({"locks_at": "2026-11-26T09:00:00Z"}, "rounds[0].locks_at: must be after opens_at"),
        ({"commitment": "ab"}, "rounds[0].commitment: must be 64 lowercase hex digits"),
        ({"seed": "xyz"}, "rounds[0].seed"),
        ({"id": "Bad Id"}, "rounds[0].id"),
        ({"draw": ["1"]}, "rounds[0].draw"),
        ({"opens_at": "yesterday"}, "rounds[0].opens_at: must be a UTC time"),
    ]
    for change, words in cases:
        body = {**good, **change}
        if "odds_bp" in change:
            body = {**good, "options": [{**good["options"][0], "odds_bp": 100}, good["options"][1]]}  # type: ignore[index]
        with pytest.raises(RoundsError, match="games/rounds.json: ") as e:
            parse_rounds(_file(body))
        assert words.split(":")[0] in str(e.value), (change, str(e.value))
    with pytest.raises(RoundsError, match="rounds\\[0\\].options\\[0\\].odds_bp: must be a whole number"):
        parse_rounds(_file({**good, "options": [{**good["options"][0], "odds_bp": "2"},  # type: ignore[index]
                                                good["options"][1]]}))  # type: ignore[index]
    with pytest.raises(RoundsError, match="1.5 is not a whole number"):  # no float anywhere
        parse_rounds(_file({**good, "options": [{**good["options"][0], "odds_bp": 1.5},  # type: ignore[index]
                                                good["options"][1]]}))  # type: ignore[index]
    with pytest.raises(RoundsError, match="decimals: is 8, but the reward policy gives IA 6"):
        parse_rounds(_file(good), decimals=6)
    with pytest.raises(RoundsError, match="format"):
        parse_rounds(json.dumps({"format": 2, "store": "demo", "decimals": 8, "rounds": []}).encode())


def test_references_name_what_was_staked() -> None:
    ref = stake_reference(ROUND, "7", 97_000, commitment_of(SEED))
    assert len(ref) <= 200
    parsed = parse_stake_reference(ref)
    assert parsed is not None and (parsed.round_id, parsed.option, parsed.odds_bp) == (ROUND, "7", 97_000)
    assert parse_settle_reference(settle_reference("payout", ROUND, 12)) == ("payout", ROUND, 12)
    assert parse_stake_reference("open:org.x#" + "0" * 32) is None


def _receipts(rnd_id: str, terms: str, stakes: list[tuple[str, int]],
              settle: list[tuple[str, int, int]]) -> list[Receipt]:
    """Stake receipts (option, amount) then settlement receipts (kind, amount, stake seq)."""
    out: list[Receipt] = []
    prev = ZERO_HASH
    account = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    rows = [("stake", -a, stake_reference(rnd_id, o, 97_000 if o.isdigit() else 19_400, terms))
            for o, a in stakes]
    rows += [(k, a, settle_reference(k, rnd_id, s)) for k, a, s in settle]
    for seq, (kind, amount, ref) in enumerate(rows, 1):
        r = sign_receipt({"store": "demo", "seq": seq, "account": account, "time": "2026-11-26T10:05:00Z",
                          "asset": "IA", "amount": amount, "kind": kind, "reference": ref, "prev_hash": prev},
                         TEST_SERVICE_KEY)
        out.append(r)
        prev = r.hash
    return out


def independent(seed_hex: str, round_id: str, n: int) -> int:
    """The rule as docs/games.md states it, written again from the text."""
    key = bytes.fromhex(seed_hex)
    i = 0
    while True:
        x = int.from_bytes(hmac.new(key, f"{round_id}:{i}".encode(), hashlib.sha256).digest(), "big")
        if x < 2**256 - 2**256 % n:
            return x % n
        i += 1


def test_verification_view_agrees_with_an_independent_recomputation() -> None:
    later = OPENS + timedelta(minutes=20)
    for n in range(1, 40):
        s = hashlib.sha256(f"v{n}".encode()).hexdigest()
        rnd = replace(make_round("number", OPENS, Timing(600, 300), s, None), seed=s)
        v = verify_round(rnd, [], later, service={"state": "settled"})
        assert v.recomputed == hashlib.sha256(bytes.fromhex(s)).hexdigest() == rnd.commitment
        assert v.result == rnd.draw[independent(s, rnd.id, len(rnd.draw))]
        assert v.derivation is not None and v.derivation.tries[0].digest == hmac.new(
            bytes.fromhex(s), f"{rnd.id}:0".encode(), hashlib.sha256).hexdigest()
        assert v.state == "settled" and v.verdict == "ok"
        assert any(s in line for line in v.steps())


def test_verdicts_paid_owed_invalid_refunded() -> None:
    rnd = make_round("number", OPENS, Timing(600, 300), SEED, None)
    revealed = replace(rnd, seed=SEED)
    drawn = rnd.draw[independent(SEED, rnd.id, 10)]
    loser = next(o.id for o in rnd.options if o.id != drawn)
    after = rnd.reveals_at + timedelta(seconds=5)
    # a win paid as the rule says, a loss with nothing: ok
    rs = _receipts(rnd.id, terms_hash(rnd, 8), [(drawn, 10**8), (loser, 10**8)], [("payout", 97 * 10**7, 1)])
    v = verify_round(revealed, rs, after, service={"state": "settled"})
    assert (v.state, v.verdict, v.owed) == ("settled", "ok", 0)
    assert [s.expected for s in v.stakes] == [97 * 10**7, 0]
    # the win not paid: owed, with the stake receipt as proof
    rs = _receipts(rnd.id, terms_hash(rnd, 8), [(drawn, 10**8)], [])
    v = verify_round(revealed, rs, after, service={"state": "settled"})
    assert (v.verdict, v.owed) == ("owed", 97 * 10**7) and v.stakes[0].receipt.kind == "stake"
    # paid short by one base unit: owed one base unit
    rs = _receipts(rnd.id, terms_hash(rnd, 8), [(drawn, 10**8)], [("payout", 97 * 10**7 - 1, 1)])
    assert verify_round(revealed, rs, after, service={"state": "settled"}).owed == 1
    # a seed that is not the committed one: invalid, refund owed until it comes
    wrong = replace(rnd, seed="02" * 32)
    rs = _receipts(rnd.id, terms_hash(rnd, 8), [(drawn, 10**8)], [])
    v = verify_round(wrong, rs, after, service={"state": "invalid"})
    assert (v.state, v.verdict, v.owed) == ("invalid", "invalid", 10**8) and "broke its promise" in v.message
    rs = _receipts(rnd.id, terms_hash(rnd, 8), [(drawn, 10**8)], [("refund", 10**8, 1)])
    v = verify_round(wrong, rs, after, service={"state": "invalid"})
    assert (v.verdict, v.owed) == ("invalid", 0)
    # no seed by the deadline: refunded
    rs = _receipts(rnd.id, terms_hash(rnd, 8), [(loser, 10**8)], [("refund", 10**8, 1)])
    v = verify_round(rnd, rs, after, service={"state": "refunded"})
    assert (v.state, v.verdict, v.owed) == ("refunded", "refunded", 0)
    # a refund "for no reveal" of a seed this computer noted in time: only this computer's clock
    # says so (no key signed that time), so the refund is what is checked, and the note is said
    rs = _receipts(rnd.id, terms_hash(rnd, 8), [(drawn, 10**8)], [("refund", 10**8, 1)])
    v = verify_round(revealed, rs, after, service={"state": "refunded"}, seed_seen_at=rnd.locks_at)
    assert (v.state, v.verdict, v.owed) == ("refunded", "refunded", 0)
    assert "before the deadline" in v.message and "proves nothing" in v.message
    # open, locked, revealed-not-settled
    assert verify_round(rnd, [], OPENS + timedelta(seconds=1)).state == "open"
    assert verify_round(rnd, [], rnd.locks_at).state == "locked"
    v = verify_round(revealed, _receipts(rnd.id, terms_hash(rnd, 8), [(drawn, 10**8)], []), rnd.locks_at)
    assert (v.state, v.verdict) == ("revealed", "pending")


def test_a_rejected_digest_moves_on_to_the_next_counter() -> None:
    # With n just above 2^255 the limit is n itself: about half of all digests are rejected, so
    # some fixed round ids take a second try. The view and the independent rule agree on them.
    n = 2**255 + 1
    assert derive(SEED, ROUND, n).limit == n
    found = 0
    for i in range(40):
        rid = f"r-{i}"
        d = derive(SEED, rid, n)
        assert d.index == independent(SEED, rid, n)
        if len(d.tries) > 1:
            found += 1
            assert not d.tries[0].accepted and int(d.tries[0].digest, 16) >= d.limit
            assert d.tries[-1].accepted and d.index == int(d.tries[-1].digest, 16) % n
            assert [t.message for t in d.tries] == [f"{rid}:{k}" for k in range(len(d.tries))]
            assert "rejected (too large), try the next counter" in d.explain()[1]
    assert found > 5  # fixed ids: the same every run


def test_missing_seed_while_the_service_says_settled_is_never_owed() -> None:
    rnd = make_round("number", OPENS, Timing(600, 300), SEED, None)
    drawn = rnd.draw[independent(SEED, rnd.id, 10)]
    loser = next(o.id for o in rnd.options if o.id != drawn)
    much_later = rnd.reveals_at + timedelta(hours=7)
    lost = _receipts(rnd.id, terms_hash(rnd, 8), [(loser, 10**8)], [])
    # this app never saw the seed; the service's row gives it, and it matches: checked with it
    v = verify_round(rnd, lost, much_later, service={"state": "settled", "seed": SEED})
    assert (v.state, v.verdict, v.owed, v.seed) == ("settled", "ok", 0, SEED)
    won = _receipts(rnd.id, terms_hash(rnd, 8), [(drawn, 10**8)], [])
    v = verify_round(rnd, won, much_later, service={"state": "settled", "seed": SEED})
    assert (v.verdict, v.owed) == ("owed", 97 * 10**7) and v.seed == SEED
    # no seed anywhere (or one that does not match): never "owed", the app cannot check it
    for service in ({"state": "settled"}, {"state": "settled", "seed": "02" * 32}, None):
        v = verify_round(rnd, lost, much_later, service=service)
        assert v.verdict == "unknown" and v.owed == 0 and v.seed is None, service
        assert "cannot check" in v.message
    # before the grace period ends with no word from the service: waiting
    v = verify_round(rnd, lost, rnd.reveals_at + timedelta(minutes=5))
    assert (v.state, v.verdict) == ("locked", "pending")
    # the service refunded for no reveal: a broken promise, refunded
    refunded = _receipts(rnd.id, terms_hash(rnd, 8), [(loser, 10**8)], [("refund", 10**8, 1)])
    v = verify_round(rnd, refunded, much_later, service={"state": "refunded", "seed": None})
    assert (v.state, v.verdict, v.owed) == ("refunded", "refunded", 0) and "broke its promise" in v.message


def test_a_second_different_seed_is_a_broken_promise() -> None:
    rnd = replace(make_round("number", OPENS, Timing(600, 300), SEED, None), seed=SEED)
    drawn = rnd.draw[independent(SEED, rnd.id, 10)]
    rs = _receipts(rnd.id, terms_hash(rnd, 8), [(drawn, 10**8)], [("payout", 97 * 10**7, 1)])
    after = rnd.reveals_at + timedelta(seconds=5)
    assert verify_round(rnd, rs, after, service={"state": "settled"}, other_seed=SEED).verdict == "ok"
    v = verify_round(rnd, rs, after, service={"state": "settled"}, other_seed="02" * 32)
    assert (v.state, v.verdict, v.other_seed) == ("invalid", "invalid", "02" * 32)
    assert "two different seeds" in v.message and any("02" * 32 in line for line in v.steps())
    assert v.to_json(8)["other_seed"] == "02" * 32


def test_a_stake_receipt_naming_other_terms_cannot_be_checked() -> None:
    rnd = replace(make_round("number", OPENS, Timing(600, 300), SEED, None), seed=SEED)
    drawn = rnd.draw[independent(SEED, rnd.id, 10)]
    other = replace(rnd, options=tuple(replace(o, odds_bp=20_000) for o in rnd.options))
    rs = _receipts(rnd.id, terms_hash(other, 8), [(drawn, 10**8)], [])
    v = verify_round(rnd, rs, rnd.reveals_at + timedelta(hours=2), service={"state": "settled"})
    assert (v.verdict, v.owed) == ("unknown", 0) and "terms differs" in v.message


def test_the_keeper_reveals_after_a_margin_and_reuses_a_published_seed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from appstore.core.games.keeper import Timing as T
    from appstore.core.publish.targets import published_target
    from tests.gameskit import game_store, load

    gs = game_store(tmp_path, timing=T(60, 30))
    keeper = gs.keeper
    assert keeper.timing.reveal_margin == 15 and T(600, 300).reveal_margin == 60
    start = datetime(2026, 11, 26, 10, 0, 1, tzinfo=UTC)
    assert keeper.tick(start)
    first = parse_rounds(published_target(gs.out, "games/rounds.json") or b"")
    seeds = load(keeper.seeds_path)
    assert {r.id for r in first.rounds} == set(seeds)
    # a crash after publishing, before noting it in state/rounds.json: the next tick finds the
    # published rounds and makes no new seeds for them
    keeper.rounds_path.unlink()
    assert not keeper.tick(start + timedelta(seconds=5))  # nothing new to publish
    again = parse_rounds(published_target(gs.out, "games/rounds.json") or b"")
    assert [(r.id, r.commitment) for r in again.rounds] == [(r.id, r.commitment) for r in first.rounds]
    assert load(keeper.seeds_path) == seeds
    # the same round id made again (its seed saved, the publication lost): the same seed
    keeper.rounds_path.unlink(missing_ok=True)
    from appstore.core.games.keeper import publish_lock, publish_target
    with publish_lock(gs.out.parent):
        publish_target(gs.out, gs.keys, "games/rounds.json", RoundsFile("teststore", 8).to_bytes())
    keeper.tick(start + timedelta(seconds=6))
    remade = parse_rounds(published_target(gs.out, "games/rounds.json") or b"")
    assert [(r.id, r.commitment) for r in remade.rounds] == [(r.id, r.commitment) for r in first.rounds]
    # the seed is published only a margin after the lock (the service's clock may lag this one's)
    locks = first.rounds[0].locks_at
    for t in (locks, locks + timedelta(seconds=14)):
        keeper.tick(t)
        cur = parse_rounds(published_target(gs.out, "games/rounds.json") or b"")
        assert all(r.seed is None for r in cur.rounds if r.locks_at == locks), t
    keeper.tick(locks + timedelta(seconds=15))
    cur = parse_rounds(published_target(gs.out, "games/rounds.json") or b"")
    revealed = [r for r in cur.rounds if r.locks_at == locks]
    assert revealed and all(r.seed is not None and seed_matches(r.seed, r.commitment) for r in revealed)


def test_settlement_is_overdue_by_the_service_s_clock_not_this_computer_s() -> None:
    rnd = replace(make_round("number", OPENS, Timing(600, 300), SEED, None), seed=SEED)
    drawn = rnd.draw[independent(SEED, rnd.id, 10)]
    won = _receipts(rnd.id, terms_hash(rnd, 8), [(drawn, 10**8)], [])
    ahead = rnd.reveals_at + timedelta(hours=3)  # this computer's clock, hours ahead
    service_clock = rnd.reveals_at + timedelta(minutes=2)
    v = verify_round(rnd, won, ahead, service={"state": "open"}, service_now=service_clock)
    assert (v.state, v.verdict, v.owed) == ("revealed", "pending", 0)
    v = verify_round(rnd, won, ahead, service={"state": "open"},
                     service_now=rnd.reveals_at + timedelta(hours=2))
    assert (v.verdict, v.owed) == ("owed", 97 * 10**7)
