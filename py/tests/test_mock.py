"""pleo_installations.testing.MockServer: faults, journal, seeding, reset, OAuth controls, the
admin door, stop."""

from __future__ import annotations

import pytest

from pleo_installations import Client, RateLimitError, ServerError
from pleo_installations.testing import Fault, IssuedTokens, JournalStats, MockServer, OAuthStats


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


def test_stop(server: MockServer) -> None:
    assert repr(server).startswith("MockServer(url='http://127.0.0.1:")
    server.stop()
    server.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        server.journal()


def test_several_faults_are_queued_all_or_none(client: Client, server: MockServer) -> None:
    server.push_faults([Fault(status=503, times=2), Fault(delay=0.05, operation="introspect")])
    assert server.pending_faults() == 2
    with pytest.raises(ValueError, match="operation"):
        server.push_faults([Fault(status=500), Fault(operation="nope", status=500)])
    assert server.pending_faults() == 2, "an invalid list queues nothing"
    with pytest.raises(TypeError, match=r"faults\[1\]"):
        server.push_faults([Fault(status=500), {"status": 500}])  # type: ignore[list-item]
    with pytest.raises(ServerError):
        Client(base_url=server.url, api_key=server.api_key, max_retries=1).introspect()
    assert client.introspect().auth_method == "API_KEY"
    assert server.pending_faults() == 0


def test_journal_stats_and_cut_bodies(client: Client, server: MockServer) -> None:
    assert server.journal_stats() == JournalStats(
        entries=0,
        bytes=0,
        max_entries=10_000,
        max_bytes=16 * 1024 * 1024,
        max_body_bytes=64 * 1024,
        dropped=0,
        truncated=0,
    )
    client.create_installation(metadata={"big": "x" * 70_000})
    entry = server.journal()[0]
    assert entry.body_truncated and entry.body_size is not None and entry.body_size > 70_000
    assert len(entry.body) <= 64 * 1024
    stats = server.journal_stats()
    assert (stats.entries, stats.truncated) == (1, 1) and stats.bytes > 0


def test_installation_of_another_company(server: MockServer) -> None:
    other = "0b7e2c1a-9d3f-4e6a-8b5c-1d2e3f4a5b6c"
    server.seed_installation("ERROR", company_id=other)
    assert server.installation() is None
    found = server.installation(company_id=other)
    assert found is not None and found["status"] == "ERROR"
    assert server.installation(server.access_token, other) is None
    with pytest.raises(ValueError, match="not a hyphenated UUID"):
        server.installation(company_id="42")


def test_oauth_controls(server: MockServer) -> None:
    assert server.oauth_stats() == OAuthStats(token_requests=0, refreshes=0)
    tokens = server.issue_tokens()
    assert isinstance(tokens, IssuedTokens) and tokens.access_token.startswith("at_")
    client = Client(base_url=server.url, access_token=tokens.access_token)
    assert client.introspect().auth_method == "OAUTH2"
    assert server.expire_access_tokens() == 1
    with pytest.raises(Exception, match="expired"):
        client.introspect()
    assert server.token_url == server.url + "/oauth/token"
    assert server.authorize_url == server.url + "/oauth/authorize"
    assert server.oauth_client.client_id == "pleo-mock-oauth-client"
    with pytest.raises(TypeError, match="seconds"):
        server.advance_clock("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seconds"):
        server.advance_clock(-1)
    server.advance_clock(1.5)
    assert server.admin("POST", "/__mock/clock", {"advance_ms": 0}) == {"offset_ms": 1500}


def test_the_admin_door(server: MockServer) -> None:
    assert server.admin("GET", "/__mock/health") == {"status": "ok"}
    assert server.admin("POST", "/__mock/faults", {"status": 503}) == {"pending_faults": 1}
    assert server.admin("GET", "/__mock/faults") == [{"status": 503, "times": 1}]
    with pytest.raises(ValueError, match="no admin route GET /__mock/nothing"):
        server.admin("GET", "/__mock/nothing")
    with pytest.raises(ValueError, match="does not take GET"):
        server.admin("GET", "/__mock/reset")
    with pytest.raises(ValueError, match="not an admin path"):
        server.admin("GET", "/v1/introspect")
    with pytest.raises(TypeError, match="path"):
        server.admin("GET", None)  # type: ignore[arg-type]
    assert server.journal() == [], "the door is not an API request"
