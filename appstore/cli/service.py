"""``python -m appstore service …``: a store's IA service on a server (docs/ia-service.md,
"Running it", "Running it at scale"; docs/cli.md, "The IA service").

* ``serve``: serve it (``--workers N``: N processes on one PostgreSQL database);
* ``key``: print the service's public key, for the store's ``rewards/policy.json``;
* ``audit``: the conservation check over the operator's tables;
* ``upgrade``: bring the database's schema to this release (``serve`` does it too).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from appstore.core.errors import AppStoreError, ConfigError, shorten
from appstore.core.wallet.amounts import BCD_DECIMALS, parse_amount
from appstore.core.wallet.errors import AmountError

MAX_WORKERS = 64


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{shorten(text)!r} is not a port (0-65535; 0 picks a free one)")
    return int(text)


def _bcd(text: str) -> int:
    try:
        return parse_amount(text, BCD_DECIMALS, allow_zero=True, unit="BCD")
    except AmountError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{shorten(text)!r} is not a number of worker processes "
                                         f"(1-{MAX_WORKERS})")
    return int(text)


def _rate(text: str) -> str:
    from appstore.service.limits import Rate
    try:
        Rate.parse(text)
    except ConfigError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text.strip().lower()


def _place(p: argparse.ArgumentParser, *, keys: bool = False) -> None:
    p.add_argument("--state-dir", default="ia-service", metavar="DIR",
                   help="the service's own files: its SQLite database and, without --keys, service.pem "
                        "(default ./ia-service)")
    if keys:
        p.add_argument("--keys", metavar="KEYS_DIR",
                       help="holds service.pem, the key the policy names (default: the state dir)")
    p.add_argument("--db", metavar="URL", help="database URL (default sqlite:///STATE_DIR/"
                   "ia-service.sqlite3; postgresql+psycopg://user@host/db serves many users)")


def add_parsers(sub: Any) -> None:
    svc = sub.add_parser("service", help="run a store's IA service (rewards, dividends, swaps)")
    svc_sub = svc.add_subparsers(dest="service_command", required=True)
    serve = svc_sub.add_parser("serve", help="serve the IA service of a published store")
    serve.add_argument("--store-dir", required=True, metavar="DIR",
                       help="the published store folder (OUT of `publish`): policy, swap terms, apps")
    _place(serve, keys=True)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8100, help="0-65535 (default 8100; 0: any free port)")
    serve.add_argument("--workers", type=_workers, default=1, metavar="N",
                       help="worker processes (default 1; more than 1 needs a PostgreSQL --db)")
    serve.add_argument("--bcd-reserve", type=_bcd, default=0, metavar="BCD",
                       help="fund the treasury's BCD reserve with this many BCD (whole BCD, up to 7 "
                            "decimals: 1000 or 0.5), once, on the database's first start")
    serve.add_argument("--account-rate", type=_rate, default="600/60", metavar="N/SECONDS",
                       help="signed requests per account: a burst of N, N more each SECONDS (default "
                            "600/60; off: no limit)")
    serve.add_argument("--address-rate", type=_rate, default="3000/60", metavar="N/SECONDS",
                       help="requests per client address (default 3000/60; off: no limit)")
    serve.add_argument("--trust-proxy", action="append", default=[], metavar="ADDRESS",
                       help="a proxy whose X-Forwarded-For names the client (repeatable)")
    key = svc_sub.add_parser("key", help="print the service's public key (the policy's service_key)")
    key.add_argument("--keys", metavar="KEYS_DIR", help="holds service.pem (made when missing; default: "
                     "--state-dir)")
    key.add_argument("--state-dir", default="ia-service", metavar="DIR", help=argparse.SUPPRESS)
    key.add_argument("--json", action="store_true")
    audit = svc_sub.add_parser("audit", help="check that the service's books balance (conservation)")
    _place(audit)
    audit.add_argument("--json", action="store_true")
    upgrade = svc_sub.add_parser("upgrade", help="upgrade the database's schema to this release")
    _place(upgrade)


def run(args: argparse.Namespace) -> int:
    try:
        if args.service_command == "key":
            return _key(args)
        if args.service_command == "audit":
            return _audit(args)
        if args.service_command == "upgrade":
            return _upgrade(args)
        return _serve(args)
    except (AppStoreError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def _db_url(args: argparse.Namespace) -> str:
    from appstore.service.storage import DB_NAME, sqlite_url
    if args.db:
        return str(args.db)
    path = Path(args.state_dir) / DB_NAME
    if not path.exists():
        raise ConfigError(f"there is no IA service database at {path}: give --state-dir DIR or --db URL")
    return sqlite_url(str(path))


def _key(args: argparse.Namespace) -> int:
    from appstore.core.publish.keys import SERVICE_KEY, load_service_key
    from appstore.core.wallet.receipts import public_key_hex
    folder = Path(args.keys or args.state_dir)
    key = public_key_hex(load_service_key(folder))
    if args.json:
        print(json.dumps({"service_key": key, "file": str(folder / SERVICE_KEY)}))
    else:
        print(key)
    return 0


def _audit(args: argparse.Namespace) -> int:
    from appstore.service.audit import audit
    report = audit(_db_url(args))
    if args.json:
        print(json.dumps(report))
        return 0 if report["ok"] else 1
    for asset, row in report["assets"].items():
        words = "conserved" if row["difference"] == 0 else "NOT CONSERVED"
        print(f"{asset}: balances {row['balances']}, issued as rewards {row['rewarded']}: difference "
              f"{row['difference']} ({words}; base units)")
    for name, amounts in report["internal"].items():
        print(f"  {name}: " + ", ".join(f"{v} {a}" for a, v in amounts.items()))
    for m in report["mismatches"]:
        print(f"MISMATCH {m['account']} {m['asset']}: balance {m['balance']}, its receipts sum to "
              f"{m['receipts']}")
    for n in report["negative"]:
        print(f"NEGATIVE {n['account']} {n['asset']}: {n['balance']}")
    for h in report["broken_heads"]:
        print(f"HEAD {h['account']}: last_seq {h['last_seq']}, its receipts {h['receipts']} (highest "
              f"{h['max_seq']})")
    print(f"{report['accounts']} accounts, {report['receipts']} receipts, schema {report['revision']}: "
          + ("the books balance" if report["ok"] else "the books do NOT balance"))
    return 0 if report["ok"] else 1


def _upgrade(args: argparse.Namespace) -> int:
    from appstore.service.storage import open_engine, upgrade_database
    engine = open_engine(_db_url(args))
    try:
        before, after = upgrade_database(engine)
    finally:
        engine.dispose()
    print(f"schema at revision {after}" + ("" if before == after else f" (was {before or 'empty'})"))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from appstore.service.serving import ServeOptions, open_service, quiet_logging, serve_workers

    quiet_logging()
    opts = ServeOptions(str(args.store_dir), str(args.state_dir), args.keys, args.db, args.bcd_reserve,
                        args.account_rate, args.address_rate, tuple(args.trust_proxy))
    pg = opts.db_url().startswith("postgresql")
    if not args.trust_proxy:
        # Behind a proxy on this machine every client is 127.0.0.1, which no address limit counts.
        print("note: requests from this machine (loopback) are not limited by client address, nor "
              "counted by address_daily_bcd; if a proxy on this machine forwards your clients, start "
              "with --trust-proxy 127.0.0.1 so that its X-Forwarded-For names them", file=sys.stderr)
    if args.workers > 1:
        if not pg:
            raise ConfigError("--workers above 1 needs a PostgreSQL --db (SQLite takes one writer at a "
                              "time: one process serves it fastest)")
        store = _store_id(opts)

        def announce(url: str) -> None:
            print(f"IA service of store {store} on {url} (PostgreSQL, {args.workers} workers); Ctrl+C "
                  "stops it", flush=True)
        serve_workers(opts, args.host, args.port, args.workers, announce)
        return 0
    from appstore.service.app import create_app
    from appstore.service.server import ServerThread
    service = open_service(opts)
    try:
        server = ServerThread(create_app(service.config, service=service), args.host, args.port).start()
    except BaseException:
        service.close()
        raise
    where = "PostgreSQL" if pg else "SQLite"
    print(f"IA service of store {service.store} on {server.url} ({where}); Ctrl+C stops it", flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    while not done.wait(0.5) and server.thread.is_alive():
        pass
    server.stop()
    service.close()
    logging.getLogger(__name__).info("IA service stopped")
    return 0


def _store_id(opts: Any) -> str:
    from appstore.service.storedir import StoreFolder, read_policy
    return read_policy(StoreFolder(Path(opts.store_dir)))[0].store
