"""The download manager against a real (hostile) HTTP server and real files: resume, verify,
fail over, stall, pause, cancel, queue, restart, disk space, memory."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appstore.core.downloads import (
    DownloadError,
    DownloadItem,
    DownloadQueue,
    DownloadRequest,
    NoSpace,
    Progress,
    State,
    TransferOptions,
    discard,
    download,
    part_path,
    partial_bytes,
    state_path,
    target_urls,
    verified_path,
)
from appstore.core.downloads.options import MAX_RETRY_AFTER
from appstore.core.errors import StoreSecurityError, StoreUnreachable
from appstore.core.jobs import Cancelled, JobContext
from tests.conftest import Published
from tests.hostile_http import HostileServer, refused_url

ROOT = Path(__file__).resolve().parents[2]
FAST_OPTIONS = TransferOptions(stall_timeout=0.3, retries=2, backoff=0.01, connect_timeout=2.0)


def fetch(req: DownloadRequest, dest: Path, ctx: JobContext | None = None,
          on_progress: Callable[[Progress], None] | None = None) -> Path:
    """``download`` with short stall timeouts and back-offs (the tests' servers are local)."""
    return download(req, dest, ctx or JobContext(), stall_timeout=0.3, retries=2, backoff=0.01,
                    connect_timeout=2.0, on_progress=on_progress)


def blob(n: int, seed: int = 0) -> bytes:
    return random.Random(seed * 1_000_003 + n).randbytes(n)


def request(data: bytes, *urls: str, key: str = "demo/org.test.app@1.0.0",
            target: str = "packages/org.test.app/org.test.app-1.0.0.zip") -> DownloadRequest:
    return DownloadRequest(key=key, store_id="demo", target=target, length=len(data),
                           sha256=hashlib.sha256(data).hexdigest(), urls=list(urls))


def listing(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def until(cond: Callable[[], bool], timeout: float = 3.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def waiting_on_the_network() -> bool:
    """Whether a download thread is blocked reading its socket (its innermost Python frame is the
    socket's ``readinto``, under the downloads package): the moment a pause must interrupt."""
    for frame in sys._current_frames().values():
        if frame.f_code.co_name != "readinto" or not frame.f_code.co_filename.endswith("socket.py"):
            continue
        caller = frame.f_back
        while caller is not None:
            if f"appstore{os.sep}core{os.sep}downloads" in caller.f_code.co_filename:
                return True
            caller = caller.f_back
    return False


@pytest.fixture
def srv() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "downloads"


# -- URLs -------------------------------------------------------------------------------------------
def test_target_urls_are_the_ones_tuf_asks_for(published: Published, tmp_path: Path) -> None:
    from tuf.ngclient import Updater

    from appstore.core.store.fetcher import PLACEHOLDER, MirrorFetcher

    out = published.out
    asked: list[str] = []

    class Recording(MirrorFetcher):
        def _fetch(self, url: str) -> Iterator[bytes]:
            asked.append(url)
            return super()._fetch(url)

    mirror = out.as_uri() + "/"
    (tmp_path / "meta").mkdir()
    updater = Updater(str(tmp_path / "meta"), PLACEHOLDER + "metadata/", str(tmp_path / "t"),
                      PLACEHOLDER + "targets/", fetcher=Recording([mirror]),
                      bootstrap=(out / "metadata" / "1.root.json").read_bytes())
    updater.refresh()
    name = "packages/org.test.alpha/org.test.alpha-1.0.0.zip"
    info = updater.get_targetinfo(name)
    assert info is not None
    (tmp_path / "t").mkdir()
    updater.download_target(info, str(tmp_path / "t" / "pkg.zip"))
    tuf_url = asked[-1].replace(PLACEHOLDER, mirror)
    ours = target_urls([mirror, "https://m2.example.org/store"], name, info.hashes["sha256"])
    assert ours[0] == tuf_url
    assert ours[1] == f"https://m2.example.org/store/targets/packages/org.test.alpha/" \
                      f"{info.hashes['sha256']}.org.test.alpha-1.0.0.zip"
    # ...and our download of it, from the file:// mirror, is the file TUF verified.
    req = DownloadRequest("k", "s", name, info.length, info.hashes["sha256"], ours[:1])
    got = download(req, tmp_path / "dl", JobContext())
    assert got.read_bytes() == (tmp_path / "t" / "pkg.zip").read_bytes()


def test_target_urls_escape_what_a_path_cannot_hold() -> None:
    sha = "ab" * 32
    assert target_urls(["http://h/s/"], "a b/c#d.zip", sha) == [f"http://h/s/targets/a%20b/{sha}.c%23d.zip"]


# -- resume ----------------------------------------------------------------------------------------
def test_resume_after_drop_asks_only_for_the_missing_bytes(srv: HostileServer, dest: Path) -> None:
    data = blob(600_000)
    url = srv.add("/f", data)
    srv.set("/f", drop_after=200_000)
    req = request(data, url)
    got = fetch(req, dest)
    assert got == verified_path(dest, req.sha256) and got.read_bytes() == data
    hits = srv.requests("/f")
    assert [(h.range, h.status, h.sent) for h in hits] == [
        (None, 200, 200_000), ("bytes=200000-", 206, 400_000)]
    assert srv.bytes_served() == len(data)
    assert listing(dest) == [got.name]  # no part, no state left


def test_drop_every_time_still_completes(srv: HostileServer, dest: Path) -> None:
    data = blob(500_000)
    srv.set("/f", drop_after=120_000, drop_times=None)
    got = fetch(request(data, srv.add("/f", data)), dest)
    assert got.read_bytes() == data
    assert len(srv.requests("/f")) == 5 and srv.bytes_served() == len(data)


def _cancel_at(n: int) -> JobContext:
    """A context that cancels itself once ``n`` bytes are reported."""
    holder: list[JobContext] = []

    def on_progress(done: int, total: int, note: str) -> None:
        if done >= n:
            holder[0].cancel()

    holder.append(JobContext(on_progress))
    return holder[0]


def test_cancelled_download_keeps_its_part_and_a_new_call_resumes(srv: HostileServer, dest: Path) -> None:
    data = blob(900_000)
    url = srv.add("/f", data)
    srv.set("/f", throttle=3_000_000)
    req = request(data, url)
    with pytest.raises(Cancelled):
        fetch(req, dest, _cancel_at(200_000))
    part = part_path(dest, req.sha256)
    have = part.stat().st_size
    assert 200_000 <= have < len(data)
    saved = json.loads(state_path(dest, req.sha256).read_text())
    assert saved["sha256"] == req.sha256 and saved["length"] == len(data) and saved["have"] == have
    assert partial_bytes(req, dest) == have
    assert not verified_path(dest, req.sha256).exists()
    srv.set("/f")
    got = fetch(req, dest)
    assert got.read_bytes() == data
    last = srv.requests("/f")[-1]
    assert last.range == f"bytes={have}-" and last.sent == len(data) - have


_CHILD = """
import json, sys
from pathlib import Path
from appstore.core.downloads import DownloadRequest, download
from appstore.core.jobs import JobContext
download(DownloadRequest.from_json(json.loads(sys.argv[1])), Path(sys.argv[2]), JobContext())
"""


def test_resume_after_the_process_was_killed(srv: HostileServer, dest: Path) -> None:
    data = blob(1_500_000)
    url = srv.add("/f", data)
    srv.set("/f", throttle=1_000_000)
    req = request(data, url)
    child = subprocess.Popen([sys.executable, "-c", _CHILD, json.dumps(req.to_json()), str(dest)],
                             cwd=ROOT)
    part = part_path(dest, req.sha256)
    try:
        until(lambda: part.exists() and part.stat().st_size >= 300_000, 5)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    have = part.stat().st_size
    assert have < len(data) and state_path(dest, req.sha256).exists()
    srv.set("/f")
    got = fetch(req, dest)
    assert got.read_bytes() == data
    last = srv.requests("/f")[-1]
    assert last.range == f"bytes={have}-" and last.sent == len(data) - have


def test_server_ignoring_range_restarts_from_zero(srv: HostileServer, dest: Path) -> None:
    data = blob(500_000)
    srv.set("/f", drop_after=200_000, ignore_range=True)
    seen: list[Progress] = []
    got = fetch(request(data, srv.add("/f", data)), dest, on_progress=seen.append)
    assert got.read_bytes() == data
    assert [(h.range, h.status, h.sent) for h in srv.requests()] == [
        (None, 200, 200_000), ("bytes=200000-", 200, 500_000)]
    assert any(p.done == 0 and "starting again" in p.note for p in seen)


def test_wrong_content_range_restarts_from_zero(srv: HostileServer, dest: Path) -> None:
    data = blob(500_000)
    srv.set("/f", drop_after=200_000, wrong_content_range=True)
    got = fetch(request(data, srv.add("/f", data)), dest)
    assert got.read_bytes() == data
    assert [(h.range, h.status) for h in srv.requests()] == [
        (None, 200), ("bytes=200000-", 206), (None, 200)]


def test_416_means_the_part_is_checked_then_started_again(srv: HostileServer, dest: Path) -> None:
    data = blob(400_000)
    srv.set("/f", drop_after=100_000, range_status=416)
    got = fetch(request(data, srv.add("/f", data)), dest)
    assert got.read_bytes() == data
    assert [(h.range, h.status) for h in srv.requests()] == [
        (None, 200), ("bytes=100000-", 416), (None, 200)]


def test_a_whole_part_left_by_a_crash_is_verified_without_the_network(srv: HostileServer,
                                                                      dest: Path) -> None:
    data = blob(300_000)
    req = request(data, srv.add("/f", data))
    dest.mkdir()
    part_path(dest, req.sha256).write_bytes(data)
    state_path(dest, req.sha256).write_text(json.dumps(
        {"format": 1, "sha256": req.sha256, "length": len(data), "have": len(data)}))
    assert fetch(req, dest).read_bytes() == data
    assert srv.requests() == []


def test_a_damaged_part_from_before_is_downloaded_again(srv: HostileServer, dest: Path) -> None:
    data = blob(300_000)
    req = request(data, srv.add("/f", data))
    dest.mkdir()
    damaged = bytearray(data[:100_000])
    damaged[10] ^= 1
    part_path(dest, req.sha256).write_bytes(damaged)
    state_path(dest, req.sha256).write_text(json.dumps(
        {"format": 1, "sha256": req.sha256, "length": len(data), "have": 100_000}))
    assert fetch(req, dest).read_bytes() == data
    assert [h.range for h in srv.requests()] == ["bytes=100000-", None]


def test_a_part_without_its_state_is_not_trusted(srv: HostileServer, dest: Path) -> None:
    data = blob(300_000)
    req = request(data, srv.add("/f", data))
    dest.mkdir()
    part_path(dest, req.sha256).write_bytes(b"x" * 1000)
    assert fetch(req, dest).read_bytes() == data
    assert [h.range for h in srv.requests()] == [None]


# -- verification --------------------------------------------------------------------------------
def test_wrong_bytes_are_refused_and_nothing_is_left(srv: HostileServer, dest: Path) -> None:
    data = blob(300_000)
    srv.set("/f", corrupt_at=123_456)
    with pytest.raises(StoreSecurityError, match="does not match what the store signed") as e:
        fetch(request(data, srv.add("/f", data)), dest)
    assert "SHA-256" in str(e.value) and str(e.value).startswith("demo: ")
    assert listing(dest) == []


def test_wrong_bytes_on_one_mirror_then_the_next_one(srv: HostileServer, dest: Path) -> None:
    data = blob(300_000)
    srv.add("/a", data)
    srv.add("/b", data)
    srv.set("/a", corrupt_at=5)
    got = fetch(request(data, srv.url("/a"), srv.url("/b")), dest)
    assert got.read_bytes() == data
    assert len(srv.requests("/a")) == 1 and [h.range for h in srv.requests("/b")] == [None]


def test_a_body_longer_than_signed_is_stopped_at_once(srv: HostileServer, dest: Path) -> None:
    data = blob(200_000)
    srv.set("/f", extra=b"x" * 50_000_000, content_length=False)
    t = time.monotonic()
    with pytest.raises(StoreSecurityError, match="more than the 200000 bytes the store signed"):
        fetch(request(data, srv.add("/f", data)), dest)
    assert time.monotonic() - t < 1.0
    assert srv.bytes_served() < 20_000_000  # it stopped reading; the rest was never taken
    assert listing(dest) == []


def test_a_longer_content_length_is_refused_before_the_body(srv: HostileServer, dest: Path) -> None:
    data = blob(200_000)
    srv.set("/f", extra=b"x" * 10)
    with pytest.raises(StoreSecurityError, match="offers 200010 bytes, more than the 200000"):
        fetch(request(data, srv.add("/f", data)), dest)
    assert listing(dest) == []


# -- stalls and mirrors ------------------------------------------------------------------------------
def test_a_stall_is_retried_then_fails_naming_the_host(srv: HostileServer, dest: Path) -> None:
    data = blob(200_000)
    srv.set("/f", stall_after=0, stall_times=None, stall_for=10)
    t = time.monotonic()
    with pytest.raises(StoreUnreachable) as e:
        fetch(request(data, srv.add("/f", data)), dest)
    message = str(e.value)
    assert f"127.0.0.1:{srv.port} stopped sending data (nothing for 0.3 s)" in message
    assert "after 3 tries" in message and "Check the connection" in message
    assert len(srv.requests()) == 3 and time.monotonic() - t < 2.5


def test_a_stall_once_is_resumed(srv: HostileServer, dest: Path) -> None:
    data = blob(400_000)
    srv.set("/f", stall_after=150_000, stall_for=10)
    got = fetch(request(data, srv.add("/f", data)), dest)
    assert got.read_bytes() == data
    assert [h.range for h in srv.requests()] == [None, "bytes=150000-"]


def test_failover_past_refused_500_and_404_mirrors(srv: HostileServer, dest: Path) -> None:
    data = blob(200_000)
    srv.add("/f", data)
    srv.add("/err", data)
    srv.set("/err", status=500)
    req = request(data, refused_url(), srv.url("/err"), srv.url("/missing"), srv.url("/f"))
    assert fetch(req, dest).read_bytes() == data
    assert [len(srv.requests(p)) for p in ("/err", "/missing", "/f")] == [1, 1, 1]


def test_failover_keeps_the_bytes_already_downloaded(dest: Path) -> None:
    data = blob(500_000)
    with HostileServer({"/f": data}) as a, HostileServer({"/f": data}) as b:
        a.set("/f", drop_after=200_000, status=500, status_from=1)
        got = fetch(request(data, a.url("/f"), b.url("/f")), dest)
        assert got.read_bytes() == data
        assert [(h.range, h.status) for h in a.requests()] == [(None, 200), ("bytes=200000-", 500)]
        assert [(h.range, h.status, h.sent) for h in b.requests()] == [
            ("bytes=200000-", 206, 300_000)]


def test_every_mirror_down_fails_with_each_reason(srv: HostileServer, dest: Path) -> None:
    data = blob(1000)
    srv.set("/f", status=503)
    with pytest.raises(StoreUnreachable) as e:
        fetch(request(data, refused_url(), srv.url("/f")), dest)
    assert "connection refused" in str(e.value) and "answered with error 503" in str(e.value)
    assert listing(dest) == []


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_is_waited_then_the_rest_is_resumed(srv: HostileServer, dest: Path,
                                                        status: int) -> None:
    """A mirror that breaks, then answers 503 (or 429) with ``Retry-After: 1``: the next round
    waits what it asked (longer than the back-off of the first round), then resumes with
    Range from the bytes already on disk."""
    data = blob(300_000)
    srv.add("/f", data)
    srv.set("/f", drop_after=100_000, status=status, status_from=1, status_times=1,
            status_headers={"Retry-After": "1"})
    notes: list[str] = []
    got = fetch(request(data, srv.url("/f")), dest, on_progress=lambda p: notes.append(p.note))
    assert got.read_bytes() == data
    assert [(h.range, h.status) for h in srv.requests("/f")] == [
        (None, 200), ("bytes=100000-", status), ("bytes=100000-", 206)]
    host = srv.base.removeprefix("http://")
    assert f"trying again in 1 s ({host} answered with error {status})" in notes


@pytest.mark.parametrize("retry_after", ["86400", "Fri, 31 Dec 2099 23:59:59 GMT"],
                         ids=["seconds", "http-date"])
def test_a_long_retry_after_is_capped_and_a_pause_cuts_it_short(srv: HostileServer, dest: Path,
                                                                retry_after: str) -> None:
    data = blob(1000)
    srv.add("/f", data)
    srv.set("/f", status=503, status_headers={"Retry-After": retry_after})
    ctx = JobContext()
    notes: list[str] = []

    def seen(p: Progress) -> None:
        notes.append(p.note)
        if p.note.startswith("trying again"):
            ctx.cancel()  # the user pauses while it waits

    with pytest.raises(Cancelled):
        fetch(request(data, srv.url("/f")), dest, ctx, on_progress=seen)
    assert [n for n in notes if n.startswith("trying again")] == [
        f"trying again in {MAX_RETRY_AFTER} s ({srv.base.removeprefix('http://')} answered with "
        "error 503)"]
    assert len(srv.requests("/f")) == 1


def test_an_unreadable_retry_after_falls_back_to_the_backoff(srv: HostileServer, dest: Path) -> None:
    data = blob(1000)
    srv.add("/f", data)
    srv.set("/f", status=503, status_times=1, status_headers={"Retry-After": "soon, maybe"})
    notes: list[str] = []
    assert fetch(request(data, srv.url("/f")), dest,
                 on_progress=lambda p: notes.append(p.note)).read_bytes() == data
    assert [h.status for h in srv.requests("/f")] == [503, 200]
    # the first retry waits the back-off (0.01 s here), as without a Retry-After
    assert [n for n in notes if n.startswith("trying again")] == [
        f"trying again in 1 s ({srv.base.removeprefix('http://')} answered with error 503)"]


def test_redirects_are_followed_within_the_host_only(srv: HostileServer, dest: Path) -> None:
    data = blob(1000)
    srv.add("/f", data)
    srv.set("/same", redirect="/f")
    srv.set("/other", redirect=f"http://localhost:{srv.port}/f")
    req = request(data, srv.url("/other"))
    with pytest.raises(StoreUnreachable, match="redirects to another server"):
        fetch(req, dest)
    assert download(request(data, srv.url("/same")), dest, JobContext()).read_bytes() == data


def test_an_already_verified_file_is_returned_without_the_network(srv: HostileServer, dest: Path) -> None:
    data = blob(1000)
    req = request(data, srv.add("/f", data))
    first = download(req, dest, JobContext())
    assert download(req, dest, JobContext()) == first and len(srv.requests()) == 1


# -- local mirrors -----------------------------------------------------------------------------------
def test_file_mirror_and_failover_from_http_to_it(srv: HostileServer, tmp_path: Path, dest: Path) -> None:
    data = blob(700_000)
    name = "packages/org.test.app/org.test.app-1.0.0.zip"
    sha = hashlib.sha256(data).hexdigest()
    local = tmp_path / "mirror" / "targets" / "packages" / "org.test.app" / f"{sha}.org.test.app-1.0.0.zip"
    local.parent.mkdir(parents=True)
    local.write_bytes(data)
    file_url = target_urls([(tmp_path / "mirror").as_uri()], name, sha)[0]
    assert download(request(data, file_url), tmp_path / "d1", JobContext()).read_bytes() == data
    # http first, cut short and then down: the file mirror finishes what http began
    srv.add("/f", data)
    srv.set("/f", drop_after=300_000, status=500, status_from=1)
    got = fetch(request(data, srv.url("/f"), file_url), dest)
    assert got.read_bytes() == data and srv.bytes_served() == 300_000


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, dest: Path) -> None:
    fifo = tmp_path / "pipe.zip"
    os.mkfifo(fifo)
    t = time.monotonic()
    with pytest.raises(StoreUnreachable, match="not a regular file"):
        fetch(request(b"abc", fifo.as_uri()), dest)
    assert time.monotonic() - t < 1.0


def test_a_shorter_local_file_is_refused(tmp_path: Path, dest: Path) -> None:
    data = blob(1000)
    short = tmp_path / "short.zip"
    short.write_bytes(data[:-1])
    with pytest.raises(StoreSecurityError, match="fewer than the 1000"):
        fetch(request(data, short.as_uri()), dest)


# -- disk, progress, memory ------------------------------------------------------------------------------
def test_not_enough_disk_space_is_said_in_words(srv: HostileServer, dest: Path) -> None:
    dest.mkdir()
    free = shutil.disk_usage(dest).free
    req = DownloadRequest("k", "demo", "packages/big/big-1.zip", free + (1 << 30), "0" * 64,
                          [srv.url("/big")])
    with pytest.raises(NoSpace) as e:
        download(req, dest, JobContext())
    message = str(e.value)
    assert "not enough disk space to download big-1.zip" in message and "GB" in message
    assert "free in" in message and "Free some space" in message
    assert srv.requests() == [] and listing(dest) == []


def test_progress_rises_to_the_total_with_a_speed(srv: HostileServer, dest: Path) -> None:
    data = blob(800_000)
    srv.set("/f", throttle=1_000_000)
    seen: list[Progress] = []
    notes: list[tuple[int, int]] = []
    ctx = JobContext(lambda done, total, note: notes.append((done, total)))
    fetch(request(data, srv.add("/f", data)), dest, ctx, on_progress=seen.append)
    dones = [p.done for p in seen]
    assert dones == sorted(dones) and dones[-1] == len(data) and seen[-1].state == State.DONE
    assert 4 <= len(seen) <= 20  # throttled: about 10 a second
    speeds = [p.speed_bps for p in seen if p.speed_bps]
    assert speeds and all(400_000 < s < 2_000_000 for s in speeds)
    assert any(p.eta_seconds is not None and 0 < p.eta_seconds < 1.0 for p in seen)
    assert notes[-1] == (len(data), len(data)) and all(t == len(data) for _, t in notes)


def test_memory_stays_flat_for_a_64_mib_file(srv: HostileServer, dest: Path) -> None:
    data = os.urandom(64 * 1024 * 1024)
    req = request(data, srv.add("/big", data))
    tracemalloc.start()
    try:
        fetch(req, dest)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024, peak
    assert verified_path(dest, req.sha256).stat().st_size == len(data)


# -- discard ---------------------------------------------------------------------------------------------
def test_discard_removes_the_part_but_not_while_it_downloads(srv: HostileServer, dest: Path) -> None:
    data = blob(600_000)
    srv.set("/f", throttle=1_000_000)
    req = request(data, srv.add("/f", data))
    ctx = JobContext()
    worker = threading.Thread(target=lambda: pytest.raises(Cancelled, fetch, req, dest, ctx))
    worker.start()
    until(lambda: part_path(dest, req.sha256).exists() and part_path(dest, req.sha256).stat().st_size > 0)
    with pytest.raises(DownloadError, match="is being downloaded"):
        discard(req, dest)
    ctx.cancel()
    worker.join()
    assert part_path(dest, req.sha256).exists()
    discard(req, dest)
    assert listing(dest) == []


# -- the queue ---------------------------------------------------------------------------------------------
def _queue(dest: Path, max_parallel: int = 2) -> DownloadQueue:
    return DownloadQueue(dest, max_parallel, options=FAST_OPTIONS)


def test_pause_keeps_the_part_and_resume_continues(srv: HostileServer, dest: Path) -> None:
    data = blob(1_000_000)
    srv.set("/f", throttle=2_000_000)
    req = request(data, srv.add("/f", data))
    q = _queue(dest)
    try:
        q.add(req)
        until(lambda: (q.get(req.key) or _never()).progress.done >= 200_000)
        t = time.monotonic()
        q.pause(req.key)
        item = q.wait(req.key, 2)
        assert item is not None and item.state == State.PAUSED and time.monotonic() - t < 0.5
        have = part_path(dest, req.sha256).stat().st_size
        assert 200_000 <= have < len(data) and item.progress.done == have
        srv.set("/f")
        q.resume(req.key)
        item = q.wait(req.key, 3)
        assert item is not None and item.state == State.DONE and item.path is not None
        assert item.path.read_bytes() == data
        assert srv.requests()[-1].range == f"bytes={have}-"
    finally:
        q.close()


def test_pause_answers_at_once_while_the_server_is_silent(srv: HostileServer, dest: Path) -> None:
    data = blob(500_000)
    srv.set("/f", stall_after=100_000, stall_for=10)
    req = request(data, srv.add("/f", data))
    q = DownloadQueue(dest, options=TransferOptions(stall_timeout=20))
    try:
        q.add(req)
        until(lambda: part_path(dest, req.sha256).exists()
              and part_path(dest, req.sha256).stat().st_size >= 100_000)
        until(waiting_on_the_network)  # in the stall
        t = time.monotonic()
        q.pause(req.key)
        item = q.wait(req.key, 2)
        assert item is not None and item.state == State.PAUSED and time.monotonic() - t < 0.5
    finally:
        q.close()


def test_pause_answers_at_once_while_the_server_delays_its_headers(srv: HostileServer, dest: Path) -> None:
    data = blob(1000)
    srv.set("/f", headers_delay=10)
    req = request(data, srv.add("/f", data))
    ctx = JobContext()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            download(req, dest, ctx, stall_timeout=20)
        except BaseException as e:  # noqa: BLE001 - handed to the test thread
            errors.append(e)

    worker = threading.Thread(target=run)
    worker.start()
    until(lambda: len(srv.requests()) == 1)
    until(waiting_on_the_network)  # for the headers
    t = time.monotonic()
    ctx.cancel()
    worker.join(2)
    assert not worker.is_alive() and time.monotonic() - t < 0.5
    assert len(errors) == 1 and isinstance(errors[0], Cancelled)


def test_progress_keeps_coming_while_nothing_arrives(srv: HostileServer, dest: Path) -> None:
    data = blob(300_000)
    srv.set("/f", stall_after=100_000, stall_for=1.3)
    seen: list[tuple[float, Progress]] = []
    download(request(data, srv.add("/f", data)), dest, JobContext(), stall_timeout=5,
             on_progress=lambda p: seen.append((time.monotonic(), p)))
    still = [(t, p) for t, p in seen if p.done == 100_000]
    assert len(still) >= 2 and still[-1][0] - still[0][0] >= 0.9  # reports during the silence
    assert still[-1][1].speed_bps < max(p.speed_bps for _, p in seen) or still[-1][1].speed_bps == 0


def test_cancel_removes_the_part(srv: HostileServer, dest: Path) -> None:
    data = blob(1_000_000)
    srv.set("/f", throttle=2_000_000)
    req = request(data, srv.add("/f", data))
    q = _queue(dest)
    try:
        q.add(req)
        until(lambda: (q.get(req.key) or _never()).progress.done >= 100_000)
        q.cancel(req.key)
        item = q.wait(req.key, 2)
        assert item is not None and item.state == State.CANCELLED and item.progress.done == 0
        # (queue.json, and its temp file while the queue's own thread writes it, may be there)
        assert [p.name for p in dest.iterdir() if not p.name.lstrip(".").startswith("queue")] == []
        # a cancelled item starts over when retried
        srv.set("/f")
        q.retry(req.key)
        item = q.wait(req.key, 3)
        assert item is not None and item.state == State.DONE
        assert srv.requests()[-1].range is None
    finally:
        q.close()


def test_at_most_two_downloads_at_once(srv: HostileServer, dest: Path) -> None:
    srv.set(None, throttle=1_500_000)
    reqs = [request(blob(300_000, i), srv.add(f"/f{i}", blob(300_000, i)), key=f"demo/a{i}@1")
            for i in range(4)]
    states: dict[str, State] = {}
    most = [0]
    lock = threading.Lock()

    def listener(item: DownloadItem) -> None:
        with lock:
            states[item.key] = item.state
            most[0] = max(most[0], sum(s in (State.DOWNLOADING, State.VERIFYING) for s in states.values()))

    q = _queue(dest, 2)
    q.subscribe(listener)
    try:
        for r in reqs:
            q.add(r)
        assert q.add(reqs[0]).key == reqs[0].key and len(q.items()) == 4  # deduped by key
        for r in reqs:
            item = q.wait(r.key, 3)
            assert item is not None and item.state == State.DONE, item
    finally:
        q.close()
    assert most[0] == 2 and srv.max_active == 2
    assert all(s == State.DONE for s in states.values())


def test_the_queue_is_kept_across_a_restart(srv: HostileServer, dest: Path) -> None:
    a, b = blob(800_000, 1), blob(800_000, 2)
    srv.set(None, throttle=2_000_000)
    ra = request(a, srv.add("/a", a), key="demo/a@1")
    rb = request(b, srv.add("/b", b), key="demo/b@1")
    q = _queue(dest)
    q.add(ra)
    q.add(rb)
    until(lambda: all((q.get(r.key) or _never()).progress.done >= 100_000 for r in (ra, rb)))
    q.pause(ra.key)  # paused by the user: stays paused
    q.wait(ra.key, 2)
    q.close()  # b was running: it is picked up again
    saved = json.loads((dest / "queue.json").read_text())
    assert [(i["request"]["key"], i["state"]) for i in saved["items"]] == [
        (ra.key, "paused"), (rb.key, "queued")]

    listed = DownloadQueue.load(dest, options=FAST_OPTIONS, autostart=False)
    items = {i.key: i for i in listed.items()}
    assert {k: i.state for k, i in items.items()} == {ra.key: State.PAUSED, rb.key: State.PAUSED}
    assert items[ra.key].progress.done == part_path(dest, ra.sha256).stat().st_size > 0
    listed.close()

    srv.set(None)
    q2 = DownloadQueue.load(dest, options=FAST_OPTIONS)
    try:
        done_b = q2.wait(rb.key, 3)
        assert done_b is not None and done_b.state == State.DONE and done_b.path is not None
        assert done_b.path.read_bytes() == b
        assert (q2.get(ra.key) or _never()).state == State.PAUSED
        q2.resume(ra.key)
        done_a = q2.wait(ra.key, 3)
        assert done_a is not None and done_a.state == State.DONE
        assert srv.requests("/a")[-1].range not in (None, "bytes=0-")
        assert srv.requests("/b")[-1].range not in (None, "bytes=0-")
    finally:
        q2.close()


def test_a_failed_download_says_why_and_can_be_retried(srv: HostileServer, dest: Path) -> None:
    data = blob(1000)
    srv.set("/f", status=500)
    req = request(data, srv.add("/f", data))
    q = _queue(dest)
    try:
        q.add(req)
        item = q.wait(req.key, 3)
        assert item is not None and item.state == State.FAILED
        assert item.error and "answered with error 500" in item.error
        srv.set("/f")
        q.retry(req.key)
        item = q.wait(req.key, 3)
        assert item is not None and item.state == State.DONE
    finally:
        q.close()


def test_two_keys_for_the_same_file_download_it_once(srv: HostileServer, dest: Path) -> None:
    data = blob(600_000)
    srv.set("/f", throttle=3_000_000)
    url = srv.add("/f", data)
    r1, r2 = request(data, url, key="one/x@1"), request(data, url, key="two/x@1")
    q = _queue(dest)
    try:
        q.add(r1)
        q.add(r2)
        i1, i2 = q.wait(r1.key, 3), q.wait(r2.key, 3)
        assert i1 is not None and i2 is not None and i1.state == i2.state == State.DONE
        assert i1.path == i2.path and srv.bytes_served() == len(data)
    finally:
        q.close()


def test_listeners_see_each_state_in_order_with_rising_progress(srv: HostileServer, dest: Path) -> None:
    data = blob(600_000)
    srv.set("/f", throttle=2_000_000)
    req = request(data, srv.add("/f", data))
    seen: list[DownloadItem] = []
    q = _queue(dest)
    unsubscribe = q.subscribe(seen.append)
    try:
        q.add(req)
        item = q.wait(req.key, 3)
        assert item is not None and item.state == State.DONE
    finally:
        q.close()
    unsubscribe()
    versions = [i.version for i in seen]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    states = [s for k, s in enumerate(i.state for i in seen) if k == 0 or s != seen[k - 1].state]
    assert states[0] in (State.QUEUED, State.DOWNLOADING) and states[-1] == State.DONE
    assert State.DOWNLOADING in states and State.FAILED not in states
    dones = [i.progress.done for i in seen]
    assert dones == sorted(dones) and dones[-1] == len(data) and seen[-1].path is not None


def test_a_new_file_under_the_same_key_replaces_the_old_one(srv: HostileServer, dest: Path) -> None:
    old, new = blob(300_000, 1), blob(300_000, 2)
    r_old = request(old, srv.add("/old", old))
    r_new = request(new, srv.add("/new", new))
    srv.set("/old", status=500)
    q = _queue(dest)
    try:
        q.add(r_old)
        assert (q.wait(r_old.key, 3) or _never()).state == State.FAILED
        item = q.add(r_new)
        assert item.request == r_new and len(q.items()) == 1
        done = q.wait(r_new.key, 3)
        assert done is not None and done.state == State.DONE and done.path is not None
        assert done.path.read_bytes() == new
    finally:
        q.close()


def test_a_damaged_queue_file_is_an_empty_queue(dest: Path) -> None:
    dest.mkdir()
    (dest / "queue.json").write_text('{"format": 1, "items": [{"request": {"key": 1}}, 7]')
    assert DownloadQueue.load(dest).items() == []
    (dest / "queue.json").write_text('{"format": 1, "items": [{"request": {"key": "k"}}, 7]}')
    q = DownloadQueue.load(dest)
    assert q.items() == []
    q.close()


def _never() -> DownloadItem:
    raise AssertionError("no such item")
