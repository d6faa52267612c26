"""The library: install, update, uninstall, updates, stores that are gone, recovery.

Real zips, a real SQLite database and real folders under a temporary data dir. The helpers at
the top (packages, apps, releases) are shared with test_archives.py and test_install_crash.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from appstore.core import logs
from appstore.core.catalog.models import App, Release
from appstore.core.errors import ConfigError, NotFound
from appstore.core.jobs import Cancelled, JobContext
from appstore.core.library import (
    InstalledApp,
    Library,
    LibraryError,
    PackageError,
    Step,
    Update,
)
from appstore.core.paths import Paths

APP = "org.test.notes"
STORE = "teststore"


# -- helpers (also used by the other library tests)

def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A package as the publisher builds it: sorted names, fixed dates and modes, deflate."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def dapp_files(app_id: str = APP, version: str = "1.0.0", *, perms: tuple[str, ...] = ("storage",),
               extra: int = 3, entry: str = "index.html", **manifest: Any) -> dict[str, bytes]:
    """The files of one version of a DApp; every file's content names the version."""
    m: dict[str, Any] = {"id": app_id, "version": version, "entry": entry, "permissions": list(perms)}
    m.update(manifest)
    files = {
        "dapp.json": json.dumps(m).encode(),
        "index.html": f"<!doctype html><title>{app_id}</title><h1>{version}</h1>".encode(),
        "js/app.js": f"console.log('{version}')".encode(),
        "css/style.css": f"/* {version} */ body {{}}".encode(),
    }
    for i in range(extra):
        files[f"assets/part{i}.txt"] = f"{version}:{i}:".encode() * 50
    return files


def write_package(path: Path, files: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(zip_bytes(files))
    return path


def release_for(package: Path, version: str) -> Release:
    data = package.read_bytes()
    return Release(version, f"packages/{package.name}", len(data), hashlib.sha256(data).hexdigest(),
                   "2026-01-02")


def make_app(releases: list[Release], app_id: str = APP, *, store: str = STORE,
             perms: tuple[str, ...] = ("storage", "network"), kind: str = "web") -> App:
    from appstore.core.versions import Version

    ordered = tuple(sorted(releases, key=lambda r: Version(r.version), reverse=True))
    return App(id=app_id, name={"en": "Notes"}, summary={"en": "Notes"}, description={"en": "Notes"},
               categories=("tools",), kind=kind, icon="icon.png", screenshots=(), developer="Dev",
               website="https://example.org", license="MIT", permissions=perms, releases=ordered,
               url="https://example.org/app" if kind == "link" else "", store=store)


def tree(root: Path) -> dict[str, str]:
    """Every path under ``root`` (links not followed) with its kind and, for files, a hash."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st = p.lstat()
            rel = p.relative_to(root).as_posix()
            if stat.S_ISREG(st.st_mode):
                out[rel] = "file " + hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[rel] = "dir" if stat.S_ISDIR(st.st_mode) else f"other {st.st_mode:o}"
    return out


def folder_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


class Env:
    """A data dir with a library and packages of APP at any version."""

    def __init__(self, tmp: Path, **library_kw: Any) -> None:
        self.tmp = tmp
        self.paths = Paths.resolve(tmp / "data")
        self.paths.ensure()
        self.library = Library.open(self.paths, **library_kw)
        self.releases: dict[str, Release] = {}
        self.files: dict[str, dict[str, bytes]] = {}

    def package(self, version: str, app_id: str = APP, **kw: Any) -> tuple[Path, Release]:
        files = dapp_files(app_id, version, **kw)
        path = write_package(self.tmp / "downloads" / f"{app_id}-{version}.zip", files)
        release = release_for(path, version)
        self.releases[version] = release
        self.files[version] = files
        return path, release

    def install(self, version: str, app_id: str = APP, **kw: Any) -> InstalledApp:
        path, release = self.package(version, app_id, **kw)
        return self.library.install(path, make_app([release], app_id), release, store=STORE,
                                    ctx=JobContext())

    def app(self, *versions: str) -> App:
        return make_app([self.releases[v] if v in self.releases else self.package(v)[1] for v in versions])


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


# -- install

@pytest.mark.parametrize("sync", ["auto", "fsync", "syncfs"])
def test_install_puts_the_files_in_a_version_folder_and_records_them(tmp_path: Path, sync: str) -> None:
    env = Env(tmp_path, sync=sync)
    notes: list[str] = []
    path, release = env.package("1.0.0")
    app = make_app([release])
    got = env.library.install(path, app, release, store=STORE,
                              ctx=JobContext(lambda d, t, note: notes.append(note)))

    assert got.id == f"{STORE}/{APP}" and got.app_id == APP and got.store == STORE
    assert got.version == "1.0.0" and got.files == len(env.files["1.0.0"])
    assert got.size == sum(len(b) for b in env.files["1.0.0"].values())
    assert got.package_size == path.stat().st_size and got.sha256 == release.sha256
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", got.installed_at)
    assert got.entry == "index.html" and got.permissions == ("storage",) and not got.store_gone
    assert got.folder.parent == env.paths.library_dir / "apps" / STORE / APP
    assert re.fullmatch(r"1\.0\.0-[0-9a-f]{8}", got.folder.name)
    assert folder_files(got.folder) == env.files["1.0.0"]
    assert env.library.entry_path(got).read_text() == env.files["1.0.0"]["index.html"].decode()
    assert stat.S_IMODE(got.folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((got.folder / "js").stat().st_mode) == 0o755
    assert stat.S_IMODE((got.folder / "js" / "app.js").stat().st_mode) == 0o644
    # the steps, in order (each reported before it starts)
    steps = [n for n in dict.fromkeys(notes)]
    assert steps == [Step.CHECKING, Step.UNPACKING, Step.MOVING, Step.RECORDING, Step.CLEANING, Step.DONE]

    assert env.library.installed() == [got] and env.library.get(STORE, APP) == got
    assert list((env.paths.library_dir / "staging").iterdir()) == []
    # a fresh library over the same data dir sees the same
    again = Library.open(env.paths)
    assert again.installed() == [got] and again.integrity() == "ok"


def test_installed_json_has_the_fields_the_cli_prints(env: Env) -> None:
    got = env.install("1.0.0")
    assert got.to_json() == {"id": f"{STORE}/{APP}", "app_id": APP, "store": STORE, "version": "1.0.0",
                             "size": got.size, "installed_at": got.installed_at}
    json.dumps([a.to_json() for a in env.library.installed()])


def test_update_makes_the_new_version_live_and_removes_the_old_folder(env: Env) -> None:
    old = env.install("1.0.0")
    new = env.install("1.1.0")
    assert not old.folder.exists() and new.folder.is_dir()
    assert [p.name for p in new.folder.parent.iterdir()] == [new.folder.name]
    assert env.library.get(STORE, APP) == new and len(env.library.installed()) == 1
    assert folder_files(new.folder) == env.files["1.1.0"]
    assert b"1.1.0" in env.library.entry_path(new).read_bytes()
    assert list((env.paths.library_dir / "trash").iterdir()) == []


def test_reinstalling_the_same_version_repairs_it(env: Env) -> None:
    first = env.install("1.0.0")
    (first.folder / "index.html").write_text("damaged")
    second = env.install("1.0.0")
    assert second.folder != first.folder and not first.folder.exists()
    assert folder_files(second.folder) == env.files["1.0.0"]


def test_a_refused_update_leaves_the_installed_version_working(env: Env) -> None:
    old = env.install("1.0.0")
    path, release = env.package("2.0.0", perms=("storage", "wallet.pay"))  # not in the catalogue
    with pytest.raises(PackageError) as e:
        env.library.install(path, make_app([release]), release, store=STORE, ctx=JobContext())
    assert "wallet.pay" in str(e.value) and f"{STORE}/{APP} 2.0.0" in str(e.value)
    assert env.library.get(STORE, APP) == old and folder_files(old.folder) == env.files["1.0.0"]
    assert list((env.paths.library_dir / "staging").iterdir()) == []


def test_a_package_that_is_not_the_signed_one_is_refused(env: Env) -> None:
    path, release = env.package("1.0.0")
    path.write_bytes(path.read_bytes()[:-1] + b"X")
    with pytest.raises(PackageError, match="SHA-256"):
        env.library.install(path, make_app([release]), release, store=STORE, ctx=JobContext())
    assert env.library.installed() == []


def test_a_link_dapp_is_not_installed(env: Env) -> None:
    path, release = env.package("1.0.0")
    with pytest.raises(LibraryError, match="link DApp"):
        env.library.install(path, make_app([release], kind="link"), release, store=STORE,
                            ctx=JobContext())


def test_ids_that_cannot_be_folders_are_refused(env: Env) -> None:
    path, release = env.package("1.0.0")
    for store in ("../x", "", "a/b"):
        with pytest.raises(LibraryError, match="not a store id"):
            env.library.install(path, make_app([release], store=""), release, store=store,
                                ctx=JobContext())


def test_cancel_during_unpacking_changes_nothing(env: Env) -> None:
    old = env.install("1.0.0")
    path, release = env.package("1.1.0", extra=40)
    ctx = JobContext()
    seen = []

    def progress(done: int, total: int, note: str) -> None:
        seen.append(note)
        if seen.count(Step.UNPACKING) == 10:
            ctx.cancel()

    ctx = JobContext(progress)
    with pytest.raises(Cancelled):
        env.library.install(path, make_app([release]), release, store=STORE, ctx=ctx)
    assert env.library.installed() == [old] and folder_files(old.folder) == env.files["1.0.0"]
    assert list((env.paths.library_dir / "staging").iterdir()) == []
    assert [p.name for p in old.folder.parent.iterdir()] == [old.folder.name]


# -- uninstall

def test_uninstall_keeping_data(env: Env) -> None:
    got = env.install("1.0.0")
    data = env.library.app_data_dir(STORE, APP)
    assert data == env.paths.root / "appdata" / STORE / APP
    data.mkdir(parents=True)
    (data / "notes.db").write_text("mine")
    env.library.uninstall(STORE, APP, keep_data=True)
    assert env.library.get(STORE, APP) is None and env.library.installed() == []
    assert not got.folder.exists() and not (env.paths.library_dir / "apps" / STORE).exists()
    assert (data / "notes.db").read_text() == "mine"
    with pytest.raises(NotFound):
        env.library.uninstall(STORE, APP, keep_data=True)


def test_uninstall_with_data(env: Env) -> None:
    got = env.install("1.0.0")
    data = env.library.app_data_dir(STORE, APP)
    (data / "sub").mkdir(parents=True)
    (data / "sub" / "notes.db").write_text("mine")
    other = env.library.app_data_dir(STORE, "org.test.other")
    other.mkdir(parents=True)
    env.library.uninstall(STORE, APP, keep_data=False)
    assert not got.folder.exists() and not data.exists() and other.is_dir()
    assert env.library.installed() == []
    assert list((env.paths.library_dir / "trash").iterdir()) == []


# -- updates and stores that are gone

def test_updates_lists_installed_apps_with_a_newer_release(env: Env) -> None:
    env.install("1.9.0")
    env.install("1.0.0", app_id="org.test.other")
    catalog = [
        env.app("1.9.0", "1.10.0"),  # 1.10 > 1.9
        make_app([env.package("1.0.0", "org.test.other")[1]], "org.test.other"),  # up to date
        make_app([env.package("3.0.0", "org.test.absent")[1]], "org.test.absent"),  # not installed
        make_app([env.releases["1.10.0"]], store="elsewhere"),  # same id, another store
    ]
    ups = env.library.updates(catalog)
    assert ups == [Update(f"{STORE}/{APP}", APP, STORE, "1.9.0", "1.10.0")]
    assert ups[0].to_json() == {"id": f"{STORE}/{APP}", "app_id": APP, "store": STORE,
                                "installed": "1.9.0", "available": "1.10.0", "asks_for": []}
    assert env.library.updates([env.app("1.0.0-beta.1")]) == []  # older than installed
    assert env.library.updates([env.app("2.0.0-beta.1")])[0].available == "2.0.0-beta.1"


def test_a_store_that_is_gone_gives_no_updates_but_its_apps_keep_working(env: Env) -> None:
    got = env.install("1.0.0")
    catalog = [env.app("1.0.0", "2.0.0")]
    assert len(env.library.updates(catalog)) == 1
    assert env.library.mark_store_gone(STORE) == 1
    assert env.library.updates(catalog) == []
    [still] = env.library.installed()
    assert still.store_gone and still.version == "1.0.0"
    assert env.library.entry_path(still).read_bytes() == env.files["1.0.0"]["index.html"]
    assert folder_files(still.folder) == folder_files(got.folder)
    assert env.library.mark_store_back(STORE) == 1
    assert not env.library.installed()[0].store_gone
    assert len(env.library.updates(catalog)) == 1


# -- recovery

def test_recover_removes_leftovers_and_keeps_what_is_live(env: Env) -> None:
    live = env.install("1.0.0")
    expected = env.files["1.0.0"]
    gone = env.install("1.0.0", app_id="org.test.gone")
    lib_dir = env.paths.library_dir
    (lib_dir / "staging" / "tmpabc" / "js").mkdir(parents=True)
    (lib_dir / "staging" / "tmpabc" / "js" / "half.js").write_text("half")
    (lib_dir / "trash" / "0123").mkdir(parents=True)
    orphan = live.folder.parent / "2.0.0-deadbeef"  # renamed in, never committed
    orphan.mkdir()
    (orphan / "index.html").write_text("new")
    stray_app = lib_dir / "apps" / STORE / "org.test.stray" / "1.0.0-00000000"
    stray_app.mkdir(parents=True)
    (lib_dir / "apps" / "junk.txt").write_text("x")
    import shutil
    shutil.rmtree(gone.folder)  # someone deleted an install folder

    report = Library(env.paths).recover()
    assert report.staging == 2 and report.orphans == 3 and report.missing == (gone.id,)
    assert env.library.installed() == [live] and folder_files(live.folder) == expected
    assert sorted(p.relative_to(lib_dir / "apps").as_posix() for p in (lib_dir / "apps").rglob("*")
                  if p.is_dir()) == [STORE, f"{STORE}/{APP}", f"{STORE}/{APP}/{live.folder.name}",
                                     f"{STORE}/{APP}/{live.folder.name}/assets",
                                     f"{STORE}/{APP}/{live.folder.name}/css",
                                     f"{STORE}/{APP}/{live.folder.name}/js"]
    assert list((lib_dir / "staging").iterdir()) == [] and list((lib_dir / "trash").iterdir()) == []
    assert not Library(env.paths).recover().changed


def test_a_failed_record_keeps_the_folder_while_the_row_cannot_be_read(env: Env) -> None:
    """The database breaks as the update records its row: the write fails, and so does reading
    the row back. The new folder may be what the row names now, so it is not deleted (the bug
    is logged with its traceback); once the database is sound again, recovery removes it as the
    orphan it turned out to be, and the old version was installed throughout."""
    env.install("1.0.0")
    path, release = env.package("2.0.0")
    files = sorted(env.library.root.glob("library.sqlite3*"))
    saved: dict[Path, bytes] = {}

    def break_the_database(done: int, total: int, note: str) -> None:
        if note == Step.RECORDING:
            for f in files:
                saved[f] = f.read_bytes()
                f.write_bytes(b"\xff" * len(saved[f]))

    log_file = logs.setup(env.tmp / "log")
    assert log_file is not None
    try:
        with pytest.raises(sqlite3.DatabaseError):
            env.library.install(path, env.app("1.0.0", "2.0.0"), release, store=STORE,
                                ctx=JobContext(break_the_database))
    finally:
        logs.setup(env.tmp / "log-after")  # (closes the file)
    folders = sorted(p.name.split("-")[0] for p in (env.library.apps_dir / STORE / APP).iterdir())
    assert folders == ["1.0.0", "2.0.0"]
    logged = log_file.read_text()
    assert "cannot be read after a failed install" in logged
    assert "Traceback" in logged and "DatabaseError: file is not a database" in logged
    env.library.close()
    for f, data in saved.items():
        f.write_bytes(data)
    library = Library.open(env.paths)  # (recovers)
    try:
        installed = library.get(STORE, APP)
        assert installed is not None and installed.version == "1.0.0"
        assert [p.name for p in (library.apps_dir / STORE / APP).iterdir()] == [installed.folder.name]
        assert folder_files(installed.folder) == env.files["1.0.0"]
    finally:
        library.close()


def test_a_failed_record_whose_row_reads_back_removes_the_new_folder(env: Env) -> None:
    """The row is refused (a real trigger in the real database): the database, read back,
    still names the old version, so the new folder goes at once."""
    env.install("1.0.0")
    path, release = env.package("2.0.0")
    with sqlite3.connect(env.library.root / "library.sqlite3") as db:
        db.execute("CREATE TRIGGER no_new BEFORE INSERT ON installed "
                   "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    with pytest.raises(sqlite3.DatabaseError, match="refused by the test"):
        env.library.install(path, env.app("1.0.0", "2.0.0"), release, store=STORE, ctx=JobContext())
    installed = env.library.get(STORE, APP)
    assert installed is not None and installed.version == "1.0.0"
    assert [p.name for p in (env.library.apps_dir / STORE / APP).iterdir()] == [installed.folder.name]


LOCK_HOLDER = """
import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.readline()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_one_writer_per_data_dir_across_processes(env: Env) -> None:
    path, release = env.package("1.0.0")
    (env.paths.library_dir / "staging" / "leftover").mkdir(parents=True)
    proc = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(env.paths.library_dir / ".lock")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        waiting = Library(env.paths, lock_timeout=0.3)
        with pytest.raises(LibraryError, match="another imapp"):
            waiting.install(path, make_app([release]), release, store=STORE, ctx=JobContext())
        # start-up recovery does not wait, and does not touch what the other one is writing
        assert Library.open(env.paths).recover(wait=False).skipped
        assert (env.paths.library_dir / "staging" / "leftover").is_dir()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    env.library.install(path, make_app([release]), release, store=STORE, ctx=JobContext())
    assert env.library.get(STORE, APP) is not None


# -- the database

def test_the_database_has_a_schema_version_and_refuses_a_newer_one(env: Env) -> None:
    env.install("1.0.0")
    db_path = env.paths.library_dir / "library.sqlite3"
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        row = db.execute("SELECT store, app_id, version, folder FROM installed").fetchone()
    assert row[:3] == (STORE, APP, "1.0.0") and row[3].startswith(f"{STORE}/{APP}/1.0.0-")
    env.library.close()
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(ConfigError, match="newer imapp"):
        Library(env.paths).installed()
