//! The seven operations of the API: their ids, paths and whether they may be repeated.

use reqwest::Method;

/// An operation of the Installations API, named by its OpenAPI `operationId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `GET /v1/installations/me`
    GetInstallation,
    /// `POST /v1/installations/me`
    CreateInstallation,
    /// `PUT /v1/installations/me`
    UpdateInstallation,
    /// `DELETE /v1/installations/me`
    DeleteInstallation,
    /// `POST /v1/installations/me:activate`
    ActivateInstallation,
    /// `PUT /v1/installations/completions` (deprecated by the API).
    CompleteInstallation,
    /// `GET /v1/introspect`
    Introspect,
}

impl Operation {
    /// Every operation of the API.
    pub const ALL: [Operation; 7] = [
        Operation::GetInstallation,
        Operation::CreateInstallation,
        Operation::UpdateInstallation,
        Operation::DeleteInstallation,
        Operation::ActivateInstallation,
        Operation::CompleteInstallation,
        Operation::Introspect,
    ];

    /// The OpenAPI `operationId`.
    pub fn id(self) -> &'static str {
        match self {
            Operation::GetInstallation => "getClientInstallation",
            Operation::CreateInstallation => "createClientInstallation",
            Operation::UpdateInstallation => "updateClientInstallation",
            Operation::DeleteInstallation => "deleteClientInstallation",
            Operation::ActivateInstallation => "activateMyInstallation",
            Operation::CompleteInstallation => "completeInstallationExternalClientOnlyIdempotently",
            Operation::Introspect => "introspect",
        }
    }

    /// The operation with this `operationId`, if there is one.
    pub fn from_id(id: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.id() == id)
    }

    /// The HTTP method.
    pub fn method(self) -> Method {
        match self {
            Operation::GetInstallation | Operation::Introspect => Method::GET,
            Operation::CreateInstallation | Operation::ActivateInstallation => Method::POST,
            Operation::UpdateInstallation | Operation::CompleteInstallation => Method::PUT,
            Operation::DeleteInstallation => Method::DELETE,
        }
    }

    /// The path below the base URL, sent literally (the colon of `:activate` included).
    pub fn path(self) -> &'static str {
        match self {
            Operation::GetInstallation
            | Operation::CreateInstallation
            | Operation::UpdateInstallation
            | Operation::DeleteInstallation => "/v1/installations/me",
            Operation::ActivateInstallation => "/v1/installations/me:activate",
            Operation::CompleteInstallation => "/v1/installations/completions",
            Operation::Introspect => "/v1/introspect",
        }
    }

    /// Whether sending the operation twice has the effect of sending it once.
    ///
    /// Only create is not: Pleo has no idempotency key, so a repeated create after an
    /// ambiguous failure could act twice.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Operation::CreateInstallation)
    }
}
