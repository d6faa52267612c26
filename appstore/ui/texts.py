"""Translated wording shared by several pages: permissions, sizes, ages, store states."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication


def _tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("texts", text, None, n)


def permission(key: str) -> str:
    words = {
        "wallet.address": _tr("See your wallet address"),
        "wallet.sign": _tr("Ask you to sign messages with your wallet (you confirm each one)"),
        "wallet.pay": _tr("Ask you to pay IA from your wallet (you confirm each payment)"),
        "network": _tr("Connect to the internet"),
        "storage": _tr("Keep its own data on this computer"),
        "clipboard": _tr("Copy text to your clipboard"),
    }
    return words.get(key, key)


def size(n: int) -> str:
    """Bytes in words; integer arithmetic, one decimal."""
    for unit, scale in ((_tr("GB"), 1 << 30), (_tr("MB"), 1 << 20), (_tr("KB"), 1 << 10)):
        if n >= scale:
            tenths = (n * 10 + scale // 2) // scale
            return f"{tenths // 10}.{tenths % 10} {unit}"
    return _tr("%n byte(s)", n)


def age(iso: str | None) -> str:
    if not iso:
        return _tr("never")
    secs = int((datetime.now(UTC) - datetime.fromisoformat(iso)).total_seconds())
    if secs < 60:
        return _tr("just now")
    if secs < 3600:
        return _tr("%n minute(s) ago", secs // 60)
    if secs < 86400:
        return _tr("%n hour(s) ago", secs // 3600)
    return _tr("%n day(s) ago", secs // 86400)
