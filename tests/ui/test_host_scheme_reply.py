"""What the DApp scheme handler replies from: a small file read at once (its handle closed), a
bigger one handed over open and unread, for QtWebEngine to stream on its IO thread; the GUI
thread never reads more than ``MAX_INLINE`` bytes for a request. (A page fetching such files
through the real host is in test_host.py.)"""

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QFile, QObject
from pytestqt.qtbot import QtBot

from appstore.core.host import MAX_INLINE, open_served
from appstore.ui.host.scheme import reply_device


def test_a_small_file_is_read_at_once_and_a_big_one_streamed(qtbot: QtBot, tmp_path: Path) -> None:
    small, big = os.urandom(MAX_INLINE), os.urandom(MAX_INLINE * 40 + 1)
    (tmp_path / "small.bin").write_bytes(small)
    (tmp_path / "big.bin").write_bytes(big)
    job = QObject()  # stands for the request job: the device's owner

    served = open_served(tmp_path, "/small.bin")
    device = reply_device(served, job)
    assert isinstance(device, QBuffer) and device.parent() is job
    assert bytes(device.data().data()) == small
    with pytest.raises(OSError):  # closed: a page of small files holds no handles
        os.fstat(served.fd)

    served = open_served(tmp_path, "/big.bin")
    device = reply_device(served, job)
    assert isinstance(device, QFile) and device.parent() is job
    assert device.pos() == 0 and device.size() == len(big)  # nothing read here
    assert bytes(device.readAll().data()) == big  # what QtWebEngine will read
    with qtbot.waitSignal(device.destroyed, timeout=5000):
        job.deleteLater()  # the job goes, and the file with it
