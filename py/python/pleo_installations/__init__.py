"""A client for the Installations API of the Pleo App Marketplace.

.. code-block:: python

    from pleo_installations import Client

    with Client(api_key="...") as client:
        print(client.get_installation().status)

or, in asyncio code, ``async with AsyncClient(api_key="...") as client:`` and ``await``.
"""

from __future__ import annotations

import os

from . import _logs
from ._native import __version__
from .client import AsyncClient, Client
from .errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DecodeError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    PleoError,
    RateLimitError,
    ReauthenticationRequiredError,
    ServerError,
)
from .models import AuthMethod, Installation, InstallationErrorCode, InstallationStatus, Introspection
from .oauth import (
    AuthorizationRequest,
    FileTokenStore,
    OAuthCredentials,
    OAuthTokens,
    TokenStore,
    authorization_url,
    code_challenge,
    exchange_code,
    new_code_verifier,
)

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AsyncClient",
    "AuthMethod",
    "AuthenticationError",
    "AuthorizationRequest",
    "BadRequestError",
    "Client",
    "ConflictError",
    "DecodeError",
    "FileTokenStore",
    "Installation",
    "InstallationErrorCode",
    "InstallationStatus",
    "InvalidArgumentError",
    "Introspection",
    "NotFoundError",
    "OAuthCredentials",
    "OAuthTokens",
    "PermissionDeniedError",
    "PleoError",
    "RateLimitError",
    "ReauthenticationRequiredError",
    "ServerError",
    "TokenStore",
    "__version__",
    "authorization_url",
    "code_challenge",
    "exchange_code",
    "new_code_verifier",
]

# The application decides where records go, unless PLEO_LOG asks for stderr.
_logs.configure(os.environ)
