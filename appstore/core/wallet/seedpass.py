"""The wallet file's passphrase: from ``$IMAPP_WALLET_PASSPHRASE`` (headless use; it wins when
set) or from the caller's callback (the GUI's dialog, the CLI's prompt), three tries at most."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from appstore.core.errors import short_path
from appstore.core.wallet import seedfile
from appstore.core.wallet.errors import WalletError, WalletLocked, WrongPassphrase

ENV_PASSPHRASE = "IMAPP_WALLET_PASSPHRASE"
MIN_PASSPHRASE = 8
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class PassphraseRequest:
    """What the passphrase callback is asked. ``new``: choose a passphrase for a new wallet
    file (the dialog should ask twice), or with ``change`` a new one for the existing file; else
    unlock it. ``attempt`` counts from 1; ``problem`` says why it is asked again."""

    new: bool
    path: Path
    attempt: int = 1
    problem: str = ""
    change: bool = False


PassphraseSource = Callable[[PassphraseRequest], str | None]  # None: the user cancelled


class Asker:
    """Asks for the passphrase of wallet file ``path``: ``source`` is the callback (None: only
    the variable in ``env``)."""

    def __init__(self, path: Path, source: PassphraseSource | None, env: Mapping[str, str]) -> None:
        self.path, self.source, self.env = path, source, env

    def from_env(self) -> str:
        return self.env.get(ENV_PASSPHRASE) or ""

    def unlock(self, f: seedfile.SeedFile) -> tuple[str, str]:
        """(plaintext, passphrase) of ``f``: ``WrongPassphrase`` after three wrong tries (at
        once for the variable), ``WalletLocked`` if the user cancels."""
        from_env = self.from_env()
        problem = ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            passphrase = from_env or self.ask(PassphraseRequest(False, self.path, attempt, problem))
            plain = seedfile.decrypt(f, passphrase, self.path)
            if plain is not None:
                return plain, passphrase
            if from_env:
                raise WrongPassphrase(f"the passphrase in ${ENV_PASSPHRASE} does not open the wallet "
                                      f"file {short_path(self.path)}")
            problem = "that passphrase does not open the wallet: try again"
        raise WrongPassphrase(f"the passphrase does not open the wallet file {short_path(self.path)} "
                              f"({MAX_ATTEMPTS} tries); the file is unchanged")

    def new(self, *, change: bool = False) -> str:
        """A passphrase for a new file (the variable, else the callback), or with ``change`` a
        new one for the existing file (the callback only: the variable holds the current one)."""
        from_env = self.from_env()
        if from_env and not change:
            if len(from_env) < MIN_PASSPHRASE:
                raise WalletError(f"${ENV_PASSPHRASE} is too short for a new wallet file: use at least "
                                  f"{MIN_PASSPHRASE} characters")
            return from_env
        problem = ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            passphrase = self.ask(PassphraseRequest(True, self.path, attempt, problem, change))
            if len(passphrase) >= MIN_PASSPHRASE:
                return passphrase
            problem = f"a passphrase has at least {MIN_PASSPHRASE} characters"
        raise WalletError(f"no usable passphrase was given (at least {MIN_PASSPHRASE} characters): "
                          f"the wallet was not {'changed' if change else 'saved'}")

    def ask(self, request: PassphraseRequest) -> str:
        if self.source is None:
            what = "a passphrase for the new wallet file" if request.new else "the wallet file's passphrase"
            raise WalletLocked(f"no system keyring here, and {what} is needed: set ${ENV_PASSPHRASE}, "
                               "or use the app")
        answer = self.source(request)
        if answer is None:
            raise WalletLocked("no new passphrase was given: nothing was changed" if request.change
                               else "no passphrase was given: the wallet stays locked")
        return answer
