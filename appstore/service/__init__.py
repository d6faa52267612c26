"""The store's IA service (docs/ia-service.md): rewards for activity, universal dividends, the
IA → BCD swap, withdrawals and DApp payments, over an HTTP JSON API. No Qt.

* ``logic.IAService`` / ``logic.ServiceConfig``: what the service does (``claims.Claims``: the
  rewards for claims; ``dividends.Dividends``: universal dividends);
* ``storage.Storage``: SQLite (default) or PostgreSQL through SQLAlchemy Core;
* ``app.create_app``: the Starlette app; ``server.ServerThread``: uvicorn in a thread;
* ``embedded.EmbeddedService``: the service inside the app process, on 127.0.0.1;
* ``storedir``: reading the policy, terms and apps from a published store folder.
"""
