"""The wallet's errors: each says what happened and what to do, and none ever holds a secret.

Messages never quote seed words, a passphrase or key material; where a user needs to see what
they typed (the close words for a mistyped seed word), it is in an attribute the GUI or the CLI
shows on screen, never in ``str(err)`` (which is logged).
"""

from __future__ import annotations

from appstore.core.errors import AppStoreError


class WalletError(AppStoreError):
    """Something about the wallet went wrong; nothing was lost."""


class NoWallet(WalletError):
    """There is no wallet yet in this data dir."""


class WalletExists(WalletError):
    """A wallet is already there: it is replaced only when the caller says ``replace=True``."""


class WalletLocked(WalletError):
    """The seed cannot be read now (the keyring is locked or gone, or no passphrase was given);
    it is still where it was."""


class WrongPassphrase(WalletLocked):
    """The passphrase does not open the wallet file."""


class WalletCorrupt(WalletError):
    """The wallet file (or the keyring entry) is damaged; it is left as it is."""


class BadWords(WalletError):
    """Seed words that cannot be restored.

    ``position`` is the 1-based position of the first word that is not in the word list (None
    when every word is in the list: a wrong count or a checksum that does not match);
    ``suggestions`` are close words from the list, to show on screen (never logged: they are
    close to a seed word). ``reason`` is one of ``empty``, ``count``, ``unknown-word``,
    ``checksum``.
    """

    def __init__(self, message: str, *, reason: str, position: int | None = None,
                 suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.position = position
        self.suggestions = suggestions

    def user_detail(self) -> str:
        """The message with the suggestions, for the screen only (do not log it)."""
        if not self.suggestions:
            return str(self)
        return f"{self}; did you mean {', '.join(self.suggestions)}?"

    def __repr__(self) -> str:
        return f"BadWords(reason={self.reason!r}, position={self.position!r})"


class BadAddress(WalletError):
    """Text that is not a valid BCD address."""


class SigningError(WalletError):
    """A request that cannot be signed as asked (an unknown purpose, a payload that is not
    canonical JSON: a float, a non-string key…)."""


class AmountError(AppStoreError):
    """An amount typed by a user or a script that is refused. ``code`` says why, for a front
    that words it itself: ``empty``, ``too-long``, ``whitespace``, ``sign``, ``negative``,
    ``not-a-number``, ``exponent``, ``separator``, ``digits``, ``too-many-decimals``, ``zero``,
    ``too-large``."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code
