"""Render the demo store's icons and screenshots (real renders of each DApp).

    QT_QPA_PLATFORM=offscreen .venv/bin/python appstore/resources/demo-store/tools/render_assets.py [ID...]

Screenshot 1 is the DApp as it opens; screenshot 2 is after its ``window.demo()`` has run (a few
sample actions). Each is rendered in every language of LANGS: English is the default set
(``screenshots/N.png``), the others go to ``screenshots/LANG/N.png`` (the catalogue's
``screenshots_l10n``, docs/store-format.md). Icons are drawn from ICONS below. Run it after
changing a DApp and commit the PNGs. A script error in a page is printed and fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu --log-level=3")

from PySide6.QtCore import QEventLoop, QRectF, QSize, Qt, QTimer, QUrl  # noqa: E402
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter, QPainterPath  # noqa: E402
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile  # noqa: E402
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from appstore.core.publish.source import package_files  # noqa: E402

APPS = Path(__file__).resolve().parent.parent / "apps"
# id: (top colour, bottom colour, glyph)
ICONS = {
    "org.imapp.jointloan": ("#14b8a6", "#0f766e", "⇆"),
    "org.imapp.pointsx": ("#f59e0b", "#b45309", "★"),
    "org.imapp.partstrace": ("#64748b", "#334155", "⚙"),
    "org.imapp.bills": ("#6366f1", "#4338ca", "▤"),
    "org.imapp.charity": ("#f43f5e", "#be123c", "♥"),
    "org.imapp.carloan": ("#0ea5e9", "#0369a1", "¥"),
    "org.imapp.hashtools": ("#22c55e", "#15803d", "#"),
    "org.imapp.bcdunits": ("#eab308", "#a16207", "◆"),
    "org.imapp.notes": ("#fbbf24", "#d97706", "✎"),
    "org.imapp.game2048": ("#fb923c", "#c2410c", "2048"),
    "org.imapp.memory": ("#a855f7", "#7e22ce", "♣"),
    "org.imapp.fairdice": ("#ef4444", "#991b1b", "⚄"),
    "org.imapp.bcdmarket": ("#1e293b", "#0f172a", "◇"),
    "org.imapp.authentic": ("#3b82f6", "#1e40af", "✓"),
}
SHOT = QSize(960, 600)
# (the page's ?lang=, the folder under screenshots/: "" for the default set)
LANGS = (("en", ""), ("zh_CN", "zh_CN"))


class Page(QWebEnginePage):
    """Keeps the page's script errors, so that a broken DApp is not photographed quietly."""

    def __init__(self, profile: QWebEngineProfile, parent: QWebEngineView) -> None:
        super().__init__(profile, parent)
        self.errors: list[str] = []

    def javaScriptConsoleMessage(self, level: QWebEnginePage.JavaScriptConsoleMessageLevel,
                                 message: str, line: int, source: str) -> None:
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self.errors.append(f"{source}:{line}: {message}")


def save(view: QWebEngineView, path: Path) -> None:
    # quality 0 is zlib's strongest compression for PNG: the repository carries these files
    if not view.grab().save(str(path), "PNG", 0):
        raise SystemExit(f"could not write {path}")


def draw_icon(path: Path, top: str, bottom: str, glyph: str) -> None:
    img = QImage(256, 256, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    grad = QLinearGradient(0, 0, 0, 256)
    grad.setColorAt(0, QColor(top))
    grad.setColorAt(1, QColor(bottom))
    shape = QPainterPath()
    shape.addRoundedRect(QRectF(8, 8, 240, 240), 56, 56)
    p.fillPath(shape, grad)
    font = QFont("DejaVu Sans", 46 if len(glyph) > 2 else 124, QFont.Weight.Bold)
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    p.drawText(QRectF(8, 8, 240, 240), Qt.AlignmentFlag.AlignCenter, glyph)
    p.end()
    img.save(str(path), "PNG")


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def load(view: QWebEngineView, url: QUrl) -> None:
    loop = QEventLoop()
    view.loadFinished.connect(loop.quit)
    view.load(url)
    loop.exec()
    view.loadFinished.disconnect(loop.quit)


def run_js(view: QWebEngineView, code: str) -> None:
    loop = QEventLoop()
    view.page().runJavaScript(code, 0, lambda _result: loop.quit())
    loop.exec()


def render_shots(app_dir: Path, view: QWebEngineView, site: Path) -> None:
    meta = json.loads((app_dir / "app.json").read_text("utf-8"))
    if meta["kind"] != "web":
        return
    latest = sorted((app_dir / "releases").iterdir(), key=lambda p: [int(x) for x in p.name.split(".")])[-1]
    # the files exactly as the package will hold them (the release plus the shared kit)
    folder = site / app_dir.name
    for name, path in package_files(latest, APPS.parent / "common").items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / name)
    (site / "blank.html").write_text("<!doctype html><title>blank</title>", "utf-8")
    for lang, sub in LANGS:
        out = app_dir / "screenshots" / sub
        out.mkdir(parents=True, exist_ok=True)
        # a fresh start: the storage cleared from a blank page of the same (file://) origin, so
        # no script of the DApp is still writing to it while it is cleared
        load(view, QUrl.fromLocalFile(str(site / "blank.html")))
        run_js(view, "localStorage.clear()")
        load(view, QUrl(QUrl.fromLocalFile(str(folder / "index.html")).toString() + f"?lang={lang}"))
        wait(700)
        save(view, out / "1.png")
        view.page().runJavaScript("window.demo && window.demo()")
        wait(1200)
        save(view, out / "2.png")


def main() -> None:
    app = QApplication(sys.argv)
    wanted = set(sys.argv[1:])
    profile = QWebEngineProfile()  # off the record: nothing persists between DApps
    view = QWebEngineView()
    page = Page(profile, view)
    view.setPage(page)
    view.resize(SHOT)
    view.show()
    site = Path(tempfile.mkdtemp(prefix="imapp-render-"))
    try:
        for app_dir in sorted(APPS.iterdir()):
            if wanted and app_dir.name not in wanted:
                continue
            draw_icon(app_dir / "icon.png", *ICONS[app_dir.name])
            render_shots(app_dir, view, site)
            if page.errors:
                raise SystemExit(f"{app_dir.name}: script errors:\n" + "\n".join(page.errors))
            print("rendered", app_dir.name)
    finally:
        shutil.rmtree(site, ignore_errors=True)
    view.close()
    del view
    app.quit()


if __name__ == "__main__":
    main()
