"""Fixtures: a fresh emulator per test, and a client of it."""

from __future__ import annotations

from typing import Iterator

import pytest

from pleo_installations import Client
from pleo_installations.testing import MockServer


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def client(server: MockServer) -> Iterator[Client]:
    with Client(base_url=server.url, api_key=server.api_key, max_retries=1) as client:
        yield client
