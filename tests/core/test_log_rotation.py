"""The log file rotates as ``logging.handlers.RotatingFileHandler`` would (the same files, the
same lines in each), without loading ``logging.handlers`` at start-up."""

import logging
import logging.handlers
from pathlib import Path

from appstore.core import logs


def _write(handler: logging.Handler, count: int) -> None:
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    for i in range(count):
        record = logging.LogRecord("imapp", logging.INFO, __file__, 1, "line %d %s",
                                   (i, "x" * (i % 37)), None)
        handler.handle(record)
    handler.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_rotation_is_the_standard_librarys(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    (ours / "imapp.log").write_text("kept from the last run\n")
    (theirs / "imapp.log").write_text("kept from the last run\n")
    _write(logs._QuietRotatingFile(ours / "imapp.log", 700, 3), 200)
    _write(logging.handlers.RotatingFileHandler(theirs / "imapp.log", maxBytes=700, backupCount=3,
                                                encoding="utf-8"), 200)
    assert _files(ours) == _files(theirs)
    assert set(_files(ours)) == {"imapp.log", "imapp.log.1", "imapp.log.2", "imapp.log.3"}


def test_setup_logs_to_a_rotating_file(tmp_path: Path) -> None:
    path = logs.setup(tmp_path)
    try:
        assert path == tmp_path / "logs" / logs.LOG_NAME and path.exists()
        logs.log.info("a line https://user:secret@example.org/x")
        text = path.read_text()
        assert "a line https://…@example.org/x" in text and "secret" not in text
    finally:
        logs.setup(tmp_path / "elsewhere")  # (closes this one's file)
