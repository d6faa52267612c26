"""A small static server for stores (development and tests); binds 127.0.0.1 only."""

from __future__ import annotations

import errno
import functools
import http.server
import threading
from pathlib import Path
from typing import Any


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


def make_server(directory: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_Handler, directory=str(directory))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve_in_thread(directory: Path, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start serving in a daemon thread; returns the server and its base URL."""
    server = make_server(directory, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def serve_forever(directory: Path, port: int) -> None:
    from appstore.core.errors import ConfigError, short_path

    if not directory.is_dir():
        raise ConfigError(f"{short_path(directory)}: not a folder")
    if not 0 <= port <= 65535:
        raise ConfigError(f"{port} is not a port: use a number from 1 to 65535")
    try:
        server = make_server(directory, port)
    except OSError as e:
        hint = " (is another server using it? choose another --port)" if e.errno in (
            errno.EADDRINUSE, errno.EACCES) else ""
        raise ConfigError(f"cannot serve on 127.0.0.1:{port}: {e.strerror or e}{hint}") from None
    print(f"serving {directory} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C stops)",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
