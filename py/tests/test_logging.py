"""The core's log records reach logging under "pleo_installations", without secrets."""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys

import pytest

from pleo_installations import Client
from pleo_installations.testing import MockServer


def test_records_reach_python_logging(caplog: pytest.LogCaptureFixture, server: MockServer) -> None:
    caplog.set_level(logging.DEBUG, logger="pleo_installations")
    server.push_fault(status=503)
    with Client(base_url=server.url, api_key=server.api_key) as client:
        client.introspect()
    ours = [r for r in caplog.records if r.name.split(".")[0] == "pleo_installations"]
    messages = [r.getMessage() for r in ours]
    assert any(m.startswith("attempt n=1 operation=introspect") and "status=503" in m for m in messages), messages
    assert any(m.startswith("retry n=1 operation=introspect kind=server status=503") for m in messages), messages
    assert any(m.startswith("attempt n=2 ") and "status=200" in m for m in messages), messages
    assert {r.name for r in ours} == {"pleo_installations.events"}
    assert all(r.levelno == logging.DEBUG for r in ours if r.getMessage().startswith("attempt "))
    basic = base64.b64encode(f"{server.api_key}:".encode()).decode()  # the Authorization header's value
    assert all(server.api_key not in m and basic not in m for m in messages)


def test_level_changes_apply(caplog: pytest.LogCaptureFixture, server: MockServer) -> None:
    caplog.set_level(logging.DEBUG, logger="pleo_installations")
    with Client(base_url=server.url, api_key=server.api_key) as client:
        client.introspect()
        assert any(r.name.startswith("pleo_installations") for r in caplog.records)
        caplog.clear()
        logging.getLogger("pleo_installations").setLevel(logging.WARNING)
        client.introspect()
    assert not [r for r in caplog.records if r.name.startswith("pleo_installations")]


def test_the_package_logger_has_a_null_handler() -> None:
    logger = logging.getLogger("pleo_installations")
    assert any(isinstance(handler, logging.NullHandler) for handler in logger.handlers)


def test_nothing_reaches_stderr_when_logging_is_not_configured() -> None:
    # Without a handler anywhere, logging's last resort would print warnings to stderr.
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import logging, pleo_installations; "
            "logging.getLogger('pleo_installations.client').warning('a warning of the SDK')",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    assert child.stderr == ""


#: A child that makes one call meeting one 503, with PLEO_LOG as the test sets it.
_CHILD = """
from pleo_installations import Client
from pleo_installations.testing import MockServer
with MockServer() as server, Client(base_url=server.url, api_key=server.api_key) as client:
    server.push_fault(status=503, retry_after="0")
    client.introspect()
    print(server.api_key)
"""


def _child(pleo_log: str) -> subprocess.CompletedProcess[str]:
    environ = {name: value for name, value in os.environ.items() if not name.startswith("PLEO_")}
    child = subprocess.run(
        [sys.executable, "-W", "always", "-c", _CHILD],
        capture_output=True,
        text=True,
        timeout=60,
        env={**environ, "PLEO_LOG": pleo_log},
    )
    assert child.returncode == 0, child.stderr
    return child


def test_pleo_log_prints_the_events_to_stderr() -> None:
    child = _child("debug")
    lines = child.stderr.splitlines()
    assert len(lines) == 3, child.stderr
    assert lines[0].startswith("pleo-installations debug attempt n=1 operation=introspect method=GET ")
    assert lines[1] == "pleo-installations info retry n=1 operation=introspect kind=server status=503 delay_ms=0"
    assert lines[2].startswith("pleo-installations debug attempt n=2 ")
    assert child.stdout.strip() not in child.stderr  # the API key
    assert _child("info").stderr.splitlines() == lines[1:2]
    assert _child("off").stderr == ""


def test_a_pleo_log_that_is_no_level_warns_and_prints_nothing_else() -> None:
    child = _child("loud")
    assert "RuntimeWarning: PLEO_LOG='loud' is not one of debug, info, warn, error, off" in child.stderr
    assert "pleo-installations " not in child.stderr
