"""The operator's audit of an IA service database (``python -m appstore service audit``;
docs/ia-service.md, "Accounts and balances"): reads only, never writes.

* conservation: for each asset, the sum of every balance row (users and the internal ``@``
  accounts) less the IA issued as rewards (``accounts.rewarded``) is zero;
* each user account's balance equals the sum of its receipts' amounts, per asset;
* no user balance is negative;
* each account's ``last_seq`` is its highest receipt's ``seq``, and its receipts number 1…last_seq.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, func, literal, select

from appstore.core.wallet.receipts import ASSETS
from appstore.service import migrations
from appstore.service.schema import t_accounts, t_balances, t_receipts
from appstore.service.storage import audit_sums, open_engine

SHOWN = 20  # problems listed of each kind


def audit(db_url: str) -> dict[str, Any]:
    engine = open_engine(db_url)
    try:
        with engine.connect() as conn:
            return _audit(conn)
    finally:
        engine.dispose()


def _audit(conn: Connection) -> dict[str, Any]:
    b, r, a = t_balances.c, t_receipts.c, t_accounts.c
    diff = audit_sums(conn)
    totals = {row.asset: int(row.total) for row in conn.execute(
        select(b.asset, func.sum(b.amount).label("total")).group_by(b.asset)).all()}
    rewarded = int(conn.execute(select(func.coalesce(func.sum(a.rewarded), 0))).scalar() or 0)
    internal: dict[str, dict[str, int]] = {}
    for row in conn.execute(select(b.account, b.asset, b.amount).where(b.account.startswith("@"))
                            .order_by(b.account, b.asset)).all():
        internal.setdefault(row.account, {})[row.asset] = int(row.amount)
    sums = (select(r.account, r.asset, func.sum(r.amount).label("total"))
            .group_by(r.account, r.asset).subquery())
    mismatches = conn.execute(
        select(b.account, b.asset, b.amount, func.coalesce(sums.c.total, literal(0)).label("total"))
        .select_from(t_balances.outerjoin(sums, and_(sums.c.account == b.account, sums.c.asset == b.asset)))
        .where(~b.account.startswith("@"), b.amount != func.coalesce(sums.c.total, literal(0)))
        .order_by(b.account).limit(SHOWN)).all()
    negative = conn.execute(select(b.account, b.asset, b.amount)
                            .where(~b.account.startswith("@"), b.amount < 0).limit(SHOWN)).all()
    counts = (select(r.account, func.count().label("n"), func.max(r.seq).label("top"))
              .group_by(r.account).subquery())
    heads = conn.execute(
        select(a.address, a.last_seq, func.coalesce(counts.c.n, literal(0)).label("n"),
               func.coalesce(counts.c.top, literal(0)).label("top"))
        .select_from(t_accounts.outerjoin(counts, counts.c.account == a.address))
        .where((a.last_seq != func.coalesce(counts.c.top, literal(0)))
               | (a.last_seq != func.coalesce(counts.c.n, literal(0))))
        .limit(SHOWN)).all()
    report = {
        "assets": {asset: {"balances": totals.get(asset, 0), "rewarded": rewarded if asset == "IA" else 0,
                           "difference": diff[asset]} for asset in ASSETS},
        "internal": internal,
        "mismatches": [{"account": m.account, "asset": m.asset, "balance": int(m.amount),
                        "receipts": int(m.total)} for m in mismatches],
        "negative": [{"account": n.account, "asset": n.asset, "balance": int(n.amount)} for n in negative],
        "broken_heads": [{"account": h.address, "last_seq": int(h.last_seq), "receipts": int(h.n),
                          "max_seq": int(h.top)} for h in heads],
        "accounts": int(conn.execute(select(func.count()).select_from(t_accounts)).scalar() or 0),
        "receipts": int(conn.execute(select(func.count()).select_from(t_receipts)).scalar() or 0),
        "revision": migrations.current(conn) or "from before migrations",
    }
    report["ok"] = (all(v == 0 for v in diff.values()) and not report["mismatches"]
                    and not report["negative"] and not report["broken_heads"])
    return report
