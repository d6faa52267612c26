"""A DApp host process: ``python -m appstore.ui.host --kind sealed|network --data-dir DIR``,
started by imapp (``hosts.DAppHost``) and driven over its standard input and output
(``appstore.core.host.wire``). It shows the DApps' windows and asks their questions; imapp keeps
the wallet, the library and the store's window.

Chromium's flags belong to the whole process, so each kind gets its own: a ``sealed`` process
(DApps without ``network``) starts Chromium with no name resolution and every connection sent to
a proxy that cannot exist (``engine.host_flags``). A crash here closes these DApps' windows, not
imapp. The process ends when imapp closes its input (or quits, or dies).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from typing import Any

from appstore.core.host.wire import KINDS, SEALED, VERSION


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m appstore.ui.host",
                                description="a DApp host process of imapp (started by imapp itself)")
    p.add_argument("--kind", choices=KINDS, required=True, help="sealed: DApps without network")
    p.add_argument("--data-dir", required=True, help="imapp's data dir (the DApps' profiles live there)")
    p.add_argument("--lang", default="en", help="the language of the windows and questions")
    p.add_argument("--theme", default="light", help="light or dark")
    return p.parse_args(argv)


class _Forward(logging.Handler):
    """This process's log lines go to imapp's log (one writer for the log file)."""

    def __init__(self, send: Any) -> None:
        super().__init__(logging.INFO)
        self._send = send

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a log line is never worth a failure
            self._send({"ev": "log", "level": record.levelno, "message": record.getMessage()[:4000]})


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from appstore.ui.host.engine import host_flags

    # Ours are added to what the environment gives (sandbox, GPU, log level), never replace it.
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = host_flags(
        os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", ""), sealed=args.kind == SEALED)
    from appstore.ui.host.engine import load_problem, prepare, register_schemes

    prepare()
    problem = load_problem()
    if not problem:
        register_schemes()  # before the QApplication (QtWebEngine reads the schemes once)
    from PySide6.QtWidgets import QApplication

    from appstore.core import logs
    from appstore.core.paths import Paths
    from appstore.ui import theme
    from appstore.ui.host.channel import StdioChannel
    from appstore.ui.translations import Translations

    app = QApplication([sys.argv[0] if sys.argv else "imapp-dapp-host"])
    app.setApplicationName("imapp")
    app.setDesktopFileName("imapp")
    app.setQuitOnLastWindowClosed(False)  # its profiles stay warm until imapp is done with it
    channel = StdioChannel()
    logs.log.addHandler(_Forward(channel.send))
    logs.log.setLevel(logging.INFO)
    logs.log.propagate = False
    logs.install_excepthook()
    if problem:
        channel.send({"ev": "unavailable", "problem": problem})
        return 1
    Translations(app).use(args.lang)
    theme.apply(app, args.theme if args.theme in ("light", "dark") else "light")
    from appstore.ui.host.agent import HostAgent, WalletLink
    from appstore.ui.host.host import WindowHost

    link = WalletLink(channel.send)
    host = WindowHost(Paths.resolve(args.data_dir), wallet_access=link)
    agent = HostAgent(channel.send, host, link, args.kind)
    channel.received.connect(agent.receive)

    def end() -> None:
        host.close_all()  # pages first, then profiles: their data is flushed
        app.quit()

    channel.closed.connect(end)
    agent.quit.connect(end)
    channel.send({"ev": "ready", "version": VERSION, "kind": args.kind, "pid": os.getpid()})
    code = app.exec()
    return code
