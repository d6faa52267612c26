"""Closing the window ends the process (``lifecycle.end_process``, as ``main()`` ends): exit
code 0, and everything written first: the window's settings, the log, what was recorded just
before the close (the activity lane drains), and stdout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from appstore.core.activity import Activity, ActivityLog
from appstore.core.paths import Paths

CHILD = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from appstore.ui.app import DesktopApp, parse_args
from appstore.ui.lifecycle import end_process

app = QApplication(sys.argv[:1])
desktop = DesktopApp(app, parse_args(["--data-dir", sys.argv[1], "--lang", "en"]))
controller = desktop.controller

def close():
    if controller.loads_done < 2 or controller.jobs.busy() or not desktop.installs.loaded:
        QTimer.singleShot(20, close)
        return
    desktop.window.show_page(sys.argv[2])
    controller.record_open("demo", "org.imapp.fairdice")  # a job still queued at the close
    print("closing", end="")  # neither a newline nor a flush
    desktop.window.close()

desktop.start()
QTimer.singleShot(20, close)
sys.exit(end_process(desktop, app.exec()))
"""


def _run(data: Path, page: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", CHILD, str(data), page], env=env,
                          capture_output=True, text=True, timeout=120)


def test_closing_the_window_ends_the_process_with_everything_written(data: Path) -> None:
    for page in ("news", "library"):  # the second run starts where the first left off
        proc = _run(data, page)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == "closing"
        assert f"\npage={page}\n" in (data / "gui.ini").read_text()  # [window] page=…
    log = (data / "logs" / "imapp.log").read_text()
    assert log.count("imapp closed\n") == 2
    opened = [e for e in ActivityLog(Paths.resolve(str(data)).activity_db).events()
              if e.kind is Activity.OPEN and e.app_id == "org.imapp.fairdice"]
    assert len(opened) == 2
