"""The decoded images kept are bounded by their bytes (``images.CACHE_BYTES``), not their number:
a long scroll through a big store keeps the icons last shown, never all of them."""

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from appstore.ui import images as images_module
from appstore.ui.images import image_key
from appstore.ui.models import ICON_SIZE, Roles
from tests.ui.conftest import make_desktop
from tests.ui.test_image_lane import APPS, many  # noqa: F401 - the fixture: a store of APPS apps


def test_the_images_kept_fit_in_their_bytes(qtbot: QtBot, many: Path,  # noqa: F811
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    icon_bytes = ICON_SIZE.width() * ICON_SIZE.height() * 4
    monkeypatch.setattr(images_module, "CACHE_BYTES", 10 * icon_bytes)  # room for 10 icons
    d = make_desktop(qtbot, many)
    images, model = d.window.images, d.window.model
    assert model.rowCount() == APPS
    apps = [model.index(r, 0).data(Roles.APP) for r in range(40)]
    keys = [image_key(a.store, a.icon, ICON_SIZE) for a in apps]
    d.window.hide()  # (no grid paints asking for icons of their own meanwhile)
    qtbot.waitUntil(lambda: not images.busy(), timeout=10000)  # the start's first screen
    for app in apps:  # one after the other, as cards scrolled to
        qtbot.waitUntil(lambda a=app: images.pixmap(a.store, a.icon, ICON_SIZE) is not None,
                        timeout=10000)
    kept = [k for k in keys if k in images._cache]
    assert kept == keys[-10:]  # the last ten asked for, the others let go
    assert images._cache_bytes <= images_module.CACHE_BYTES
    assert images._cache_bytes == sum(p.width() * p.height() * p.depth() // 8
                                      for p in images._cache.values())
    d.window.close()
