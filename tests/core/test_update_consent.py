"""An update never widens a DApp's permissions silently (issue 21): a real store publishes v1,
it is installed, the store publishes v2 asking for more; the update waits for consent, in the
library, in the installs path and in the DApp's wallet connection."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from appstore.core import wording
from appstore.core.host.connections import Connections
from appstore.core.library import Library, PermissionsNeeded
from appstore.core.paths import Paths
from appstore.core.services import Services
from tests.conftest import Published
from tests.storekit import add_release

ALPHA, BETA = "org.test.alpha", "org.test.beta"
MORE = ["storage", "network", "clipboard", "wallet.sign"]


def open_with_v1(served: Published, data_dir: Path) -> Services:
    """Both apps installed at 1.0.0 (asking for ``storage`` only), then 2.0.0 published: alpha's
    asks for network, clipboard and the wallet as well, beta's for nothing more."""
    services = Services.open(str(data_dir), demo=False)
    services.add_store([served.url], served.result.root_sha256)
    view = services.load_catalog()[0]
    for app_id in (ALPHA, BETA):
        services.installs.install(view.find(app_id).app)
    add_release(served.src, ALPHA, "2.0.0", MORE)
    add_release(served.src, BETA, "2.0.0")
    served.republish()
    services.load_catalog(refresh=True)
    return services


def test_an_update_that_asks_for_more_waits_and_the_others_go(served: Published, data_dir: Path) -> None:
    services = open_with_v1(served, data_dir)
    view = services.load_catalog()[0]
    installs = services.installs
    apps = view.apps_at((a.store, a.app_id) for a in installs.installed())
    ups = {u.app_id: u for u in installs.updates(apps)}
    assert ups[ALPHA].asks_for == ("network", "clipboard", "wallet.sign") and ups[ALPHA].waits
    assert ups[ALPHA].to_json()["asks_for"] == ["network", "clipboard", "wallet.sign"]
    assert ups[BETA].asks_for == () and not ups[BETA].waits

    # refused before a byte is downloaded; v1 stays as it was
    alpha = view.find(ALPHA).app
    with pytest.raises(PermissionsNeeded) as caught:
        installs.install(alpha)
    assert caught.value.asks_for == ("network", "clipboard", "wallet.sign")
    assert "asks for permissions you have not accepted" in str(caught.value)
    assert installs.queue.items() == []
    v1 = installs.library.get("teststore", ALPHA)
    assert v1 is not None and v1.version == "1.0.0" and v1.permissions == ("storage",)

    # the same permissions: updated as before
    assert installs.install(view.find(BETA).app).version == "2.0.0"

    # accepted: installed, and what was accepted is recorded
    done = installs.install(alpha, accept=ups[ALPHA].asks_for)
    assert done.version == "2.0.0" and done.permissions == tuple(MORE)
    assert set(done.accepted) == set(MORE)
    assert installs.updates(view.apps_at([("teststore", ALPHA)])) == []
    services.close()


def test_consent_given_first_lets_the_update_install_later(served: Published, data_dir: Path) -> None:
    """The GUI's path: the user accepts in the dialog, the download runs, the install completes
    (perhaps in a later run) with no further question."""
    services = open_with_v1(served, data_dir)
    view = services.load_catalog()[0]
    installs = services.installs
    installs.accept("teststore", ALPHA, ["network", "clipboard"])
    [up] = [u for u in installs.updates(view.apps_at([("teststore", ALPHA)]))]
    assert up.asks_for == ("wallet.sign",)  # only what is still not accepted
    installs.accept("teststore", ALPHA, up.asks_for)
    assert installs.install(view.find(ALPHA).app).version == "2.0.0"
    services.close()


def test_fewer_permissions_update_without_a_question(served: Published, data_dir: Path) -> None:
    services = Services.open(str(data_dir), demo=False)
    services.add_store([served.url], served.result.root_sha256)
    add_release(served.src, ALPHA, "1.5.0", ["storage", "network"])
    served.republish()
    view = services.load_catalog(refresh=True)[0]
    installs = services.installs
    installs.install(view.find(ALPHA).app)  # first install: accepts what the page listed
    add_release(served.src, ALPHA, "2.0.0", [])  # its package asks for nothing
    served.republish()
    view = services.load_catalog(refresh=True)[0]
    [up] = installs.updates(view.apps_at([("teststore", ALPHA)]))
    assert not up.waits
    done = installs.install(view.find(ALPHA).app)
    assert done.version == "2.0.0" and done.permissions == ()
    assert set(done.accepted) == {"storage", "network"}  # what the user agreed to stays agreed
    services.close()


def test_the_library_checks_the_package_itself_and_leaves_the_old_version(tmp_path: Path) -> None:
    """The library's own check, on what the new package's manifest asks for (whatever the
    caller was told): refused before the new version goes live, nothing left in staging."""
    from appstore.core.jobs import JobContext
    from tests.core.test_library import Env, make_app

    env = Env(tmp_path)
    env.install("1.0.0", perms=("storage",))  # catalogue: storage, network: both accepted
    assert env.library.get("teststore", "org.test.notes").accepted == ("storage", "network")
    path, release = env.package("2.0.0", perms=("storage", "network", "clipboard"))
    app = make_app([release], perms=("storage", "network", "clipboard"))
    assert env.library.updates([app])[0].asks_for == ("clipboard",)
    with pytest.raises(PermissionsNeeded, match="clipboard"):
        env.library.install(path, app, release, store="teststore", ctx=JobContext())
    live = env.library.get("teststore", "org.test.notes")
    assert live is not None and live.version == "1.0.0" and live.folder.is_dir()
    assert list((env.paths.library_dir / "staging").iterdir()) == []
    done = env.library.install(path, app, release, store="teststore", ctx=JobContext(),
                               accept=("clipboard",))
    assert done.version == "2.0.0" and done.accepted == ("storage", "network", "clipboard")
    assert env.library.get("teststore", "org.test.notes") == done


def test_an_app_installed_before_consent_was_recorded_accepted_what_it_has(tmp_path: Path) -> None:
    """A library of schema 1 (before this change) is upgraded: each app has accepted the
    permissions of its installed version."""
    paths = Paths.resolve(tmp_path / "data")
    paths.ensure()
    folder = paths.library_dir / "apps" / "teststore" / ALPHA / "1.0.0-abcd0123"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("v1")
    db = sqlite3.connect(paths.library_dir / "library.sqlite3")
    db.executescript("""
        CREATE TABLE installed (store TEXT NOT NULL, app_id TEXT NOT NULL, version TEXT NOT NULL,
            folder TEXT NOT NULL UNIQUE, entry TEXT NOT NULL, permissions TEXT NOT NULL,
            size INTEGER NOT NULL, files INTEGER NOT NULL, package_size INTEGER NOT NULL,
            sha256 TEXT NOT NULL, installed_at TEXT NOT NULL, store_gone INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (store, app_id));
        PRAGMA user_version = 1;
    """)
    db.execute("INSERT INTO installed VALUES (?, ?, ?, ?, ?, ?, 1, 1, 1, ?, ?, 0)",
               ("teststore", ALPHA, "1.0.0", f"teststore/{ALPHA}/1.0.0-abcd0123", "index.html",
                json.dumps(["storage", "network"]), "0" * 64, "2026-01-02T00:00:00+00:00"))
    db.commit()
    db.close()
    library = Library.open(paths)
    [app] = library.installed()
    assert app.accepted == ("storage", "network") and app.permissions == ("storage", "network")
    library.close()
    with sqlite3.connect(paths.library_dir / "library.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_wallet_connection_covers_only_the_wallet_permissions_it_was_made_with(tmp_path: Path) -> None:
    path = tmp_path / "dapps" / "connections.json"
    c = Connections(path)
    key = "teststore/org.test.alpha"
    c.connect(key, "1Alice", ["storage", "wallet.address"])
    assert c.is_connected(key, "1Alice", ["storage", "network", "wallet.address"])  # no wallet change
    # v2, accepted by the user, also asks to sign: the old connection does not cover it
    assert not c.is_connected(key, "1Alice", ["wallet.address", "wallet.sign"])
    c.connect(key, "1Alice", ["wallet.address", "wallet.sign"])  # the connect dialog, again
    assert Connections(path).is_connected(key, "1Alice", ["wallet.address", "wallet.sign"])
    assert json.loads(path.read_text())["connections"][key]["permissions"] == ["wallet.address",
                                                                              "wallet.sign"]
    # an entry written before connections named their permissions covers none
    path.write_text(json.dumps({"format": 1, "connections": {
        key: {"account": "1Alice", "since": "2026-01-02T00:00:00Z"}}}))
    assert not Connections(path).is_connected(key, "1Alice", ["wallet.address"])


def test_every_permission_has_short_words_in_every_language() -> None:
    assert wording.PERMISSIONS_SHORT.keys() == wording.PERMISSIONS.keys()
    for words in wording.PERMISSIONS_SHORT.values():
        assert set(words) == set(wording.LANGS) and all(words.values())
    assert wording.permissions_short(["network", "clipboard"]) == "internet access, clipboard"
    assert wording.permissions_short(["network", "clipboard"], "zh_CN") == "联网、剪贴板"
    assert "x.new" in wording.permission_short("x.new")
