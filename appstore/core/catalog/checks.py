"""Checks on files a store signs, made before they are used (docs/store-format.md#targets).

TUF already guarantees that a target's bytes are the ones its signed metadata lists (length and
every hash). These checks add what TUF cannot know: that the catalogue's description of a
release agrees with the signed package, and that an image is of the kind and size the format
allows. No Qt and no network here: callers pass what they fetched.
"""

from __future__ import annotations

from typing import Literal

from appstore.core.catalog.models import Release
from appstore.core.errors import StoreSecurityError

# Size caps (bytes) the client applies; the publisher uses the same numbers.
MAX_ICON = 512 * 1024
MAX_SCREENSHOT = 4 * 1024 * 1024
MAX_PACKAGE = 64 * 1024 * 1024

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

ImageKind = Literal["icon", "screenshot"]


def check_release_target(release: Release, info_length: int, info_sha256: str) -> None:
    """Refuse a release whose catalogue ``size``/``sha256`` differ from the signed target info
    of its package (``info_length``, ``info_sha256``), or whose package is over the cap.

    Call it with the package's ``TargetFile`` (``length``, ``hashes["sha256"]``) before
    downloading: a mismatch means the catalogue and the targets metadata disagree, so the
    download is refused rather than trusted on either.
    """
    where = f"{release.package} ({release.version})"
    if not info_sha256:
        raise StoreSecurityError(f"{where}: the store signs no sha256 for this package; not downloaded")
    if info_length != release.size or info_sha256.lower() != release.sha256:
        raise StoreSecurityError(
            f"{where}: the catalogue says {release.size} bytes, sha256 {release.sha256[:16]}…, but "
            f"the store signed {info_length} bytes, sha256 {info_sha256[:16]}…. The store is "
            "inconsistent (or was tampered with); the package was not downloaded."
        )
    if info_length > MAX_PACKAGE:
        raise StoreSecurityError(
            f"{where}: the package is {info_length} bytes, over the limit of {MAX_PACKAGE} bytes; "
            "not downloaded"
        )


def image_limit(kind: ImageKind) -> int:
    """The size cap of an image of this kind, in bytes."""
    if kind == "icon":
        return MAX_ICON
    if kind == "screenshot":
        return MAX_SCREENSHOT
    raise ValueError(f"unknown image kind {kind!r}")


def check_image_length(length: int, kind: ImageKind) -> None:
    """Refuse an image whose signed length is over its cap: call it with the target info's
    ``length`` before downloading, so an oversized image is never fetched."""
    limit = image_limit(kind)
    if length > limit:
        raise StoreSecurityError(
            f"the {kind} is {length} bytes, over the limit of {limit} bytes; not shown"
        )


def check_image(data: bytes, kind: ImageKind) -> None:
    """Refuse an icon that is not a PNG, a screenshot that is not a PNG or JPEG, or either over
    its size cap (icons 512 KiB, screenshots 4 MiB). Call it before the image is decoded."""
    check_image_length(len(data), kind)
    if kind == "icon":
        if not data.startswith(PNG_MAGIC):
            raise StoreSecurityError("the icon is not a PNG image; not shown")
    elif not data.startswith((PNG_MAGIC, JPEG_MAGIC)):
        raise StoreSecurityError("the screenshot is not a PNG or JPEG image; not shown")
