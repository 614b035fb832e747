"""pleo_installations.testing.MockServer: faults, journal, seeding, reset, shutdown."""

from __future__ import annotations

import pytest

from pleo_installations import Client, RateLimitError
from pleo_installations.testing import MockServer


def test_faults_are_fifo_and_filtered(client: Client, server: MockServer) -> None:
    server.push_fault(status=429, retry_after="0", operation="introspect", times=2)
    assert server.pending_faults() == 1
    client.create_installation()  # not introspect: no fault
    with pytest.raises(RateLimitError):
        client.introspect()  # two attempts, both 429
    assert server.pending_faults() == 0
    assert client.introspect().auth_method == "API_KEY"
    server.push_fault(status=500)
    server.clear_faults()
    assert server.pending_faults() == 0


def test_bad_faults_are_refused(server: MockServer) -> None:
    with pytest.raises(ValueError, match="operation"):
        server.push_fault(status=500, operation="nope")
    with pytest.raises(TypeError, match="status"):
        server.push_fault(status="500")  # type: ignore[arg-type]


def test_tokens_for_an_unknown_oauth_client_are_refused(server: MockServer) -> None:
    with pytest.raises(ValueError, match="nobody"):
        server.issue_tokens("nobody")
    access, refresh = server.issue_tokens()
    assert access and refresh and access != refresh


def test_journal(client: Client, server: MockServer) -> None:
    client.create_installation(metadata={"k": "v"})
    entry = server.journal()[0]
    assert (entry.method, entry.path, entry.operation) == ("POST", "/v1/installations/me", "createClientInstallation")
    assert entry.json() == {"metadata": {"k": "v"}}
    assert entry.header(
        "Authorization",
    ) is not None and entry.request_id.startswith("mock-")
    assert entry.peer.startswith("127.0.0.1:")
    server.clear_journal()
    assert server.journal() == []


def test_seed_and_reset(client: Client, server: MockServer) -> None:
    seeded = server.seed_installation("ERROR", metadata={"a": 1}, error_code="AUTH_ERROR")
    assert seeded["status"] == "ERROR" and server.installation() == seeded
    assert client.get_installation().error_code == "AUTH_ERROR"
    server.reset()
    assert server.installation() is None and server.journal() == []
    with pytest.raises(ValueError, match="credential"):
        server.seed_installation("ACTIVATED", credential="unknown")


def test_shutdown(server: MockServer) -> None:
    assert repr(server).startswith("MockServer(url='http://127.0.0.1:")
    server.shutdown()
    server.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        server.journal()
