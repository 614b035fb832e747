"""The one way into the native module: its errors become the SDK's exceptions."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from . import _native, errors

_T = TypeVar("_T")


def call_native(function: Callable[..., _T], *args: Any) -> _T:
    """Calls ``function`` of the native module; raises the exception of its error's kind,
    with the Python exception that caused it (a hook's, a token store's) as ``__cause__``."""
    try:
        return function(*args)
    except _native.NativeError as native:
        error_json, cause = native.args
        raise errors.from_json(error_json) from cause
