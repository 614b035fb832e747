"""Metadata is sent exactly or refused: any Mapping and sequence as JSON, no key turned into a
string, no NaN, every digit of an integer."""

from __future__ import annotations

import collections
import types
from typing import Any, Dict, Iterator, Mapping

import pytest

from pleo_installations import Client, InvalidArgumentError
from pleo_installations.testing import MockServer


class Settings(Mapping[str, Any]):
    """A Mapping that is not a dict."""

    def __init__(self, **values: Any) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        (Settings(a=1, nested=Settings(b=[Settings(c=None)])), {"a": 1, "nested": {"b": [{"c": None}]}}),
        (
            types.MappingProxyType({"a": (1, 2.5, "x"), "b": collections.OrderedDict(c=True)}),
            {"a": [1, 2.5, "x"], "b": {"c": True}},
        ),
        (
            collections.ChainMap[str, Any]({"a": 1}, {"b": [types.MappingProxyType({"c": "d"})]}),
            {"a": 1, "b": [{"c": "d"}]},
        ),
    ],
    ids=["custom-mapping", "mapping-proxy-and-tuple", "chain-map"],
)
def test_any_mapping_is_sent_as_json(
    client: Client, server: MockServer, metadata: Mapping[str, Any], expected: Dict[str, Any]
) -> None:
    assert client.create_installation(metadata=metadata).metadata == expected
    assert server.journal()[-1].json() == {"metadata": expected}
    assert client.update_installation("ACTIVATED", metadata=metadata).metadata == expected


@pytest.mark.parametrize(
    ("metadata", "path"),
    [
        ({1: "a"}, r"metadata\[1\]"),
        ({"a": {None: 1}}, r"metadata\['a'\]\[None\]"),
        ({"a": [{"ok": 1}, {True: 1}]}, r"metadata\['a'\]\[1\]\[True\]"),
        ({"a": {(1, 2): 1}}, r"metadata\['a'\]\[\(1, 2\)\]"),
        ({"a": {1.5: 1}}, r"metadata\['a'\]\[1.5\]"),
        ({"a": [1, float("inf")]}, r"metadata\['a'\]\[1\]"),
        ({"a": {"b": float("nan")}}, r"metadata\['a'\]\['b'\]"),
        ({"a": -float("inf")}, r"metadata\['a'\]"),
        ({"a": {1, 2}}, r"metadata\['a'\]"),
        ({"a": b"bytes"}, r"metadata\['a'\]"),
        ({"a": object()}, r"metadata\['a'\]"),
    ],
)
def test_what_json_cannot_hold_exactly_is_refused_naming_where(client: Client, metadata: Any, path: str) -> None:
    with pytest.raises(TypeError, match=path):
        client.create_installation(metadata=metadata)
    with pytest.raises(TypeError, match=path):
        client.update_installation("ACTIVATED", metadata=metadata)


def test_a_mapping_that_contains_itself_is_refused(client: Client) -> None:
    metadata: Any = {"a": []}
    metadata["a"].append(metadata)
    with pytest.raises(TypeError, match=r"metadata\['a'\]\[0\]"):
        client.create_installation(metadata=metadata)


def test_the_seeding_helper_takes_any_mapping_too(server: MockServer) -> None:
    seeded = server.seed_installation("ACTIVATED", metadata=Settings(a=Settings(b=(1,))))
    assert seeded["metadata"] == {"a": {"b": [1]}}
    with pytest.raises(TypeError, match=r"metadata\[1\]"):
        server.seed_installation("ACTIVATED", metadata={1: 1})  # type: ignore[dict-item]


def test_an_integer_past_64_bits_keeps_every_digit(client: Client, server: MockServer) -> None:
    big = 2**64 + 1
    created = client.create_installation(metadata={"n": big, "nested": [-big]})
    assert server.journal()[-1].body.count(str(big)) == 2
    assert created.metadata == {"n": big, "nested": [-big]}
    assert client.get_installation().metadata == {"n": big, "nested": [-big]}


def test_metadata_nested_past_what_the_parser_takes_is_an_invalid_argument(client: Client, server: MockServer) -> None:
    deep: Any = [1]
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(InvalidArgumentError, match="deeper than"):
        client.create_installation(metadata={"deep": deep})
    fits: Any = 1
    for _ in range(120):
        fits = [fits]
    created = client.create_installation(metadata={"fits": fits})
    assert created.metadata["fits"] == fits
    assert len(server.journal()) == 1
