"""The GUI opens its log file once its window has painted (``logging.handlers`` brings ``socket``
and ``pickle``, which a start need not wait for): what is logged before is kept and written then,
in order; a bug reported meanwhile opens the file at once."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from appstore.core import logs


@pytest.fixture
def later(tmp_path: Path) -> Iterator[Path]:
    logs.setup(tmp_path / "before")  # whatever an earlier test left: a file elsewhere
    logs.setup(tmp_path / "elsewhere")
    logs._handler.close()  # type: ignore[union-attr]
    logs.log.removeHandler(logs._handler)  # type: ignore[arg-type]
    logs._handler = None  # a fresh process, as the GUI starts it
    path = logs.setup(tmp_path, later=True)
    assert path == tmp_path / "logs" / logs.LOG_NAME
    try:
        yield path
    finally:
        logs.attach()
        logs.setup(tmp_path / "after")


def test_records_wait_for_the_file_and_are_written_in_order(later: Path) -> None:
    for i in range(5):
        logs.log.info("early %d ?token=secret", i)
    assert not later.exists() and logs.log_file() is None
    assert logs.attach() == later
    logs.log.info("after")
    text = later.read_text()
    assert [line.split("early ")[1][0] for line in text.splitlines() if "early " in line] == list("01234")
    assert text.index("early 4") < text.index("after") and "secret" not in text


def test_a_bug_opens_the_file_at_once(later: Path) -> None:
    logs.log.info("before the bug")
    try:
        raise ValueError("boom")
    except ValueError as e:
        line = logs.report_bug(e)
    assert str(later) in line and later.exists()
    text = later.read_text()
    assert text.index("before the bug") < text.index("ValueError: boom")


def test_no_logging_handlers_until_the_file_opens(tmp_path: Path) -> None:
    code = ("import sys; from pathlib import Path; from appstore.core import logs; "
            f"logs.setup(Path({str(tmp_path)!r}), later=True); logs.log.info('x'); "
            "print('logging.handlers' in sys.modules); logs.attach(); "
            "print('logging.handlers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout.split()
    assert out == ["False", "True"]
    assert "INFO imapp" in (tmp_path / "logs" / logs.LOG_NAME).read_text()


def test_records_logged_while_the_file_opens_are_written_once_in_order(later: Path) -> None:
    """A worker logs while the GUI thread opens the file (the jobs released at the first paint
    do): every record reaches the file, once, in the order it was logged."""
    count = 3000
    started = threading.Event()

    def worker() -> None:
        for i in range(count):
            logs.log.info("n=%d", i)
            if i == 200:
                started.set()

    thread = threading.Thread(target=worker)
    thread.start()
    started.wait(30)
    logs.attach()
    thread.join(60)
    numbers = [int(line.rsplit("n=", 1)[1]) for line in later.read_text().splitlines() if " n=" in line]
    assert numbers and numbers == list(range(numbers[0], count))  # none lost, none twice
