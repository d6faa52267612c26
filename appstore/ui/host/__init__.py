"""The DApp host (docs/host.md): DApps open inside imapp in QtWebEngine, one window and one
profile per DApp, with the rules of ``appstore.core.host`` enforced.

``register_schemes()`` must run before the QApplication exists. ``webengine_available()`` says
whether DApps can open here at all (else the app opens them in the system browser).
``DAppHost`` is imported on first use, so asking costs no QtWebEngine import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appstore.ui.host.engine import register_schemes, webengine_available, webengine_problem

if TYPE_CHECKING:
    from appstore.ui.host.host import DAppHost

__all__ = ["DAppHost", "register_schemes", "webengine_available", "webengine_problem"]


def __getattr__(name: str) -> Any:
    if name == "DAppHost":
        from appstore.ui.host.host import DAppHost

        return DAppHost
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
