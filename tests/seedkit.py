"""The seed store's test helpers: a keyring backend in memory that can fail like a real one, a
passphrase dialog that answers from a list, and the cheap scrypt cost the tests use."""

from __future__ import annotations

from pathlib import Path

from keyring.backend import KeyringBackend

from appstore.core.paths import Paths
from appstore.core.wallet.seedstore import KdfParams, PassphraseRequest, SeedStore

FAST = KdfParams(n=2 ** 10, r=8, p=1)
ABANDON = "abandon " * 11 + "about"
ABANDON_ADDRESS = "15STpNCgsJkDPRseRkXDTPMvG1U4w9QkBh"
PASS = "correct horse battery"


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict (a real backend class, set with keyring.set_keyring), that can be told
    to fail like a locked or vanished Secret Service would."""

    # Below zero: every KeyringBackend subclass is registered for discovery, and one that is
    # viable would be chained with the real one (keyring.get_keyring() would be a chainer).
    priority = -1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.fail_get: Exception | None = None
        self.fail_set: Exception | None = None
        self.keeps = True

    def get_password(self, service: str, username: str) -> str | None:
        if self.fail_get:
            raise self.fail_get
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.fail_set:
            raise self.fail_set
        if self.keeps:
            self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


class Answers:
    """A passphrase dialog that gives these answers, in turn, and remembers what it was asked."""

    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.requests: list[PassphraseRequest] = []

    def __call__(self, request: PassphraseRequest) -> str | None:
        self.requests.append(request)
        return self.answers.pop(0)


def store(paths: Paths, passphrase: Answers | None = None, env: dict[str, str] | None = None,
          kdf: KdfParams = FAST) -> SeedStore:
    return SeedStore(paths, passphrase=passphrase, kdf=kdf, env={} if env is None else env)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (but the lock) and its bytes: to show nothing changed."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and p.name != ".lock"}
