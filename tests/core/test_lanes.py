"""``assert_lane`` (core/jobs.py): writer-only code run by a thread that works for another lane
fails at once under the tests (``$IMAPP_STRICT_LANES``, set by tests/conftest.py) and is logged
as an error in the app; a thread no lane named (the CLI's, a test's) passes. The wallet's
ledger writer and the rewards caches' refresh use it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from appstore.core.jobs import STRICT_LANES, assert_lane, current_lane, enter_lane
from appstore.core.wallet.ledger import Ledger, PendingClaim
from tests.walletkit import chain

ACCOUNT = "15STpNCgsJkDPRseRkXDTPMvG1U4w9QkBh"


def on_lane(lane: str | None, fn: Callable[[], object]) -> BaseException | None:
    """Run ``fn`` on a new thread that works for ``lane``; what it raised (None: nothing)."""
    raised: list[BaseException] = []

    def body() -> None:
        enter_lane(lane)
        try:
            fn()
        except BaseException as e:  # handed to the test
            raised.append(e)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    return raised[0] if raised else None


def writer() -> None:
    assert_lane("wallet")


def test_the_strict_flag_is_on_in_the_tests() -> None:
    import os

    assert os.environ.get(STRICT_LANES)


def test_the_right_lane_and_an_unnamed_thread_pass_another_lane_fails() -> None:
    assert on_lane("wallet", writer) is None
    assert on_lane(None, writer) is None
    assert current_lane() is None  # (the test's own thread: no lane)
    writer()
    error = on_lane("io", writer)
    assert isinstance(error, AssertionError)
    assert str(error) == "writer belongs to the wallet lane, and ran on the io lane"
    error = on_lane("gui", lambda: assert_lane("stores", "wallet"))
    assert isinstance(error, AssertionError) and "the stores or wallet lane" in str(error)


def test_in_the_app_another_lane_is_logged_as_an_error_and_the_work_goes_on(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(STRICT_LANES)
    with caplog.at_level(logging.ERROR, logger="imapp"):
        assert on_lane("io", writer) is None
    (record,) = [r for r in caplog.records if "ran on the io lane" in r.getMessage()]
    assert record.levelno == logging.ERROR and record.stack_info


def test_the_ledger_is_written_only_by_the_wallet_and_claims_lanes(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3", account=ACCOUNT)
    try:
        receipts = chain(ACCOUNT, 2)
        error = on_lane("io", lambda: ledger.append_many(receipts))
        assert isinstance(error, AssertionError) and "the wallet or claims lane" in str(error)
        claim = PendingClaim("demo", "open", "org.imapp.charity", amount=1)
        assert isinstance(on_lane("stores", lambda: ledger.add_pending(claim)), AssertionError)
        assert ledger.last("demo")[0] == 0 and ledger.pending() == []  # nothing was written
        assert on_lane("wallet", lambda: ledger.append_many(receipts[:1])) is None
        assert on_lane("claims", lambda: ledger.append_many(receipts[1:])) is None  # (a claim round)
        assert ledger.last("demo")[0] == 2
    finally:
        ledger.close()
