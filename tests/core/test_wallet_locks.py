"""The wallet asks for its passphrase holding no lock that others need: while one thread waits
for the person (a threading.Event stands in for the dialog), another reads the balances and
closes the wallet; a second unlock meanwhile waits for the first answer instead of asking again.
A real seed file (the keyring is the ``fail`` backend) and a real SQLite ledger."""

from __future__ import annotations

import inspect
import sys
import threading
import time
from collections.abc import Callable

import keyring
import pytest
from keyring.backends import fail

from appstore.core.paths import Paths
from appstore.core.wallet.errors import WalletLocked
from appstore.core.wallet.keys import Account, parse_words
from appstore.core.wallet.ledger import ledger_path
from appstore.core.wallet.seedpass import PassphraseRequest
from appstore.core.wallet.seedstore import KdfParams, SeedStore
from appstore.core.wallet.wallet import Balances, Wallet
from tests.threadkit import LONG, finished, run
from tests.walletkit import fill

FAST = KdfParams(n=2 ** 10)
PASSPHRASE = "correct horse battery"
WORDS = "abandon " * 11 + "about"


class Dialog:
    """The passphrase callback: says it was asked, then waits until ``answer()`` (or
    ``cancel()``: the person closes it)."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.answered = threading.Event()
        self.requests: list[PassphraseRequest] = []
        self.reply: str | None = PASSPHRASE

    def __call__(self, request: PassphraseRequest) -> str | None:
        self.requests.append(request)
        self.asked.set()
        assert self.answered.wait(LONG), "the test never answered the dialog"
        return self.reply

    def answer(self) -> None:
        self.answered.set()

    def cancel(self) -> None:
        self.reply = None
        self.answered.set()


def reached(thread: threading.Thread, function: Callable[..., object], line: str) -> None:
    """Wait until ``thread`` runs ``function``'s line that holds ``line`` (its stack, as Python
    sees it): a thread blocked on a lock stays on the line that takes it."""
    code = function.__code__
    lines, first = inspect.getsourcelines(function)
    (number,) = [first + i for i, text in enumerate(lines) if line in text]
    deadline = time.monotonic() + LONG
    while time.monotonic() < deadline:
        frame = sys._current_frames().get(thread.ident or -1)
        while frame is not None:
            if frame.f_code is code and frame.f_lineno == number:
                return
            frame = frame.f_back
        time.sleep(0.01)
    raise AssertionError(f"the thread never reached {function.__qualname__}: {line}")


@pytest.fixture
def wallet(paths: Paths, keep_keyring: None) -> tuple[Wallet, Dialog]:
    keyring.set_keyring(fail.Keyring())
    SeedStore(paths, kdf=FAST, env={"IMAPP_WALLET_PASSPHRASE": PASSPHRASE}).save(parse_words(WORDS))
    dialog = Dialog()
    return Wallet(paths, seeds=SeedStore(paths, kdf=FAST, passphrase=dialog, env={})), dialog


def test_balances_and_close_go_on_while_the_passphrase_is_asked(
        wallet: tuple[Wallet, Dialog], paths: Paths) -> None:
    w, dialog = wallet
    address = Account.from_words(parse_words(WORDS)).address
    fill(ledger_path(paths), address, 2)  # +2 +0.5 IA
    unlocking, unlocked = run(w.account)
    assert dialog.asked.wait(LONG)
    reader, read = run(w.balances)
    balances = finished(reader, read)
    assert isinstance(balances, Balances) and balances.to_json()["IA"] == "2.5"
    closer, closed = run(w.close)
    finished(closer, closed)
    assert unlocking.is_alive() and not dialog.answered.is_set()  # still waiting for the person
    dialog.answer()
    account = finished(unlocking, unlocked)
    assert isinstance(account, Account) and account.address == address


def test_a_second_unlock_waits_for_the_first_answer_and_asks_nothing(wallet: tuple[Wallet, Dialog]) -> None:
    w, dialog = wallet
    first, first_out = run(w.account)
    assert dialog.asked.wait(LONG)
    second, second_out = run(w.account)
    address, address_out = run(w.address)  # the file's header says it: no question, no wait
    assert finished(address, address_out) == Account.from_words(parse_words(WORDS)).address
    assert second.is_alive()
    dialog.answer()
    one, two = finished(first, first_out), finished(second, second_out)
    assert one is two
    assert len(dialog.requests) == 1


def test_those_who_waited_for_a_cancelled_question_are_not_asked_again(wallet: tuple[Wallet, Dialog]) -> None:
    """Closing the dialog answers every call that waited for it (a worker reading the rewards
    while a claim round asked): no second dialog pops up at once, nor while the app quits."""
    w, dialog = wallet
    first, first_out = run(w.account)
    assert dialog.asked.wait(LONG)
    second, second_out = run(w.account)
    reached(second, Wallet.account, "with self._asking:")  # it waits for the question asked
    dialog.cancel()
    for thread, out in ((first, first_out), (second, second_out)):
        thread.join(LONG)
        assert not thread.is_alive()
        assert isinstance(out.get("error"), WalletLocked), out
    assert len(dialog.requests) == 1
    dialog.reply = PASSPHRASE  # asked again later, it opens
    assert w.account().address == Account.from_words(parse_words(WORDS)).address
    assert len(dialog.requests) == 2


def test_a_new_wallet_files_passphrase_is_asked_with_the_wallet_folder_unlocked(
        paths: Paths, keep_keyring: None) -> None:
    """Without a keyring, saving a wallet asks for a passphrase: meanwhile another imapp (here a
    second seed store on the same folder) may take the folder's lock; the save then looks again
    and writes the file."""
    keyring.set_keyring(fail.Keyring())
    other = SeedStore(paths, kdf=FAST, env={})
    took: list[bool] = []

    def dialog(request: PassphraseRequest) -> str:
        assert request.new
        with other._lock():  # what another process changing the wallet holds
            took.append(True)
        return PASSPHRASE

    seeds = SeedStore(paths, kdf=FAST, passphrase=dialog, env={})
    status = seeds.save(parse_words(WORDS))
    assert took == [True] and status.storage == "file"
    assert SeedStore(paths, kdf=FAST, env={"IMAPP_WALLET_PASSPHRASE": PASSPHRASE}).load().reveal() == WORDS
