"""The DApp host's rules, without Qt: origins, which file a request may be served, what a DApp
may request, where it may navigate, which browser features it gets, and its CSP."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from appstore.core.catalog.models import App
from appstore.core.host import (
    SCHEME,
    DAppPolicy,
    Decision,
    Feature,
    HostError,
    Kind,
    Nav,
    NotServed,
    cache_dir,
    dapp_host,
    dapp_origin,
    installed_identity,
    link_identity,
    mime_type,
    open_served,
    origin_of,
    resolve,
    storage_dir,
    web_dir,
)
from appstore.core.host.files import request_parts
from appstore.core.library import InstalledApp, Library
from appstore.core.paths import Paths

DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def valid_dns(host: str) -> bool:
    labels = host.split(".")
    return (len(host) <= 253 and all(DNS_LABEL.fullmatch(label) for label in labels)
            and not labels[-1].isdigit() and not re.fullmatch(r"0x[0-9a-f]*", labels[-1]))


def installed(folder: Path, perms: tuple[str, ...] = ("storage",), *, store: str = "demo",
              app_id: str = "org.test.app") -> InstalledApp:
    return InstalledApp(id=f"{store}/{app_id}", app_id=app_id, store=store, version="1.0.0", size=1,
                        installed_at="2026-01-01T00:00:00Z", package_size=1, files=1,
                        sha256="0" * 64, folder=folder, entry="index.html", permissions=perms)


def link_app(url: str, perms: tuple[str, ...] = ("network",), *, app_id: str = "org.test.site") -> App:
    return App(id=app_id, name={"en": "Site"}, summary={"en": "s"}, description={"en": "d"},
               categories=("tools",), kind="link", icon="icon.png", screenshots=(), developer="Dev",
               website="https://example.org", license="MIT", permissions=perms, releases=(), url=url,
               store="demo")


def web_policy(*perms: str) -> DAppPolicy:
    return DAppPolicy(installed_identity(installed(Path("/x"), perms), Path("/x/index.html")))


# -- origins -------------------------------------------------------------------------------------

def test_a_readable_host_per_dapp() -> None:
    assert dapp_host("demo", "org.imapp.notes") == "org.imapp.notes.demo"
    assert dapp_origin("demo", "org.imapp.notes") == "imapp-dapp://org.imapp.notes.demo"


@pytest.mark.parametrize(("store", "app_id"), [
    ("Demo", "org.x.app"),  # upper case: hosts are case-insensitive, "demo" is another store
    ("my_store", "org.x.app"),  # underscore
    ("b.c", "a"),  # a dot: "a" of "b.c" would read like "a.b" of "c"
    ("123", "org.x.app"),  # a number last: parsed as an IPv4 address
    ("0x1f", "org.x.app"),
    ("demo", "a" * 64),  # a label over 63 bytes
    ("s" * 200, "org.x.app"),
])
def test_ids_that_cannot_be_a_readable_host_are_hashed(store: str, app_id: str) -> None:
    host = dapp_host(store, app_id)
    assert re.fullmatch(r"h[0-9a-f]{32}", host)
    assert valid_dns(host)


def test_hosts_never_collide() -> None:
    pairs = [("c", "a.b"), ("b.c", "a"), ("demo", "x"), ("Demo", "x"), ("demo", "x.demo"),
             ("x", "demo"), ("1", "org.a"), ("store-1", "org.a"), ("store", "1.org.a")]
    hosts = [dapp_host(s, a) for s, a in pairs]
    assert len(set(hosts)) == len(hosts)
    assert all(valid_dns(h) for h in hosts)


def test_origin_of() -> None:
    assert origin_of("https://Example.org:443/a?b#c") == "https://example.org"
    assert origin_of("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert origin_of("imapp-dapp://org.a.demo/index.html") == "imapp-dapp://org.a.demo"
    assert origin_of("http://[::1]:9/") == "http://[::1]:9"
    for opaque in ("data:text/html,x", "about:blank", "file:///etc/passwd", "blob:x", "nonsense"):
        assert origin_of(opaque) is None


def test_web_data_lives_in_the_apps_data_dir(tmp_path: Path) -> None:
    paths = Paths(tmp_path)
    library = Library.open(paths)
    try:
        assert web_dir(paths, "demo", "org.a") == library.app_data_dir("demo", "org.a") / "web"
    finally:
        library.close()
    assert storage_dir(paths, "demo", "org.a").parent == web_dir(paths, "demo", "org.a")
    assert cache_dir(paths, "demo", "org.a").parent == web_dir(paths, "demo", "org.a")
    with pytest.raises(HostError):
        web_dir(paths, "demo", "../evil")
    with pytest.raises(HostError):
        web_dir(paths, "../x", "org.a")


# -- files ---------------------------------------------------------------------------------------

@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An install folder, a secret beside it, and links inside it that lead out."""
    folder = tmp_path / "apps" / "demo" / "org.test.app" / "1.0.0-abcd"
    (folder / "js").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>hi</h1>")
    (folder / "js" / "app.js").write_text("1")
    (folder / "名字 1.txt").write_text("unicode")
    secret = tmp_path / "apps" / "secret.txt"
    secret.write_text("SECRET")
    os.symlink(secret, folder / "link.txt")
    os.symlink(tmp_path / "apps", folder / "linkdir")
    os.symlink("js", folder / "jslink")  # even a link that stays inside
    os.mkfifo(folder / "fifo")
    return folder


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
    "/.%2e/secret.txt", "/%2e./secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
    "/..%2Fsecret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt", "/js%5c..%5c..%5csecret.txt",
    "//etc/passwd", "/js//app.js", "/./index.html", "/index.html%00.js", "/index.html\x00",
    "/C:/Windows/win.ini", "/c%3a/x", "relative.html", "/%ff%fe", "/a\x01b",
    "/link.txt", "/linkdir/secret.txt", "/jslink/app.js", "/fifo", "/" + "a" * 256,
    "/" + "a/" * 1100,
])
def test_resolve_refuses_every_escape(site: Path, path: str) -> None:
    with pytest.raises(NotServed) as e:
        resolve(site, path)
    assert e.value.refused, e.value.reason


@pytest.mark.parametrize("path", ["/missing.js", "/js/missing.js", "/index.html/x", "/js"])
def test_missing_files_are_not_found_but_not_refusals(site: Path, path: str) -> None:
    with pytest.raises(NotServed) as e:
        resolve(site, path)
    assert not e.value.refused


def test_resolve_serves_files_inside(site: Path) -> None:
    assert resolve(site, "/index.html") == site / "index.html"
    assert resolve(site, "/") == site / "index.html"
    assert resolve(site, "") == site / "index.html"
    assert resolve(site, "/js/app.js") == site / "js" / "app.js"
    assert resolve(site, "/%E5%90%8D%E5%AD%97%201.txt") == site / "名字 1.txt"


def test_a_linked_install_folder_is_refused(site: Path, tmp_path: Path) -> None:
    os.symlink(site, tmp_path / "alias")
    with pytest.raises(NotServed) as e:
        resolve(tmp_path / "alias", "/index.html")
    assert e.value.refused


def test_open_served_opens_without_following_links(site: Path) -> None:
    served = open_served(site, "/js/app.js")
    try:
        assert os.read(served.fd, 10) == b"1"
        assert served.size == 1
        assert served.mime == "text/javascript; charset=utf-8"
    finally:
        os.close(served.fd)
    with pytest.raises(NotServed):
        open_served(site, "/link.txt")


def test_request_parts_decodes_once() -> None:
    # "%252e%252e" is the literal name "%2e%2e", not a way up
    assert request_parts("/%252e%252e/x") == ["%2e%2e", "x"]


@pytest.mark.parametrize(("name", "mime"), [
    ("index.html", "text/html; charset=utf-8"), ("a.js", "text/javascript; charset=utf-8"),
    ("a.mjs", "text/javascript; charset=utf-8"), ("a.css", "text/css; charset=utf-8"),
    ("a.svg", "image/svg+xml"), ("a.wasm", "application/wasm"), ("a.json", "application/json"),
    ("a.woff2", "font/woff2"), ("A.PNG", "image/png"), ("a.webp", "image/webp"),
    ("noext", "application/octet-stream"), ("a.tar.gz", "application/octet-stream"),
])
def test_mime_types(name: str, mime: str) -> None:
    assert mime_type(name) == mime


# -- identities ----------------------------------------------------------------------------------

def test_installed_identity(tmp_path: Path) -> None:
    app = installed(tmp_path, ("storage", "wallet.address"))
    ident = installed_identity(app, tmp_path / "sub dir" / "start.html")
    assert ident.kind == Kind.WEB
    assert ident.start_url == "imapp-dapp://org.test.app.demo/sub%20dir/start.html"
    assert ident.to_json() == {"id": "demo/org.test.app", "store": "demo", "app_id": "org.test.app",
                               "kind": "web", "origin": "imapp-dapp://org.test.app.demo",
                               "version": "1.0.0", "permissions": ["storage", "wallet.address"]}
    with pytest.raises(HostError):
        installed_identity(app, tmp_path.parent / "elsewhere.html")


@pytest.mark.parametrize("name", ["a:b.html", "tab\there.html", "x" * 300 + ".html"])
def test_a_start_page_that_cannot_be_served_is_the_user_s_error(tmp_path: Path, name: str) -> None:
    """A start page the scheme handler would refuse is a ``HostError`` that says what to do
    (only that refusal: any other exception there is a bug, reported as one)."""
    app = installed(tmp_path, ("storage",))
    with pytest.raises(HostError, match="cannot be served; uninstall it and install it again"):
        installed_identity(app, tmp_path / name)


@pytest.mark.parametrize("url", ["https://example.org/app", "http://127.0.0.1:8080/",
                                 "http://localhost/x"])
def test_link_identity_accepts_https_and_local_http(url: str) -> None:
    ident = link_identity(link_app(url))
    assert ident.kind == Kind.LINK and ident.start_url == url
    assert ident.origin == origin_of(url)


@pytest.mark.parametrize("url", ["http://example.org/", "ftp://example.org/", "file:///etc/passwd",
                                 "javascript:alert(1)", "https://user:pw@example.org/", ""])
def test_link_identity_refuses_other_addresses(url: str) -> None:
    with pytest.raises(HostError):
        link_identity(link_app(url))


# -- requests ------------------------------------------------------------------------------------

def test_requests_without_network() -> None:
    p = web_policy("storage")
    assert not p.network and p.persistent and not p.clipboard
    assert p.request("imapp-dapp://org.test.app.demo/js/app.js") is None
    for ok in ("data:text/plain,x", "blob:imapp-dapp://org.test.app.demo/1234", "about:blank"):
        assert p.request(ok) is None
    for blocked in ("http://127.0.0.1:8000/", "https://example.org/x.js", "ws://127.0.0.1/",
                    "wss://example.org/", "file:///etc/passwd", "imapp-dapp://org.other.demo/x",
                    "ftp://example.org/", "qrc:/x", "chrome://settings"):
        assert p.request(blocked) is not None, blocked


def test_requests_with_network() -> None:
    p = web_policy("network")
    assert p.network and not p.persistent
    for ok in ("http://127.0.0.1:8000/", "https://example.org/x.js", "wss://example.org/"):
        assert p.request(ok) is None
    for blocked in ("file:///etc/passwd", "imapp-dapp://org.other.demo/x"):
        assert p.request(blocked) is not None


def test_link_dapps_have_the_network_but_no_files() -> None:
    p = DAppPolicy(link_identity(link_app("https://example.org/app", perms=())))
    assert p.network and p.csp is None
    assert p.request("https://cdn.example.net/x.js") is None
    assert p.request("file:///etc/passwd") is not None
    assert p.request(f"{SCHEME}://org.test.app.demo/index.html") is not None


# -- navigation ----------------------------------------------------------------------------------

def test_navigation_of_an_installed_dapp() -> None:
    p = web_policy("storage")
    assert p.navigation("imapp-dapp://org.test.app.demo/page2.html") == Nav.STAY
    assert p.navigation("about:blank") == Nav.STAY
    assert p.navigation("https://example.org/") == Nav.EXTERNAL
    assert p.navigation("mailto:someone@example.org") == Nav.EXTERNAL
    for refused in ("imapp-dapp://org.other.demo/", "file:///etc/passwd", "data:text/html,x",
                    "javascript:alert(1)", "chrome://settings"):
        assert p.navigation(refused) == Nav.REFUSE, refused
    # frames stay if their request may go (here: not to the network)
    assert p.navigation("imapp-dapp://org.test.app.demo/f.html", main_frame=False) == Nav.STAY
    assert p.navigation("https://example.org/", main_frame=False) == Nav.REFUSE
    assert p.popup("imapp-dapp://org.test.app.demo/p.html") == Nav.STAY
    assert p.popup("https://example.org/") == Nav.EXTERNAL
    assert p.popup("file:///etc/passwd") == Nav.REFUSE


def test_navigation_of_a_link_dapp_stays_in_its_site() -> None:
    p = DAppPolicy(link_identity(link_app("https://www.example.org/app")))
    for inside in ("https://www.example.org/x", "https://example.org/", "https://pay.example.org/"):
        assert p.navigation(inside) == Nav.STAY, inside
    for outside in ("https://example.org.evil.net/", "https://evilexample.org/",
                    "http://www.example.org/", "https://other.net/"):
        assert p.navigation(outside) == Nav.EXTERNAL, outside
    local = DAppPolicy(link_identity(link_app("http://127.0.0.1:8080/")))
    assert local.navigation("http://127.0.0.1:8080/next") == Nav.STAY
    assert local.navigation("http://127.0.0.1:9999/") == Nav.EXTERNAL


# -- browser features ----------------------------------------------------------------------------

def test_features_are_denied_unless_the_manifest_asks() -> None:
    plain = web_policy("storage", "network")
    for f in Feature:
        assert plain.permission(f) == Decision.DENY, f
    clip = web_policy("clipboard")
    assert clip.permission(Feature.CLIPBOARD) == Decision.GRANT
    assert clip.permission(Feature.CAMERA) == Decision.DENY
    # a manifest key a later catalogue may allow: the user is asked, both must be allowed
    future = web_policy("camera", "microphone", "location")
    assert future.permission(Feature.CAMERA, Feature.MICROPHONE) == Decision.ASK
    assert future.permission(Feature.LOCATION) == Decision.ASK
    assert future.permission(Feature.CAMERA, Feature.SCREEN) == Decision.DENY
    assert future.permission() == Decision.DENY


# -- CSP -----------------------------------------------------------------------------------------

def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_csp_without_network_allows_no_remote_code() -> None:
    d = directives(web_policy("storage").csp or "")
    assert d["default-src"] == ["'self'"]
    for name in ("script-src", "style-src", "connect-src", "img-src", "font-src", "frame-src"):
        assert not any(v.startswith(("http", "ws", "*")) or v.endswith(":") and v not in ("data:", "blob:")
                       for v in d[name]), name
    assert d["object-src"] == ["'none'"]


def test_csp_with_network_allows_https_and_this_computer() -> None:
    d = directives(web_policy("network").csp or "")
    assert "https:" in d["script-src"] and "http:" not in d["script-src"]
    assert {"https:", "wss:", "http://127.0.0.1:*", "http://localhost:*"} <= set(d["connect-src"])
    assert "http:" not in d["connect-src"]


# -- the host processes' messages (core/host/wire.py) --------------------------------------------

def test_messages_are_one_line_each_and_come_back_the_same() -> None:
    from appstore.core.host.wire import decode, encode, identity_from_wire, identity_to_wire

    ident = installed_identity(installed(Path("/x"), ("storage", "wallet.pay")), Path("/x/index.html"))
    message = {"op": "open", "identity": identity_to_wire(ident), "name": "名前\nzwei", "icon": None}
    line = encode(message)
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and line.isascii()
    back = decode(line[:-1])
    assert back == message and identity_from_wire(back["identity"]) == ident


@pytest.mark.parametrize("line", [b"", b"not json", b"[1, 2]", b'{"x": 1}', b'{"op": 3}', "é".encode()])
def test_a_message_that_is_not_one_is_refused(line: bytes) -> None:
    from appstore.core.host.wire import WireError, decode

    with pytest.raises(WireError):
        decode(line)


def test_an_identity_from_the_pipe_is_checked() -> None:
    from appstore.core.host.wire import WireError, identity_from_wire

    good = {"store": "s", "app_id": "a", "kind": "web", "origin": "imapp-dapp://a.s",
            "start_url": "imapp-dapp://a.s/", "permissions": ["storage"], "version": "1"}
    assert identity_from_wire(good).permissions == ("storage",)
    for bad in ({**good, "kind": "plugin"}, {**good, "permissions": "network"},
                {**good, "permissions": [1]}, {**good, "origin": None}, "identity"):
        with pytest.raises(WireError):
            identity_from_wire(bad)


def test_lines_are_split_across_reads_and_an_oversized_one_is_skipped() -> None:
    from appstore.core.host import wire

    lines = wire.Lines()
    assert lines.feed(b'{"ev":"a"}\n{"ev"') == ([b'{"ev":"a"}'], 0)
    assert lines.feed(b':"b"}\n') == ([b'{"ev":"b"}'], 0)
    huge = b"x" * wire.MAX_LINE
    assert lines.feed(huge) == ([], 1)  # dropped as soon as it is too long...
    assert lines.feed(b"still the same line\n" + b'{"ev":"c"}\n') == ([b'{"ev":"c"}'], 0)  # ...to its end
    with pytest.raises(wire.WireError):
        wire.encode({"ev": "x", "blob": "y" * wire.MAX_LINE})
