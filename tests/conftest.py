import os

# Before any Qt import: tests run headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu --log-level=3")
os.environ.setdefault("IMAPP_STRICT_LANES", "1")  # writer-only code on another lane fails (core/jobs.py)
__import__("appstore.ui.host", fromlist=["register_schemes"]).register_schemes()  # before any QApplication

from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from appstore.core.publish.builder import PublishResult, publish  # noqa: E402
from appstore.core.publish.keys import StoreKeys, init_keys  # noqa: E402
from appstore.core.publish.server import serve_in_thread  # noqa: E402
from appstore.core.publish.source import load_source  # noqa: E402
from tests.storekit import make_source  # noqa: E402


@dataclass
class Published:
    src: Path
    out: Path
    keys: StoreKeys
    result: PublishResult
    url: str = ""

    def republish(self, **kw: object) -> PublishResult:
        self.result = publish(load_source(self.src), self.out, self.keys, **kw)  # type: ignore[arg-type]
        return self.result


@pytest.fixture
def published(tmp_path: Path) -> Published:
    src = make_source(tmp_path / "src")
    keys = init_keys(tmp_path / "keys")
    out = tmp_path / "out"
    return Published(src, out, keys, publish(load_source(src), out, keys))


@pytest.fixture
def served(published: Published) -> Iterator[Published]:
    server, url = serve_in_thread(published.out)
    published.url = url
    yield published
    server.shutdown()
    server.server_close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data dir with stores.json present, so no demo store is set up."""
    d = tmp_path / "data"
    d.mkdir()
    (d / "stores.json").write_text('{"schema": 1, "stores": []}')
    return d


@pytest.fixture(scope="session", autouse=True)
def _dapp_windows_closed_before_exit() -> Iterator[None]:
    """DApp hosts made by the tests (the app's own is closed on aboutToQuit, which tests never
    reach): pages go before their profiles, not in the interpreter's teardown order."""
    yield
    import sys

    if "appstore.ui.host.host" in sys.modules:
        from appstore.ui.host.host import close_all_hosts

        close_all_hosts()


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private $XDG_RUNTIME_DIR with a short path (a socket's path has a length limit)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="imr"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
