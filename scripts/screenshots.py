"""`make screenshots`: the README's pictures (docs/screenshots/), rendered by the app itself.

A throwaway data dir gets the demo store, two installed DApps, a few rewarded activities and a
wallet (in a passphrase-protected file there: never the user's keyring), then main.py's
``--screenshot`` renders each page below; each picture is scaled to 1100 pixels wide and saved
with the strongest PNG compression.

    .venv/bin/python scripts/screenshots.py [NAME ...]    # NAME: e.g. discover-en-light
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
WIDTH = 1100
# name: (page, language, theme)
SHOTS = {
    "discover-en-light": ("discover", "en", "light"),
    "app-en-light": ("app:org.imapp.charity", "en", "light"),
    "library-en-dark": ("library", "en", "dark"),
    "wallet-en-dark": ("wallet", "en", "dark"),
    "games-en-light": ("games", "en", "light"),
    "discover-zh_CN-dark": ("discover", "zh_CN", "dark"),
    "news-zh_CN-light": ("news", "zh_CN", "light"),
    "settings-zh_CN-light": ("settings", "zh_CN", "light"),
}


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "IMAPP_DATA_DIR"}
    env.update(QT_QPA_PLATFORM="offscreen", IMAPP_WALLET_PASSPHRASE="screenshots only",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # the wallet file, in `data`
               QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu --log-level=3")
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    if proc.returncode != 0:
        raise SystemExit(f"error: {' '.join(argv)} failed:\n{proc.stderr}")


def prepare(data: Path, env: dict[str, str]) -> None:
    """The demo store with something to show: installed apps, rewards, a wallet."""
    cli = ["-m", "appstore", "--data-dir", str(data)]
    _run([*cli, "wallet", "address"], env)
    for app in ("org.imapp.charity", "org.imapp.notes", "org.imapp.fairdice"):
        _run([*cli, "install", app], env)
    _run([*cli, "share", "org.imapp.charity"], env)
    _run([*cli, "swap", "5", "--yes"], env)  # some BCD too


def render(names: list[str]) -> list[Path]:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    # one fixed folder: the Settings page shows the data dir, and the pictures should not change
    # with a random name
    tmp = Path(tempfile.gettempdir()) / "imapp-screenshots"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        data = tmp / "data"
        env = _env(data)
        prepare(data, env)
        for name in names:
            page, lang, theme = SHOTS[name]
            raw = tmp / f"{name}.png"
            _run(["main.py", "--data-dir", str(data), "--lang", lang, "--theme", theme,
                  "--screenshot", str(raw), "--page", page], env)
            image = QImage(str(raw)).scaledToWidth(WIDTH, Qt.TransformationMode.SmoothTransformation)
            out = OUT / f"{name}.png"
            if not image.save(str(out), "PNG", 0):  # quality 0: the strongest compression
                raise SystemExit(f"error: cannot write {out}")
            written.append(out)
            size = out.stat().st_size // 1024
            print(f"{out.relative_to(ROOT)}  {image.width()}x{image.height()}  {size} KB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return written


def main(argv: list[str]) -> int:
    unknown = [n for n in argv if n not in SHOTS]
    if unknown:
        print(f"error: no screenshot {unknown[0]!r}; the names are: {', '.join(SHOTS)}", file=sys.stderr)
        return 2
    render(argv or list(SHOTS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
