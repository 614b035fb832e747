"""The conformance suite's patterns, substitutions and result normalisation, as
tests/conformance/README.md ("Patterns", "Substitutions", "The outcome file") defines them."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Optional

#: Matches any value except null or a missing key.
ANY = "<any>"
#: In an object pattern: the key is missing or null.
ABSENT = "<absent>"
#: Result fields that differ from run to run, masked in the outcome file.
VOLATILE = ("id", "createdAt", "updatedAt")

_REFERENCE = re.compile(r"\$\{([^}]*)\}")


def mismatch(pattern: Any, actual: Any, path: str = "$") -> Optional[str]:
    """None when ``actual`` matches ``pattern``; otherwise where and how it differs."""
    if pattern == ANY and isinstance(pattern, str):
        return f"{path}: expected a value, got null" if actual is None else None
    if isinstance(pattern, dict) and isinstance(actual, dict):
        return _object_mismatch(pattern, actual, path)
    if isinstance(pattern, list) and isinstance(actual, list):
        if len(pattern) != len(actual):
            return f"{path}: expected {len(pattern)} items, got {len(actual)}: {_text(actual)}"
        for index, (item_pattern, item) in enumerate(zip(pattern, actual)):
            found = mismatch(item_pattern, item, f"{path}[{index}]")
            if found:
                return found
        return None
    if _same_scalar(pattern, actual):
        return None
    return f"{path}: expected {_text(pattern)}, got {_text(actual)}"


def _object_mismatch(pattern: Dict[str, Any], actual: Dict[str, Any], path: str) -> Optional[str]:
    for key, value_pattern in pattern.items():
        inner = f"{path}.{key}"
        if value_pattern == ABSENT and isinstance(value_pattern, str):
            if actual.get(key) is not None:
                return f"{inner}: expected absent, got {_text(actual[key])}"
        elif key not in actual:
            return f"{inner}: missing"
        else:
            found = mismatch(value_pattern, actual[key], inner)
            if found:
                return found
    return None


def _same_scalar(pattern: Any, actual: Any) -> bool:
    """JSON equality of two scalars: numbers by value, but ``true`` is not ``1``."""
    if isinstance(pattern, bool) or isinstance(actual, bool):
        return isinstance(pattern, bool) and isinstance(actual, bool) and pattern == actual
    if isinstance(pattern, (int, float)) and isinstance(actual, (int, float)):
        return pattern == actual
    return type(pattern) is type(actual) and bool(pattern == actual)


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def substitute(value: Any, saved: Dict[str, Any]) -> Any:
    """``value`` with every ``${name}`` or ``${name.key...}`` in its strings replaced by that
    saved value (a string as is, anything else as JSON text). Raises ``ValueError`` naming
    a reference to nothing saved."""
    if isinstance(value, str):
        return _REFERENCE.sub(lambda match: _lookup(match.group(1), saved), value)
    if isinstance(value, list):
        return [substitute(item, saved) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, saved) for key, item in value.items()}
    return value


def _lookup(reference: str, saved: Dict[str, Any]) -> str:
    name, *keys = reference.split(".")
    value: Any = saved
    for key in [name, *keys]:
        if not isinstance(value, dict) or key not in value:
            raise ValueError(f"${{{reference}}} refers to nothing saved")
        value = value[key]
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def normalise_result(result: Any) -> Any:
    """The result as the outcome file holds it: the API's JSON exactly, volatile values
    masked."""
    if not isinstance(result, dict):
        return result
    return {key: "<volatile>" if key in VOLATILE else value for key, value in result.items()}
