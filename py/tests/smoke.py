"""A first call from an installed package (run in fresh venvs by `make test-python-wheel`)."""

import pleo_installations
from pleo_installations import Client, NotFoundError
from pleo_installations.testing import MockServer

with MockServer() as server, Client(base_url=server.url, api_key=server.api_key) as client:
    try:
        client.get_installation()
        raise SystemExit("expected NotFoundError")
    except NotFoundError:
        pass
    assert client.create_installation().status == "ACTIVATED"
print(f"pleo_installations {pleo_installations.__version__} from {pleo_installations.__file__}: ok")
