"""The log file: the standard library's rotation (``imapp.log`` then ``.1`` to ``.3``, each under
the size), mode 0600, and redaction of secrets in every record that reaches the file."""

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from appstore.core import logs


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = logs.setup(tmp_path)
    assert path == tmp_path / "logs" / logs.LOG_NAME and path.exists()
    try:
        yield path
    finally:
        logs.setup(tmp_path / "elsewhere")  # (closes this one's file)


def test_the_file_rotates_and_keeps_three_old_ones(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 700)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / logs.LOG_NAME).write_text("kept from the last run\n")
    path = logs.setup(tmp_path)
    assert path is not None
    try:
        for i in range(200):
            logs.log.info("line %d %s", i, "x" * (i % 37))
    finally:
        logs.setup(tmp_path / "elsewhere")
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["imapp.log", "imapp.log.1", "imapp.log.2", "imapp.log.3"]
    assert all(0 < (path.parent / f).stat().st_size < 700 for f in files)
    assert "line 199 " in path.read_text()  # the newest lines are in imapp.log
    assert "line 199 " not in (path.parent / "imapp.log.1").read_text()
    assert "kept from the last run" not in "".join((path.parent / f).read_text() for f in files)
    if sys.platform != "win32":  # every file, rotated ones included, is the user's alone
        assert {stat.S_IMODE(os.stat(path.parent / f).st_mode) for f in files} == {0o600}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_an_older_world_readable_log_is_narrowed(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    old = tmp_path / "logs" / logs.LOG_NAME
    old.write_text("from an older version\n")
    old.chmod(0o644)
    path = logs.setup(tmp_path)
    try:
        assert path == old and stat.S_IMODE(os.stat(old).st_mode) == 0o600
    finally:
        logs.setup(tmp_path / "elsewhere")


def test_user_info_in_urls_is_redacted(log_file: Path) -> None:
    logs.log.info("a line https://user:secret@example.org/x")
    text = log_file.read_text()
    assert "a line https://…@example.org/x" in text and "secret" not in text


def test_secret_query_parameters_are_redacted_in_messages_and_tracebacks(log_file: Path) -> None:
    urls = ["https://cdn.example.org/a.zip?token=T0K3N&page=2",
            "https://api.example.org/v1?lang=en&access_token=ACC355#top",
            "https://s3.example.org/b?X-Amz-Credential=CRED&X-Amz-Signature=5IGN&size=9",
            "http://127.0.0.1:8080/f?key=K3Y;sig=S1GV4L",
            "https://example.org/login?user=ann&password=PA55W0RD",
            "https://example.org/cb#id_token=1DT0K&state=ok"]
    for url in urls:
        logs.log.info("fetching %s", url)
    try:
        raise RuntimeError("refused: https://example.org/x?api_key=AP1K3Y&q=dapps")
    except RuntimeError:
        logs.log.exception("a bug")
    logs.report_bug(ValueError("bad https://example.org/y?signature=S1GN4TURE"), "a test")
    text = log_file.read_text()
    for secret in ("T0K3N", "ACC355", "CRED", "5IGN", "K3Y", "S1GV4L", "PA55W0RD", "1DT0K", "AP1K3Y",
                   "S1GN4TURE"):
        assert secret not in text
    # what is not secret stays readable
    for kept in ("?token=…&page=2", "lang=en&access_token=…#top", "X-Amz-Signature=…&size=9",
                 "?key=…;sig=…", "?user=ann&password=…", "#id_token=…&state=ok",
                 "?api_key=…&q=dapps", "?signature=…", "Traceback (most recent call last)"):
        assert kept in text


def test_the_summary_a_user_sees_is_redacted_too(log_file: Path) -> None:
    line = logs.report_bug(OSError("no https://example.org/z?token=SEKRET"))
    assert "SEKRET" not in line and "token=…" in line and str(log_file) in line
