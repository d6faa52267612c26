"""The store's IA service (docs/ia-service.md): rewards for activity, universal dividends, the
IA → BCD swap, withdrawals and DApp payments, over an HTTP JSON API. No Qt.

* ``logic.IAService`` / ``logic.ServiceConfig``: what the service does (``claims.Claims``: the
  rewards for claims; ``swaps.Swaps``: quotes, swaps and the Sybil budget;
  ``dividends.Dividends``: universal dividends; ``games.Games``: the games' house);
* ``storage.Storage``: SQLite (default) or PostgreSQL through SQLAlchemy Core; ``schema``: the
  tables; ``migrations``: their Alembic revisions; ``audit``: the operator's conservation check;
* ``app.create_app``: the Starlette app (``limits``: rate limits); ``server.ServerThread``:
  uvicorn in a thread; ``serving``: ``service serve``, one process or N workers;
* ``embedded.EmbeddedService``: the service inside the app process, on 127.0.0.1;
* ``storedir``: reading the policy, terms and apps from a published store folder.
"""
