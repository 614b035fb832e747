"""The SDK's exceptions: one base, :class:`PleoError`, and a subclass per error kind."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Type


class PleoError(Exception):
    """An error of the SDK; ``kind`` is one of the stable strings shared by every language.

    Also raised as is for kind ``internal`` (a bug in the SDK) and for kinds this version
    does not know.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str = "internal",
        status: Optional[int] = None,
        request_id: Optional[str] = None,
        body: Optional[str] = None,
        attempts: int = 0,
        retryable: bool = False,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.request_id = request_id
        self.body = body
        self.attempts = attempts
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        text = f"{self.kind}: {self.message}"
        if self.status is not None:
            text += f" (HTTP {self.status}"
            if self.request_id:
                text += f", request id {self.request_id}"
            text += ")"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kind={self.kind!r}, message={self.message!r}, "
            f"status={self.status!r}, request_id={self.request_id!r}, attempts={self.attempts!r})"
        )


class InvalidArgumentError(PleoError, ValueError):
    """Bad configuration or request, caught before anything was sent."""


class AuthenticationError(PleoError):
    """HTTP 401: the credential was refused."""


class PermissionDeniedError(PleoError):
    """HTTP 403: the credential may not do this."""


class NotFoundError(PleoError):
    """HTTP 404: there is no such installation."""


class ConflictError(PleoError):
    """HTTP 409: e.g. the installation already exists."""


class BadRequestError(PleoError):
    """HTTP 400, 422 or another 4xx: the server refused the request."""


class RateLimitError(PleoError):
    """HTTP 429, still after the retries."""


class ServerError(PleoError):
    """HTTP 5xx, still after the retries."""


class APITimeoutError(PleoError, TimeoutError):
    """A connect or read timeout, or the call's overall deadline."""


class APIConnectionError(PleoError):
    """Could not connect, the connection was reset, or TLS failed."""


class DecodeError(PleoError):
    """A successful response whose body is not the documented JSON."""


class ReauthenticationRequiredError(PleoError):
    """The OAuth refresh token was rejected: send the user through the OAuth flow again."""


_BY_KIND: Dict[str, Type[PleoError]] = {
    "invalid_argument": InvalidArgumentError,
    "authentication": AuthenticationError,
    "permission_denied": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "bad_request": BadRequestError,
    "rate_limited": RateLimitError,
    "server": ServerError,
    "timeout": APITimeoutError,
    "connection": APIConnectionError,
    "decode": DecodeError,
    "reauthentication_required": ReauthenticationRequiredError,
}


def from_json(error_json: str) -> PleoError:
    """The exception for the core's error JSON (``{"kind", "message", "status", ...}``)."""
    fields: Dict[str, Any] = json.loads(error_json)
    kind = str(fields.get("kind", "internal"))
    return _BY_KIND.get(kind, PleoError)(
        str(fields.get("message", "")),
        kind=kind,
        status=fields.get("status"),
        request_id=fields.get("request_id"),
        body=fields.get("body"),
        attempts=int(fields.get("attempts") or 0),
        retryable=bool(fields.get("retryable")),
        retry_after=fields.get("retry_after"),
    )


def invalid_argument(message: str) -> InvalidArgumentError:
    """An :class:`InvalidArgumentError` raised by the Python layer itself."""
    return InvalidArgumentError(message, kind="invalid_argument")


def decode_error(message: str) -> DecodeError:
    """A :class:`DecodeError` raised by the Python layer itself."""
    return DecodeError(message, kind="decode")
