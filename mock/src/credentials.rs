//! Credentials: who a request is, read from its `Authorization` header.
//!
//! Every lookup goes through [`authenticate`]: first [`CredentialStore::find`] (the
//! configured credentials and keys added with `MockServer::add_api_key`), then, for a
//! bearer token, the access tokens the OAuth token endpoint issued.

use base64::Engine as _;
use hyper::HeaderMap;
use hyper::header::AUTHORIZATION;
use uuid::Uuid;

/// The default API key (fake; safe to print).
pub const DEFAULT_API_KEY: &str = "pleo-mock-api-key";

/// The default static bearer (OAuth access) token (fake; safe to print).
pub const DEFAULT_ACCESS_TOKEN: &str = "pleo-mock-access-token";

/// The company both default credentials belong to.
pub const DEFAULT_COMPANY_ID: Uuid = Uuid::from_u128(0x7c1e_5a2b_3d4f_4e6a_9b8c_0d1e_2f3a_4b5c);

/// The scope of both default credentials.
pub const DEFAULT_SCOPE: &str = "export:read export:write";

/// How a credential is presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// An API key, sent as `Authorization: Basic base64("<key>:")`; introspects as `API_KEY`.
    ApiKey,
    /// An OAuth access token, sent as `Authorization: Bearer <token>`; introspects as `OAUTH2`.
    Bearer,
}

impl CredentialKind {
    /// The `authMethod` that `GET /v1/introspect` reports.
    pub fn auth_method(self) -> &'static str {
        match self {
            CredentialKind::ApiKey => "API_KEY",
            CredentialKind::Bearer => "OAUTH2",
        }
    }
}

/// A credential the emulator accepts, and the client it belongs to.
///
/// Installations are kept per client (`client_id`) and company: two credentials with the
/// same `client_id` and `company_id` see the same installation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockCredential {
    /// How it is presented.
    pub kind: CredentialKind,
    /// The API key or access token itself.
    pub secret: String,
    /// The client (integration) it belongs to; `clientId` in introspection.
    pub client_id: String,
    /// The application of the client; `applicationId` of its installations.
    pub application_id: Uuid,
    /// `applicationName` in introspection.
    pub application_name: String,
    /// The company it acts for; its installations' `resource` is `urn:pleo:company:<id>`.
    pub company_id: Uuid,
    /// Space-separated scopes, reported by introspection.
    pub scope: String,
}

impl MockCredential {
    /// An API key of a new client with random ids, the default company and the default scope.
    pub fn api_key(secret: impl Into<String>) -> MockCredential {
        MockCredential::new(CredentialKind::ApiKey, secret)
    }

    /// A bearer token of a new client with random ids, the default company and the default scope.
    pub fn bearer(secret: impl Into<String>) -> MockCredential {
        MockCredential::new(CredentialKind::Bearer, secret)
    }

    fn new(kind: CredentialKind, secret: impl Into<String>) -> MockCredential {
        MockCredential {
            kind,
            secret: secret.into(),
            client_id: Uuid::new_v4().to_string(),
            application_id: Uuid::new_v4(),
            application_name: "Mock Application".to_owned(),
            company_id: DEFAULT_COMPANY_ID,
            scope: DEFAULT_SCOPE.to_owned(),
        }
    }

    /// The default API key [`DEFAULT_API_KEY`] of the client "Mock Integration".
    pub fn default_api_key() -> MockCredential {
        MockCredential {
            kind: CredentialKind::ApiKey,
            secret: DEFAULT_API_KEY.to_owned(),
            client_id: "1f0c6a8e-2b4d-4c3a-9e5f-6a7b8c9d0e1f".to_owned(),
            application_id: Uuid::from_u128(0x3a9d_4c2e_8b1f_4d7a_a6e5_0c1b_2d3e_4f50),
            application_name: "Mock Integration".to_owned(),
            company_id: DEFAULT_COMPANY_ID,
            scope: DEFAULT_SCOPE.to_owned(),
        }
    }

    /// The default bearer token [`DEFAULT_ACCESS_TOKEN`] of the client "Mock OAuth App",
    /// a different client from the default API key's.
    pub fn default_access_token() -> MockCredential {
        MockCredential {
            kind: CredentialKind::Bearer,
            secret: DEFAULT_ACCESS_TOKEN.to_owned(),
            client_id: "6d2e8f1a-4c5b-4a9e-8d7c-1b2a3c4d5e6f".to_owned(),
            application_id: Uuid::from_u128(0x8e4f_1b6c_2a3d_4e5f_b7a8_9c0d_1e2f_3a41),
            application_name: "Mock OAuth App".to_owned(),
            company_id: DEFAULT_COMPANY_ID,
            scope: DEFAULT_SCOPE.to_owned(),
        }
    }

    /// This credential with another client id.
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> MockCredential {
        self.client_id = client_id.into();
        self
    }

    /// This credential with another application id and name.
    pub fn with_application(mut self, id: Uuid, name: impl Into<String>) -> MockCredential {
        self.application_id = id;
        self.application_name = name.into();
        self
    }

    /// This credential acting for another company.
    pub fn with_company_id(mut self, company_id: Uuid) -> MockCredential {
        self.company_id = company_id;
        self
    }

    /// This credential with another scope.
    pub fn with_scope(mut self, scope: impl Into<String>) -> MockCredential {
        self.scope = scope.into();
        self
    }

    /// `urn:pleo:company:<company_id>`.
    pub fn subject_urn(&self) -> String {
        company_urn(self.company_id)
    }
}

/// `urn:pleo:company:<id>`.
pub(crate) fn company_urn(company_id: Uuid) -> String {
    format!("urn:pleo:company:{company_id}")
}

/// The credentials one server accepts.
#[derive(Debug, Default)]
pub(crate) struct CredentialStore {
    credentials: Vec<MockCredential>,
}

impl CredentialStore {
    pub(crate) fn new(credentials: Vec<MockCredential>) -> CredentialStore {
        let mut store = CredentialStore::default();
        for credential in credentials {
            store.add(credential);
        }
        store
    }

    /// Adds a credential, replacing one of the same kind and secret.
    pub(crate) fn add(&mut self, credential: MockCredential) {
        self.credentials
            .retain(|c| !(c.kind == credential.kind && c.secret == credential.secret));
        self.credentials.push(credential);
    }

    /// The credential of this kind and secret: the one lookup every request goes through.
    pub(crate) fn find(&self, kind: CredentialKind, secret: &str) -> Option<&MockCredential> {
        self.credentials
            .iter()
            .find(|c| c.kind == kind && c.secret == secret)
    }

    /// The credential with this secret, of either kind.
    pub(crate) fn find_secret(&self, secret: &str) -> Option<&MockCredential> {
        self.credentials.iter().find(|c| c.secret == secret)
    }

    /// The first credential of this kind.
    pub(crate) fn first(&self, kind: CredentialKind) -> Option<&MockCredential> {
        self.credentials.iter().find(|c| c.kind == kind)
    }

    /// All credentials, in the order they were added.
    pub(crate) fn all(&self) -> &[MockCredential] {
        &self.credentials
    }
}

/// Why a request is not authenticated: the message of its 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unauthorized {
    /// No usable credential.
    Credentials(String),
    /// An issued access token that expired or was revoked (`error="invalid_token"`).
    InvalidToken(String),
}

/// What `issued` says of a bearer token the store does not hold: `None` when it was never
/// issued, `Some(Err(message))` when it expired or was revoked.
pub(crate) type IssuedLookup<'a> = dyn Fn(&str) -> Option<Result<MockCredential, String>> + 'a;

/// Who a request is. Bearer tokens not in `store` are looked up with `issued` (the
/// tokens `/oauth/token` issued).
pub(crate) fn authenticate(
    headers: &HeaderMap,
    store: &CredentialStore,
    issued: &IssuedLookup<'_>,
) -> Result<MockCredential, Unauthorized> {
    let (kind, secret) = presented(headers).map_err(Unauthorized::Credentials)?;
    if let Some(credential) = store.find(kind, &secret) {
        return Ok(credential.clone());
    }
    match kind {
        CredentialKind::ApiKey => Err(Unauthorized::Credentials(
            "the API key is not valid".to_owned(),
        )),
        CredentialKind::Bearer => match issued(&secret) {
            Some(Ok(credential)) => Ok(credential),
            Some(Err(message)) => Err(Unauthorized::InvalidToken(message)),
            None => Err(Unauthorized::Credentials(
                "the access token is not valid".to_owned(),
            )),
        },
    }
}

/// The credential a request presents: kind and secret, or why it presents none.
fn presented(headers: &HeaderMap) -> Result<(CredentialKind, String), String> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or_else(|| {
        "missing Authorization header: send `Basic base64(<api key>:)` or `Bearer <access token>`"
            .to_owned()
    })?;
    if values.next().is_some() {
        return Err("more than one Authorization header".to_owned());
    }
    let value = value
        .to_str()
        .map_err(|_| "the Authorization header is not ASCII".to_owned())?
        .trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        basic_user(rest).map(|key| (CredentialKind::ApiKey, key))
    } else if scheme.eq_ignore_ascii_case("bearer") {
        if rest.is_empty() {
            Err("the Bearer token is empty".to_owned())
        } else {
            Ok((CredentialKind::Bearer, rest.to_owned()))
        }
    } else {
        Err(format!(
            "unsupported Authorization scheme {scheme:?}: use Basic (API key) or Bearer (access token)"
        ))
    }
}

/// The API key of a Basic credential: the user name, with an empty password
/// (`"<key>:"`), or the whole decoded value when it has no colon.
fn basic_user(encoded: &str) -> Result<String, String> {
    let engine = &base64::engine::general_purpose::STANDARD;
    let bytes = engine
        .decode(encoded)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(encoded))
        .map_err(|_| "the Basic credential is not valid base64".to_owned())?;
    let text = String::from_utf8(bytes)
        .map_err(|_| "the Basic credential is not valid UTF-8".to_owned())?;
    let (user, password) = text.split_once(':').unwrap_or((&text, ""));
    if !password.is_empty() {
        return Err(
            "the Basic credential must carry the API key as user name and an empty password"
                .to_owned(),
        );
    }
    if user.is_empty() {
        return Err("the Basic credential has an empty user name (the API key)".to_owned());
    }
    Ok(user.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn with_auth(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    fn basic(text: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(text)
        )
    }

    #[test]
    fn reads_basic_and_bearer() {
        let store = CredentialStore::new(vec![
            MockCredential::default_api_key(),
            MockCredential::default_access_token(),
        ]);
        for header in [basic("pleo-mock-api-key:"), basic("pleo-mock-api-key")] {
            let who = authenticate(&with_auth(&header), &store, &|_| None).unwrap();
            assert_eq!(who.kind, CredentialKind::ApiKey);
        }
        let who = authenticate(&with_auth("bearer pleo-mock-access-token"), &store, &|_| {
            None
        })
        .unwrap();
        assert_eq!(who.kind, CredentialKind::Bearer);
        for bad in [
            basic("pleo-mock-api-key:secret"),
            basic(":pleo-mock-api-key"),
            "Basic !!!".to_owned(),
            "Bearer pleo-mock-api-key".to_owned(),
            basic("pleo-mock-access-token:"),
            "Token pleo-mock-api-key".to_owned(),
            "Bearer ".to_owned(),
        ] {
            assert!(
                authenticate(&with_auth(&bad), &store, &|_| None).is_err(),
                "{bad}"
            );
        }
        assert!(authenticate(&HeaderMap::new(), &store, &|_| None).is_err());
    }
}
