"""The IA protocol both sides share (docs/ia-service.md): the store's signed reward policy and
swap terms, the signed request envelope, claims, quotes, and the HTTP client the app uses.

No Qt here, and nothing that talks to a database: the service is ``appstore.service``.
"""
