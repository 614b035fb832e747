"""Argument checks of the Python layer: a wrong type is a ``TypeError`` naming the argument."""

from __future__ import annotations

import math
from typing import Any, Optional, Tuple, Type, Union

from .errors import invalid_argument

_Types = Union[Type[Any], Tuple[Type[Any], ...]]


def _names(types: _Types) -> str:
    if isinstance(types, tuple):
        return " or ".join(t.__name__ for t in types)
    return types.__name__


def check_type(name: str, value: Any, types: _Types, *, optional: bool = False) -> None:
    """Raises ``TypeError`` unless ``value`` is one of ``types`` (or ``None`` when optional)."""
    if value is None and optional:
        return
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        ok = False
    else:
        ok = isinstance(value, types)
    if not ok:
        expected = _names(types) + (" or None" if optional else "")
        raise TypeError(f"{name} must be {expected}, not {type(value).__name__}")


def seconds_to_ms(name: str, seconds: Optional[float]) -> Optional[int]:
    """A duration in seconds (int or float) as whole milliseconds, checked."""
    if seconds is None:
        return None
    check_type(name, seconds, (int, float))
    if not math.isfinite(seconds) or not 0 <= seconds < 2**53:
        raise invalid_argument(f"{name} must be a finite, non-negative number of seconds, not {seconds!r}")
    return int(round(seconds * 1000))
