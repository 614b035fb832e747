"""A client inherited across fork() works in the child (as multiprocessing pools do)."""

from __future__ import annotations

import multiprocessing
import os
from typing import Optional

import pytest

from pleo_installations import Client
from pleo_installations.testing import MockServer

_inherited: Optional[Client] = None


def _status_in_child(_: int) -> str:
    assert _inherited is not None
    return str(_inherited.get_installation().status)


def test_os_fork(client: Client, server: MockServer) -> None:
    client.create_installation()
    assert client.get_installation().status == "ACTIVATED"  # the parent's pool is warm
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if client.get_installation().status == "ACTIVATED" else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert client.get_installation().status == "ACTIVATED"  # the parent still works
    peers = {r.peer for r in server.journal()}
    assert len(peers) >= 2, "the child should have opened its own connection"


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_multiprocessing_fork_pool(client: Client, server: MockServer) -> None:
    global _inherited
    client.create_installation()
    client.get_installation()
    _inherited = client
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            assert pool.map(_status_in_child, range(6)) == ["ACTIVATED"] * 6
    finally:
        _inherited = None
    assert len(server.journal()) == 2 + 6
