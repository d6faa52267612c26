"""main.py as a real process: every page rendered offscreen in both languages, and the
message a user gets without a display."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gui_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gui") / "data"


def run_main(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180, env=env or {**os.environ, "IMAPP_DATA_DIR": ""})


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("page", ["discover", "settings", "app:org.imapp.charity", "app:org.imapp.notes"])
def test_screenshot_of_every_page(gui_data: Path, tmp_path: Path, page: str, lang: str) -> None:
    out = tmp_path / "page.png"
    proc = run_main("--data-dir", str(gui_data), "--lang", lang, "--screenshot", str(out), "--page", page)
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 860)
    # not a blank page: many distinct colours
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 860, 16)}
    assert len(colours) > 12
    shutil.copy(out, tmp_path / f"{page.replace(':', '_')}-{lang}.png")


def test_a_wallet_screenshot_without_a_keyring_never_waits_for_a_passphrase(tmp_path: Path) -> None:
    """No keyring and no $IMAPP_WALLET_PASSPHRASE: the app would ask for a passphrase, and a
    screenshot has nobody to answer; it renders the locked wallet and ends."""
    out = tmp_path / "wallet.png"
    env = {**os.environ, "IMAPP_DATA_DIR": "", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env.pop("IMAPP_WALLET_PASSPHRASE", None)
    proc = run_main("--data-dir", str(tmp_path / "data"), "--screenshot", str(out), "--page", "wallet",
                    env=env)
    assert proc.returncode == 0, proc.stderr
    assert QImage(str(out)).width() == 1280


def test_screenshot_of_unknown_app_fails(gui_data: Path, tmp_path: Path) -> None:
    proc = run_main("--data-dir", str(gui_data), "--screenshot", str(tmp_path / "x.png"),
                    "--page", "app:org.nope")
    assert proc.returncode == 1 and "no app 'org.nope'" in proc.stderr


def test_without_a_display_says_how_to_run_headless(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    proc = run_main("--data-dir", str(tmp_path / "d"), env=env)
    assert proc.returncode == 2
    assert "QT_QPA_PLATFORM=offscreen" in proc.stderr and "--screenshot" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_sigterm_closes_the_app_cleanly(tmp_path: Path) -> None:
    """A log-out or `kill` ends imapp as closing its window would: jobs settle, state is saved."""
    import signal
    import time

    data = tmp_path / "d"
    proc = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(data)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    log = data / "logs" / "imapp.log"
    deadline = time.monotonic() + 60
    while not ((data / "stores" / "demo" / "state.json").exists() and catches(proc.pid, signal.SIGTERM)):
        assert time.monotonic() < deadline, "imapp never refreshed its store"
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "imapp closed" in log.read_text()
    assert "[window]\ngeometry=" in (data / "gui.ini").read_text()


def test_a_data_dir_that_is_a_file_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "file"
    bad.write_text("not a folder")
    proc = run_main("--data-dir", str(bad), "--screenshot", str(tmp_path / "x.png"))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")
    assert "Traceback" not in proc.stderr


def catches(pid: int, sig: int) -> bool:
    """Whether process ``pid`` has a handler for ``sig`` (Linux: SigCgt in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


def test_quitting_while_a_store_dribbles_does_not_linger(tmp_path: Path) -> None:
    """SIGTERM during a refresh from a store sending a byte a second: imapp is gone in seconds
    (reads in flight are cut), not after the fetch deadlines, and a new start is not captured by
    a window-less process."""
    import signal
    import time

    from appstore.core.paths import Paths
    from appstore.core.publish.builder import publish
    from appstore.core.publish.keys import init_keys
    from appstore.core.publish.source import load_source
    from appstore.core.store.manager import Stores
    from tests.hostile_http import HostileServer
    from tests.storekit import make_source

    src = make_source(tmp_path / "src")
    keys = init_keys(tmp_path / "keys")
    out = tmp_path / "out"
    result = publish(load_source(src), out, keys)
    data = tmp_path / "d"
    with HostileServer(root=out) as srv:
        Stores(Paths.resolve(data)).add([srv.base], result.root_sha256)
        publish(load_source(src), out, keys, force_timestamp=True)  # something new to fetch
        srv.set(None, throttle=1)  # then a byte a second
        proc = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(data)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        deadline = time.monotonic() + 60
        # the refresh is reading, slowly: the first byte of the timestamp went out (a byte a second)
        # ...and the app handles SIGTERM (its handler is set once the window is up; the refresh
        # may start before)
        while not (any(h.path.endswith("timestamp.json") and h.sent > 0 for h in srv.requests())
                   and catches(proc.pid, signal.SIGTERM)):
            assert time.monotonic() < deadline, "the refresh never started reading the timestamp"
            time.sleep(0.1)
        asked = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        took = time.monotonic() - asked
    assert proc.returncode == 0, err
    assert took < 10, f"imapp took {took:.1f} s to close"
    assert "Traceback" not in err
    assert "imapp closed" in (data / "logs" / "imapp.log").read_text()
