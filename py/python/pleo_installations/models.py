"""What the API returns, as frozen dataclasses; unknown enum values arrive as plain ``str``."""

from __future__ import annotations

import copy
import json
from collections import abc
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from functools import lru_cache
from typing import Any, Callable, Dict, FrozenSet, Mapping, Optional, Type, TypeVar, Union

from . import _native
from .errors import decode_error


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


_EPOCH = datetime(1970, 1, 1)


@lru_cache(maxsize=256)  # an installation's timestamps come again and again, as polls do
def parse_datetime(text: str) -> datetime:
    """An RFC 3339 timestamp as an aware datetime in its own offset, read by the core's own
    reader (any number of fraction digits, microseconds kept; a leap second as the
    microsecond before it). Raises ``ValueError`` (``TypeError`` for a non-``str``)."""
    seconds, microsecond, offset = _native.parse_timestamp(text)
    zone = timezone(timedelta(seconds=offset)) if offset else timezone.utc
    try:
        # Built in its own offset: near year 9999 its UTC time may be past what Python holds.
        local = _EPOCH + timedelta(seconds=seconds + offset, microseconds=microsecond)
        return local.replace(tzinfo=zone)
    except OverflowError as e:
        raise ValueError(f"{text!r} is out of the range of Python's datetime: {e}") from None


def format_datetime(value: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC, with only the fraction digits it needs (as the
    API writes them: ``...:05Z``, ``...:05.06Z``)."""
    if value.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    utc = value.astimezone(timezone.utc).replace(tzinfo=None)
    fraction = f"{utc.microsecond:06d}".rstrip("0")
    return utc.isoformat(timespec="seconds") + ("." + fraction if fraction else "") + "Z"


_T = TypeVar("_T")
_M = TypeVar("_M", "Installation", "Introspection")


class _Fields:
    """The fields of one JSON object of the API, for a model: a field that is missing or
    does not convert is a :class:`DecodeError` naming it."""

    def __init__(self, what: str, data: Any) -> None:
        if not isinstance(data, abc.Mapping):
            raise decode_error(f"{what} is not a JSON object but {type(data).__name__}")
        self.what = what
        self.data: Mapping[str, Any] = data

    def required(self, key: str, convert: Callable[[Any], _T]) -> _T:
        try:
            value = self.data[key]
        except KeyError:
            raise decode_error(f"{self.what}.{key} is missing") from None
        return self._convert(key, convert, value)

    def optional(self, key: str, convert: Callable[[Any], _T]) -> Optional[_T]:
        """``None`` when the field is missing or null."""
        value = self.data.get(key)
        return None if value is None else self._convert(key, convert, value)

    def extra(self, known: tuple[str, ...]) -> Dict[str, Any]:
        """The fields not in ``known``, as they are."""
        return {key: value for key, value in self.data.items() if key not in known}

    def _convert(self, key: str, convert: Callable[[Any], _T], value: Any) -> _T:
        try:
            return convert(value)
        except (TypeError, ValueError, OverflowError) as e:
            raise decode_error(f"{self.what}.{key}: {e}") from e


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value


def _timestamp(value: Any) -> datetime:
    return parse_datetime(_string(value))


def _object(value: Any) -> Dict[str, Any]:
    if not isinstance(value, abc.Mapping):
        raise TypeError(f"expected a JSON object, not {type(value).__name__}")
    return dict(value)


def _decode(model: Type[_M], data: Any, text: Optional[str]) -> _M:
    """``model`` built from the API's JSON ``data``, keeping that JSON (``text``, when it
    arrived as text) for ``to_dict()``."""
    built = model._build(data)
    if text is None:
        try:
            text = json.dumps(data, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise decode_error(f"{model.__name__}: not JSON data: {e}") from e
    object.__setattr__(built, "_json", text)
    return built


def _from_text(model: Type[_M], text: str) -> _M:
    """``model`` built from the JSON text of the API's response."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise decode_error(f"{model.__name__}: not JSON: {e}") from e
    return _decode(model, data, text)


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
    #: Empty when the server sent none (or null).
    metadata: Dict[str, Any] = field(hash=False)
    error_code: Union[InstallationErrorCode, str, None]
    #: In the offset the server sent.
    created_at: datetime
    updated_at: datetime
    #: Fields this version of the SDK does not know, as sent.
    extra: Dict[str, Any] = field(default_factory=dict, hash=False)
    #: The JSON it was decoded from, for :meth:`to_dict`; None when built in Python.
    _json: Optional[str] = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Installation:
        """Builds it from the API's ``InstallationResponse`` JSON object; :class:`DecodeError`
        when that is not one."""
        return _decode(cls, data, None)

    @classmethod
    def _build(cls, data: Any) -> Installation:
        fields = _Fields("Installation", data)
        return cls(
            id=fields.required("id", _string),
            application_id=fields.required("applicationId", _string),
            resource=fields.required("resource", _string),
            status=fields.required("status", lambda value: _known(InstallationStatus, _string(value))),
            metadata=fields.optional("metadata", _object) or {},
            error_code=fields.optional("errorCode", lambda value: _known(InstallationErrorCode, _string(value))),
            created_at=fields.required("createdAt", _timestamp),
            updated_at=fields.required("updatedAt", _timestamp),
            extra=fields.extra(_INSTALLATION_FIELDS),
        )

    def to_dict(self) -> Dict[str, Any]:
        """The API's ``InstallationResponse`` JSON object, as a new ``dict``: exactly the
        server's (or what :meth:`from_json` was given), keys left out still out, nulls still
        null, unknown fields and values where they were. One built in Python (or changed
        with ``dataclasses.replace``) gives the JSON of its fields: ``errorCode`` left out
        when there is none, timestamps in RFC 3339 UTC."""
        if self._json is not None:
            result: Dict[str, Any] = json.loads(self._json)
            return result
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
    #: The JSON it was decoded from, for :meth:`to_dict`; None when built in Python.
    _json: Optional[str] = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_json(cls, response: Mapping[str, Any]) -> Introspection:
        """Builds it from the API's ``{"data": ExternalClientModelDetails}`` JSON object;
        :class:`DecodeError` when that is not one."""
        return _decode(cls, response, None)

    @classmethod
    def _build(cls, response: Any) -> Introspection:
        envelope = _Fields("introspection", response)
        fields = _Fields("introspection.data", envelope.required("data", lambda data: data))
        outside = envelope.extra(("data",))
        extra = fields.extra(_CLIENT_FIELDS)
        extra.update(outside)
        introspection = cls(
            auth_method=fields.required("authMethod", lambda value: _known(AuthMethod, _string(value))),
            client_id=fields.required("clientId", _string),
            scope=fields.required("scope", _string),
            application_name=fields.optional("applicationName", _string),
            subject_urn=fields.optional("subjectURN", _string),
            extra=extra,
        )
        object.__setattr__(introspection, "_outside", frozenset(outside))
        return introspection

    def to_dict(self) -> Dict[str, Any]:
        """The API's ``{"data": ExternalClientModelDetails}`` JSON object, as a new ``dict``:
        exactly the server's (or what :meth:`from_json` was given). One built in Python
        gives the JSON of its fields: unknown fields inside ``data``, optional fields left
        out when absent."""
        if self._json is not None:
            result: Dict[str, Any] = json.loads(self._json)
            return result
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
