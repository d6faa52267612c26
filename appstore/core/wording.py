"""Words shared by the CLI and the GUI, in every language imapp speaks: what a permission lets
an app do, and how long ago something happened. One table, so the two fronts never drift.

(The GUI's own texts live in Qt ``.ts`` files; these are here because the core and the CLI need
them too, and the core never imports Qt.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

LANGS = ("en", "zh_CN")

PERMISSIONS: dict[str, dict[str, str]] = {
    "wallet.address": {"en": "See your wallet address",
                       "zh_CN": "查看您的钱包地址"},
    "wallet.sign": {"en": "Ask you to sign messages with your wallet (you confirm each one)",
                    "zh_CN": "请您用钱包签名消息（每次都由您确认）"},
    "wallet.pay": {"en": "Ask you to pay IA from your wallet (you confirm each payment)",
                   "zh_CN": "请您从钱包支付 IA（每笔付款都由您确认）"},
    "network": {"en": "Connect to the internet",
                "zh_CN": "连接互联网"},
    "storage": {"en": "Keep its own data on this computer",
                "zh_CN": "在这台电脑上保存它自己的数据"},
    "clipboard": {"en": "Copy text to your clipboard",
                  "zh_CN": "把文字复制到您的剪贴板"},
}

# The same permissions in a few words, for a list on one line ("asks for more: internet access,
# clipboard") where the full sentences above do not fit: a card, a button, a CLI note.
PERMISSIONS_SHORT: dict[str, dict[str, str]] = {
    "wallet.address": {"en": "your wallet address", "zh_CN": "钱包地址"},
    "wallet.sign": {"en": "signing with your wallet", "zh_CN": "钱包签名"},
    "wallet.pay": {"en": "payments from your wallet", "zh_CN": "钱包付款"},
    "network": {"en": "internet access", "zh_CN": "联网"},
    "storage": {"en": "data on this computer", "zh_CN": "本地数据"},
    "clipboard": {"en": "clipboard", "zh_CN": "剪贴板"},
}

_UNKNOWN_SHORT = {"en": "“{key}” (unknown: not granted)", "zh_CN": "“{key}”（未知：不授予）"}
_LIST_SEPARATOR = {"en": ", ", "zh_CN": "、"}

_UNKNOWN_PERMISSION = {"en": "Asks for “{key}”, which this version of imapp does not know: "
                             "not granted",
                       "zh_CN": "请求“{key}”权限，此版本的 imapp 不认识它：不授予"}

_NEVER = {"en": "never", "zh_CN": "从未"}
_NOW = {"en": "just now", "zh_CN": "刚刚"}
_AGO: dict[str, dict[str, tuple[str, str]]] = {  # unit -> (one, many)
    "en": {"minute": ("{n} minute ago", "{n} minutes ago"),
           "hour": ("{n} hour ago", "{n} hours ago"), "day": ("{n} day ago", "{n} days ago")},
    "zh_CN": {"minute": ("{n} 分钟前",) * 2, "hour": ("{n} 小时前",) * 2, "day": ("{n} 天前",) * 2},
}


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "en"


def permission(key: str, lang: str = "en") -> str:
    """What permission ``key`` lets an app do, in plain words."""
    words = PERMISSIONS.get(key)
    if words is None:
        return _UNKNOWN_PERMISSION[_lang(lang)].format(key=key[:64])
    return words[_lang(lang)]


def permission_short(key: str, lang: str = "en") -> str:
    """Permission ``key`` in a few words (``PERMISSIONS_SHORT``)."""
    words = PERMISSIONS_SHORT.get(key)
    if words is None:
        return _UNKNOWN_SHORT[_lang(lang)].format(key=key[:64])
    return words[_lang(lang)]


def permissions_short(keys: Iterable[str], lang: str = "en") -> str:
    """Permissions in a few words each, as one line: "internet access, clipboard"."""
    return _LIST_SEPARATOR[_lang(lang)].join(permission_short(k, lang) for k in keys)


def age(iso: str | None, lang: str = "en", now: datetime | None = None) -> str:
    """'3 hours ago'-style age of an ISO 8601 time (``None``: never)."""
    lang = _lang(lang)
    table = _AGO[lang]
    if not iso:
        return _NEVER[lang]
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return _NEVER[lang]
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    secs = int(((now or datetime.now(UTC)) - then).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if secs >= size:
            n = secs // size
            one, many = table[unit]
            return (one if n == 1 else many).format(n=n)
    return _NOW[lang]
