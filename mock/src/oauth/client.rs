//! The OAuth clients (Marketplace applications) an emulator knows.

use uuid::Uuid;

use crate::credentials::{CredentialKind, DEFAULT_COMPANY_ID, DEFAULT_SCOPE, MockCredential};

/// The client id of the default OAuth client (fake; safe to print).
pub const DEFAULT_OAUTH_CLIENT_ID: &str = "pleo-mock-oauth-client";

/// The client secret of the default OAuth client (fake; safe to print).
pub const DEFAULT_OAUTH_CLIENT_SECRET: &str = "pleo-mock-oauth-secret";

/// The redirect URI registered for the default OAuth client.
pub const DEFAULT_OAUTH_REDIRECT_URI: &str = "http://localhost:8765/callback";

/// An OAuth client (a Marketplace application) the emulator's `/oauth/*` endpoints accept.
///
/// The tokens it is issued act for `company_id` as client `client_id`: introspection
/// reports `authMethod: OAUTH2` with this client's id, application name and the granted
/// scope, and its installation is kept under `client_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockOAuthClient {
    /// The client id (`client_id` at both endpoints; `clientId` in introspection).
    pub client_id: String,
    /// The client secret, checked by the token endpoint.
    pub client_secret: String,
    /// The redirect URIs registered; `redirect_uri` must equal one of them exactly.
    pub redirect_uris: Vec<String>,
    /// Whether the application needs configuration first: its installation is then created
    /// `AUTHORIZED` (not `ACTIVATED`) when the flow completes.
    pub needs_activation: bool,
    /// The space-separated scopes it may be granted (and is granted when it asks for none).
    pub scope: String,
    /// The application id of its installation.
    pub application_id: Uuid,
    /// `applicationName` in introspection.
    pub application_name: String,
    /// The company the test user consents for.
    pub company_id: Uuid,
}

impl MockOAuthClient {
    /// A client with this id and secret, a random application id, the default company and
    /// scope, [`DEFAULT_OAUTH_REDIRECT_URI`] registered, and `needs_activation` false.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> MockOAuthClient {
        MockOAuthClient {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uris: vec![DEFAULT_OAUTH_REDIRECT_URI.to_owned()],
            needs_activation: false,
            scope: DEFAULT_SCOPE.to_owned(),
            application_id: Uuid::new_v4(),
            application_name: "Mock Application".to_owned(),
            company_id: DEFAULT_COMPANY_ID,
        }
    }

    /// The default client: [`DEFAULT_OAUTH_CLIENT_ID`], [`DEFAULT_OAUTH_CLIENT_SECRET`],
    /// [`DEFAULT_OAUTH_REDIRECT_URI`], application "Mock Marketplace App", the default
    /// company and scope, no activation needed.
    pub fn default_client() -> MockOAuthClient {
        MockOAuthClient {
            application_id: Uuid::from_u128(0x5c2a_7e1d_9b3f_4a6c_8d2e_1f0a_3b4c_5d6e),
            application_name: "Mock Marketplace App".to_owned(),
            ..MockOAuthClient::new(DEFAULT_OAUTH_CLIENT_ID, DEFAULT_OAUTH_CLIENT_SECRET)
        }
    }

    /// This client with these registered redirect URIs (replacing the previous ones).
    pub fn with_redirect_uris<I, S>(mut self, uris: I) -> MockOAuthClient
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.redirect_uris = uris.into_iter().map(Into::into).collect();
        self
    }

    /// This client needing activation (installation `AUTHORIZED` after the flow) or not.
    pub fn with_needs_activation(mut self, needs_activation: bool) -> MockOAuthClient {
        self.needs_activation = needs_activation;
        self
    }

    /// This client with another scope (space separated).
    pub fn with_scope(mut self, scope: impl Into<String>) -> MockOAuthClient {
        self.scope = scope.into();
        self
    }

    /// This client with another application id and name.
    pub fn with_application(mut self, id: Uuid, name: impl Into<String>) -> MockOAuthClient {
        self.application_id = id;
        self.application_name = name.into();
        self
    }

    /// This client acting for another company.
    pub fn with_company_id(mut self, company_id: Uuid) -> MockOAuthClient {
        self.company_id = company_id;
        self
    }

    /// Who a request authenticated with an access token of this client is.
    pub(crate) fn credential(&self, token: &str, scope: &str) -> MockCredential {
        MockCredential {
            kind: CredentialKind::Bearer,
            secret: token.to_owned(),
            client_id: self.client_id.clone(),
            application_id: self.application_id,
            application_name: self.application_name.clone(),
            company_id: self.company_id,
            scope: scope.to_owned(),
        }
    }
}

impl Default for MockOAuthClient {
    fn default() -> Self {
        MockOAuthClient::default_client()
    }
}
