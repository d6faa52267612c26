"""What the fronts (the GUI's controller, the CLI) hand ``Services`` so the built-in demo store's
IA service can run inside the app: ``Services.open(..., embedded=start_demo_service)``. The core
takes it as a parameter because it never imports the service, which is built on the core."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appstore.service.embedded import EmbeddedService


def start_demo_service(demo_dir: Path) -> EmbeddedService:
    """The demo store's IA service, started: the store published in ``demo_dir/repo``, its
    database in ``demo_dir/service``, its key in ``demo_dir/keys`` (core/demo.py made them).
    Loaded on first use: a start that shows the catalogue does not import the service."""
    from appstore.service.embedded import EmbeddedService

    return EmbeddedService.from_store_dir(demo_dir / "repo", demo_dir / "service",
                                          demo_dir / "keys").start()
