"""A stand-in for the desktop's notification daemon (the one part of a desktop that cannot run
here, DESIGN.md): a tiny ``org.freedesktop.Notifications`` service on the tests' private session
bus (``scripts/test.sh`` runs pytest under ``dbus-run-session``). It answers ``Notify`` as a
daemon does and keeps what it was sent, with the D-Bus signature, so a test sees exactly what a
real daemon would receive."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

SERVICE = "org.freedesktop.Notifications"


@dataclass(frozen=True)
class Received:
    signature: str
    app_name: str
    replaces_id: int
    icon: str
    summary: str
    body: str
    actions: list[str]
    hints: dict[str, Any]
    timeout: int


class FakeNotifications:
    """Owns the service's name on the session bus while it runs (``start``/``stop``)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.conn = open_dbus_connection(bus="SESSION")
        reply = self.conn.send_and_get_reply(message_bus.RequestName(SERVICE, 4), timeout=5)  # DO_NOT_QUEUE
        if reply.body[0] != 1:
            raise RuntimeError(f"{SERVICE} is already owned on this bus (RequestName said {reply.body[0]})")
        self._thread = threading.Thread(target=self._serve, name="fake notifications", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        from jeepney import HeaderFields, MessageType, new_error, new_method_return

        n = 0
        while not self._stop.is_set():
            try:
                msg = self.conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            except OSError:
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            member = msg.header.fields.get(HeaderFields.member)
            signature = msg.header.fields.get(HeaderFields.signature, "")
            if member == "Notify" and signature == "susssasa{sv}i":
                n += 1
                with self._lock:
                    self.received.append(Received(signature, *msg.body))
                self.conn.send(new_method_return(msg, "u", (n,)))
            elif member == "Notify":  # as GLib's daemons do with a wrong signature
                with self._lock:
                    self.received.append(Received(signature, *(list(msg.body) + [None] * 8)[:8]))
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.InvalidArgs", "s",
                                         (f"Type of message, '({signature})', does not match expected type "
                                          "'(susssasa{sv}i)'",)))
            else:
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s",
                                         (f"no method {member}",)))

    def summaries(self) -> list[str]:
        with self._lock:
            return [r.summary for r in self.received]

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.conn.close()  # (the bus lets go of the name with the connection)


def require_session_bus() -> None:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        if os.environ.get("IMAPP_REQUIRE_KEYRING"):
            pytest.fail("no D-Bus session bus: run the tests through scripts/test.sh")
        pytest.skip("no D-Bus session bus (scripts/test.sh runs the tests under dbus-run-session)")


@pytest.fixture
def notifications() -> Iterator[FakeNotifications]:
    require_session_bus()
    service = FakeNotifications()
    service.start()
    yield service
    service.stop()
