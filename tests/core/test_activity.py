"""The activity journal: unique ids, durable appends, reading from a cursor exactly once."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from appstore.core.activity import Activity, ActivityLog
from appstore.core.bulk import gc_paused


def test_every_event_has_a_unique_id_and_a_growing_seq(tmp_path: Path) -> None:
    log = ActivityLog(tmp_path / "activity.sqlite3")
    events = [log.record(Activity.BROWSE, "demo", f"org.app.{i}") for i in range(5)]
    assert len({e.id for e in events}) == 5
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert [e.app_id for e in ActivityLog(tmp_path / "activity.sqlite3").events()] == \
        [f"org.app.{i}" for i in range(5)]


def test_a_consumer_reads_from_its_cursor_without_double_counting(tmp_path: Path) -> None:
    log = ActivityLog(tmp_path / "a.sqlite3")
    for i in range(3):
        log.record(Activity.OPEN, "demo", f"a{i}")
    counted: list[str] = []

    def consume() -> None:
        batch = log.after(log.cursor("wallet"))
        counted.extend(e.id for e in batch)
        if batch:
            log.save_cursor("wallet", batch[-1].seq)

    consume()
    consume()  # nothing new: nothing counted again
    log.record(Activity.FORWARD, "demo", "a3")
    consume()
    assert len(counted) == len(set(counted)) == 4
    log.save_cursor("wallet", 1)  # a cursor never moves back
    assert log.cursor("wallet") == 4


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    log = ActivityLog(tmp_path / "a.sqlite3")

    def write(t: int) -> None:
        for i in range(50):
            log.record(Activity.BROWSE, "demo", f"t{t}.{i}")

    threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(log.events()) == 200


WRITER = """
import sys
from pathlib import Path
from appstore.core.activity import Activity, ActivityLog
log = ActivityLog(Path(sys.argv[1]))
for i in range(100000):
    e = log.record(Activity.BROWSE, "demo", f"app{i}")
    print(e.seq, flush=True)
"""


def test_a_killed_writer_loses_no_recorded_event(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    last = 0
    for _ in range(300):
        last = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    log = ActivityLog(db)
    seqs = [e.seq for e in log.events()]
    assert seqs[:last] == list(range(1, last + 1))  # all that was reported as recorded is there
    check = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0]
    assert check == "ok"
    assert log.record(Activity.OPEN, "demo", "after").seq == seqs[-1] + 1


def test_events_from_the_old_jsonl_are_imported_once(tmp_path: Path) -> None:
    old = tmp_path / "activity.jsonl"
    good = [{"kind": "browse", "store": "demo", "app_id": f"x{i}", "at": "2026-01-01T00:00:00+00:00"}
            for i in range(3)]
    old.write_text("".join(json.dumps(g) + "\n" for g in good) + '{"kind": "brow')  # torn line
    log = ActivityLog(tmp_path / "activity.sqlite3")
    assert [e.app_id for e in log.events()] == ["x0", "x1", "x2"]
    assert not old.exists() and (tmp_path / "activity.jsonl.imported").exists()
    log.close()
    # an import interrupted before the rename is not doubled when it runs again
    (tmp_path / "activity.jsonl.imported").rename(old)
    assert len(ActivityLog(tmp_path / "activity.sqlite3").events()) == 3


def test_gc_pause_is_counted_across_threads() -> None:
    import gc

    assert gc.isenabled()
    inner_done = threading.Event()
    outer_may_leave = threading.Event()

    def other() -> None:
        with gc_paused():
            outer_may_leave.set()
            inner_done.wait(5)

    with gc_paused():
        t = threading.Thread(target=other)
        t.start()
        outer_may_leave.wait(5)
    assert not gc.isenabled()  # the other thread is still building
    inner_done.set()
    t.join()
    assert gc.isenabled()


def test_opening_a_new_journal_from_many_connections_at_once(tmp_path: Path) -> None:
    """A reader opening the file while the app creates it (another thread, another process):
    SQLite answers "locked" at once during the switch to WAL; nobody sees that."""
    for n in range(5):
        path = tmp_path / f"a{n}.sqlite3"
        errors: list[BaseException] = []
        start = threading.Barrier(6)

        def one(i: int, path: Path = path, start: threading.Barrier = start,
                errors: list[BaseException] = errors) -> None:
            try:
                start.wait()
                log = ActivityLog(path)
                log.record(Activity.OPEN, "demo", f"app{i}")
                log.close()
            except BaseException as e:  # noqa: BLE001 - collected for the assertion
                errors.append(e)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(ActivityLog(path).events()) == 6
