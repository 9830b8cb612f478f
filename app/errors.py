"""Domain errors. Services raise these; app.main maps them to responses in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause; `message` is Vietnamese and shown as is."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (or is not published)."""

    status_code = 404


class InvalidInput(DomainError):
    """A parameter or form value the site cannot use."""

    status_code = 422
