"""The demo store's product-authenticity DApp (org.imapp.authentic): it publishes, and its logic
works in a real browser engine (signed codes; genuine, cloned and forged results)."""

import base64
import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView  # before any QApplication exists
from pytestqt.qtbot import QtBot
from tuf.api.metadata import Metadata

from appstore.core.catalog.parse import parse_catalog
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import init_keys
from appstore.core.publish.source import load_source, package_files
from appstore.core.resources import DEMO_SOURCE
from tests.pagekit import ConsolePage

APP_ID = "org.imapp.authentic"
RELEASE = DEMO_SOURCE / "apps" / APP_ID / "releases" / "1.0.0"
# Qt WebEngine probes for OpenGL when it starts; headless machines have none, and it says so.
pytestmark = pytest.mark.qt_log_ignore(
    "QRhiGles2: Failed to create", "Failed to create RHI for backend", "GPUInfo not initialized", extend=True)


def _b64u(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _enc(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_published_catalogue_has_authentic(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(load_source(DEMO_SOURCE), out, init_keys(tmp_path / "keys"))
    latest = max((out / "metadata").glob("*.targets.json"), key=lambda p: int(p.name.split(".")[0]))
    targets = Metadata.from_bytes(latest.read_bytes()).signed.targets

    def target(name: str) -> bytes:
        info = targets[name]
        folder, _, base = name.rpartition("/")
        data = (out / "targets" / folder / f"{info.hashes['sha256']}.{base}").read_bytes()
        assert len(data) == info.length and hashlib.sha256(data).hexdigest() == info.hashes["sha256"]
        return data

    raw = json.loads(target("catalog/index.json"))
    catalog = parse_catalog(raw)
    app = next(a for a in catalog.apps if a.id == APP_ID)
    for field in (app.name, app.summary, app.description):
        assert field["en"] and field["zh_CN"]
    assert app.name["en"] == "Authentic" and app.name["zh_CN"] == "正品验证"
    for word in ("Genuine", "Cloned", "Forged"):
        assert word in app.description["en"]
    assert app.categories == ("supply-chain",) and "supply-chain" in catalog.categories
    assert app.permissions == ("storage",) and app.kind == "web" and not app.featured
    assert app.developer == "imapp Labs" and app.website == "https://imapp.example.org/apps/authentic"
    assert len(app.screenshots) == 2 and app.icon in targets
    [release] = app.releases
    assert (release.version, release.date) == ("1.0.0", "2026-11-20")
    assert release.changelog["en"] and release.changelog["zh_CN"]
    package = target(release.package)
    assert len(package) == release.size and hashlib.sha256(package).hexdigest() == release.sha256
    with zipfile.ZipFile(__import__("io").BytesIO(package)) as zf:
        names = set(zf.namelist())
        assert {"dapp.json", "index.html", "i18n.js", "style.css"} <= names  # the shared kit too
        manifest = json.loads(zf.read("dapp.json"))
    assert manifest == {"id": APP_ID, "version": "1.0.0", "entry": "index.html", "permissions": ["storage"]}


class Device:
    """One browser with its own (off-the-record) storage, showing the DApp from a file:// URL."""

    def __init__(self, qtbot: QtBot, site: Path, lang: str = "en") -> None:
        self.qtbot = qtbot
        self.profile = QWebEngineProfile()  # no storage name: off the record
        self.view = QWebEngineView()
        self.page = ConsolePage(self.profile, self.view)
        self.view.setPage(self.page)
        self._n = 0
        with qtbot.waitSignal(self.view.loadFinished, timeout=30000) as blocker:
            self.view.load(QUrl(QUrl.fromLocalFile(str(site / "index.html")).toString() + f"?lang={lang}"))
        assert blocker.args == [True]
        assert self.call("await window.authentic.ready; return window.isSecureContext && !!crypto.subtle")

    def call(self, body: str) -> Any:
        """Run ``body`` as an async JS function in the page; its result, through JSON."""
        self._n += 1
        slot = f"__test{self._n}"
        self.page.runJavaScript(
            f"window.{slot} = null; (async () => {{ {body} }})().then("
            f"r => {{ window.{slot} = JSON.stringify({{ok: r === undefined ? null : r}}); }},"
            f"e => {{ window.{slot} = JSON.stringify({{error: String(e && e.message || e)}}); }});", 0)
        got: dict[str, Any] = {}

        def done() -> None:
            self.page.runJavaScript(f"window.{slot}", 0, lambda v: got.__setitem__("v", v))
            assert got.get("v")

        self.qtbot.waitUntil(done, timeout=15000)
        result = json.loads(got["v"])
        if "error" in result:
            raise RuntimeError(result["error"])
        return result["ok"]

    def close(self) -> None:
        problems = self.page.problems
        self.view.close()
        shiboken6.delete(self.view)  # and the page with it, before its profile
        shiboken6.delete(self.profile)
        assert problems == []


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The DApp's files exactly as its package holds them (the release plus the shared kit)."""
    folder = tmp_path / "site"
    for name, path in package_files(RELEASE, DEMO_SOURCE / "common").items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / name)
    return folder


@pytest.fixture
def devices(qtbot: QtBot, site: Path):  # type: ignore[no-untyped-def]
    made: list[Device] = []

    def make(lang: str = "en") -> Device:
        made.append(Device(qtbot, site, lang))
        return made[-1]

    yield make
    for d in made:
        d.close()


def _js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_register_then_genuine_cloned_forged(devices) -> None:  # type: ignore[no-untyped-def]
    a = devices()
    # first run: the demo maker and its two products
    [seeded] = a.call("return authentic.makers()")
    assert seeded["name"] == "Hangzhou Valve Works" and seeded["own"]
    assert len(a.call("return authentic.products()")) == 2

    maker = a.call("return await authentic.createMaker('Ningbo Bearing Co.')")
    assert re.fullmatch(r"[0-9a-f]{16}", maker["id"]) and maker["own"]
    assert maker["fingerprint"] == " ".join(re.findall("....", maker["id"]))
    product = {"maker": maker["id"], "product": "Deep groove ball bearing 6204", "serial": "NBC-6204-000017",
               "batch": "B-2026-47"}
    rec = a.call(f"return await authentic.register({_js(product)})")
    code = rec["code"]
    m = re.fullmatch(r"AUTH1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{86})", code)
    assert m, code
    payload = json.loads(_b64u(m[1]))
    assert payload["k"] == maker["id"] and payload["m"] == "Ningbo Bearing Co."
    assert [payload[k] for k in "psb"] == [product[k] for k in ("product", "serial", "batch")]

    # the signature is plain ECDSA P-256 / SHA-256 over "AUTH1.<payload>", checkable anywhere
    prefix, raw_key, name = maker["publicKey"].split(".")
    assert prefix == "AUTHPUB1" and _b64u(name).decode() == "Ningbo Bearing Co."
    key_bytes = _b64u(raw_key)
    assert hashlib.sha256(key_bytes).hexdigest()[:16] == maker["id"]
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key_bytes)
    sig = _b64u(m[2])
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    public.verify(der, f"AUTH1.{m[1]}".encode(), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        public.verify(der, b"AUTH1." + m[1].encode() + b"x", ec.ECDSA(hashes.SHA256()))

    first = a.call(f"return await authentic.verify({_js(code)})")
    assert first["result"] == "genuine" and first["serial"] == "NBC-6204-000017" and first["count"] == 1
    assert first["maker"] == "Ningbo Bearing Co."
    again = a.call(f"return await authentic.verify({_js(code)})")
    assert again["result"] == "cloned" and again["count"] == 2 and again["firstSeen"] == first["firstSeen"]

    flipped = a.call(f"return authentic.tamper({_js(code)})")
    assert flipped != code and len(flipped) == len(code)
    assert sum(x != y for x, y in zip(flipped, code, strict=True)) == 1
    forged = a.call(f"return await authentic.verify({_js(flipped)})")
    assert forged["result"] == "forged" and forged["reason"] == "badsig"
    # a changed serial under the original signature
    changed = dict(payload, s="NBC-6204-000018")
    tampered = f"AUTH1.{_enc(json.dumps(changed).encode())}.{m[2]}"
    assert a.call(f"return await authentic.verify({_js(tampered)})")["reason"] == "badsig"
    for junk in ("", "AUTH1.garbage", "AUTH1.e30." + m[2], code.replace("AUTH1", "AUTH2"), code + "x"):
        assert a.call(f"return await authentic.verify({_js(junk)})")["reason"] == "malformed", junk
    # a code spread over lines (as typed from a label) is still the same code
    wrapped = "\n".join(code[i:i + 40] for i in range(0, len(code), 40))
    assert a.call(f"return await authentic.verify({_js(wrapped)})")["result"] == "cloned"

    results = [h["result"] for h in a.call("return authentic.history()")]
    assert results == ["cloned"] + ["forged"] * 7 + ["cloned", "genuine"]
    assert a.call("return document.getElementById('verdict').className") == "verdict cloned"
    assert "NBC-6204-000017" in a.call("return document.getElementById('hist').textContent")
    with pytest.raises(RuntimeError, match="already registered"):
        a.call(f"return await authentic.register({_js(product)})")
    # the keys persist as JWK in localStorage, the private part only for makers made here
    stored = a.call("return JSON.parse(localStorage.getItem('authentic.makers'))")
    assert {s["kid"] for s in stored} == {seeded["id"], maker["id"]}
    assert all(set(s["priv"]) == {"kty", "crv", "x", "y", "d"} for s in stored)


def test_other_device_trusts_an_imported_maker(devices) -> None:  # type: ignore[no-untyped-def]
    factory, shop = devices(), devices()
    maker = factory.call("return await authentic.createMaker('Suzhou Pump Works')")
    pump = {"maker": maker["id"], "product": "Pump", "serial": "SPW-1", "batch": "A"}
    code = factory.call(f"return (await authentic.register({_js(pump)})).code")
    unknown = shop.call(f"return await authentic.verify({_js(code)})")
    assert unknown["result"] == "forged" and unknown["reason"] == "unknown"
    imported = shop.call(f"return await authentic.importMaker({_js(maker['publicKey'])})")
    assert imported["added"] and not imported["own"] and imported["id"] == maker["id"]
    assert not shop.call(f"return (await authentic.importMaker({_js(maker['publicKey'])})).added")
    with pytest.raises(RuntimeError, match="AUTHPUB1"):
        shop.call("return await authentic.importMaker('AUTHPUB1.nonsense.x')")
    # the scan log is per device: the first scan here is genuine, the next one a clone
    assert shop.call(f"return (await authentic.verify({_js(code)})).result") == "genuine"
    assert shop.call(f"return (await authentic.verify({_js(code)})).result") == "cloned"
    # an imported maker can be checked against but cannot sign here
    with pytest.raises(RuntimeError, match="maker"):
        shop.call(f"return await authentic.register({_js(dict(pump, serial='SPW-2'))})")


def _click(d: Device, button: str) -> str:
    """Click a button; the verdict's class once it changed."""
    return d.call(
        "const v = document.getElementById('verdict'), before = v.className;"
        f"document.getElementById({_js(button)}).click();"
        "for (let i = 0; i < 100 && v.className === before; i++) await new Promise(r => setTimeout(r, 50));"
        "return v.className")


def test_demo_buttons_and_chinese(devices) -> None:  # type: ignore[no-untyped-def]
    d = devices("zh")
    assert d.call("return document.querySelector('h1').textContent") == "正品验证"
    assert d.call("return document.documentElement.lang") == "zh-CN"
    assert [m["name"] for m in d.call("return authentic.makers()")] == ["杭州阀门厂"]
    # every string exists in both languages, and every label on the page has one
    assert d.call("return Object.keys(STRINGS.en).sort().join() === Object.keys(STRINGS.zh).sort().join()")
    assert d.call("return [...document.querySelectorAll('[data-t],[data-tp]')]"
                  ".map(e => e.dataset.t || e.dataset.tp).filter(k => !(k in STRINGS.en))") == []
    # the two demo buttons, clicked
    assert _click(d, "tryClone") == "verdict cloned"
    assert _click(d, "tryForged") == "verdict forged"
    assert "伪造" in d.call("return document.getElementById('verdict').textContent")
    assert [h["result"] for h in d.call("return authentic.history()")] == ["forged", "cloned", "genuine"]
    # Copy works, or (without clipboard access) selects the code for Ctrl+C
    copied = d.call("document.getElementById('tagCopy').click(); await new Promise(r => setTimeout(r, 300));"
                    "return [document.getElementById('tagCopy').textContent, String(getSelection())]")
    assert copied[0] == "已复制" or (copied[0] == "已选中：按 Ctrl+C 复制" and copied[1].startswith("AUTH1."))
    # and the store screenshots' sample run
    d.call("await window.demo()")
    assert [h["result"] for h in d.call("return authentic.history()")][:4] == [
        "cloned", "genuine", "forged", "cloned"]  # the gate valve was seen before
