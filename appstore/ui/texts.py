"""Translated wording shared by several pages: permissions, sizes, ages."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QObject

from appstore.core.units import human_size


class Wording(QObject):
    """A QObject only so that lupdate finds these texts (plural forms included) under one
    context."""

    def permission(self, key: str) -> str:
        words = {
            "wallet.address": self.tr("See your wallet address"),
            "wallet.sign": self.tr("Ask you to sign messages with your wallet (you confirm each one)"),
            "wallet.pay": self.tr("Ask you to pay IA from your wallet (you confirm each payment)"),
            "network": self.tr("Connect to the internet"),
            "storage": self.tr("Keep its own data on this computer"),
            "clipboard": self.tr("Copy text to your clipboard"),
        }
        return words.get(key, key)

    def size(self, n: int) -> str:
        """Bytes in words (one decimal; under 1 KB in bytes, translated)."""
        return human_size(n) or self.tr("%n byte(s)", "", n)

    def age(self, iso: str | None) -> str:
        if not iso:
            return self.tr("never")
        secs = int((datetime.now(UTC) - datetime.fromisoformat(iso)).total_seconds())
        if secs < 60:
            return self.tr("just now")
        if secs < 3600:
            return self.tr("%n minute(s) ago", "", secs // 60)
        if secs < 86400:
            return self.tr("%n hour(s) ago", "", secs // 3600)
        return self.tr("%n day(s) ago", "", secs // 86400)


def permission(key: str) -> str:
    return Wording().permission(key)


def size(n: int) -> str:
    return Wording().size(n)


def age(iso: str | None) -> str:
    return Wording().age(iso)
