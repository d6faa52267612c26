"""A corpus of malicious and broken packages: each is refused with a message naming the entry
and the problem, nothing is written outside the staging area, and the staging folder is removed.

The zips are real: made with ``zipfile`` and, where ``zipfile`` would not write the lie (a NUL
in a name, a forged size, overlapping entries), patched or assembled byte by byte.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import unicodedata
import uuid
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from appstore.core.library import Limits, PackageError
from appstore.core.library.unpack import unpack
from tests.core.test_library import APP, dapp_files, tree, zip_bytes

PERMS = ("storage", "network")
# An absolute path outside the test's folder that a broken unpacker would write to.
ABS_TARGET = Path("/tmp") / f"imapp-evil-{uuid.uuid4().hex}"


def info(name: str, mode: int = stat.S_IFREG | 0o644, method: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    i = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    i.external_attr = mode << 16
    i.compress_type = method
    return i


def with_entries(*entries: tuple[zipfile.ZipInfo, bytes], files: dict[str, bytes] | None = None) -> bytes:
    """A valid package plus ``entries`` written as they are (duplicates allowed)."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name"
        with zipfile.ZipFile(buf, "w") as zf:
            for name, data in sorted((files if files is not None else dapp_files()).items()):
                zf.writestr(info(name), data)
            for i, data in entries:
                zf.writestr(i, data)
    return buf.getvalue()


def extra(name: str, data: bytes = b"x", **kw: int) -> bytes:
    return with_entries((info(name, **kw), data))


def patch_central(data: bytes, name: str, **fields: int) -> bytes:
    """Rewrite fields of ``name``'s central directory record: flags, method, crc, csize, usize."""
    where = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "csize": (20, "<I"),
             "usize": (24, "<I")}
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46:pos + 46 + n] == name.encode():
            for field, value in fields.items():
                off, fmt = where[field]
                struct.pack_into(fmt, out, pos + off, value)
            return bytes(out)
        pos = out.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(f"{name} not in the central directory")


def rename_bytes(data: bytes, old: bytes, new: bytes) -> bytes:
    """Replace a name (same length) in the local header and the central directory."""
    assert len(old) == len(new) and data.count(old) == 2
    return data.replace(old, new)


def raw_zip(entries: list[tuple[bytes, bytes, int]]) -> bytes:
    """A stored zip assembled by hand: (name, data at that offset, size declared for it).
    Entries are laid out one after the other; the sizes may claim more than is there."""
    body = b""
    central = b""
    for name, data, size in entries:
        crc = zlib.crc32(data[:size]) if size <= len(data) else zlib.crc32(data)
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, size, size, len(name), 0)
        body += name + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, 0, 0, 0, crc, size, size,
                               len(name), 0, 0, 0, 0, (stat.S_IFREG | 0o644) << 16, offset) + name
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                       len(body), 0)
    return body + central + eocd


def overlapping() -> bytes:
    """Two entries sharing bytes: a.html's stored data *is* b.html's local header and data (the
    trick that lets a small zip unpack to a huge total)."""
    b_data = b"<h1>b</h1>" * 100
    b_local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, zlib.crc32(b_data), len(b_data),
                          len(b_data), 6, 0) + b"b.html" + b_data
    a_local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, zlib.crc32(b_local), len(b_local),
                          len(b_local), 6, 0) + b"a.html"
    body = a_local + b_local
    central = b""
    for name, crc, size, offset in ((b"a.html", zlib.crc32(b_local), len(b_local), 0),
                                    (b"b.html", zlib.crc32(b_data), len(b_data), len(a_local))):
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, 0, 0, 0, crc, size, size,
                               len(name), 0, 0, 0, 0, (stat.S_IFREG | 0o644) << 16, offset) + name
    return body + central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(central), len(body), 0)


def many_files(n: int) -> bytes:
    files = dapp_files()
    files.update({f"f/{i}.txt": b"" for i in range(n)})
    return zip_bytes(files)


def bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in dapp_files().items():
            zf.writestr(info(name), data)
        zf.writestr(info("bomb.bin"), bytes(4 * 1024 * 1024))  # 4 MiB of zeros: ~1000:1
    return buf.getvalue()


RANDOM = os.urandom(300_000)  # does not compress


def manifest(**kw: object) -> bytes:
    return zip_bytes(dapp_files(**kw))  # type: ignore[arg-type]


def without_manifest() -> bytes:
    files = dapp_files()
    del files["dapp.json"]
    return zip_bytes(files)


def manifest_bytes(raw: bytes) -> bytes:
    files = dapp_files()
    files["dapp.json"] = raw
    return zip_bytes(files)


def truncated(cut: float) -> bytes:
    data = zip_bytes(dapp_files())
    return data[: int(len(data) * cut)]


def corrupted_data() -> bytes:
    """The central directory intact, a member's compressed bytes overwritten."""
    data = bytearray(with_entries((info("blob.bin"), RANDOM)))
    start = data.find(b"blob.bin") + 8 + 1000
    data[start:start + 500] = bytes(500)
    return bytes(data)


NFC = unicodedata.normalize("NFC", "café.html")
NFD = unicodedata.normalize("NFD", "café.html")

# (id, package bytes, limits, the message must match)
CASES: list[tuple[str, Callable[[], bytes], Limits | None, str]] = [
    ("dotdot", lambda: extra("../evil.html"), None, r"'\.\./evil\.html' has a '\.\.' part"),
    ("dotdot-deep", lambda: extra("js/../../../../evil.html"), None, r"'\.\.' part"),
    ("dotdot-folder", lambda: extra("../up/"), None, r"'\.\./up/' has a '\.\.' part"),
    ("absolute", lambda: extra(str(ABS_TARGET)), None, r"is an absolute path"),
    ("drive-backslash", lambda: extra("C:\\evil.html"), None,
     r"'C:\\\\evil\.html' starts with a drive letter"),
    ("drive", lambda: extra("C:evil.html"), None, r"starts with a drive letter"),
    ("backslash", lambda: extra("a\\b.html"), None, r"'a\\\\b\.html' uses a backslash"),
    ("backslash-dotdot", lambda: extra("..\\..\\evil.html"), None, r"uses a backslash"),
    ("symlink", lambda: extra("link", b"../../../../etc/passwd", mode=stat.S_IFLNK | 0o777), None,
     r"'link' is a symbolic link"),
    ("symlink-dir", lambda: extra("js/link/", b"", mode=stat.S_IFLNK | 0o777), None, r"symbolic link"),
    ("fifo", lambda: extra("pipe", b"", mode=stat.S_IFIFO | 0o644), None, r"'pipe' is a FIFO"),
    ("char-device", lambda: extra("dev", b"", mode=stat.S_IFCHR | 0o644), None,
     r"'dev' is a character device"),
    ("block-device", lambda: extra("disk", b"", mode=stat.S_IFBLK | 0o644), None, r"is a block device"),
    ("socket", lambda: extra("sock", b"", mode=stat.S_IFSOCK | 0o644), None, r"is a socket"),
    ("duplicate", lambda: extra("index.html", b"<h1>second</h1>"), None,
     r"'index\.html' is in the package twice"),
    ("duplicate-case", lambda: with_entries((info("A.html"), b"A"), (info("a.html"), b"a")), None,
     r"'a\.html' and 'A\.html' differ only in letter case"),
    ("duplicate-case-folder", lambda: with_entries((info("JS/x.js"), b"x")), None,
     r"'JS/x\.js' is in the folder 'JS', and 'js' differs only in letter case"),
    ("duplicate-case-folder-entry", lambda: with_entries((info("Js/", stat.S_IFDIR | 0o755), b"")), None,
     r"'Js/' and 'js/' differ only in letter case"),
    ("duplicate-nfc-nfd", lambda: with_entries((info(NFC), b"1"), (info(NFD), b"2")), None,
     r"differ only in letter case or Unicode form"),
    ("file-and-folder", lambda: with_entries((info("index.html/x.js"), b"x")), None,
     r"'index\.html/x\.js' is inside 'index\.html', which is a file"),
    ("too-many-files", lambda: many_files(10_001), None,
     r"holds 100\d\d entries, more than the limit of 10000"),
    ("too-many-bytes", lambda: with_entries((info("blob.bin"), RANDOM)), Limits(max_bytes=200_000),
     r"would unpack to \d+ bytes, more than the limit of 200000"),
    ("lying-header-smaller", lambda: patch_central(with_entries((info("blob.bin"), RANDOM)), "blob.bin",
                                                   usize=1000), None,
     r"'blob\.bin' is damaged or does not match its header"),
    ("lying-header-bigger", lambda: patch_central(with_entries((info("blob.bin"), RANDOM)), "blob.bin",
                                                  usize=600_000), None,
     r"'blob\.bin' holds 300000 bytes but its header says 600000"),
    ("lying-stored-size", lambda: raw_zip([(b"dapp.json", b"{}", 2), (b"big.bin", b"x" * 50, 5000)]), None,
     r"damaged|does not match|truncated"),
    ("zip-bomb", bomb, None, r"'bomb\.bin' would expand \d+:1 .*a zip bomb"),
    ("overlapping", overlapping, None, r"'a\.html' overlaps the next entry"),
    ("encrypted", lambda: patch_central(extra("secret.txt", b"secret"), "secret.txt", flags=0x1), None,
     r"'secret\.txt' is encrypted"),
    ("bzip2", lambda: extra("x.txt", b"hello" * 100, method=zipfile.ZIP_BZIP2), None,
     r"'x\.txt' uses compression method 12; only stored and deflate"),
    ("unknown-method", lambda: patch_central(extra("x.txt", b"hello"), "x.txt", method=99), None,
     r"uses compression method 99"),
    ("nul-in-name", lambda: rename_bytes(extra("aXb.html"), b"aXb.html", b"a\x00b.html"), None,
     r"'a\\x00b\.html' has a NUL byte in its name"),
    ("control-in-name", lambda: extra("a\x07b.html"), None, r"has the control character '\\x07'"),
    ("bidi-in-name", lambda: extra("evil\u202egnp.html"), None, r"control character"),
    ("too-deep", lambda: extra("d/" * 40 + "x.html"), None, r"is nested deeper than 32 folders"),
    ("long-part", lambda: extra("x" * 300 + ".html"), None, r"has a part longer than 255 bytes"),
    ("long-path", lambda: extra("/".join(["y" * 100] * 11) + ".html"), None,
     r"is longer than 1024 characters"),
    ("empty-part", lambda: extra("js//x.js"), None, r"has an empty or '\.' part"),
    ("windows-device", lambda: extra("con.html"), None, r"device name on Windows"),
    ("windows-char", lambda: extra("what?.html"), None, r"character Windows does not allow"),
    ("trailing-dot", lambda: extra("page.html."), None, r"ending with a dot or a space"),
    ("folder-with-data", lambda: extra("js/", b"data"), None, r"'js/' is a folder entry that holds data"),
    ("manifest-missing", without_manifest, None, r"has no dapp\.json at its root"),
    ("manifest-not-json", lambda: manifest_bytes(b"{id: 1"), None, r"dapp\.json is not valid UTF-8 JSON"),
    ("manifest-not-utf8", lambda: manifest_bytes(b'{"id": "\xff"}'), None, r"not valid UTF-8 JSON"),
    ("manifest-not-object", lambda: manifest_bytes(b"[1, 2]"), None, r"dapp\.json must be a JSON object"),
    ("manifest-too-big", lambda: manifest_bytes(b" " * 70_000 + b"{}"), None, r"dapp\.json is larger than"),
    ("manifest-wrong-id", lambda: manifest(app_id="org.test.other"), None,
     r"dapp\.json says the app is 'org\.test\.other' but the catalogue says 'org\.test\.notes'"),
    ("manifest-wrong-version", lambda: manifest(version="2.0.0"), None,
     r"dapp\.json says version '2\.0\.0' but the catalogue says '1\.0\.0'"),
    ("manifest-entry-missing", lambda: manifest(entry="start.html"), None,
     r"the entry page 'start\.html' is not in the package"),
    ("manifest-entry-escapes", lambda: manifest(entry="../index.html"), None,
     r"the entry page '\.\./index\.html' has a '\.\.' part"),
    ("manifest-entry-not-string", lambda: manifest(entry=5), None, r"'entry' must name the app's start page"),
    ("manifest-extra-permission", lambda: manifest(perms=("storage", "wallet.pay")), None,
     r"dapp\.json asks for 'wallet\.pay', which the catalogue does not list"),
    ("manifest-permissions-not-list", lambda: manifest(permissions="storage"), None,
     r"'permissions' must be a list"),
    ("not-a-zip", lambda: b"\x89PNG\r\n\x1a\n" + bytes(100), None, r"is not a zip file"),
    ("empty-file", lambda: b"", None, r"is not a zip file"),
    ("truncated-end", lambda: truncated(0.9), None, r"is not a zip file, or it is damaged or truncated"),
    ("truncated-half", lambda: truncated(0.5), None, r"is not a zip file"),
    ("corrupted-data", corrupted_data, None, r"'blob\.bin' is damaged or does not match its header"),
]


def test_the_corpus_is_broad() -> None:
    assert len(CASES) >= 40 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("build", "limits", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_package_is_refused_and_nothing_is_written(
        tmp_path: Path, build: Callable[[], bytes], limits: Limits | None, message: str) -> None:
    package = tmp_path / "downloads" / "pkg.zip"
    package.parent.mkdir()
    package.write_bytes(build())
    staging = tmp_path / "data" / "library" / "staging"
    staging.mkdir(parents=True)
    before = tree(tmp_path)
    with pytest.raises(PackageError, match=message) as e:
        unpack(package, staging, app_id=APP, version="1.0.0", permissions=PERMS,
               **({"limits": limits} if limits else {}))
    assert str(e.value).startswith("package refused: ")
    assert tree(tmp_path) == before  # staging is empty again; nothing anywhere else
    assert not ABS_TARGET.exists() and not (tmp_path.parent / "evil.html").exists()


def test_a_good_package_unpacks_with_safe_modes(tmp_path: Path) -> None:
    files = dapp_files(entry="pages/start.html")
    files["pages/start.html"] = b"<h1>start</h1>"
    files["数据/说明.txt"] = "说明".encode()
    files["empty.txt"] = b""
    package = tmp_path / "pkg.zip"
    package.write_bytes(zip_bytes(files))
    staging = tmp_path / "staging"
    got = unpack(package, staging, app_id=APP, version="1.0.0", permissions=PERMS)
    assert got.folder.parent == staging and got.files == len(files)
    assert got.size == sum(map(len, files.values()))
    assert got.manifest.entry == "pages/start.html" and got.manifest.permissions == ("storage",)
    for name, data in files.items():
        p = got.folder / name
        assert p.read_bytes() == data and stat.S_IMODE(p.stat().st_mode) == 0o644
    for d in (got.folder, got.folder / "pages", got.folder / "数据"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o755


def test_folder_entries_and_stored_entries_are_fine(tmp_path: Path) -> None:
    data = with_entries((info("media/", stat.S_IFDIR | 0o755), b""),
                        (info("media/clip.bin", method=zipfile.ZIP_STORED), RANDOM))
    package = tmp_path / "pkg.zip"
    package.write_bytes(data)
    got = unpack(package, tmp_path / "staging", app_id=APP, version="1.0.0", permissions=PERMS)
    assert (got.folder / "media" / "clip.bin").read_bytes() == RANDOM


def test_two_entries_at_the_same_offset_overlap(tmp_path: Path) -> None:
    """Two central directory records pointing at one local header: refused before anything is
    read."""
    data = raw_zip([(b"a.html", b"<h1>a</h1>", 10)])
    cd = data.index(b"PK\x01\x02")
    record = data[cd:data.index(b"PK\x05\x06")]
    twice = data[:cd] + record + record.replace(b"a.html", b"b.html")
    twice += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, 2 * len(record), cd, 0)
    package = tmp_path / "pkg.zip"
    package.write_bytes(twice)
    with pytest.raises(PackageError, match="overlaps the next entry"):
        unpack(package, tmp_path / "staging", app_id=APP, version="1.0.0", permissions=PERMS)
    assert list((tmp_path / "staging").iterdir()) == []
