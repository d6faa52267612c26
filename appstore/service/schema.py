"""The IA service's tables (SQLAlchemy Core), as the newest migration leaves them
(appstore/service/migrations/versions: a change here goes with a new revision there; a test
compares the two). docs/ia-service.md, "The operator's tables", says what each column holds."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

meta = MetaData()
t_meta = Table("meta", meta, Column("key", String(64), primary_key=True),
               Column("value", Text, nullable=False))
t_accounts = Table(
    "accounts", meta,
    Column("address", String(40), primary_key=True),
    Column("last_seq", BigInteger, nullable=False), Column("last_hash", String(64), nullable=False),
    Column("rewarded", BigInteger, nullable=False))
t_balances = Table(
    "balances", meta,
    Column("account", String(40), primary_key=True), Column("asset", String(8), primary_key=True),
    Column("amount", BigInteger, nullable=False))
t_receipts = Table(
    "receipts", meta,
    Column("account", String(40), primary_key=True), Column("seq", BigInteger, primary_key=True),
    Column("kind", String(16), nullable=False), Column("asset", String(8), nullable=False),
    Column("amount", BigInteger, nullable=False), Column("time", String(24), nullable=False),
    Column("body", Text, nullable=False),
    Index("ix_receipts_account_time", "account", "time"))  # the IA credited lately (vesting_days)
t_claims = Table(
    "claims", meta,
    Column("account", String(40), primary_key=True), Column("claim_id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False), Column("app", String(120), nullable=False),
    Column("version", String(64)), Column("day", String(10), nullable=False),
    Column("once_key", String(200), nullable=False), Column("seq", BigInteger, nullable=False))
t_once = Table(
    "once", meta,
    Column("account", String(40), primary_key=True), Column("once_key", String(200), primary_key=True))
t_daily = Table(
    "daily", meta,
    Column("account", String(40), primary_key=True), Column("day", String(10), primary_key=True),
    Column("kind", String(16), primary_key=True), Column("count", BigInteger, nullable=False),
    Column("amount", BigInteger, nullable=False))
t_nonces = Table(
    "nonces", meta,
    Column("account", String(40), primary_key=True), Column("nonce", String(32), primary_key=True),
    Column("expires", String(24), nullable=False, index=True))
t_quotes = Table(
    "quotes", meta,
    Column("id", String(32), primary_key=True), Column("account", String(40), nullable=False),
    Column("amount_ia", BigInteger, nullable=False), Column("fee", BigInteger, nullable=False),
    Column("bcd_out", BigInteger, nullable=False), Column("expires", String(24), nullable=False),
    Column("used", Integer, nullable=False), Column("body", Text, nullable=False))
t_dividends = Table(
    "dividends", meta,
    Column("period", String(20), primary_key=True), Column("time", String(24), nullable=False),
    Column("pool_before", BigInteger, nullable=False), Column("paid", BigInteger, nullable=False),
    Column("accounts", BigInteger, nullable=False))
t_withdrawals = Table(
    "withdrawals", meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(40), nullable=False), Column("address", String(40), nullable=False),
    Column("amount", BigInteger, nullable=False), Column("time", String(24), nullable=False),
    Column("seq", BigInteger, nullable=False))
t_payments = Table(
    "payments", meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("payer", String(40), nullable=False), Column("payee", String(40), nullable=False),
    Column("amount", BigInteger, nullable=False), Column("memo", Text, nullable=False),
    Column("app", String(120), nullable=False), Column("time", String(24), nullable=False))

# Guessing games (service/games.py): a round's row is made at its first stake (or when it is
# settled with none) and keeps what was staked on; one settlement row per stake, so a stake is
# settled at most once whatever happens.
t_game_rounds = Table(
    "game_rounds", meta,
    Column("round_id", String(48), primary_key=True),
    Column("state", String(16), nullable=False, index=True),  # open | settled | invalid | refunded
    Column("commitment", String(64), nullable=False), Column("reveals_at", String(24), nullable=False),
    Column("definition", Text, nullable=False),  # the round as staked on (definition_json)
    Column("result", String(24)), Column("seed", String(64)),
    Column("stakes", BigInteger, nullable=False), Column("staked", BigInteger, nullable=False),
    Column("paid", BigInteger, nullable=False), Column("time", String(24)))
t_game_stakes = Table(
    "game_stakes", meta,
    Column("account", String(40), primary_key=True), Column("stake_id", String(32), primary_key=True),
    Column("round_id", String(48), nullable=False, index=True),
    Column("option", String(24), nullable=False), Column("amount", BigInteger, nullable=False),
    Column("odds_bp", BigInteger, nullable=False), Column("seq", BigInteger, nullable=False),
    Column("time", String(24), nullable=False),
    Index("ix_game_stakes_account_round", "account", "round_id"))  # an account's stakes on a round
t_game_settlements = Table(
    "game_settlements", meta,
    Column("account", String(40), primary_key=True), Column("stake_seq", BigInteger, primary_key=True),
    Column("round_id", String(48), nullable=False),
    Column("kind", String(8), nullable=False),  # payout | refund | lost
    Column("amount", BigInteger, nullable=False), Column("seq", BigInteger))  # the receipt's seq

# The Sybil budget (service/swaps.py; revision 0002): BCD received by swaps per UTC day, from
# everyone together and from each client address (an IPv4 address or an IPv6 /64).
t_swap_budget = Table(
    "swap_budget", meta,
    Column("day", String(10), primary_key=True),
    Column("bcd_out", BigInteger, nullable=False), Column("swaps", BigInteger, nullable=False))
t_address_swaps = Table(
    "address_swaps", meta,
    Column("address", String(64), primary_key=True), Column("day", String(10), primary_key=True),
    Column("bcd_out", BigInteger, nullable=False), Column("swaps", BigInteger, nullable=False))
