"""Starting the desktop app: options, language, theme, the window, and the screenshot mode.

    python main.py [--data-dir DIR] [--lang en|zh_CN] [--theme system|light|dark] [--minimized]
                   [--screenshot OUT.png --page PAGE] [imapp://app/STORE/ID]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLocale, QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication

from appstore.core import logs
from appstore.core.errors import AppStoreError, NotFound
from appstore.core.jobs import enter_lane
from appstore.core.paths import Paths
from appstore.ui import theme, tuning
from appstore.ui.controller import Controller
from appstore.ui.desktopoptions import DesktopOptions
from appstore.ui.host import prepare as prepare_webengine
from appstore.ui.installs import InstallController
from appstore.ui.instance import ChannelError, DataDirLock, claim
from appstore.ui.instanceserver import InstanceServer
from appstore.ui.jobs import user_message
from appstore.ui.lifecycle import FirstPaint, end_process
from appstore.ui.mainwindow import MainWindow
from appstore.ui.models import ICON_SIZE
from appstore.ui.notices import Notices
from appstore.ui.notify import DESKTOP_ID, Notifier
from appstore.ui.translations import Translations
from appstore.ui.tray import Tray

HEADLESS_HELP = """imapp needs a display, and none was found (no DISPLAY or WAYLAND_DISPLAY).
To run it without a screen, render a page to a picture:
    QT_QPA_PLATFORM=offscreen python main.py --screenshot discover.png --page discover
or use the command line:  python -m appstore search"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="imapp", description="imapp desktop: a store for DApps")
    p.add_argument("--data-dir", help="where imapp keeps its files")
    p.add_argument("--lang", choices=["en", "zh_CN"], help="language (default: as last chosen, "
                   "else the system's)")
    p.add_argument("--theme", choices=list(theme.THEMES), help="colour theme")
    p.add_argument("--screenshot", metavar="OUT.png", help="render a page offscreen to a PNG and exit")
    p.add_argument("--page", default="discover",
                   help="discover, library, downloads, wallet, news, games, settings, app:ID or dapp:ID "
                        "(an installed DApp in the host), with --screenshot")
    p.add_argument("--size", type=_size, default=(1280, 860), metavar="WxH",
                   help="the window's size with --screenshot (default 1280x860)")
    p.add_argument("--minimized", action="store_true",
                   help="start hidden in the tray (minimised where the desktop has no tray)")
    p.add_argument("link", nargs="?", help="an imapp://app/STORE/ID link to open")
    return p.parse_args(argv)


def _size(text: str) -> tuple[int, int]:
    """``--size 900x600``: a window size, checked (the window keeps its own minimum, 880x600)."""
    w, _, h = text.lower().partition("x")
    if not (w.isdigit() and h.isdigit()) or int(w) < 640 or int(h) < 480 or int(w) > 8000 or int(h) > 8000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 1400x900 (640x480 to 8000x8000)")
    return int(w), int(h)


def has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class BugReporter(QObject):
    """Carries the one-line notice of a bug (from any thread) to the window.
    Signals: ``bug(str)`` the line to show."""

    bug = Signal(str)

    def report(self, line: str) -> None:
        try:
            self.bug.emit(line)
        except RuntimeError:
            print(f"error: {line}", file=sys.stderr)  # the window is gone


class DesktopApp(QObject):
    """Owns the window; rebuilds it when the language changes."""

    def __init__(self, app: QApplication, args: argparse.Namespace) -> None:
        super().__init__()
        tuning.tune_process()
        self.app = app
        self.args = args
        paths = Paths.resolve(args.data_dir)
        paths.ensure()
        logs.setup(paths.root, later=True)  # the file opens once the window has painted
        logs.log.info("imapp starting on %s", paths.root)
        self.settings = QSettings(str(paths.root / "gui.ini"), QSettings.Format.IniFormat)
        system_lang = "zh_CN" if QLocale.system().name().startswith("zh") else "en"
        self.lang = args.lang or str(self.settings.value("lang", system_lang))
        self.theme_choice = args.theme or str(self.settings.value("theme", "system"))
        self.translations = Translations(app)
        self.translations.use(self.lang)
        theme.apply(app, self.theme_choice)
        app.styleHints().colorSchemeChanged.connect(lambda _: theme.apply(app, self.theme_choice))
        self.controller = Controller(args.data_dir, self)
        # The data dir opens and the cached catalogue loads on a worker while the window is
        # built: its first paint shows the catalogue. Other jobs wait for that paint.
        self.controller.start()
        first_paint = FirstPaint(lambda: self.window, self.controller)
        self.installs = InstallController(self.controller)
        self.installs.show_app_page.connect(self._show_app_page)
        self.window = self._new_window()
        # the tray and desktop notifications (ui/tray.py, ui/notify.py, ui/notices.py)
        self.options = DesktopOptions(self.settings)
        self.notifier = Notifier(self.controller.jobs, self.options, lambda: self.window, self)
        self.notifier.quiet = bool(args.screenshot)
        self.notices = Notices(self.notifier, self.controller, self.installs, self.options, self)
        self.tray = Tray(app, self.options, self.notifier, self.installs,
                         available=None if not args.screenshot else False, parent=self)
        self.tray.open_page.connect(self._show_page)
        self.bugs = BugReporter(self)
        self.bugs.bug.connect(lambda line: self.window.banner.show_message(line, can_retry=False))
        logs.install_excepthook(self.bugs.report)
        app.aboutToQuit.connect(self._quitting)
        self.instance: InstanceServer | None = None  # (``listen``)
        self.lock: DataDirLock | None = None  # held for the process's life (``open_app``)
        self.settled = True  # every job finished or was cancelled when the app quit
        first_paint.done.connect(tuning.collect_again)
        QTimer.singleShot(10_000, tuning.collect_again)  # whatever happens to the first paint
        first_paint.done.connect(self._side_work)
        first_paint.done.connect(lambda: logs.log.info("the window is up"))

    def listen(self, server: InstanceServer | None) -> None:
        """Take the links of later starts on this data dir (``open_channel``: the channel is
        opened as soon as the lock is held, before the window is built, so a later start never
        finds a starting imapp deaf; what it sends waits in the socket until the event loop runs)."""
        self.instance = server
        if server is not None:
            server.setParent(self)
            server.link_received.connect(self.open_link)

    def _side_work(self) -> None:
        """What the window runs beside its pages, and what the tray and notifications hear."""
        self.window.start_side_work()
        if not self.args.screenshot:
            self.tray.attach(self.window)
            self.notices.attach(self.window)

    def _show_page(self, page: str) -> None:
        """The tray's menu: the window, in front, on ``page`` ("": as it was)."""
        self.open_link("")
        if page:
            self.window.show_page(page)

    def _show_app_page(self, ref: str) -> None:
        """A DApp window's "app page" button: its store page, in front."""
        self.window.open_ref(ref)
        self.open_link("")

    def _quitting(self) -> None:
        logs.attach()  # (a quit before the first paint: what was logged is still written)
        if self.instance is not None:
            self.instance.close()  # a new start must not hand its link to a closing window
        if self.tray.icon is not None:
            self.tray.icon.hide()
        if self.window.isVisible() and not self.args.screenshot:
            self.window.save_state()  # quit without a close (a signal, a log-out)
        if "appstore.core.store.fetcher" in sys.modules:
            from appstore.core.store import fetcher

            fetcher.abort_all()  # reads in flight end now rather than at their deadlines
        self.settled = self.controller.shutdown()
        logs.log.info("imapp closed" if self.settled else "imapp closed with work unfinished")

    def open_link(self, link: str) -> None:
        """A link from another start (or none: just come to the front)."""
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
        if link:
            self.window.open_link(link)

    def _new_window(self) -> MainWindow:
        w = MainWindow(self.controller, self.installs, self.settings, self.lang, self.theme_choice)
        # the size the cards load: usually in the cache already when a DApp opens
        self.installs.icon_for = lambda app: w.images.pixmap(app.store, app.icon, ICON_SIZE)
        w.language_chosen.connect(self.set_language)
        w.theme_chosen.connect(self.set_theme)
        return w

    def start(self) -> None:
        page = self.args.page if self.args.screenshot else str(self.settings.value("window/page", "discover"))
        self.window.show_page(page if not page.startswith("app:") else "discover")
        if page.startswith("app:") and not self.args.screenshot:
            self.window.open_ref(page[4:])
        if self.args.link:
            self.window.open_link(self.args.link)
        if self.args.screenshot:
            self.window.resize(*self.args.size)
        elif self.args.minimized or self.options.start_minimized:
            if self.tray.active:
                self.tray.hide_window()  # (its menu shows it)
                return
            self.window.showMinimized()
            return
        self.window.show()

    def set_language(self, lang: str) -> None:
        if lang == self.lang:
            return
        self.lang = lang
        self.settings.setValue("lang", lang)
        self.translations.use(lang)
        old = self.window
        page = old.current_page()
        self.window = self._new_window()
        self._side_work()
        self.window.setGeometry(old.geometry())
        self.window.show_page(page)
        self.window.show_page("settings")
        self.window.show()
        old.close()
        old.deleteLater()

    def set_theme(self, choice: str) -> None:
        self.theme_choice = choice
        self.settings.setValue("theme", choice)
        theme.apply(self.app, choice)
        self.window.update()


DAPP_WAIT_MS = 5000  # --page dapp:ID: the longest a page that keeps loading is waited for


class ScreenshotJob(QObject):
    """Waits for the catalogue, the page and its images, then saves the window as a PNG."""

    def __init__(self, desktop: DesktopApp, out: Path, page: str, timeout_ms: int = 60000,
                 finish: Callable[[int], None] = QApplication.exit) -> None:
        """``finish(code)`` once the PNG is saved (or could not be): ends the app's main loop."""
        super().__init__()
        self.finish = finish
        self.desktop = desktop
        self.out = out
        self.page = page
        self.step = "data"
        self.quiet = 0
        self.timer = QTimer(self)
        self.timer.setInterval(50)
        self.timer.timeout.connect(self._poll)
        self.timer.start()
        QTimer.singleShot(timeout_ms, self._timeout)
        self.exit_code = 0

    def _poll(self) -> None:
        window = self.desktop.window
        controller = self.desktop.controller
        if self.step == "data":
            if controller.loads_done >= 2 or (controller.loads_done and controller.services is None):
                if self.page.startswith("dapp:"):
                    self.step = "library"
                    return
                window.show_page(self.page)
                if self.page == "games":
                    # the demo store's rounds as the app keeps them (its keeper's first tick comes
                    # a little after start): one tick now, then the rounds read again
                    window.games.keep()
                    self.step = "games"
                    return
                window.grab()  # paints once, which asks for the visible images
                self.step = "images"
            return
        if self.step == "games":
            if not controller.jobs.busy() and window.games.snapshot is not None:
                window.grab()
                self.step = "images"
            return
        if self.step == "library":
            if not controller.jobs.busy():
                self._open_dapp(self.page[5:])
            return
        if self.step == "dapp":
            return  # the DApp window says when it has painted
        busy = controller.jobs.busy() or window.images.busy()
        self.quiet = 0 if busy else self.quiet + 1
        if self.quiet >= 3:
            self._save()

    def _open_dapp(self, ref: str) -> None:
        """``dapp:ID``: open the installed DApp in the host; save its window once painted."""
        self.step = "dapp"
        installs = self.desktop.installs
        view = self.desktop.controller.view
        try:
            app = view.find(ref).app if view is not None else None
        except NotFound:
            app = None
        host = installs.host()
        state = installs.state(app) if app is not None else None
        if app is None or host is None or state is None or (
                app.kind == "web" and state.installed is None):
            why = (f"no app {ref!r} in any store" if app is None else
                   "the DApp host cannot start here" if host is None else
                   f"{ref} is not installed (python -m appstore install {ref})")
            self._fail(why)
            return
        key = f"{app.store}/{app.id}"
        installs.open(app)
        if host.window_for(key) is None:
            self._fail(f"{ref} could not be opened")
            return
        # The host process takes the picture once the page has painted, or after DAPP_WAIT_MS
        # whatever it shows: a page that keeps loading does not hold the screenshot back.
        size = self.desktop.args.size
        host.screenshot(key, self.out.resolve(), size, DAPP_WAIT_MS, self._dapp_saved)

    def _dapp_saved(self, error: str) -> None:
        self.timer.stop()
        if error:
            print(f"error: {error}", file=sys.stderr)
            self.exit_code = 1
        self.finish(self.exit_code)

    def _fail(self, why: str) -> None:
        self.timer.stop()
        print(f"error: {why}", file=sys.stderr)
        self.exit_code = 1
        self.finish(1)

    def _save(self) -> None:
        self.timer.stop()
        window = self.desktop.window
        if self.page.startswith("app:") and window.current_page() != self.page:
            print(f"error: no app {self.page[4:]!r} in any store", file=sys.stderr)
            self.exit_code = 1
        elif not window.grab().save(str(self.out), "PNG"):
            print(f"error: could not write {self.out}", file=sys.stderr)
            self.exit_code = 1
        self.finish(self.exit_code)

    def _timeout(self) -> None:
        if self.step == "dapp":
            self._fail("the DApp did not finish loading in time")
            return
        if self.timer.isActive():
            print("warning: the page was not ready in time; saving it as it is", file=sys.stderr)
            self._save()


def quit_on_signals(app: QApplication) -> None:
    """SIGTERM (log-out, ``kill``) and Ctrl+C close imapp as the window's close would: jobs
    finish or cancel cleanly. Python runs signal handlers only between bytecodes, so a timer
    wakes the interpreter while Qt waits for events."""
    asked: list[int] = []

    def handle(signum: int, _: object) -> None:
        if asked:  # asked twice: the user means it
            os._exit(128 + signum)
        asked.append(signum)
        # posted, not called: a signal before the event loop has started (the window is up, the
        # first refresh reading) would be lost to quit(), which only ends a running loop
        QTimer.singleShot(0, app, app.quit)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handle)
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(300)


def open_app(args: argparse.Namespace) -> DesktopApp | int:
    """What a start does before the event loop: the QApplication, the hand-over to a running
    imapp, the window shown. The ``DesktopApp``, or the exit code when the start ends here.
    (``main()``; ``bench/startup_probe.py`` times this same path.)"""
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from appstore.ui import wallet

        wallet.ASK_PASSPHRASE = False  # no one to answer: a picture never waits for a person
    elif not has_display():
        print(HEADLESS_HELP, file=sys.stderr)
        return 2
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium (the DApp host) refuses to run its sandbox as root
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
    prepare_webengine()  # before the QApplication; the DApp host loads QtWebEngine when first made
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    enter_lane("gui")  # writer-only code run here is a bug (core/jobs.py assert_lane)
    app.setApplicationName("imapp")
    app.setDesktopFileName(DESKTOP_ID)
    try:
        paths = Paths.resolve(args.data_dir)
        paths.ensure()
        # One imapp per data dir: hand the link to the one running, or hold the data dir's lock
        lock = claim(paths.root, None if args.screenshot else args.link or "")
        if lock is None:
            return 0  # imapp is already running on this data dir: it shows the link
        server = None if args.screenshot else open_channel(paths.root)
        desktop = DesktopApp(app, args)
        desktop.lock = lock
        desktop.listen(server)
    except (AppStoreError, OSError) as e:
        message = user_message(e)
        logs.attach()  # (what the start logged before it failed)
        print(f"error: {message}", file=sys.stderr)
        if not args.screenshot:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "imapp", message)
        return 1
    desktop.start()
    quit_on_signals(app)
    return desktop


def open_channel(root: Path) -> InstanceServer | None:
    """The channel later starts on ``root`` hand their links to. Without one (said on stderr and
    in the log) this window runs on, and a later start on its data dir says it is in use."""
    try:
        return InstanceServer(root)
    except (ChannelError, OSError) as e:
        message = user_message(e)
        print(f"warning: {message}", file=sys.stderr)
        logs.log.warning("no channel for later starts: %s", message)
        return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    desktop = open_app(args)
    if isinstance(desktop, int):
        return desktop
    job = ScreenshotJob(desktop, Path(args.screenshot), args.page) if args.screenshot else None
    code = desktop.app.exec()
    return end_process(desktop, job.exit_code if job else code)
