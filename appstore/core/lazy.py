"""Names a package offers but loads on first use: a start that never needs them never pays for
their imports (the HTTP stack, zipfile, secp256k1…)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``names`` maps each lazily offered name to the
    submodule that defines it."""

    def __getattr__(name: str) -> Any:  # noqa: N807 - it is the module's __getattr__
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
