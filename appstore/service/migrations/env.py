"""Alembic's environment: the migrations run on the connection ``migrations.upgrade`` passes in
(inside its transaction); there is no URL or engine here."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the IA service's migrations run through appstore.service.migrations.upgrade "
                       "(every start of the service calls it): they need the service's connection")
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
