"""What the API returns, as frozen dataclasses; unknown enum values arrive as plain ``str``."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Dict, FrozenSet, Mapping, Optional, Type, TypeVar, Union


class InstallationStatus(str, Enum):
    """The lifecycle status of an installation."""

    ACTIVATED = "ACTIVATED"
    INACTIVE = "INACTIVE"
    AUTHORIZED = "AUTHORIZED"
    PENDING_INTEGRATION = "PENDING_INTEGRATION"
    ERROR = "ERROR"

    def __str__(self) -> str:
        return self.value


class InstallationErrorCode(str, Enum):
    """Why an installation is inactive or in error."""

    NOT_ENTITLED = "NOT_ENTITLED"
    AUTH_ERROR = "AUTH_ERROR"

    def __str__(self) -> str:
        return self.value


class AuthMethod(str, Enum):
    """How the credential in use authenticates."""

    OAUTH2 = "OAUTH2"
    API_KEY = "API_KEY"
    NONE = "NONE"

    def __str__(self) -> str:
        return self.value


_E = TypeVar("_E", bound=Enum)


def _known(enum: Type[_E], value: str) -> Union[_E, str]:
    """The member of ``enum`` with this value, or the value itself when it is unknown."""
    try:
        return enum(value)
    except ValueError:
        return value


_FRACTION = re.compile(r"\.(\d+)")


def parse_datetime(text: str) -> datetime:
    """An RFC 3339 timestamp as an aware datetime (any number of fraction digits, ``Z``)."""
    normalized = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    if normalized.endswith(("Z", "z")):
        normalized = normalized[:-1] + "+00:00"
    parsed = datetime.fromisoformat(normalized)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no UTC offset")
    return parsed


def format_datetime(value: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC, with only the fraction digits it needs (as the
    API writes them: ``...:05Z``, ``...:05.06Z``)."""
    if value.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    utc = value.astimezone(timezone.utc).replace(tzinfo=None)
    fraction = f"{utc.microsecond:06d}".rstrip("0")
    return utc.isoformat(timespec="seconds") + ("." + fraction if fraction else "") + "Z"


def _extra(data: Mapping[str, Any], known: "tuple[str, ...]") -> Dict[str, Any]:
    return {key: value for key, value in data.items() if key not in known}


_INSTALLATION_FIELDS = (
    "id",
    "applicationId",
    "resource",
    "status",
    "metadata",
    "errorCode",
    "createdAt",
    "updatedAt",
)


@dataclass(frozen=True)
class Installation:
    """An installation: the integration of one application with one Pleo account."""

    id: str
    application_id: str
    resource: str
    #: An :class:`InstallationStatus`, or the plain string of a status this SDK does not know.
    status: Union[InstallationStatus, str]
    metadata: Dict[str, Any] = field(hash=False)
    error_code: Union[InstallationErrorCode, str, None]
    created_at: datetime
    updated_at: datetime
    #: Fields this version of the SDK does not know, as sent.
    extra: Dict[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Installation":
        """Builds it from the API's ``InstallationResponse`` JSON object."""
        error_code = data.get("errorCode")
        return cls(
            id=data["id"],
            application_id=data["applicationId"],
            resource=data["resource"],
            status=_known(InstallationStatus, data["status"]),
            metadata=dict(data.get("metadata") or {}),
            error_code=None if error_code is None else _known(InstallationErrorCode, error_code),
            created_at=parse_datetime(data["createdAt"]),
            updated_at=parse_datetime(data["updatedAt"]),
            extra=_extra(data, _INSTALLATION_FIELDS),
        )

    def to_dict(self) -> Dict[str, Any]:
        """The API's ``InstallationResponse`` JSON object of it, as a new ``dict``: unknown
        fields and unknown enum values as they arrived, ``errorCode`` left out when there is
        none, timestamps in RFC 3339 UTC."""
        data: Dict[str, Any] = {
            "id": self.id,
            "applicationId": self.application_id,
            "resource": self.resource,
            "status": str(self.status),
            "metadata": copy.deepcopy(self.metadata),
        }
        if self.error_code is not None:
            data["errorCode"] = str(self.error_code)
        data["createdAt"] = format_datetime(self.created_at)
        data["updatedAt"] = format_datetime(self.updated_at)
        data.update(copy.deepcopy(self.extra))
        return data


_CLIENT_FIELDS = ("authMethod", "clientId", "scope", "applicationName", "subjectURN")


@dataclass(frozen=True)
class Introspection:
    """Which credential is in use (the ``data`` of ``GET /v1/introspect``)."""

    #: An :class:`AuthMethod`, or the plain string of a method this SDK does not know.
    auth_method: Union[AuthMethod, str]
    client_id: str
    #: The granted scopes, space separated.
    scope: str
    application_name: Optional[str]
    #: The subject, e.g. ``urn:pleo:company:<uuid>``.
    subject_urn: Optional[str]
    #: Fields this version of the SDK does not know, as sent (inside ``data`` and beside it).
    extra: Dict[str, Any] = field(default_factory=dict, hash=False)
    #: The keys of ``extra`` that came beside ``data``, for :meth:`to_dict`.
    _outside: FrozenSet[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    @classmethod
    def from_json(cls, response: Mapping[str, Any]) -> "Introspection":
        """Builds it from the API's ``{"data": ExternalClientModelDetails}`` JSON object."""
        data: Mapping[str, Any] = response["data"]
        outside = _extra(response, ("data",))
        extra = _extra(data, _CLIENT_FIELDS)
        extra.update(outside)
        introspection = cls(
            auth_method=_known(AuthMethod, data["authMethod"]),
            client_id=data["clientId"],
            scope=data["scope"],
            application_name=data.get("applicationName"),
            subject_urn=data.get("subjectURN"),
            extra=extra,
        )
        object.__setattr__(introspection, "_outside", frozenset(outside))
        return introspection

    def to_dict(self) -> Dict[str, Any]:
        """The API's ``{"data": ExternalClientModelDetails}`` JSON object of it, as a new
        ``dict``: unknown fields where they arrived (inside ``data`` unless they came beside
        it), optional fields left out when absent."""
        data: Dict[str, Any] = {
            "authMethod": str(self.auth_method),
            "clientId": self.client_id,
            "scope": self.scope,
        }
        if self.application_name is not None:
            data["applicationName"] = self.application_name
        if self.subject_urn is not None:
            data["subjectURN"] = self.subject_urn
        response: Dict[str, Any] = {}
        for key, value in self.extra.items():
            (response if key in self._outside else data)[key] = copy.deepcopy(value)
        response["data"] = data
        return response
