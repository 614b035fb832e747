"""Argument checks of the Python layer: a wrong type is a ``TypeError`` naming the argument."""

from __future__ import annotations

import math
from collections import abc
from typing import Any, Dict, FrozenSet, Optional, Tuple, Type, Union

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


def json_object(name: str, value: Any) -> Dict[str, Any]:
    """A ``Mapping`` argument as the JSON object it will be sent as: nested mappings become
    dicts and other sequences (not ``str``/``bytes``) lists. Raises ``TypeError`` naming the
    path (``metadata['a'][0]``) of what JSON would not hold exactly: a key that is not a
    ``str`` (``json`` would turn it into one), a NaN or infinity, any other type, a cycle.
    Nesting deeper than the SDK's JSON parser takes is ``InvalidArgumentError``."""
    check_type(name, value, abc.Mapping)
    converted: Dict[str, Any] = _json_value(name, value, frozenset())
    return converted


#: How deep JSON may nest: the core's parser refuses more (128 levels, the argument's own
#: object included).
MAX_DEPTH = 127


def _json_value(path: str, value: Any, containers: FrozenSet[int]) -> Any:
    """``value`` as JSON data; ``containers`` are the ids of the containers around it."""
    if value is None or isinstance(value, (str, int)):  # bool is an int
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{path} is {value!r}, which JSON cannot hold")
        return value
    if isinstance(value, (abc.Mapping, abc.Sequence)) and not isinstance(value, (bytes, bytearray, memoryview)):
        if id(value) in containers:
            raise TypeError(f"{path} is a mapping or sequence it is inside of (a cycle)")
        if len(containers) >= MAX_DEPTH:
            head = path.split("[", 1)[0]
            raise invalid_argument(f"{head} nests deeper than {MAX_DEPTH} levels, more than JSON requests may")
        inner = containers | {id(value)}
        if isinstance(value, abc.Mapping):
            for key in value:
                if not isinstance(key, str):
                    raise TypeError(f"{path}[{key!r}]: a JSON object's keys are str, not {type(key).__name__}")
            return {key: _json_value(f"{path}[{key!r}]", item, inner) for key, item in value.items()}
        return [_json_value(f"{path}[{index}]", item, inner) for index, item in enumerate(value)]
    raise TypeError(
        f"{path} must be JSON data (a mapping, sequence, str, int, float, bool or None), not {type(value).__name__}"
    )
