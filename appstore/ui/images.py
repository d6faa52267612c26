"""Icons and screenshots, fetched and verified through the store, decoded off the GUI thread."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from appstore.core.catalog.checks import ImageKind, check_image, image_limit
from appstore.core.errors import AppStoreError
from appstore.core.jobs import JobContext
from appstore.ui.controller import Controller, load_store_code

CACHE_SIZE = 3000


def image_key(store: str, target: str, size: QSize) -> str:
    return f"{store}\n{target}\n{size.width()}x{size.height()}"


class ImageLoader(QObject):
    """Signals: ``loaded(str)`` the key of an image now in the cache (or failed for good)."""

    loaded = Signal(str)

    def __init__(self, controller: Controller) -> None:
        super().__init__(controller)
        self.controller = controller
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._failed: set[str] = set()

    def busy(self) -> bool:
        return bool(self._pending)

    def pixmap(self, store: str, target: str, size: QSize, *, kind: ImageKind = "icon") -> QPixmap | None:
        """The image if loaded; otherwise start loading it and return None (then ``loaded``).
        ``kind`` says which rules the file must meet (an icon is a PNG, a screenshot a PNG or
        JPEG, each within its size cap: docs/store-format.md)."""
        key = image_key(store, target, size)
        pix = self._cache.get(key)
        if pix is not None:
            self._cache.move_to_end(key)
            return pix
        services = self.controller.services
        if key in self._pending or key in self._failed or services is None or not target:
            return None
        self._pending.add(key)

        def load(ctx: JobContext) -> QImage:
            load_store_code(ctx)  # (a close while it loads ends the job at once)
            path = services.stores.client(store).fetch_target(target, max_length=image_limit(kind))
            data = path.read_bytes()  # within the cap: the fetch refused a longer signed length
            check_image(data, kind)
            image = QImage.fromData(data)
            if image.isNull():
                raise AppStoreError(f"{target} is not an image this computer can show")
            return image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                Qt.TransformationMode.SmoothTransformation)

        def done(image: QImage) -> None:
            self._pending.discard(key)
            self._cache[key] = QPixmap.fromImage(image)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            self.loaded.emit(key)

        def failed(_message: str, _error: BaseException) -> None:
            self._pending.discard(key)
            self._failed.add(key)  # the placeholder stays; a refresh clears this
            self.loaded.emit(key)

        self.controller.jobs.submit(load, lane="io", title="image", on_done=done, on_error=failed)
        return None

    def forget_failures(self) -> None:
        self._failed.clear()
