"""Errors of the IA protocol: a bad policy or terms file, and what a service answered."""

from __future__ import annotations

from appstore.core.errors import AppStoreError


class PolicyError(AppStoreError):
    """A store's ``rewards/policy.json`` or ``swap/rates.json`` that cannot be used; the message
    names the field and what is wrong with it."""


class ServiceError(AppStoreError):
    """A request the IA service refused, or an answer the client refused. ``code`` is stable
    (docs/ia-service.md, "Errors"); ``status`` is the HTTP status the service answers with
    (0 when no answer came, or the client itself refused it); ``retry_after`` the seconds it
    asked to wait before the next request (``Retry-After`` with a 429 or a 503), else None."""

    def __init__(self, code: str, message: str, *, status: int = 0,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, {self.message!r})"


class ServiceUnreachable(ServiceError):
    """The service could not be reached (refused, timed out, no route): the app keeps its claims
    as pending and sends them later."""

    def __init__(self, message: str, *, status: int = 0, retry_after: float | None = None) -> None:
        super().__init__("unreachable", message, status=status, retry_after=retry_after)


class RateLimited(ServiceError):
    """The service asked to slow down (HTTP 429): nothing was done; ``retry_after`` says how
    long to wait (the ``Retry-After`` header, or a minute when it gives none)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__("rate-limited", message, status=429, retry_after=retry_after)
