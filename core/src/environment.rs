//! Pleo's hosted environments and their base URLs.

use serde::Deserialize;

/// Production's base URL.
pub const PRODUCTION_URL: &str = "https://external.pleo.io";
/// Staging's base URL.
pub const STAGING_URL: &str = "https://external.staging.pleo.io";

/// One of Pleo's hosted environments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// `https://external.pleo.io`
    #[default]
    Production,
    /// `https://external.staging.pleo.io`
    Staging,
}

impl Environment {
    /// The environment's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Production => PRODUCTION_URL,
            Environment::Staging => STAGING_URL,
        }
    }
}
