"""The job layer: identity, cancel, one writer at a time, errors vs bugs, shutdown."""

import threading
import time

import pytest
from pytestqt.qtbot import QtBot

from appstore.core.errors import StoreError
from appstore.core.jobs import JobContext
from appstore.ui.jobs import JobManager, JobState


@pytest.fixture
def jobs(qtbot: QtBot):  # type: ignore[no-untyped-def]
    manager = JobManager()
    yield manager
    manager.shutdown(2000)


def settle(qtbot: QtBot, jobs: JobManager) -> None:
    qtbot.waitUntil(lambda: not jobs.busy(), timeout=10000)


def test_a_job_has_an_identity_and_a_result(qtbot: QtBot, jobs: JobManager) -> None:
    results: list[int] = []
    go = threading.Event()

    def work(ctx: JobContext) -> int:
        go.wait(5)  # until the test has looked
        ctx.progress(1, 3, "step 1")  # reported to nobody: harmless
        return 42

    job = jobs.submit(work, lane="io", title="count", key="org.test.alpha", on_done=results.append)
    other = jobs.submit(lambda ctx: 1, lane="io", title="other")
    assert job.id != other.id
    assert job in jobs.active("io") and "org.test.alpha" in repr(job)
    go.set()
    settle(qtbot, jobs)
    assert results == [42]
    assert jobs.active("io") == []


def test_a_writer_lane_runs_one_job_at_a_time_in_order(qtbot: QtBot, jobs: JobManager) -> None:
    inside = threading.Semaphore(1)
    order: list[int] = []
    overlaps: list[int] = []

    def writer(n: int):  # type: ignore[no-untyped-def]
        def work(ctx: JobContext) -> None:
            if not inside.acquire(blocking=False):
                overlaps.append(n)
                return
            try:
                order.append(n)
                time.sleep(0.02)
            finally:
                inside.release()
        return work

    for n in range(8):
        jobs.submit(writer(n), lane="stores", title=f"write {n}")
    settle(qtbot, jobs)
    assert overlaps == []
    assert order == list(range(8))


def test_cancel_stops_queued_and_running_work(qtbot: QtBot, jobs: JobManager) -> None:
    started = threading.Event()
    steps: list[int] = []

    def long_work(ctx: JobContext) -> None:
        started.set()
        for i in range(500):
            ctx.check()  # where stopping leaves nothing half-done
            steps.append(i)
            time.sleep(0.01)

    running = jobs.submit(long_work, lane="library", title="long")
    queued = jobs.submit(lambda ctx: steps.append(-1), lane="library", title="queued")
    assert started.wait(5)
    queued.cancel()
    running.cancel()
    states: list[JobState] = []
    for job in (running, queued):
        job.finished.connect(lambda j: states.append(j.state))
    settle(qtbot, jobs)
    assert JobState.CANCELLED in states and states.count(JobState.CANCELLED) == 2
    assert -1 not in steps  # the queued job never ran
    assert len(steps) < 500


def test_user_errors_are_shown_and_bugs_are_logged(qtbot: QtBot, jobs: JobManager, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from appstore.core import logs

    logs.setup(tmp_path)
    messages: list[str] = []

    def user_error(ctx: JobContext) -> None:
        raise StoreError("the store is gone; try later")

    def bug(ctx: JobContext) -> None:
        raise ZeroDivisionError("division by zero")

    jobs.submit(user_error, lane="io", title="user", on_error=lambda m, e: messages.append(m))
    jobs.submit(bug, lane="io", title="bug", on_error=lambda m, e: messages.append(m))
    settle(qtbot, jobs)
    assert "the store is gone; try later" in messages
    bug_line = next(m for m in messages if "ZeroDivisionError" in m)
    assert "unexpected problem" in bug_line and "Traceback" not in bug_line
    logged = (tmp_path / "logs" / "imapp.log").read_text()
    assert "Traceback" in logged and "ZeroDivisionError" in logged


def test_shutdown_finishes_the_running_writer_and_drops_the_queue(qtbot: QtBot) -> None:
    jobs = JobManager()
    started = threading.Event()
    done: list[str] = []

    def write(ctx: JobContext) -> None:
        started.set()
        time.sleep(0.3)  # an atomic write in progress: it does not check cancel midway
        done.append("written")

    jobs.submit(write, lane="wallet", title="write")
    jobs.submit(lambda ctx: done.append("queued ran"), lane="wallet", title="queued")
    assert started.wait(5)
    assert jobs.shutdown(5000)
    assert done == ["written"]
    late = jobs.submit(lambda ctx: done.append("late"), lane="wallet", title="after close")
    assert late.state is JobState.CANCELLED
