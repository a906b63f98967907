"""Errors that become HTTP answers, and the other leaves of the tree drawn in central/__init__."""

from __future__ import annotations

from central import ServerError


class DatabaseError(ServerError):
    """The database has no schema, or an older one: run `kiosk-central init-db`."""


class ImportRejected(ServerError):
    """A CSV import found bad rows; ``problems`` holds (line, message); nothing was imported."""

    def __init__(self, path: str, problems: list[tuple[int, str]], total_bad: int) -> None:
        self.path = path
        self.problems = problems
        self.total_bad = total_bad
        super().__init__(f"{path}: {total_bad} bad row(s); nothing was imported")


class AdminError(ServerError):
    """An admin command cannot do what was asked; the message says what to do instead."""


class ApiError(ServerError):
    """An answer ``{"error": code, **detail}`` with an HTTP status (4xx or 5xx)."""

    def __init__(
        self, status: int, code: str, detail: dict[str, object] | None = None, **more: object
    ) -> None:
        self.status = status
        self.code = code
        self.detail: dict[str, object] = {**(detail or {}), **more}
        super().__init__(f"{status} {code} {self.detail}")

    def body(self) -> dict[str, object]:
        return {"error": self.code, **self.detail}


class InvalidRequest(ApiError):
    """400 invalid_request: ``field`` names what was wrong, ``message`` says how to fix it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(400, "invalid_request", field=field, message=message)


class Unauthorized(ApiError):
    """401 unauthorized, with a machine-readable ``reason`` the kiosk acts on.

    ``reason`` (on the wire) is one of ``REASONS``; a caller that has not proved it holds the
    kiosk's secret only ever learns ``bad_signature`` or ``clock_skew``, so kiosk ids cannot
    be probed. ``log_reason`` is for the server log only. Older kiosks read only ``error``.
    """

    REASONS = ("bad_signature", "clock_skew", "kiosk_disabled", "reused_nonce")

    def __init__(self, log_reason: str, reason: str = "bad_signature", **detail: object) -> None:
        if reason not in self.REASONS:
            raise ValueError(f"no such 401 reason: {reason!r}")
        super().__init__(401, "unauthorized", {"reason": reason, **detail})
        self.log_reason = log_reason
