"""The Sybil budget of swaps (docs/ia-service.md, "Swap terms", "Fake accounts"): the BCD all
swaps received per UTC day (``swap_budget``) and per client address (``address_swaps``), an index
for the IA an account was credited lately (``vesting_days``), and one for an account's stakes on
a round (a stake sums them: without it, a round with many stakes is read whole).

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-12
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import BigInteger, Column, String

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "swap_budget",
        Column("day", String(10), primary_key=True),
        Column("bcd_out", BigInteger, nullable=False), Column("swaps", BigInteger, nullable=False))
    op.create_table(
        "address_swaps",
        Column("address", String(64), primary_key=True), Column("day", String(10), primary_key=True),
        Column("bcd_out", BigInteger, nullable=False), Column("swaps", BigInteger, nullable=False))
    op.create_index("ix_receipts_account_time", "receipts", ["account", "time"])
    op.create_index("ix_game_stakes_account_round", "game_stakes", ["account", "round_id"])


def downgrade() -> None:
    raise NotImplementedError("the IA service's migrations go forward only: restore a backup to go back")
