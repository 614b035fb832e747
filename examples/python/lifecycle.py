"""The installation lifecycle of an API-key integration, against the embedded emulator.

Run it with `make demo` (or `python examples/python/lifecycle.py` once the package is
installed). Against Pleo, drop the MockServer and pass your key: `Client(api_key=...)`.
"""

from __future__ import annotations

import logging

from pleo_installations import Client, InstallationStatus, NotFoundError
from pleo_installations.testing import MockServer


def main() -> None:
    logging.basicConfig(format="  log %(name)s: %(message)s")
    with MockServer() as server, Client(base_url=server.url, api_key=server.api_key) as client:
        who = client.introspect()
        print(f"authenticated as {who.application_name} ({who.auth_method})")

        try:
            client.get_installation()
        except NotFoundError as error:
            print(f"no installation yet (HTTP {error.status}, request {error.request_id})")

        installation = client.create_installation(
            status=InstallationStatus.PENDING_INTEGRATION,
            metadata={"externalConfigurationId": "42"},
        )
        print(f"created {installation.id}: {installation.status}")

        # The emulator answers the next request with a 503: the client retries it.
        server.push_fault(status=503, retry_after="0")
        installation = client.activate_installation()
        print(f"activated after a retried 503: {installation.status}")

        installation = client.wait_for_status([InstallationStatus.ACTIVATED], timeout=5)
        print(f"status is {installation.status}, updated {installation.updated_at.isoformat()}")

        client.delete_installation()
        print(f"deleted; the emulator saw {len(server.journal())} requests")


if __name__ == "__main__":
    main()
