"""``python -m appstore service serve --store-dir DIR [--db URL] [--port N]``: a store's IA
service on a server (docs/ia-service.md, "Running it")."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from appstore.core.errors import AppStoreError, shorten
from appstore.core.wallet.amounts import BCD_DECIMALS, parse_amount
from appstore.core.wallet.errors import AmountError


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{shorten(text)!r} is not a port (0-65535; 0 picks a free one)")
    return int(text)


def _bcd(text: str) -> int:
    try:
        return parse_amount(text, BCD_DECIMALS, allow_zero=True, unit="BCD")
    except AmountError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_parsers(sub: Any) -> None:
    svc = sub.add_parser("service", help="run a store's IA service (rewards, dividends, swaps)")
    svc_sub = svc.add_subparsers(dest="service_command", required=True)
    serve = svc_sub.add_parser("serve", help="serve the IA service of a published store")
    serve.add_argument("--store-dir", required=True, metavar="DIR",
                       help="the published store folder (OUT of `publish`): policy, swap terms, apps")
    serve.add_argument("--state-dir", default="ia-service", metavar="DIR",
                       help="the service's own files: its SQLite database (default ./ia-service)")
    serve.add_argument("--keys", metavar="KEYS_DIR",
                       help="holds service.pem, the key the policy names (default: the state dir)")
    serve.add_argument("--db", metavar="URL", help="database URL (default sqlite:///STATE_DIR/"
                       "ia-service.sqlite3; postgresql+psycopg://user@host/db serves many users)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8100, help="0-65535 (default 8100; 0: any free port)")
    serve.add_argument("--bcd-reserve", type=_bcd, default=0, metavar="BCD",
                       help="fund the treasury's BCD reserve with this much, once, on first start")


def run(args: argparse.Namespace) -> int:
    if args.service_command != "serve":
        raise AssertionError(args.service_command)
    from appstore.core.publish.keys import load_service_key
    from appstore.service.app import create_app
    from appstore.service.logic import IAService, ServiceConfig
    from appstore.service.server import ServerThread
    from appstore.service.storage import DB_NAME, sqlite_url
    from appstore.service.storedir import StoreApps, StoreFolder, StoreRounds, read_policy

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    store_dir = Path(args.store_dir)
    state = Path(args.state_dir)
    try:
        policy, terms = read_policy(StoreFolder(store_dir))
        state.mkdir(parents=True, exist_ok=True)
        key = load_service_key(Path(args.keys) if args.keys else state)
        db = args.db or sqlite_url(str(state / DB_NAME))
        apps = StoreApps(store_dir)
        config = ServiceConfig(policy, key, db, apps, terms, bcd_reserve=args.bcd_reserve,
                               games=StoreRounds(store_dir, policy.decimals), payees=apps.payees)
        service = IAService(config)
        server = ServerThread(create_app(config, service=service), args.host, args.port).start()
    except (AppStoreError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    where = "SQLite" if db.startswith("sqlite") else "PostgreSQL"
    print(f"IA service of store {policy.store} on {server.url} ({where}); Ctrl+C stops it", flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    while not done.wait(0.5) and server.thread.is_alive():
        pass
    server.stop()
    service.close()
    return 0
