"""Reading and validating a store source tree into the content of a signed store.

Layout (see docs/store-format.md#source-tree)::

    SRC/store.json                      id, name, description, categories
    SRC/apps/ID/app.json                texts, categories, kind, releases...
    SRC/apps/ID/icon.png
    SRC/apps/ID/screenshots/*.png|jpg
    SRC/apps/ID/screenshots/LANG/*.png|jpg  optional: the screenshots in a language (zh_CN...)
    SRC/apps/ID/releases/VERSION/       dapp.json + the DApp's static files
    SRC/common/                         optional files added to every package that lacks them
    SRC/rewards/policy.json ...         optional reserved targets, copied as they are

Every problem raises ``SourceError`` naming the file and what is wrong with it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appstore.core import versions
from appstore.core.catalog.checks import MAX_ICON, MAX_PACKAGE, MAX_SCREENSHOT
from appstore.core.catalog.models import (
    CATALOG_TARGET,
    FORMAT,
    LANGS,
    MAX_SCREENSHOTS,
    PERMISSIONS,
)
from appstore.core.catalog.parse import parse_catalog
from appstore.core.catalog.shards import split
from appstore.core.errors import CatalogError, SourceError

MAX_FILE = 32 * 1024 * 1024
MAX_FILES = 5000
# Names reserved for later parts of the product; copied from SRC when present.
RESERVED_TARGETS = ("rewards/policy.json", "swap/rates.json", "news/feed.xml", "games/rounds.json")
NEWS_IMAGES = "news/images"  # pictures the news feed shows (PNG or JPEG), published beside it
MAX_NEWS_IMAGE = 2 * 1024 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same files make the same package bytes


@dataclass
class StoreContent:
    """What a store publishes: the catalogue (as JSON data) and every other target's bytes."""

    catalog: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    def all_targets(self) -> dict[str, bytes]:
        """Every target: the catalogue, whole (``catalog/index.json``) and in shards (the
        shard index and its shards, ``catalog/shards…``), made from ``catalog``; then the other
        files. A ``catalog/…`` file in ``files`` (read back from a published store) is left out:
        the catalogue's files are always made afresh from ``catalog``."""
        body = json.dumps(self.catalog, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return {CATALOG_TARGET: body.encode("utf-8"), **split(self.catalog),
                **{k: v for k, v in self.files.items() if not k.startswith("catalog/")}}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise SourceError(f"{path}: file is missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SourceError(f"{path}: not valid UTF-8 JSON ({e})") from None


def _read_limited(path: Path, limit: int, what: str, magic: tuple[bytes, ...] = ()) -> bytes:
    if not path.is_file():
        raise SourceError(f"{path}: {what} is missing")
    size = path.stat().st_size
    if size > limit:
        raise SourceError(f"{path}: {what} is {size} bytes, more than the limit of {limit} bytes")
    data = path.read_bytes()
    if magic and not data.startswith(magic):
        raise SourceError(f"{path}: {what} must be a PNG or JPEG image")
    return data


def package_files(release_dir: Path, common: Path | None = None) -> dict[str, Path]:
    """The files of a release by their name in the package: the release folder's, plus the
    source tree's ``common/`` files it does not have itself (a kit shared by several DApps)."""
    files = {p.relative_to(release_dir).as_posix(): p for p in release_dir.rglob("*") if not p.is_dir()}
    if common is not None and common.is_dir():
        for p in common.rglob("*"):
            if not p.is_dir():
                files.setdefault(p.relative_to(common).as_posix(), p)
    return dict(sorted(files.items()))


def build_package(release_dir: Path, common: Path | None = None) -> bytes:
    """Zip a release reproducibly (sorted names, fixed dates and modes)."""
    files = package_files(release_dir, common)
    if len(files) > MAX_FILES:
        raise SourceError(f"{release_dir}: holds {len(files)} files, more than {MAX_FILES}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, p in files.items():
            if p.is_symlink():
                raise SourceError(f"{p}: links are not allowed in a package")
            data = _read_limited(p, MAX_FILE, "file")
            info = zipfile.ZipInfo(name, _ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    data = buf.getvalue()
    if len(data) > MAX_PACKAGE:
        raise SourceError(f"{release_dir}: package is {len(data)} bytes, over {MAX_PACKAGE}")
    return data


def _check_manifest(release_dir: Path, app_id: str, version: str, app_perms: list[str]) -> None:
    path = release_dir / "dapp.json"
    m = _read_json(path)
    if not isinstance(m, dict):
        raise SourceError(f"{path}: must be a JSON object")
    if m.get("id") != app_id:
        raise SourceError(f"{path}: id is {m.get('id')!r} but the app folder is {app_id!r}")
    if m.get("version") != version:
        raise SourceError(
            f"{path}: version is {m.get('version')!r} but the release folder is {version!r}"
        )
    entry = m.get("entry")
    if not isinstance(entry, str) or not entry or ".." in entry.split("/") or entry.startswith("/"):
        raise SourceError(f"{path}: 'entry' must name the DApp's start page, like index.html")
    if not (release_dir / entry).is_file():
        raise SourceError(f"{path}: entry page {entry!r} is not in {release_dir}")
    perms = m.get("permissions", [])
    if not isinstance(perms, list) or any(p not in PERMISSIONS for p in perms):
        raise SourceError(f"{path}: permissions must be a list drawn from {sorted(PERMISSIONS)}")
    extra = sorted(set(perms) - set(app_perms))
    if extra:
        raise SourceError(f"{path}: asks for {extra}, which app.json does not declare")


def _load_app(app_dir: Path, content: StoreContent) -> dict[str, Any]:
    app_id = app_dir.name
    meta_path = app_dir / "app.json"
    a = _read_json(meta_path)
    if not isinstance(a, dict):
        raise SourceError(f"{meta_path}: must be a JSON object")
    if a.get("id", app_id) != app_id:
        raise SourceError(f"{meta_path}: id is {a.get('id')!r} but the folder is named {app_id!r}")
    icon = f"icons/{app_id}.png"
    content.files[icon] = _read_limited(app_dir / "icon.png", MAX_ICON, "icon", (_PNG,))
    shots, l10n_shots = _screenshots(app_dir / "screenshots", app_id, content)
    perms = a.get("permissions", [])
    releases = []
    raw_releases = a.get("releases", [])
    if not isinstance(raw_releases, list):
        raise SourceError(f"{meta_path}: releases must be a list")
    for r in raw_releases:
        version = r.get("version") if isinstance(r, dict) else None
        if not isinstance(version, str) or not versions.is_valid(version):
            raise SourceError(f"{meta_path}: release version {version!r} is not like 1.2.3")
        rel_dir = app_dir / "releases" / version
        if not rel_dir.is_dir():
            raise SourceError(f"{rel_dir}: folder for release {version} is missing")
        _check_manifest(rel_dir, app_id, version, perms if isinstance(perms, list) else [])
        package = build_package(rel_dir, app_dir.parent.parent / "common")
        name = f"packages/{app_id}/{app_id}-{version}.zip"
        content.files[name] = package
        releases.append({
            "version": version,
            "date": r.get("date"),
            "changelog": r.get("changelog", {"en": "First release."}),
            "package": name,
            "size": len(package),
            "sha256": hashlib.sha256(package).hexdigest(),
        })
    # (screenshots come from the folders only, never from app.json)
    entry = {k: v for k, v in a.items() if k not in ("releases", "screenshots_l10n")}
    entry.update(id=app_id, icon=icon, screenshots=shots, releases=releases)
    if l10n_shots:
        entry["screenshots_l10n"] = l10n_shots
    return entry


def _screenshots(shot_dir: Path, app_id: str,
                 content: StoreContent) -> tuple[list[str], dict[str, list[str]]]:
    """The default screenshots (the folder's own images) and those of each language (its
    sub-folders, named like zh_CN), published as ``screenshots/ID/N.png`` and
    ``screenshots/ID/LANG/N.png``."""
    if not shot_dir.is_dir():
        return [], {}
    entries = sorted(p for p in shot_dir.iterdir() if not p.name.startswith("."))

    def publish(files: list[Path], folder: Path, prefix: str) -> list[str]:
        if len(files) > MAX_SCREENSHOTS:
            raise SourceError(f"{folder}: holds {len(files)} screenshots, more than {MAX_SCREENSHOTS}")
        names = []
        for i, p in enumerate(files):
            name = f"{prefix}/{i + 1}{p.suffix.lower()}"
            content.files[name] = _read_limited(p, MAX_SCREENSHOT, "screenshot", (_PNG, _JPEG))
            names.append(name)
        return names

    shots = publish([p for p in entries if not p.is_dir()], shot_dir, f"screenshots/{app_id}")
    l10n: dict[str, list[str]] = {}
    for lang_dir in (p for p in entries if p.is_dir()):
        lang = lang_dir.name
        if lang not in LANGS:
            raise SourceError(f"{lang_dir}: a screenshot folder must be named for a language "
                              f"({', '.join(LANGS)}), not {lang!r}")
        files = sorted(p for p in lang_dir.iterdir() if not p.name.startswith("."))
        if not files or any(p.is_dir() for p in files):
            raise SourceError(f"{lang_dir}: must hold the {lang} screenshots (PNG or JPEG) "
                              "and nothing else")
        l10n[lang] = publish(files, lang_dir, f"screenshots/{app_id}/{lang}")
    return shots, l10n


def load_source(src: Path) -> StoreContent:
    """Read and validate SRC; the result is ready for ``builder.publish``."""
    if not src.is_dir():
        raise SourceError(f"{src}: not a folder")
    store = _read_json(src / "store.json")
    if not isinstance(store, dict):
        raise SourceError(f"{src / 'store.json'}: must be a JSON object")
    content = StoreContent(catalog={})
    apps_dir = src / "apps"
    app_dirs = sorted(p for p in apps_dir.iterdir() if p.is_dir()) if apps_dir.is_dir() else []
    if not app_dirs:
        raise SourceError(f"{apps_dir}: no apps found (expected apps/ID/app.json)")
    apps = [_load_app(d, content) for d in app_dirs]
    content.catalog = {
        "format": FORMAT,
        "store": {k: store[k] for k in ("id", "name", "description") if k in store},
        "categories": store.get("categories"),
        "apps": apps,
    }
    try:
        parse_catalog(content.catalog, where=str(src), strict=True)
    except CatalogError as e:
        raise SourceError(_name_app_file(str(e), src, apps)) from None
    for name in RESERVED_TARGETS:
        path = src / name
        if path.exists():
            if name.endswith(".xml"):
                _check_feed(path)
            else:
                _read_json(path)
            content.files[name] = _read_limited(path, MAX_FILE, "file")
    images = src / NEWS_IMAGES
    if images.is_dir():
        for p in sorted(images.iterdir()):
            if p.is_file() and not p.name.startswith("."):
                content.files[f"{NEWS_IMAGES}/{p.name}"] = _read_limited(
                    p, MAX_NEWS_IMAGE, "news picture", (_PNG, _JPEG))
    return content


def _check_feed(path: Path) -> None:
    """The store's news feed must be a feed imapp reads (docs/news.md): Atom or RSS, UTF-8 or
    declared, no entity declarations."""
    from appstore.core.news.fetch import NewsError
    from appstore.core.news.parse import parse

    try:
        parsed = parse(path.read_bytes(), url="imapp-store://source/news/feed.xml",
                       store_links=True)
    except NewsError as e:
        raise SourceError(f"{path}: {e}") from None
    if parsed.warning:
        raise SourceError(f"{path}: {parsed.warning}")
    seen: dict[tuple[str, str], str] = {}  # (story, language) -> the entry that has it
    for entry in parsed.entries:
        key = (entry.story, entry.lang)
        if entry.story and key in seen:
            raise SourceError(f"{path}: entries {seen[key]!r} and {entry.guid!r} are both story "
                              f"{entry.story!r} in {entry.lang or 'no language'}: give each translation "
                              "its own xml:lang, or each story its own key (docs/news.md, Languages)")
        seen[key] = entry.guid


def _name_app_file(message: str, src: Path, apps: list[dict[str, Any]]) -> str:
    """Turn ``SRC: apps[3].name: ...`` into ``SRC/apps/ID/app.json: name: ...``."""
    prefix = f"{src}: apps["
    if message.startswith(prefix):
        idx, _, rest = message[len(prefix):].partition("]")
        if idx.isdigit() and int(idx) < len(apps):
            return f"{src / 'apps' / apps[int(idx)]['id'] / 'app.json'}: {rest.lstrip('.')}"
    if message.startswith(f"{src}: "):
        return f"{src / 'store.json'}: {message[len(str(src)) + 2:]}"
    return message
