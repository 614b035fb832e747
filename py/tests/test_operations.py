"""Every method of the client against the emulator."""

from __future__ import annotations

import json
import uuid
from datetime import timezone

import pytest

from pleo_installations import (
    AuthMethod,
    Client,
    Installation,
    InstallationErrorCode,
    InstallationStatus,
    Introspection,
    NotFoundError,
    __version__,
)
from pleo_installations.testing import MockServer


def test_create_then_get(client: Client, server: MockServer) -> None:
    created = client.create_installation(metadata={"externalConfigurationId": "42", "n": 1})
    assert isinstance(created, Installation)
    assert created.status is InstallationStatus.ACTIVATED
    assert created.metadata == {"externalConfigurationId": "42", "n": 1}
    assert created.error_code is None
    assert created.resource.startswith("urn:pleo:company:")
    assert uuid.UUID(created.id) and uuid.UUID(created.application_id)
    assert created.created_at.tzinfo is not None
    assert created.created_at.utcoffset() == timezone.utc.utcoffset(None)
    assert client.get_installation() == created
    sent = server.journal()[0]
    assert sent.operation == "createClientInstallation"
    assert sent.json() == {"metadata": {"externalConfigurationId": "42", "n": 1}}


def test_create_with_status(client: Client) -> None:
    assert client.create_installation(InstallationStatus.AUTHORIZED).status == "AUTHORIZED"


def test_get_for_a_company(client: Client, server: MockServer) -> None:
    company = uuid.uuid4()
    server.seed_installation("AUTHORIZED", company_id=str(company))
    assert client.get_installation(company).status is InstallationStatus.AUTHORIZED
    assert client.get_installation(str(company)).status is InstallationStatus.AUTHORIZED
    assert server.journal()[-1].path.endswith(f"?company_id={company}")


def test_update(client: Client) -> None:
    client.create_installation(metadata={"a": 1})
    updated = client.update_installation(
        "INACTIVE", metadata={"b": [1, 2]}, error_code=InstallationErrorCode.NOT_ENTITLED
    )
    assert updated.status is InstallationStatus.INACTIVE
    assert updated.metadata == {"b": [1, 2]}
    assert updated.error_code is InstallationErrorCode.NOT_ENTITLED
    assert updated.updated_at > updated.created_at
    cleared = client.update_installation(InstallationStatus.ACTIVATED)
    assert cleared.error_code is None and cleared.metadata == {"b": [1, 2]}


def test_delete(client: Client, server: MockServer) -> None:
    client.create_installation()
    client.delete_installation()
    assert server.installation() is None
    with pytest.raises(NotFoundError):
        client.get_installation()


def test_activate(client: Client, server: MockServer) -> None:
    server.seed_installation("AUTHORIZED")
    assert client.activate_installation().status is InstallationStatus.ACTIVATED


def test_complete_is_deprecated(client: Client, server: MockServer) -> None:
    server.seed_installation("PENDING_INTEGRATION")
    with pytest.warns(DeprecationWarning, match="activate_installation"):
        installation = client.complete_installation()
    assert installation.status is InstallationStatus.ACTIVATED
    assert server.journal()[-1].operation == "completeInstallationExternalClientOnlyIdempotently"


def test_introspect(client: Client) -> None:
    introspection = client.introspect()
    assert isinstance(introspection, Introspection)
    assert introspection.auth_method is AuthMethod.API_KEY
    assert introspection.client_id == "1f0c6a8e-2b4d-4c3a-9e5f-6a7b8c9d0e1f"
    assert introspection.scope == "export:read export:write"
    assert introspection.application_name == "Mock Integration"
    assert introspection.subject_urn == "urn:pleo:company:7c1e5a2b-3d4f-4e6a-9b8c-0d1e2f3a4b5c"


def test_bearer_token(server: MockServer) -> None:
    with Client(base_url=server.url, access_token=server.access_token) as client:
        assert client.introspect().auth_method is AuthMethod.OAUTH2
    assert server.journal()[0].header("authorization") == f"Bearer {server.access_token}"


def test_unknown_status_and_code_arrive_as_str(client: Client, server: MockServer) -> None:
    server.seed_installation("SUSPENDED", error_code="BILLING_HOLD")
    installation = client.get_installation()
    assert installation.status == "SUSPENDED"
    assert type(installation.status) is str
    assert installation.error_code == "BILLING_HOLD" and type(installation.error_code) is str


def test_wait_for_status(client: Client, server: MockServer) -> None:
    server.seed_installation("PENDING_INTEGRATION")
    found = client.wait_for_status([InstallationStatus.ACTIVATED, "PENDING_INTEGRATION"], timeout=5)
    assert found.status is InstallationStatus.PENDING_INTEGRATION
    assert client.wait_for_status("PENDING_INTEGRATION", timeout=5).status == "PENDING_INTEGRATION"
    assert client.wait_for_status("PENDING_INTEGRATION").status == "PENDING_INTEGRATION"  # the core's timeout
    sent = [r.operation for r in server.journal()]
    assert sent == ["getClientInstallation"] * 3


def test_call_json(client: Client) -> None:
    created = json.loads(client.call_json("createClientInstallation", '{"status": "AUTHORIZED"}'))
    assert created["status"] == "AUTHORIZED"
    assert json.loads(client.call_json("getClientInstallation")) == created
    assert client.call_json("deleteClientInstallation", "{}") == "null"


def test_user_agent_names_the_binding(server: MockServer) -> None:
    with Client(base_url=server.url, api_key=server.api_key, user_agent="sync-job/2") as client:
        client.introspect()
    agent = server.journal()[0].header("user-agent") or ""
    assert f"pleo-installations-python/{__version__}" in agent
    assert agent.endswith("sync-job/2")


def test_models_are_frozen(client: Client) -> None:
    installation = client.create_installation()
    with pytest.raises(AttributeError):
        installation.status = "INACTIVE"  # type: ignore[misc]
    assert hash(installation) == hash(client.get_installation())


def test_to_dict_gives_back_the_apis_json(client: Client, server: MockServer) -> None:
    seeded = server.seed_installation("SUSPENDED", metadata={"n": [1, {"k": None}]}, error_code="BILLING_HOLD")
    installation = client.get_installation()
    assert installation.to_dict() == seeded
    assert json.loads(client.call_json("getClientInstallation")) == seeded
    installation.to_dict()["metadata"]["n"].append(2)
    assert installation.metadata == {"n": [1, {"k": None}]}
    assert "errorCode" not in client.update_installation("ACTIVATED").to_dict()

    assert client.introspect().to_dict() == json.loads(client.call_json("introspect"))


def test_to_dict_keeps_unknown_fields_where_they_came() -> None:
    response = {
        "data": {"authMethod": "MTLS", "clientId": "c", "scope": "s", "inside": {"x": 1}},
        "outside": [True],
    }
    introspection = Introspection.from_json(response)
    assert introspection.extra == {"inside": {"x": 1}, "outside": [True]}
    assert introspection.to_dict() == response

    installation = {
        "id": "i",
        "applicationId": "a",
        "resource": "r",
        "status": "ACTIVATED",
        "metadata": {},
        "createdAt": "2026-01-02T03:04:05Z",
        "updatedAt": "2026-01-02T03:04:05.12Z",
        "future": {"field": None},
    }
    assert Installation.from_json(installation).to_dict() == installation
