"""A start loads no QtWebEngine: main() only prepares for it before the QApplication, and the DApp
host registers the ``imapp-dapp`` scheme when it is first made. A DApp then opens as before:
from its own secure origin on that scheme. (In a process of its own: the test session
registered the scheme before its QApplication.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from appstore.core.jobs import JobContext
from appstore.core.library import Library
from appstore.core.paths import Paths
from tests.core.test_library import make_app, release_for, zip_bytes

ROOT = Path(__file__).resolve().parents[2]
STORE = "teststore"

SCRIPT = textwrap.dedent("""
    import json, os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu --log-level=3")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from appstore.ui.host import prepare
    prepare()  # as main() does
    app = QApplication([])
    loaded_at_start = [m for m in sys.modules if m.startswith("PySide6.QtWebEngine")]
    from appstore.core.library import Library
    from appstore.core.paths import Paths
    from appstore.ui.host.host import WindowHost
    library = Library.open(Paths.resolve(sys.argv[1]))
    installed = library.installed()[0]
    host = WindowHost(library.paths)
    answer = {"loaded_at_start": loaded_at_start}
    def loaded(key):
        def got(value):
            answer["page"] = json.loads(value)
            app.quit()
        host.windows()[0].page.runJavaScript(
            "JSON.stringify([location.protocol, window.isSecureContext, document.title])", 0, got)
    host.loaded.connect(loaded)
    host.open_installed(installed, library.entry_path(installed), "x", None, "x")
    QTimer.singleShot(30000, app.quit)
    app.exec()
    print(json.dumps(answer))
    library.close()
""")


def test_a_dapp_opens_on_its_scheme_when_the_start_loaded_no_webengine(tmp_path: Path) -> None:
    paths = Paths.resolve(tmp_path / "data")
    paths.ensure()
    library = Library.open(paths)
    app_id = "org.test.lazy"
    manifest = {"id": app_id, "version": "1.0.0", "entry": "index.html", "permissions": []}
    package = tmp_path / "lazy.zip"
    package.write_bytes(zip_bytes({
        "dapp.json": json.dumps(manifest).encode(),
        "index.html": b"<!doctype html><meta charset=utf-8><title>lazy</title>"}))
    release = release_for(package, "1.0.0")
    library.install(package, make_app([release], app_id, store=STORE, perms=()), release,
                    store=STORE, ctx=JobContext())
    library.close()

    out = subprocess.run([sys.executable, "-c", SCRIPT, str(paths.root)], capture_output=True,
                         text=True, timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer["loaded_at_start"] == []
    assert answer["page"] == ["imapp-dapp:", True, "lazy"]
