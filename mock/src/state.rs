//! The installations, one per (client, company), and the rules of their lifecycle.

use std::collections::BTreeMap;

use hyper::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::credentials::{MockCredential, company_urn};
use crate::error::MockError;
use crate::models::{CreateRequest, InstallationResponse, UpdateRequest};
use crate::response::ApiError;

/// One installation as stored.
#[derive(Debug, Clone)]
struct Installation {
    id: Uuid,
    application_id: Uuid,
    company_id: Uuid,
    status: String,
    metadata: Map<String, Value>,
    error_code: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl Installation {
    fn new(who: &MockCredential, company_id: Uuid, status: String) -> Installation {
        let now = now_after(None);
        Installation {
            id: Uuid::new_v4(),
            application_id: who.application_id,
            company_id,
            status,
            metadata: Map::new(),
            error_code: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn touch(&mut self) {
        self.updated_at = now_after(Some(self.updated_at));
    }

    fn response(&self) -> InstallationResponse {
        InstallationResponse {
            id: self.id,
            application_id: self.application_id,
            resource: company_urn(self.company_id),
            status: self.status.clone(),
            metadata: self.metadata.clone(),
            error_code: self.error_code.clone(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        }
    }
}

/// The current time in milliseconds, strictly after `previous`, so that every change
/// moves `updatedAt` forward.
fn now_after(previous: Option<OffsetDateTime>) -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    let millis = now.nanosecond() / 1_000_000 * 1_000_000;
    let now = now.replace_nanosecond(millis).unwrap_or(now);
    match previous {
        Some(previous) if now <= previous => previous + time::Duration::milliseconds(1),
        _ => now,
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// Statuses from which activation (and the deprecated completion) lead to `ACTIVATED`.
const ACTIVATABLE: [&str; 3] = ["AUTHORIZED", "PENDING_INTEGRATION", "ACTIVATED"];

/// Every installation of one server, keyed by (client id, company id).
#[derive(Debug, Default)]
pub(crate) struct Installations {
    by_key: BTreeMap<(String, Uuid), Installation>,
}

impl Installations {
    /// The installation of `who` in `company_id` (by default, its own company).
    pub(crate) fn get(
        &self,
        who: &MockCredential,
        company_id: Option<Uuid>,
    ) -> Result<InstallationResponse, ApiError> {
        let company = company_id.unwrap_or(who.company_id);
        self.find(&who.client_id, company)
            .ok_or_else(|| missing(who, company))
    }

    /// The installation of `client_id` in `company_id`, if any.
    pub(crate) fn find(&self, client_id: &str, company_id: Uuid) -> Option<InstallationResponse> {
        self.by_key
            .get(&(client_id.to_owned(), company_id))
            .map(Installation::response)
    }

    /// POST /v1/installations/me: creates it, `ACTIVATED` unless another status is given;
    /// 409 when one exists.
    pub(crate) fn create(
        &mut self,
        who: &MockCredential,
        request: CreateRequest,
    ) -> Result<InstallationResponse, ApiError> {
        let key = (who.client_id.clone(), who.company_id);
        if let Some(existing) = self.by_key.get(&key) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!(
                    "an installation already exists for this client in company {} (id {}, status {}); \
                     update it with PUT /v1/installations/me or delete it first",
                    who.company_id, existing.id, existing.status
                ),
            ));
        }
        let status = request.status.unwrap_or_else(|| "ACTIVATED".to_owned());
        let mut installation = Installation::new(who, who.company_id, status);
        installation.metadata = request.metadata.unwrap_or_default();
        let response = installation.response();
        self.by_key.insert(key, installation);
        Ok(response)
    }

    /// PUT /v1/installations/me: sets the status, replaces the metadata when given, and sets
    /// the error code when given or clears it when absent.
    pub(crate) fn update(
        &mut self,
        who: &MockCredential,
        request: UpdateRequest,
    ) -> Result<InstallationResponse, ApiError> {
        let installation = self.own_mut(who)?;
        installation.status = request.status;
        if let Some(metadata) = request.metadata {
            installation.metadata = metadata;
        }
        installation.error_code = request.error_code;
        installation.touch();
        Ok(installation.response())
    }

    /// POST /v1/installations/me:activate and PUT /v1/installations/completions:
    /// `AUTHORIZED`, `PENDING_INTEGRATION` or `ACTIVATED` become `ACTIVATED` (idempotent);
    /// any other status is a 400.
    pub(crate) fn activate(
        &mut self,
        who: &MockCredential,
    ) -> Result<InstallationResponse, ApiError> {
        let installation = self.own_mut(who)?;
        if !ACTIVATABLE.contains(&installation.status.as_str()) {
            let hint = match installation.status.as_str() {
                "INACTIVE" => {
                    "an INACTIVE installation cannot be used; the user must authorise the application again, or set a status with PUT /v1/installations/me"
                }
                "ERROR" => {
                    "an installation in ERROR must be fixed first, by setting a status with PUT /v1/installations/me"
                }
                _ => {
                    "only AUTHORIZED, PENDING_INTEGRATION or ACTIVATED installations can be activated"
                }
            };
            return Err(ApiError::bad_request(
                "invalid_transition",
                format!(
                    "cannot activate an installation in status {}: {hint}",
                    installation.status
                ),
            ));
        }
        if installation.status != "ACTIVATED" {
            installation.status = "ACTIVATED".to_owned();
            installation.touch();
        }
        Ok(installation.response())
    }

    /// DELETE /v1/installations/me.
    pub(crate) fn delete(&mut self, who: &MockCredential) -> Result<(), ApiError> {
        self.by_key
            .remove(&(who.client_id.clone(), who.company_id))
            .map(drop)
            .ok_or_else(|| missing(who, who.company_id))
    }

    /// Puts an installation in place, replacing any of the same client and company.
    pub(crate) fn seed(&mut self, who: &MockCredential, seed: &ValidSeed) -> InstallationResponse {
        let company = seed.company_id.unwrap_or(who.company_id);
        let mut installation = Installation::new(who, company, seed.status.clone());
        installation.metadata = seed.metadata.clone();
        installation.error_code = seed.error_code.clone();
        let response = installation.response();
        self.by_key
            .insert((who.client_id.clone(), company), installation);
        response
    }

    /// Every installation with its client id, in a stable order.
    pub(crate) fn list(&self) -> Vec<(String, InstallationResponse)> {
        self.by_key
            .iter()
            .map(|((client, _), i)| (client.clone(), i.response()))
            .collect()
    }

    pub(crate) fn clear(&mut self) {
        self.by_key.clear();
    }

    fn own_mut(&mut self, who: &MockCredential) -> Result<&mut Installation, ApiError> {
        self.by_key
            .get_mut(&(who.client_id.clone(), who.company_id))
            .ok_or_else(|| missing(who, who.company_id))
    }
}

fn missing(who: &MockCredential, company_id: Uuid) -> ApiError {
    ApiError::no_installation(format!(
        "no installation of client {} in company {company_id}; create one with POST /v1/installations/me",
        who.client_id
    ))
}

/// An installation to put in place directly, bypassing the API's rules (see
/// [`MockServer::seed`](crate::MockServer::seed)).
///
/// Any non-empty `status` and `error_code` are accepted, including values the spec does
/// not list, so that clients can be tested against values they do not know.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedInstallation {
    /// The secret (API key or token) of the credential whose client owns it.
    pub credential: String,
    /// Its company; the credential's company when `None`.
    pub company_id: Option<Uuid>,
    /// Its status, e.g. `"AUTHORIZED"`.
    pub status: String,
    /// Its metadata: a JSON object (`{}` by default).
    pub metadata: Value,
    /// Its error code, if any.
    pub error_code: Option<String>,
}

impl SeedInstallation {
    /// An installation of `credential`'s client in its own company, with this status.
    pub fn new(credential: impl Into<String>, status: impl Into<String>) -> SeedInstallation {
        SeedInstallation {
            credential: credential.into(),
            company_id: None,
            status: status.into(),
            metadata: Value::Object(Map::new()),
            error_code: None,
        }
    }

    /// In another company (reachable with `GET /v1/installations/me?company_id=…`).
    pub fn with_company_id(mut self, company_id: Uuid) -> SeedInstallation {
        self.company_id = Some(company_id);
        self
    }

    /// With this metadata, which must be a JSON object.
    pub fn with_metadata(mut self, metadata: Value) -> SeedInstallation {
        self.metadata = metadata;
        self
    }

    /// With this error code.
    pub fn with_error_code(mut self, error_code: impl Into<String>) -> SeedInstallation {
        self.error_code = Some(error_code.into());
        self
    }

    /// Reads the admin API's form `{"credential", "company_id"?, "status", "metadata"?,
    /// "errorCode"?}`.
    pub fn from_json(value: &Value) -> Result<SeedInstallation, MockError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Spec {
            credential: String,
            company_id: Option<Uuid>,
            status: String,
            metadata: Option<Value>,
            #[serde(rename = "errorCode")]
            error_code: Option<String>,
        }
        let spec = Spec::deserialize(value)
            .map_err(|e| MockError::new(format!("bad installation description: {e}")))?;
        Ok(SeedInstallation {
            credential: spec.credential,
            company_id: spec.company_id,
            status: spec.status,
            metadata: spec.metadata.unwrap_or_else(|| Value::Object(Map::new())),
            error_code: spec.error_code,
        })
    }

    /// Checks the fields that do not depend on the server.
    pub(crate) fn validate(&self) -> Result<ValidSeed, MockError> {
        if self.status.trim().is_empty() {
            return Err(MockError::new(
                "the status of a seeded installation is empty",
            ));
        }
        if self
            .error_code
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            return Err(MockError::new(
                "the errorCode of a seeded installation is empty",
            ));
        }
        let Value::Object(metadata) = &self.metadata else {
            return Err(MockError::new(
                "the metadata of a seeded installation must be a JSON object",
            ));
        };
        Ok(ValidSeed {
            company_id: self.company_id,
            status: self.status.clone(),
            metadata: metadata.clone(),
            error_code: self.error_code.clone(),
        })
    }
}

/// A checked [`SeedInstallation`], without its credential.
pub(crate) struct ValidSeed {
    company_id: Option<Uuid>,
    status: String,
    metadata: Map<String, Value>,
    error_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updated_at_always_moves_forward() {
        let first = now_after(None);
        let second = now_after(Some(first));
        assert!(second > first);
        assert!(rfc3339(first).ends_with('Z'));
    }
}
