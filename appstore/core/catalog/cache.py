"""A fast local form of a verified catalogue (``marshal`` of plain tuples).

Validating a big catalogue is slow; it is done once, when a new catalogue is downloaded and
verified. The result is kept next to it, keyed by the catalogue's SHA-256, so later starts load
it in a fraction of the time. marshal only builds plain data: nothing in it runs.
"""

from __future__ import annotations

import marshal
from dataclasses import fields
from typing import Any

from appstore.core.catalog.models import App, Catalog, Release

VERSION = 1
_APP_FIELDS = [f.name for f in fields(App)]
_REL_FIELDS = [f.name for f in fields(Release)]


def dump(catalog: Catalog, digest: str) -> bytes:
    apps = []
    for a in catalog.apps:
        row = [getattr(a, n) for n in _APP_FIELDS]
        row[_APP_FIELDS.index("releases")] = tuple(
            tuple(getattr(r, n) for n in _REL_FIELDS) for r in a.releases
        )
        apps.append(tuple(row))
    body = (VERSION, digest, catalog.store_id, catalog.store_name, catalog.generated,
            dict(catalog.categories), tuple(apps))
    return marshal.dumps(body)


def load(data: bytes, digest: str, store: str) -> Catalog | None:
    """The cached catalogue (its apps marked as from ``store``), or None if the cache is for
    another catalogue or format."""
    try:
        body: Any = marshal.loads(data)
        version, cached_digest, store_id, store_name, generated, categories, apps = body
    except (ValueError, EOFError, TypeError):
        return None
    if version != VERSION or cached_digest != digest:
        return None
    rel_at = _APP_FIELDS.index("releases")
    store_at = _APP_FIELDS.index("store")
    out = []
    for row in apps:
        row = list(row)
        row[rel_at] = tuple(Release(*r) for r in row[rel_at])
        row[store_at] = store
        out.append(App(*row))
    return Catalog(store_id, store_name, generated, categories, tuple(out))
