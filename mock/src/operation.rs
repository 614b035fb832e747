//! The seven operations of the Installations API, the two OAuth endpoints, and how a
//! request finds one.

use hyper::Method;

/// One operation of the spec, named by its `operationId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    GetClientInstallation,
    CreateClientInstallation,
    UpdateClientInstallation,
    DeleteClientInstallation,
    ActivateMyInstallation,
    CompleteInstallation,
    Introspect,
}

/// The `operationId`s of the spec, in the order the spec's paths list them.
pub const OPERATION_IDS: [&str; 7] = [
    "completeInstallationExternalClientOnlyIdempotently",
    "getClientInstallation",
    "updateClientInstallation",
    "createClientInstallation",
    "deleteClientInstallation",
    "activateMyInstallation",
    "introspect",
];

/// The operation ids of the OAuth endpoints (`GET /oauth/authorize`, `POST /oauth/token`):
/// they are journaled under these ids and faults can target them, like
/// [`OPERATION_IDS`], which lists only the API's own operations.
pub const OAUTH_OPERATION_IDS: [&str; 2] = ["oauthAuthorize", "oauthToken"];

/// One of the OAuth endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OAuthEndpoint {
    Authorize,
    Token,
}

impl OAuthEndpoint {
    /// Its operation id (one of [`OAUTH_OPERATION_IDS`]).
    pub(crate) fn id(self) -> &'static str {
        match self {
            OAuthEndpoint::Authorize => "oauthAuthorize",
            OAuthEndpoint::Token => "oauthToken",
        }
    }
}

const AUTHORIZE: &str = "/oauth/authorize";
const TOKEN: &str = "/oauth/token";
const ME: &str = "/v1/installations/me";
const ACTIVATE: &str = "/v1/installations/me:activate";
const COMPLETIONS: &str = "/v1/installations/completions";
const INTROSPECT: &str = "/v1/introspect";

/// What routing made of a request to the API (admin requests are routed elsewhere).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Operation(Operation),
    OAuth(OAuthEndpoint),
    /// A known path with a method it does not take; carries the `Allow` header value.
    MethodNotAllowed(&'static str),
    NotFound,
}

impl Operation {
    /// The spec's `operationId`.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Operation::GetClientInstallation => "getClientInstallation",
            Operation::CreateClientInstallation => "createClientInstallation",
            Operation::UpdateClientInstallation => "updateClientInstallation",
            Operation::DeleteClientInstallation => "deleteClientInstallation",
            Operation::ActivateMyInstallation => "activateMyInstallation",
            Operation::CompleteInstallation => "completeInstallationExternalClientOnlyIdempotently",
            Operation::Introspect => "introspect",
        }
    }
}

/// Whether `id` is one of the spec's `operationId`s or of [`OAUTH_OPERATION_IDS`].
pub(crate) fn is_known(id: &str) -> bool {
    OPERATION_IDS.contains(&id) || OAUTH_OPERATION_IDS.contains(&id)
}

/// Finds the operation for `method` on `path` (the path without its query string).
///
/// The colon of `me:activate` may also arrive percent-encoded (`%3A` or `%3a`).
pub(crate) fn route(method: &Method, path: &str) -> Route {
    let path = path.replace("%3A", ":").replace("%3a", ":");
    let (allow, found) = match path.as_str() {
        ME => (
            "GET, POST, PUT, DELETE",
            match *method {
                Method::GET => Some(Operation::GetClientInstallation),
                Method::POST => Some(Operation::CreateClientInstallation),
                Method::PUT => Some(Operation::UpdateClientInstallation),
                Method::DELETE => Some(Operation::DeleteClientInstallation),
                _ => None,
            },
        ),
        ACTIVATE => (
            "POST",
            (method == Method::POST).then_some(Operation::ActivateMyInstallation),
        ),
        COMPLETIONS => (
            "PUT",
            (method == Method::PUT).then_some(Operation::CompleteInstallation),
        ),
        INTROSPECT => (
            "GET",
            (method == Method::GET).then_some(Operation::Introspect),
        ),
        AUTHORIZE => {
            return if method == Method::GET {
                Route::OAuth(OAuthEndpoint::Authorize)
            } else {
                Route::MethodNotAllowed("GET")
            };
        }
        TOKEN => {
            return if method == Method::POST {
                Route::OAuth(OAuthEndpoint::Token)
            } else {
                Route::MethodNotAllowed("POST")
            };
        }
        _ => return Route::NotFound,
    };
    match found {
        Some(operation) => Route::Operation(operation),
        None => Route::MethodNotAllowed(allow),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_id_is_listed_once() {
        let all = [
            Operation::GetClientInstallation,
            Operation::CreateClientInstallation,
            Operation::UpdateClientInstallation,
            Operation::DeleteClientInstallation,
            Operation::ActivateMyInstallation,
            Operation::CompleteInstallation,
            Operation::Introspect,
        ];
        for op in all {
            assert_eq!(OPERATION_IDS.iter().filter(|id| **id == op.id()).count(), 1);
        }
    }

    #[test]
    fn routes_the_encoded_colon() {
        for path in [
            ACTIVATE,
            "/v1/installations/me%3Aactivate",
            "/v1/installations/me%3aactivate",
        ] {
            assert_eq!(
                route(&Method::POST, path),
                Route::Operation(Operation::ActivateMyInstallation)
            );
        }
        assert_eq!(
            route(&Method::GET, ACTIVATE),
            Route::MethodNotAllowed("POST")
        );
        assert_eq!(
            route(&Method::GET, "/v1/installations/me/"),
            Route::NotFound
        );
    }
}
