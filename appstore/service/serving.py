"""``service serve``: the IA service of a published store, in this process (one worker, uvicorn
in a thread) or as N worker processes sharing one PostgreSQL database (docs/ia-service.md,
"Running it at scale").

With workers, this process opens the database first (so the schema is upgraded and the reserve
funded once, before anything is served), binds the socket, says where it listens, and hands the
socket to uvicorn's supervisor (``uvicorn.supervisors.Multiprocess``): it starts N spawned
workers, each building the same service from ``ServeOptions`` (passed in the environment) in
``worker_app``; it replaces a worker that dies and stops them all on SIGINT / SIGTERM. The
workers share nothing but the database, which keeps caps, nonces, quotes, dividends, stakes and
budgets exact: row locks (``SELECT … FOR UPDATE``), conditional updates and unique keys.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from starlette.applications import Starlette

from appstore.service.limits import Limits, Rate
from appstore.service.logic import IAService, ServiceConfig

ENV = "IMAPP_IA_SERVICE_OPTIONS"  # the options, as JSON, for the worker processes
LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(message)s"


@dataclass(frozen=True)
class ServeOptions:
    store_dir: str
    state_dir: str
    keys_dir: str | None = None
    db: str | None = None
    bcd_reserve: int = 0  # BCD base units, funded once
    account_rate: str = str(Limits().account)
    address_rate: str = str(Limits().address)
    trust_proxy: tuple[str, ...] = ()

    def db_url(self) -> str:
        from appstore.service.storage import DB_NAME, sqlite_url
        return self.db or sqlite_url(str(Path(self.state_dir) / DB_NAME))

    def limits(self) -> Limits:
        return Limits(Rate.parse(self.account_rate), Rate.parse(self.address_rate),
                      Limits.proxies(self.trust_proxy))

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServeOptions:
        d = json.loads(text)
        d["trust_proxy"] = tuple(d.get("trust_proxy", ()))
        return cls(**d)


def open_service(opts: ServeOptions) -> IAService:
    """The service the options describe: policy, terms, apps and rounds read from the store
    folder's signed metadata, the key from ``KEYS_DIR/service.pem``, the database opened (and
    upgraded). ``ConfigError`` (an ``AppStoreError``) saying what is wrong."""
    from appstore.core.publish.keys import load_service_key
    from appstore.service.storedir import StoreApps, StoreFolder, StoreRounds, read_policy

    store_dir, state = Path(opts.store_dir), Path(opts.state_dir)
    policy, terms = read_policy(StoreFolder(store_dir))
    state.mkdir(parents=True, exist_ok=True)
    key = load_service_key(Path(opts.keys_dir) if opts.keys_dir else state)
    apps = StoreApps(store_dir)
    config = ServiceConfig(policy, key, opts.db_url(), apps, terms, bcd_reserve=opts.bcd_reserve,
                           games=StoreRounds(store_dir, policy.decimals), payees=apps.payees,
                           limits=opts.limits())
    return IAService(config)


def quiet_logging() -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # (our own line says what it upgraded)


def _die_with_parent() -> None:
    """Linux: this worker gets SIGTERM when the supervisor dies, even by kill -9 (no orphan keeps
    serving the socket, and a new ``service serve`` can take the port)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the supervisor died before that
        os.kill(os.getpid(), signal.SIGTERM)


def worker_app() -> Starlette:
    """The app of one worker process (uvicorn's factory; the options come in ``ENV``)."""
    from appstore.service.app import create_app
    _die_with_parent()
    quiet_logging()
    svc = open_service(ServeOptions.from_json(os.environ[ENV]))
    return create_app(svc.config, service=svc)


def serve_workers(opts: ServeOptions, host: str, port: int, workers: int,
                  announce: Callable[[str], None]) -> None:
    """Serve with ``workers`` processes until SIGINT / SIGTERM; ``announce(url)`` once the socket
    listens (requests wait in its backlog until a worker takes them)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from appstore.service.server import listen, url_of

    open_service(opts).close()  # upgrade the schema and fund the reserve once, here
    sock = listen(host, port, backlog=2048)
    os.environ[ENV] = opts.to_json()
    config = uvicorn.Config("appstore.service.serving:worker_app", factory=True, workers=workers,
                            log_config=None, access_log=False, lifespan="on", timeout_keep_alive=5,
                            timeout_graceful_shutdown=5, backlog=2048)
    announce(url_of(sock))
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
