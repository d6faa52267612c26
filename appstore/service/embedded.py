"""The IA service inside the app process (the demo store's; docs/ia-service.md, "Embedded"):
the same ASGI app, served by uvicorn on 127.0.0.1 at a random port in a daemon thread, its
database (SQLite) and, unless given, its key in ``directory``. The store's policy names it
``"embedded:"``; the app passes ``service.url`` to ``ServiceClient`` (``client.resolve_url``).

Usage::

    service = EmbeddedService(data_dir / "ia-service", policy, apps=lambda: known_apps,
                              terms=terms, key=load_service_key(keys_dir)).start()
    client = ServiceClient(service.url, policy, account)
    ...
    service.stop()

or, from a published store folder, ``EmbeddedService.from_store_dir(store_dir, directory, keys_dir)``.
Starting takes a few tens of milliseconds (the database schema, then the socket): call ``start``
off the GUI thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appstore.core.errors import ConfigError, short_path
from appstore.core.ia.policy import RewardPolicy, SwapTerms
from appstore.core.publish.keys import load_service_key
from appstore.core.wallet.amounts import BCD_DECIMALS
from appstore.service.app import create_app
from appstore.service.games import RoundsProvider
from appstore.service.logic import AppsProvider, IAService, ServiceConfig, utc_now
from appstore.service.server import ServerThread
from appstore.service.storage import DB_NAME, sqlite_url

DEMO_BCD_RESERVE = 1_000 * 10**BCD_DECIMALS  # 1,000 BCD in the embedded treasury


class EmbeddedService:
    def __init__(self, directory: Path, policy: RewardPolicy, *, apps: AppsProvider,
                 terms: SwapTerms | None = None, key: Ed25519PrivateKey | None = None,
                 clock: Callable[[], datetime] = utc_now, db_url: str | None = None,
                 bcd_reserve: int = DEMO_BCD_RESERVE, games: RoundsProvider | None = None,
                 payees: Callable[[], Mapping[str, str]] | None = None) -> None:
        self.directory = directory
        self.policy = policy
        self.terms = terms
        self.apps = apps
        self.key = key
        self.clock = clock
        self.db_url = db_url
        self.bcd_reserve = bcd_reserve
        self.games = games
        self.payees = payees
        self._server: ServerThread | None = None
        self.service: IAService | None = None

    @classmethod
    def from_store_dir(cls, store_dir: Path, directory: Path, keys_dir: Path | None = None,
                       **kw: object) -> EmbeddedService:
        """The service of the store published in ``store_dir`` (policy, terms and apps read from
        its signed targets); its key is ``keys_dir/service.pem`` (default: ``directory``)."""
        from appstore.service.storedir import StoreApps, StoreFolder, StoreRounds, read_policy
        policy, terms = read_policy(StoreFolder(store_dir))
        key = load_service_key(keys_dir or directory)
        kw.setdefault("games", StoreRounds(store_dir, policy.decimals))
        apps = StoreApps(store_dir)
        kw.setdefault("payees", apps.payees)
        return cls(directory, policy, apps=apps, terms=terms, key=key, **kw)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        if self._server is None:
            raise ConfigError("the embedded IA service is not started")
        return self._server.url

    def start(self) -> EmbeddedService:
        if self._server is not None:
            return self
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            os.chmod(self.directory, 0o700)
        except OSError as e:
            raise ConfigError(f"cannot create {short_path(self.directory)} ({e.strerror or e})") from None
        key = self.key or load_service_key(self.directory)
        config = ServiceConfig(self.policy, key, self.db_url or sqlite_url(str(self.directory / DB_NAME)),
                               self.apps, self.terms, self.clock, self.bcd_reserve, self.games,
                               self.payees)
        self.service = IAService(config)
        try:
            self._server = ServerThread(create_app(config, service=self.service)).start()
        except BaseException:
            self.service.close()
            self.service = None
            raise
        return self

    def stop(self) -> None:
        """Stop serving (within about a second) and close the database."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        if self.service is not None:
            self.service.close()
            self.service = None

    def __enter__(self) -> EmbeddedService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
