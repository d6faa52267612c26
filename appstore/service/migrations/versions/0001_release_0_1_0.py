"""The schema of the releases before migrations (release 0.1.0, made by ``create_all``): a
database they made is stamped with this revision, then upgraded.

Revision ID: 0001
Revises:
Create Date: 2026-03-10
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import BigInteger, Column, Integer, String, Text

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        Column("key", String(64), primary_key=True), Column("value", Text, nullable=False))
    op.create_table(
        "accounts",
        Column("address", String(40), primary_key=True),
        Column("last_seq", BigInteger, nullable=False), Column("last_hash", String(64), nullable=False),
        Column("rewarded", BigInteger, nullable=False))
    op.create_table(
        "balances",
        Column("account", String(40), primary_key=True), Column("asset", String(8), primary_key=True),
        Column("amount", BigInteger, nullable=False))
    op.create_table(
        "receipts",
        Column("account", String(40), primary_key=True), Column("seq", BigInteger, primary_key=True),
        Column("kind", String(16), nullable=False), Column("asset", String(8), nullable=False),
        Column("amount", BigInteger, nullable=False), Column("time", String(24), nullable=False),
        Column("body", Text, nullable=False))
    op.create_table(
        "claims",
        Column("account", String(40), primary_key=True), Column("claim_id", String(32), primary_key=True),
        Column("kind", String(16), nullable=False), Column("app", String(120), nullable=False),
        Column("version", String(64)), Column("day", String(10), nullable=False),
        Column("once_key", String(200), nullable=False), Column("seq", BigInteger, nullable=False))
    op.create_table(
        "once",
        Column("account", String(40), primary_key=True), Column("once_key", String(200), primary_key=True))
    op.create_table(
        "daily",
        Column("account", String(40), primary_key=True), Column("day", String(10), primary_key=True),
        Column("kind", String(16), primary_key=True), Column("count", BigInteger, nullable=False),
        Column("amount", BigInteger, nullable=False))
    op.create_table(
        "nonces",
        Column("account", String(40), primary_key=True), Column("nonce", String(32), primary_key=True),
        Column("expires", String(24), nullable=False))
    op.create_table(
        "quotes",
        Column("id", String(32), primary_key=True), Column("account", String(40), nullable=False),
        Column("amount_ia", BigInteger, nullable=False), Column("fee", BigInteger, nullable=False),
        Column("bcd_out", BigInteger, nullable=False), Column("expires", String(24), nullable=False),
        Column("used", Integer, nullable=False), Column("body", Text, nullable=False))
    op.create_table(
        "dividends",
        Column("period", String(20), primary_key=True), Column("time", String(24), nullable=False),
        Column("pool_before", BigInteger, nullable=False), Column("paid", BigInteger, nullable=False),
        Column("accounts", BigInteger, nullable=False))
    op.create_table(
        "withdrawals",
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("account", String(40), nullable=False), Column("address", String(40), nullable=False),
        Column("amount", BigInteger, nullable=False), Column("time", String(24), nullable=False),
        Column("seq", BigInteger, nullable=False))
    op.create_table(
        "payments",
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("payer", String(40), nullable=False), Column("payee", String(40), nullable=False),
        Column("amount", BigInteger, nullable=False), Column("memo", Text, nullable=False),
        Column("app", String(120), nullable=False), Column("time", String(24), nullable=False))
    # Guessing games (service/games.py): a round's row is made at its first stake (or when it is
    # settled with none) and keeps what was staked on; one settlement row per stake, so a stake is
    # settled at most once whatever happens.
    op.create_table(
        "game_rounds",
        Column("round_id", String(48), primary_key=True),
        Column("state", String(16), nullable=False),  # open | settled | invalid | refunded
        Column("commitment", String(64), nullable=False), Column("reveals_at", String(24), nullable=False),
        Column("definition", Text, nullable=False),  # the round as staked on (definition_json)
        Column("result", String(24)), Column("seed", String(64)),
        Column("stakes", BigInteger, nullable=False), Column("staked", BigInteger, nullable=False),
        Column("paid", BigInteger, nullable=False), Column("time", String(24)))
    op.create_table(
        "game_stakes",
        Column("account", String(40), primary_key=True), Column("stake_id", String(32), primary_key=True),
        Column("round_id", String(48), nullable=False),
        Column("option", String(24), nullable=False), Column("amount", BigInteger, nullable=False),
        Column("odds_bp", BigInteger, nullable=False), Column("seq", BigInteger, nullable=False),
        Column("time", String(24), nullable=False))
    op.create_table(
        "game_settlements",
        Column("account", String(40), primary_key=True), Column("stake_seq", BigInteger, primary_key=True),
        Column("round_id", String(48), nullable=False),
        Column("kind", String(8), nullable=False),  # payout | refund | lost
        Column("amount", BigInteger, nullable=False), Column("seq", BigInteger))  # the receipt's seq
    op.create_index("ix_nonces_expires", "nonces", ["expires"])
    op.create_index("ix_game_rounds_state", "game_rounds", ["state"])
    op.create_index("ix_game_stakes_round_id", "game_stakes", ["round_id"])


def downgrade() -> None:
    raise NotImplementedError("the IA service's migrations go forward only: restore a backup to go back")
