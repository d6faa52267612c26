"""The OS keyring as the seed store uses it: which backends may hold a seed, a read that never
makes the keyring prompt, and a write that is read back.

``KeyringAbsent``: no keyring on this machine (no backend, the ``fail``/``null`` backends, or a
``keyrings.alt``/``keyrings.cryptfile`` backend, which keeps secrets in a plain file or asks on a
terminal). ``KeyringFailed``: a keyring is there but failed (locked, a D-Bus error, …).
"""

from __future__ import annotations

import hmac
from contextlib import closing

import keyring
import keyring.backend
import keyring.errors


class KeyringAbsent(Exception):
    """No keyring on this machine (no backend, or one that must not hold a seed)."""


class KeyringFailed(Exception):
    """A keyring is there but failed (locked, D-Bus error, …)."""


def get(backend: keyring.backend.KeyringBackend, service: str, user: str, *,
        quiet: bool = False) -> str | None:
    """The entry, or None if there is none. ``quiet``: never make the keyring ask the user to
    unlock it (a locked Secret Service collection is ``KeyringFailed("locked")`` instead)."""
    reason = unusable(backend)
    if reason:
        raise KeyringAbsent(reason)
    if quiet and _locked(backend):
        raise KeyringFailed("the keyring is locked")
    try:
        value = backend.get_password(service, user)
    except keyring.errors.NoKeyringError:
        raise KeyringAbsent("no keyring backend") from None
    except Exception as e:  # any backend's failure (D-Bus, locked, …): the keyring's boundary
        raise KeyringFailed(describe(e)) from None
    return value if isinstance(value, str) else None


def put(backend: keyring.backend.KeyringBackend, service: str, user: str, secret: str) -> None:
    """Store ``secret`` and read it back; ``KeyringAbsent``/``KeyringFailed`` if not kept."""
    reason = unusable(backend)
    if reason:
        raise KeyringAbsent(reason)
    try:
        backend.set_password(service, user, secret)
        back = backend.get_password(service, user)
    except keyring.errors.NoKeyringError:
        raise KeyringAbsent("no keyring backend") from None
    except Exception as e:  # never quote the message: it could echo what was stored
        raise KeyringFailed(type(e).__name__) from None
    if not (isinstance(back, str) and hmac.compare_digest(back.encode(), secret.encode())):
        raise KeyringAbsent(f"{backend_name(backend)} did not keep the secret")


def backend_name(backend: keyring.backend.KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def unusable(backend: keyring.backend.KeyringBackend) -> str:
    """Why ``backend`` must not hold a seed ("" if it may): no keyring at all, or one that keeps
    secrets in a plain file or asks for a password on a terminal."""
    from keyring.backends import fail, null

    first = _first(backend)
    if first is None or isinstance(first, fail.Keyring):
        return "no keyring backend"
    if isinstance(first, null.Keyring):
        return "the null keyring"
    if type(first).__module__.startswith(("keyrings.alt", "keyrings.cryptfile")):
        return f"{backend_name(first)} keeps secrets in a file or asks on a terminal"
    return ""


def describe(e: BaseException) -> str:
    from appstore.core.errors import shorten

    text = str(e)
    return f"{type(e).__name__}: {shorten(text, 120)}" if text else type(e).__name__


def _first(backend: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend | None:
    """The backend that reads and writes (a chainer's first)."""
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        chained = list(backend.backends)
        return chained[0] if chained else None
    return backend


def _locked(backend: keyring.backend.KeyringBackend) -> bool:
    """A Secret Service whose collection is locked: reading would show an unlock prompt. Other
    backends are read as they are (Windows never prompts; macOS asks once per app)."""
    first = _first(backend)
    if first is None or type(first).__module__ != "keyring.backends.SecretService":
        return False
    try:
        import secretstorage

        with closing(secretstorage.dbus_init()) as bus:
            path = getattr(first, "preferred_collection", None)
            collection = (secretstorage.Collection(bus, path) if path
                          else secretstorage.get_default_collection(bus))
            return bool(collection.is_locked())
    except Exception:  # no bus, no collection: the read that follows says what is wrong
        return False
