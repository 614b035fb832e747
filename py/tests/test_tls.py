"""The succeeding TLS path: a loopback HTTPS server whose certificate a test CA signed is
reached once that CA is trusted, through ``ca_bundle`` or ``SSL_CERT_FILE``; and with no CA
store at all, clients still build and reach the emulator over plain http."""

from __future__ import annotations

import http.server
import os
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

from pleo_installations import APIConnectionError, AsyncClient, Client, InvalidArgumentError

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "tls"
CA = FIXTURES / "ca.crt"


class _NoContent(http.server.BaseHTTPRequestHandler):
    def do_DELETE(self) -> None:  # noqa: N802 (the name http.server calls)
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def https_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NoContent)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(FIXTURES / "server.crt", FIXTURES / "server.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_ca_bundle_trusts_a_ca_as_a_path_or_as_pem_text(https_url: str) -> None:
    for bundle in (str(CA), CA.read_text()):
        with Client(base_url=https_url, api_key="k", ca_bundle=bundle) as client:
            client.delete_installation()
    with Client(base_url=https_url, api_key="k") as client, pytest.raises(APIConnectionError, match="certificate"):
        client.delete_installation()


def test_the_async_client_takes_a_ca_bundle_too(https_url: str) -> None:
    import asyncio

    async def delete() -> None:
        async with AsyncClient(base_url=https_url, api_key="k", ca_bundle=str(CA)) as client:
            await client.delete_installation()

    asyncio.run(delete())


def test_a_bundle_that_is_not_pem_is_an_invalid_argument_naming_it() -> None:
    with pytest.raises(InvalidArgumentError, match="ca_bundle: cannot read"):
        Client(base_url="https://127.0.0.1:1", api_key="k", ca_bundle="/nonexistent/ca.pem")


def _in_child(script: str, **env: str) -> str:
    """Runs ``script`` in a new interpreter (the system's roots are read once per process)."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_ssl_cert_file_is_trusted(https_url: str) -> None:
    script = f"""
from pleo_installations import Client
Client(base_url={https_url!r}, api_key="k").delete_installation()
print("ok")
"""
    assert _in_child(script, SSL_CERT_FILE=str(CA)) == "ok"


def test_without_a_ca_store_clients_build_and_reach_the_emulator(https_url: str) -> None:
    script = f"""
from pleo_installations import Client, PleoError
from pleo_installations.testing import MockServer
kinds = []
with MockServer() as server:
    for url, key in ((server.url, server.api_key), ({https_url!r}, "k")):
        try:
            Client(base_url=url, api_key=key).delete_installation()
        except PleoError as error:
            kinds.append(error.kind)
print(" ".join(kinds))
"""
    out = _in_child(script, SSL_CERT_FILE="/nonexistent/ca.pem", SSL_CERT_DIR="/nonexistent")
    assert out == "not_found connection"
