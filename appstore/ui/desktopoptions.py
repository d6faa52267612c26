"""What the user chose about imapp on the desktop (Settings, "On the desktop"), kept in the data
dir's ``gui.ini``:

* ``desktop/start_minimized`` start hidden in the tray (``--minimized`` does it once);
* ``desktop/close_to_tray`` closing the window keeps imapp running in the tray (default off);
* ``desktop/told_close_to_tray`` the user was told once that imapp kept running;
* ``notify/downloads``, ``notify/updates``, ``notify/rewards``, ``notify/games`` each kind of
  desktop notification (default on);
* ``notify/updates_seen`` the updates already announced (``STORE/ID@VERSION``), so each new
  version is announced once;
* ``notify/rounds_waiting`` the game rounds the user staked on that had not settled
  (``STORE/ROUND``), so a settlement while imapp was closed is announced at the next start.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

NOTICE_KINDS = ("downloads", "updates", "rewards", "games")
MAX_KEPT = 500  # entries of a list kept in gui.ini


class DesktopOptions:
    """Typed access to those settings (read each time: the Settings page changes them)."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def _flag(self, key: str, default: bool) -> bool:
        value = self.settings.value(key, default)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes")  # (an INI file keeps text)

    def _set(self, key: str, value: object) -> None:
        if self.settings.value(key) != value:
            self.settings.setValue(key, value)

    @property
    def start_minimized(self) -> bool:
        return self._flag("desktop/start_minimized", False)

    @start_minimized.setter
    def start_minimized(self, on: bool) -> None:
        self._set("desktop/start_minimized", on)

    @property
    def close_to_tray(self) -> bool:
        return self._flag("desktop/close_to_tray", False)

    @close_to_tray.setter
    def close_to_tray(self, on: bool) -> None:
        self._set("desktop/close_to_tray", on)

    @property
    def told_close_to_tray(self) -> bool:
        return self._flag("desktop/told_close_to_tray", False)

    @told_close_to_tray.setter
    def told_close_to_tray(self, on: bool) -> None:
        self._set("desktop/told_close_to_tray", on)

    def notifies(self, kind: str) -> bool:
        """Whether notifications of ``kind`` (one of ``NOTICE_KINDS``) are shown."""
        return self._flag(f"notify/{kind}", True)

    def set_notifies(self, kind: str, on: bool) -> None:
        if kind not in NOTICE_KINDS:
            raise ValueError(f"no notification kind {kind!r}")
        self._set(f"notify/{kind}", on)

    def _texts(self, key: str) -> set[str]:
        value = self.settings.value(key, [])
        if isinstance(value, str):  # (an INI file gives a list of one as its text)
            value = [value] if value else []
        return {str(v) for v in value} if isinstance(value, list) else set()

    @property
    def updates_seen(self) -> set[str]:
        return self._texts("notify/updates_seen")

    @updates_seen.setter
    def updates_seen(self, seen: set[str]) -> None:
        self._set("notify/updates_seen", sorted(seen)[:MAX_KEPT])

    @property
    def rounds_waiting(self) -> set[str]:
        return self._texts("notify/rounds_waiting")

    @rounds_waiting.setter
    def rounds_waiting(self, waiting: set[str]) -> None:
        self._set("notify/rounds_waiting", sorted(waiting)[:MAX_KEPT])
