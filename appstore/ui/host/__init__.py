"""The DApp host (docs/host.md): DApps open inside imapp in QtWebEngine, one window and one
profile per DApp, with the rules of ``appstore.core.host`` enforced.

``DAppHost`` (``hosts.py``) is what the app uses: DApps run in host processes of their own
(``process.py``; ``python -m appstore.ui.host``), each with a ``WindowHost`` (``host.py``).
``prepare()`` runs before a QApplication that may show DApps exists; ``register_schemes()``
registers the ``imapp-dapp`` scheme before the first profile. ``webengine_available()`` says
whether DApps can open here at all (else the app opens them in the system browser).
``DAppHost`` is imported on first use, so asking costs no QtWebEngine import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appstore.ui.host.engine import prepare, register_schemes, webengine_available, webengine_problem

if TYPE_CHECKING:
    from appstore.ui.host.hosts import DAppHost

__all__ = ["DAppHost", "prepare", "register_schemes", "webengine_available", "webengine_problem"]


def __getattr__(name: str) -> Any:
    if name == "DAppHost":
        from appstore.ui.host.hosts import DAppHost

        return DAppHost
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
