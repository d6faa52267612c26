"""Starts something, prints ``painted`` once it has painted, then exits: ``bare`` (an empty
QMainWindow) or ``app`` (imapp on DATA, once Discover shows the catalogue). bench.startup times
the launch to that line."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def bare() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    w = QMainWindow()
    w.resize(1280, 860)
    w.show()
    w.repaint()
    print("painted", flush=True)
    QTimer.singleShot(0, app.quit)
    return app.exec()


def imapp(data: str) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from appstore.ui.app import DesktopApp, parse_args

    app = QApplication(sys.argv[:1])
    desktop = DesktopApp(app, parse_args(["--data-dir", data, "--lang", "en"]))

    def painted(_: object) -> None:
        desktop.window.repaint()
        print("painted", flush=True)
        QTimer.singleShot(0, app.quit)

    desktop.controller.catalog_changed.connect(painted)
    desktop.window.resize(1280, 860)
    desktop.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(bare() if sys.argv[1] == "bare" else imapp(sys.argv[2]))
