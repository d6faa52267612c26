"""Translated wording shared by several pages: permissions, sizes, ages."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication


def permission(key: str) -> str:
    words = {
        "wallet.address": QCoreApplication.translate("texts", "See your wallet address"),
        "wallet.sign": QCoreApplication.translate(
            "texts", "Ask you to sign messages with your wallet (you confirm each one)"),
        "wallet.pay": QCoreApplication.translate(
            "texts", "Ask you to pay IA from your wallet (you confirm each payment)"),
        "network": QCoreApplication.translate("texts", "Connect to the internet"),
        "storage": QCoreApplication.translate("texts", "Keep its own data on this computer"),
        "clipboard": QCoreApplication.translate("texts", "Copy text to your clipboard"),
    }
    return words.get(key, key)


def size(n: int) -> str:
    """Bytes in words; integer arithmetic, one decimal."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            tenths = (n * 10 + scale // 2) // scale
            return f"{tenths // 10}.{tenths % 10} {unit}"
    return QCoreApplication.translate("texts", "%n byte(s)", None, n)


def age(iso: str | None) -> str:
    if not iso:
        return QCoreApplication.translate("texts", "never")
    secs = int((datetime.now(UTC) - datetime.fromisoformat(iso)).total_seconds())
    if secs < 60:
        return QCoreApplication.translate("texts", "just now")
    if secs < 3600:
        return QCoreApplication.translate("texts", "%n minute(s) ago", None, secs // 60)
    if secs < 86400:
        return QCoreApplication.translate("texts", "%n hour(s) ago", None, secs // 3600)
    return QCoreApplication.translate("texts", "%n day(s) ago", None, secs // 86400)
