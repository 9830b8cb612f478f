"""Domain errors. Services raise these; app/web/exception_handlers.py maps them to responses in one place."""

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


class TooManyRequests(DomainError):
    """A client over its rate limit; `retry_after` seconds go out as the Retry-After header.

    `page` names the template that shows the wait to people (the plain error page when None),
    so a lookup form can be shown again; the API always answers JSON.
    """

    status_code = 429

    def __init__(self, message: str, *, retry_after: int, page: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.page = page


class LoginRequired(DomainError):
    """An office page was asked for without a valid session: answered with a redirect to login."""

    status_code = 302


class ProducerLoginRequired(LoginRequired):
    """A producer area page (/tai-khoan) was asked for without a valid producer session."""


class PasswordChangeRequired(DomainError):
    """An account whose password an administrator reset: it must choose a new one before anything else."""

    status_code = 303


class Forbidden(DomainError):
    """The account is signed in but its role may not do this (records of another province are NotFound)."""

    status_code = 403


class CsrfRejected(DomainError):
    """A state-changing request without the session's CSRF token."""

    status_code = 403
