"""Desktop notifications on the real app offscreen, received by a notification service on the
tests' private session bus (tests/notifykit.py): what arrives (summary, body, the D-Bus
signature a daemon checks), each kind turned off in Settings, nothing while the window is in
front, the tray's message when no service answers; and the real events: a download installed,
an update, IA credited, a settled round."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot

from appstore.core.activity import Activity
from appstore.ui.app import DesktopApp
from appstore.ui.installs import Phase
from appstore.ui.notify import Notice
from tests.gameskit import fund
from tests.notifykit import FakeNotifications, notifications, require_session_bus  # noqa: F401
from tests.ui.conftest import make_desktop

PERIOD = 6


@pytest.fixture
def away(qtbot: QtBot, data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopApp]:
    """The app with its window minimised (the user is elsewhere), its side work started."""
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase for the tests")
    monkeypatch.setenv("IMAPP_GAMES_PERIOD", str(PERIOD))
    monkeypatch.setenv("IMAPP_GAMES_REVEAL", "4")  # seeds published 2 s after the lock
    d = make_desktop(qtbot, data)
    qtbot.waitUntil(lambda: d.notices._games is not None, timeout=10000)  # attached after the first paint
    d.window.showMinimized()
    yield d
    d.window.close()


def _arrived(qtbot: QtBot, service: FakeNotifications, count: int, timeout: int = 30000) -> None:
    qtbot.waitUntil(lambda: len(service.received) >= count, timeout=timeout)


def test_a_notification_reaches_the_service_with_its_summary_and_body(
        away: DesktopApp, notifications: FakeNotifications, qtbot: QtBot) -> None:  # noqa: F811
    with qtbot.waitSignal(away.notifier.delivered, timeout=10000) as sent:
        assert away.notifier.notify(Notice("downloads", "Fair Dice was installed", "Version 1.1.0 is ready."))
    assert sent.args[1] == "dbus"
    got = notifications.received[0]
    assert got.signature == "susssasa{sv}i"  # what a GLib or Qt daemon accepts, nothing else
    assert (got.app_name, got.summary) == ("imapp", "Fair Dice was installed")
    assert got.body == "Version 1.1.0 is ready."
    assert got.hints == {"desktop-entry": ("s", "org.imapp.desktop")} and got.replaces_id == 0
    assert got.timeout == -1 and got.actions == []


def test_a_store_supplied_text_goes_as_text_not_markup(
        away: DesktopApp, notifications: FakeNotifications, qtbot: QtBot) -> None:  # noqa: F811
    with qtbot.waitSignal(away.notifier.delivered, timeout=10000):
        away.notifier.notify(Notice("downloads", "Installed", 'Tom & Jerry <img src="http://127.0.0.1:9/x">'))
    assert notifications.received[0].body == 'Tom &amp; Jerry &lt;img src="http://127.0.0.1:9/x"&gt;'


def test_each_kind_can_be_turned_off_in_settings(away: DesktopApp, notifications: FakeNotifications,  # noqa: F811
                                                 qtbot: QtBot, data: Path) -> None:
    page = away.window.settings_page
    assert page.desktop is not None
    boxes = {kind: page.findChild(QCheckBox, f"notify:{kind}") for kind in ("downloads", "updates",
                                                                           "rewards", "games")}
    assert all(box is not None and box.isChecked() for box in boxes.values())  # on by default
    skipped: list[tuple[object, str]] = []
    away.notifier.skipped.connect(lambda notice, why: skipped.append((notice, why)))
    for kind in ("downloads", "updates", "rewards", "games"):
        boxes[kind].setChecked(False)  # type: ignore[union-attr]
        assert not away.notifier.notify(Notice(kind, f"{kind} is off", ""))
        boxes[kind].setChecked(True)  # type: ignore[union-attr]
        assert away.notifier.notify(Notice(kind, f"{kind} is on", ""))
    _arrived(qtbot, notifications, 4)
    qtbot.waitUntil(lambda: not away.controller.jobs.busy(), timeout=10000)
    # (each is sent on a worker of its own: they may arrive in any order)
    assert sorted(notifications.summaries()) == sorted(f"{k} is on" for k in ("downloads", "updates",
                                                                              "rewards", "games"))
    assert [why for _, why in skipped] == ["off"] * 4
    boxes["games"].setChecked(False)  # type: ignore[union-attr]
    away.settings.sync()
    assert "games=false" in (data / "gui.ini").read_text()  # kept for the next start


def test_nothing_is_shown_while_the_window_is_in_front(away: DesktopApp, notifications: FakeNotifications,  # noqa: F811
                                                       qtbot: QtBot) -> None:
    away.window.showNormal()
    away.window.activateWindow()
    qtbot.waitUntil(away.window.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(away.notifier.skipped, timeout=5000) as skipped:
        assert not away.notifier.notify(Notice("downloads", "in front", ""))
    assert skipped.args[1] == "in front"
    away.window.showMinimized()
    assert away.notifier.notify(Notice("downloads", "away", ""))
    _arrived(qtbot, notifications, 1)
    assert notifications.summaries() == ["away"]


def test_without_a_notification_service_the_tray_is_used(away: DesktopApp, qtbot: QtBot) -> None:
    require_session_bus()  # a bus with nobody owning the service's name
    with qtbot.waitSignal(away.notifier.delivered, timeout=10000) as sent:
        away.notifier.notify(Notice("updates", "nobody listens", ""))
    # the offscreen platform has no tray either: the notice goes nowhere, and imapp says so once
    assert sent.args[1] == "none" and away.notifier.use_bus is False


def test_an_installed_download_and_a_new_update_are_notified(
        away: DesktopApp, notifications: FakeNotifications, qtbot: QtBot) -> None:  # noqa: F811
    view = away.controller.view
    assert view is not None
    app = view.find("org.imapp.fairdice").app
    away.installs.install(app, "1.0.0")  # an older version: its update appears once installed
    qtbot.waitUntil(lambda: away.installs.state(app).phase is Phase.UPDATE, timeout=30000)
    _arrived(qtbot, notifications, 2)
    name = view.app_name("demo", "org.imapp.fairdice", "en")
    got = {r.summary: r.body for r in notifications.received}
    assert got[f"{name} was installed"] == "Version 1.0.0 is ready to open."
    assert got["1 update available"] == f"{name} 1.1.0"
    assert away.options.updates_seen == {"demo/org.imapp.fairdice@1.1.0"}
    away.installs.reload()  # the same update again: not announced twice
    qtbot.waitUntil(lambda: not away.controller.jobs.busy(), timeout=10000)
    assert len(notifications.received) == 2


def test_ia_credited_is_notified(away: DesktopApp, notifications: FakeNotifications, qtbot: QtBot) -> None:  # noqa: F811
    services = away.controller.services
    assert services is not None
    services.wallet.address(create=True)
    away.window.wallet.load(create=False)
    qtbot.waitUntil(lambda: away.notices._ia is not None, timeout=30000)  # the balance before
    view = away.controller.view
    assert view is not None
    away.controller.record(Activity.FORWARD, view.find("org.imapp.charity").app)
    _arrived(qtbot, notifications, 1)
    assert notifications.received[0].summary == "+1 IA credited"
    assert notifications.received[0].body == "Your IA balance is now 1 IA."
    qtbot.waitUntil(lambda: away.tray.texts()[2] == "IA today: +1", timeout=10000)  # and the tray counts it


def test_a_settled_round_the_user_staked_on_is_notified(away: DesktopApp, notifications: FakeNotifications,  # noqa: F811
                                                        qtbot: QtBot) -> None:
    services = away.controller.services
    assert services is not None
    fund(services)
    games = away.window.games
    assert not games.watching  # the Games page is not shown: the notices read the rounds

    def fresh() -> object:
        games.load()
        snap = games.snapshot
        return snap is not None and any(v.round.kind == "odd-even" and
                                        v.round.locks_at - datetime.now(UTC) > timedelta(seconds=3)
                                        for v in snap.open_rounds())
    qtbot.waitUntil(fresh, timeout=30000)
    assert games.snapshot is not None
    view = next(v for v in games.snapshot.open_rounds() if v.round.kind == "odd-even"
                and v.round.locks_at - datetime.now(UTC) > timedelta(seconds=3))
    staked: list[object] = []
    games.stake(view.ref, "even", 2 * 10 ** view.decimals, staked.append, lambda m, e: staked.append(m),
                seen=view.round)
    qtbot.waitUntil(lambda: bool(staked), timeout=15000)
    assert not isinstance(staked[0], str), staked
    qtbot.waitUntil(lambda: away.options.rounds_waiting == {f"demo/{view.ref}"}, timeout=15000)
    _arrived(qtbot, notifications, 1, 80000)  # (rounds read 5 s after it locks, then every 30 s)
    got = notifications.received[0]
    assert got.summary == f"Round settled: {view.round.text('title', 'en')}"
    assert got.body in ("You staked 2 IA and received 0 IA.", "You staked 2 IA and received 3.88 IA.")
    assert away.options.rounds_waiting == set()
