"""Installs and updates killed with SIGKILL at every step, and at random moments, leave a library
that ``Library.open`` brings back to a consistent state: the old version installed and intact,
or the new one, never a mix; no staging leftovers; a sound database.

The install runs in a child process. It reports each step through its ``JobContext`` (the notes
of ``Step``, one ``unpacking`` per file) and, at the step the test chose, stops and waits to be
killed: so every boundary between steps is hit exactly, and random delays cover the moments in
between (inside a rename, inside the database commit).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from appstore.core.jobs import JobContext
from appstore.core.library import Library, Step
from appstore.core.paths import Paths
from tests.core.test_library import APP, STORE, dapp_files, folder_files, make_app, release_for, write_package

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys, time
from pathlib import Path
from appstore.core.catalog.models import App, Release
from appstore.core.jobs import JobContext
from appstore.core.library import Library
from appstore.core.paths import Paths

data, job, pause_at = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
calls = 0

def progress(done, total, note):
    global calls
    calls += 1
    print(calls, note, flush=True)
    if calls == pause_at:
        time.sleep(60)  # killed here

library = Library(Paths(Path(data)))
print("ready", flush=True)
if job["do"] == "install":
    r = job["release"]
    release = Release(r["version"], r["package"], r["size"], r["sha256"], r["date"])
    app = App(id=job["app_id"], name={"en": "x"}, summary={"en": "x"}, description={"en": "x"},
              categories=("tools",), kind="web", icon="i.png", screenshots=(), developer="d",
              website="", license="MIT", permissions=("storage", "network"), releases=(release,),
              store=job["store"])
    library.install(Path(job["package"]), app, release, store=job["store"], ctx=JobContext(progress))
else:
    library.uninstall(job["store"], job["app_id"], keep_data=False)
print("finished", flush=True)
"""


class Scenario:
    def __init__(self, tmp: Path) -> None:
        self.paths = Paths(tmp / "data")
        self.paths.ensure()
        self.packages: dict[str, Path] = {}
        self.files: dict[str, dict[str, bytes]] = {}
        for version in ("1.0.0", "2.0.0"):
            files = dapp_files(APP, version, extra=6)
            self.files[version] = files
            self.packages[version] = write_package(tmp / f"{version}.zip", files)

    def job(self, version: str) -> str:
        release = release_for(self.packages[version], version)
        return json.dumps({"do": "install", "app_id": APP, "store": STORE,
                           "package": str(self.packages[version]),
                           "release": {"version": version, "package": release.package, "size": release.size,
                                       "sha256": release.sha256, "date": release.date}})

    def install_here(self, version: str) -> None:
        release = release_for(self.packages[version], version)
        library = Library(self.paths)
        library.install(self.packages[version], make_app([release]), release, store=STORE, ctx=JobContext())
        library.close()

    def spawn(self, job: str, pause_at: int = 0) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return subprocess.Popen([sys.executable, "-c", CHILD, str(self.paths.root), job, str(pause_at)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def kill_at(self, job: str, pause_at: int) -> str:
        """Run ``job``, kill it while it waits at progress call ``pause_at``; the step's note."""
        proc = self.spawn(job, pause_at)
        assert proc.stdout is not None
        note = ""
        for line in proc.stdout:
            if line.startswith(f"{pause_at} "):
                note = line.split()[1]
                break
        kill(proc)
        assert note, f"the child never reached call {pause_at}"
        return note

    def kill_after(self, job: str, delay: float) -> None:
        proc = self.spawn(job)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", proc.stderr
        time.sleep(delay)
        kill(proc)

    def check(self, allowed: set[str | None]) -> str | None:
        """Open the library as the app does at start; assert it is consistent. The version
        installed (None: not installed)."""
        library = Library(self.paths)  # what Library.open does, checking the recovery ran
        try:
            assert not library.recover(wait=False).skipped, "the killed child still holds the lock"
            lib_dir = self.paths.library_dir
            assert library.integrity() == "ok"
            for area in ("staging", "trash"):
                assert not list((lib_dir / area).glob("*")), f"{area} leftovers"
            rows = library.installed()
            folders = sorted(p for p in (lib_dir / "apps").glob("*/*/*"))
            if not rows:
                assert None in allowed and folders == []
                return None
            [row] = rows
            assert row.version in allowed, (row.version, allowed)
            assert folders == [row.folder]  # no other version left beside it
            assert folder_files(row.folder) == self.files[row.version]  # complete, not torn
            assert library.entry_path(row).read_bytes() == self.files[row.version]["index.html"]
            return row.version
        finally:
            library.close()


def kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def count_calls(tmp: Path) -> list[str]:
    """The notes of a whole install, counted in this process on a scratch data dir."""
    scratch = Scenario(tmp / "count")
    notes: list[str] = []
    release = release_for(scratch.packages["1.0.0"], "1.0.0")
    Library(scratch.paths).install(scratch.packages["1.0.0"], make_app([release]), release, store=STORE,
                                   ctx=JobContext(lambda d, t, note: notes.append(note)))
    return notes


def test_an_update_killed_at_every_step_leaves_one_complete_version(tmp_path: Path) -> None:
    notes = count_calls(tmp_path)
    assert notes[0] == Step.CHECKING and notes[-1] == Step.DONE and len(notes) > 10
    s = Scenario(tmp_path)
    s.install_here("1.0.0")
    current = "1.0.0"
    for k in range(1, len(notes) + 1):
        target = "2.0.0" if current == "1.0.0" else "1.0.0"
        note = s.kill_at(s.job(target), k)
        assert note == notes[k - 1]
        # before the row is committed the old version is live; from the clean-up on, the new one
        expected = target if note in (Step.CLEANING, Step.DONE) else current
        assert s.check({expected}) == expected, (k, note)
        current = expected


def test_a_first_install_killed_at_every_step_is_all_or_nothing(tmp_path: Path) -> None:
    notes = count_calls(tmp_path)
    s = Scenario(tmp_path)
    for k in range(1, len(notes) + 1):
        note = s.kill_at(s.job("1.0.0"), k)
        expected = "1.0.0" if note in (Step.CLEANING, Step.DONE) else None
        assert s.check({expected}) == expected, (k, note)
        if expected:
            Library(s.paths).uninstall(STORE, APP, keep_data=True)


def test_installs_updates_and_uninstalls_killed_at_random_moments(tmp_path: Path) -> None:
    s = Scenario(tmp_path)
    rng = random.Random(1234)
    # how long a whole update takes in a child, from "ready" to the end
    s.install_here("1.0.0")
    proc = s.spawn(s.job("2.0.0"))
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    start = time.perf_counter()
    out = proc.stdout.read()
    span = time.perf_counter() - start
    kill(proc)
    assert "finished" in out
    current = s.check({"2.0.0"})
    for _ in range(24):
        if current is None or rng.random() < 0.8:
            target = "2.0.0" if current == "1.0.0" else "1.0.0"
            s.kill_after(s.job(target), rng.uniform(0, span * 1.2))
            current = s.check({current, target})
        else:
            s.kill_after(json.dumps({"do": "uninstall", "app_id": APP, "store": STORE}),
                         rng.uniform(0, 0.02))
            current = s.check({current, None})
