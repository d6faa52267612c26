"""Icons and screenshots, fetched and verified through the store, decoded off the GUI thread,
in their own ``images`` lane (a screenful of icons never delays a swap quote in ``io``).

A grid that scrolls asks for its cards' icons as it paints them (inside ``painting_grid()``);
those loads are dropped again by ``keep_only`` once their cards are out of sight, so a fast
scroll through 100,000 apps does not queue a load for every card it passed. An image asked for
anywhere else (an app page, a banner) is never dropped that way."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterator

from PySide6.QtCore import QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from appstore.core.catalog.checks import ImageKind, check_image, image_limit
from appstore.core.errors import AppStoreError
from appstore.core.jobs import JobContext
from appstore.ui import theme
from appstore.ui.controller import Controller, load_store_code
from appstore.ui.jobs import Job

# The decoded images kept, by their bytes: a card's icon is 49 KB (112 px), a screenshot up to
# some MB; counting images let a long scroll through a big store keep 3,000 icons (150 MB).
# 32 MiB: some 650 card icons, thirty screens of cards.
CACHE_BYTES = 32 * 2**20
# An icon whose outline is this close to the background has no visible edge (a navy icon on the
# dark theme's navy cards): it gets a thin ring in the theme's icon_ring colour (3:1 or more
# against the backgrounds). Brighter icons keep their own look: a brand's colours are its own.
EDGE_CONTRAST = 1.5


def edge_color(image: QImage) -> QColor | None:
    """The mean colour of an icon's outline (its opaque pixels beside transparency or the
    picture's border), or None when it has no opaque pixel. Runs in the loader's worker."""
    small = image.scaled(48, 48, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)
    small = small.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h, line = small.width(), small.height(), small.bytesPerLine()
    data = bytes(small.constBits())[: line * h]

    def alpha(x: int, y: int) -> int:
        return data[y * line + x * 4 + 3] if 0 <= x < w and 0 <= y < h else 0

    r = g = b = n = 0
    for y in range(h):
        for x in range(w):
            if alpha(x, y) >= 128 and min(alpha(x + 1, y), alpha(x - 1, y), alpha(x, y + 1),
                                          alpha(x, y - 1)) < 128:
                i = y * line + x * 4
                r, g, b, n = r + data[i], g + data[i + 1], b + data[i + 2], n + 1
    return QColor(r // n, g // n, b // n) if n else None


def needs_ring(edge: QColor | None, theme_name: str) -> bool:
    c = theme.colors(theme_name)
    return edge is not None and min(theme.contrast(edge, c[k]) for k in ("card", "window")) < EDGE_CONTRAST


def ringed(pix: QPixmap, color: QColor) -> QPixmap:
    """``pix`` on its own silhouette grown by a pixel, in ``color``: a thin ring around it."""
    mask = QPixmap(pix.size())
    mask.fill(Qt.GlobalColor.transparent)
    p = QPainter(mask)
    p.drawPixmap(0, 0, pix)
    p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    p.fillRect(mask.rect(), color)
    p.end()
    out = QPixmap(pix.size())
    out.setDevicePixelRatio(pix.devicePixelRatio())
    out.fill(Qt.GlobalColor.transparent)
    p = QPainter(out)
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)):
        p.drawPixmap(QPoint(dx, dy), mask)
    p.drawPixmap(0, 0, pix)
    p.end()
    return out


def image_key(store: str, target: str, size: QSize) -> str:
    return f"{store}\n{target}\n{size.width()}x{size.height()}"


def _bytes(pix: QPixmap) -> int:
    return pix.width() * pix.height() * max(pix.depth(), 8) // 8


class ImageLoader(QObject):
    """Signals: ``loaded(str)`` the key of an image now in the cache (or failed for good)."""

    loaded = Signal(str)

    def __init__(self, controller: Controller) -> None:
        super().__init__(controller)
        self.controller = controller
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._cache_bytes = 0  # of the images in ``_cache``
        self._edges: dict[str, QColor] = {}  # icon key -> its outline's colour
        self._ringed: dict[tuple[str, str], QPixmap] = {}  # (key, theme) -> the icon with a ring
        self._pending: dict[str, Job] = {}  # key -> its load, queued or running
        self._droppable: set[str] = set()  # pending keys asked for by a grid's paint alone
        self._in_grid = False
        self._failed: set[str] = set()

    def busy(self) -> bool:
        return bool(self._pending)

    def loading(self) -> set[str]:
        """The keys of the images being loaded (queued or running)."""
        return set(self._pending)

    @contextlib.contextmanager
    def painting_grid(self) -> Iterator[None]:
        """Images asked for inside this (a scrolling grid's paint) may be dropped by
        ``keep_only`` when their cards leave the screen."""
        self._in_grid = True
        try:
            yield
        finally:
            self._in_grid = False

    def keep_only(self, keys: set[str]) -> int:
        """Cancel the loads asked for by a grid's paint whose keys are not in ``keys`` (the
        cards on screen now): a queued one never starts; one already running finishes and is
        cached. A card that comes back asks again. Returns how many were cancelled."""
        gone = [k for k in self._droppable if k not in keys]
        for key in gone:
            self._droppable.discard(key)
            job = self._pending.pop(key, None)
            if job is not None:
                job.cancel()
        return len(gone)

    def pixmap(self, store: str, target: str, size: QSize, *, kind: ImageKind = "icon") -> QPixmap | None:
        """The image if loaded; otherwise start loading it and return None (then ``loaded``).
        ``kind`` says which rules the file must meet (an icon is a PNG, a screenshot a PNG or
        JPEG, each within its size cap: docs/store-format.md)."""
        key = image_key(store, target, size)
        pix = self._cache.get(key)
        if pix is not None:
            self._cache.move_to_end(key)
            return self._themed(key, pix)
        services = self.controller.services
        if key in self._pending:
            if not self._in_grid:
                self._droppable.discard(key)  # wanted beyond the grid: keep loading it
            return None
        if key in self._failed or services is None or not target:
            return None

        def load(ctx: JobContext) -> tuple[QImage, QColor | None]:
            load_store_code(ctx)  # (a close while it loads ends the job at once)
            path = services.stores.client(store).fetch_target(target, max_length=image_limit(kind))
            data = path.read_bytes()  # within the cap: the fetch refused a longer signed length
            check_image(data, kind)
            image = QImage.fromData(data)
            if image.isNull():
                raise AppStoreError(f"{target} is not an image this computer can show")
            scaled = image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                  Qt.TransformationMode.SmoothTransformation)
            return scaled, edge_color(scaled) if kind == "icon" else None

        def settled() -> None:
            if self._pending.get(key) is job:  # (not a newer load of a card that came back)
                del self._pending[key]
                self._droppable.discard(key)

        def done(result: tuple[QImage, QColor | None]) -> None:
            image, edge = result
            settled()
            pix = QPixmap.fromImage(image)
            old = self._cache.pop(key, None)
            self._cache_bytes += _bytes(pix) - (_bytes(old) if old is not None else 0)
            self._cache[key] = pix
            if edge is not None:
                self._edges[key] = edge
            while self._cache_bytes > CACHE_BYTES and len(self._cache) > 1:
                gone, dropped = self._cache.popitem(last=False)
                self._cache_bytes -= _bytes(dropped)
                self._edges.pop(gone, None)
                for name in theme.THEMES:
                    self._ringed.pop((gone, name), None)
            self.loaded.emit(key)

        def failed(_message: str, _error: BaseException) -> None:
            settled()
            self._failed.add(key)  # the placeholder stays; a refresh clears this
            self.loaded.emit(key)

        job = self.controller.jobs.submit(load, lane="images", title="image", on_done=done,
                                          on_error=failed)
        if job.active:
            self._pending[key] = job
            if self._in_grid:
                self._droppable.add(key)
        return None

    def _themed(self, key: str, pix: QPixmap) -> QPixmap:
        """The icon as the current theme shows it: with a ring if its edge would vanish."""
        name = theme.current()
        if not needs_ring(self._edges.get(key), name):
            return pix
        ring = self._ringed.get((key, name))
        if ring is None:
            ring = self._ringed[(key, name)] = ringed(pix, theme.colors(name)["icon_ring"])
        return ring

    def forget_failures(self) -> None:
        self._failed.clear()
