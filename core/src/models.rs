//! The API's data: installations, their statuses, requests and the introspection result.
//!
//! Responses decode leniently: unknown fields land in `extra`, unknown enum values in an
//! `Unknown` variant that keeps the string. Requests are strict: they name known values only.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{Error, Result};

/// An installation's metadata: stored for the application only, any JSON values.
pub type Metadata = Map<String, Value>;

/// Defines an enum of API strings with an `Unknown` variant that keeps unknown values.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the SDK does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every value this version of the SDK knows.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)+];

            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(other) => other,
                }
            }

            /// Whether this is a value the SDK knows (not `Unknown`).
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }

            /// Parses a value the SDK knows, or fails with `invalid_argument` naming `field`.
            pub fn parse_known(value: &str, field: &str) -> Result<$name> {
                let parsed = $name::from(value);
                parsed.require_known(field)?;
                Ok(parsed)
            }

            /// Fails with `invalid_argument` naming `field` when the value is `Unknown`.
            pub fn require_known(&self, field: &str) -> Result<()> {
                if self.is_known() {
                    return Ok(());
                }
                let known: Vec<&str> = $name::KNOWN.iter().map(|v| v.as_str()).collect();
                Err(Error::invalid_argument(format!(
                    "unknown {field} {:?}; expected one of {}",
                    self.as_str(),
                    known.join(", ")
                )))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> $name {
                match value {
                    $($wire => $name::$variant,)+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<$name, D::Error> {
                let value = std::borrow::Cow::<str>::deserialize(deserializer)?;
                Ok($name::from(value.as_ref()))
            }
        }
    };
}

string_enum! {
    /// The lifecycle status of an installation.
    InstallationStatus {
        /// Active and ready for use.
        Activated = "ACTIVATED",
        /// Inactive: cannot be used (see the error code).
        Inactive = "INACTIVE",
        /// Authorised by the user, not yet activated.
        Authorized = "AUTHORIZED",
        /// The integration is synchronising; the user must not disconnect.
        PendingIntegration = "PENDING_INTEGRATION",
        /// The integration failed (see the error code).
        Error = "ERROR",
    }
}

string_enum! {
    /// Why an installation is inactive or in error.
    InstallationErrorCode {
        /// The customer is not entitled to the application.
        NotEntitled = "NOT_ENTITLED",
        /// The integration's authorisation failed.
        AuthError = "AUTH_ERROR",
    }
}

string_enum! {
    /// How the credential in use authenticates.
    AuthMethod {
        /// An OAuth 2.0 access token.
        OAuth2 = "OAUTH2",
        /// An API key.
        ApiKey = "API_KEY",
        /// No authentication.
        None = "NONE",
    }
}

/// Reads an RFC 3339 date-time as the models and the token JSON do (the `time` crate's
/// reading: `T`/`Z` in either case, any number of fraction digits, a leap second as the
/// last nanosecond before it), for bindings whose typed models hold timestamps;
/// `invalid_argument` naming `field` otherwise.
pub fn parse_timestamp(text: &str, field: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).map_err(|e| {
        Error::invalid_argument(format!(
            "{field} {text:?} is not an RFC 3339 date-time: {e}"
        ))
    })
}

/// An installation: the integration of one application with one Pleo account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Installation {
    /// The installation's id.
    pub id: Uuid,
    /// The application's id.
    pub application_id: Uuid,
    /// The Pleo resource it belongs to, e.g. `urn:pleo:company:<uuid>`.
    pub resource: String,
    /// Its lifecycle status.
    pub status: InstallationStatus,
    /// The application's own data.
    #[serde(default)]
    pub metadata: Metadata,
    /// Why it is inactive or in error, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<InstallationErrorCode>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Fields this version of the SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    #[serde(skip)]
    raw: Raw,
}

impl Installation {
    /// The server's JSON of this installation exactly as received (a key it left out stays
    /// out, a `null` stays `null`, numbers keep every digit); `None` for a value that did
    /// not come from a response. The fields above are the typed view, with defaults.
    pub fn raw_json(&self) -> Option<&str> {
        self.raw.0.as_deref()
    }
}

/// The body of a create: both fields optional (the server defaults to `ACTIVATED`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInstallation {
    /// The initial status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InstallationStatus>,
    /// The initial metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl CreateInstallation {
    /// Fails with `invalid_argument` when the status is not one the API knows.
    pub(crate) fn validate(&self) -> Result<()> {
        self.status
            .as_ref()
            .map_or(Ok(()), |status| status.require_known("status"))
    }
}

/// The body of an update: the status is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateInstallation {
    /// The new status.
    pub status: InstallationStatus,
    /// New metadata, replacing the old.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Why the installation is inactive or in error.
    #[serde(default, rename = "errorCode", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<InstallationErrorCode>,
}

impl UpdateInstallation {
    /// An update to `status`, keeping the metadata.
    pub fn new(status: InstallationStatus) -> UpdateInstallation {
        UpdateInstallation {
            status,
            metadata: None,
            error_code: None,
        }
    }

    /// Also replaces the metadata.
    pub fn metadata(mut self, metadata: Metadata) -> UpdateInstallation {
        self.metadata = Some(metadata);
        self
    }

    /// Also sets the error code.
    pub fn error_code(mut self, error_code: InstallationErrorCode) -> UpdateInstallation {
        self.error_code = Some(error_code);
        self
    }

    /// Fails with `invalid_argument` when the status or error code is not one the API knows.
    pub(crate) fn validate(&self) -> Result<()> {
        self.status.require_known("status")?;
        self.error_code
            .as_ref()
            .map_or(Ok(()), |code| code.require_known("errorCode"))
    }
}

/// The result of introspection: which credential is in use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Introspection {
    /// The client behind the credential.
    pub data: ExternalClient,
    /// Fields this version of the SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    #[serde(skip)]
    raw: Raw,
}

impl Introspection {
    /// The server's JSON exactly as received (the envelope with `data`); `None` for a value
    /// that did not come from a response.
    pub fn raw_json(&self) -> Option<&str> {
        self.raw.0.as_deref()
    }
}

/// The JSON a result was decoded from. Not part of its value: equality and `Debug` leave
/// it out (the typed fields say the same).
#[derive(Clone, Default)]
struct Raw(Option<Arc<str>>);

impl PartialEq for Raw {
    fn eq(&self, _: &Raw) -> bool {
        true
    }
}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("..")
    }
}

/// A result model that keeps the JSON it was decoded from.
pub(crate) trait Response: serde::de::DeserializeOwned {
    /// Keeps `raw`, the text this value was decoded from.
    fn keep_raw(&mut self, raw: Arc<str>);
}

impl Response for Installation {
    fn keep_raw(&mut self, raw: Arc<str>) {
        self.raw = Raw(Some(raw));
    }
}

impl Response for Introspection {
    fn keep_raw(&mut self, raw: Arc<str>) {
        self.raw = Raw(Some(raw));
    }
}

/// The client (application) a credential belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ExternalClient {
    /// How the credential authenticates.
    pub auth_method: AuthMethod,
    /// The client's id.
    pub client_id: String,
    /// The granted scopes, space separated.
    pub scope: String,
    /// The application's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_name: Option<String>,
    /// The subject, e.g. `urn:pleo:company:<uuid>`.
    #[serde(
        default,
        rename = "subjectURN",
        skip_serializing_if = "Option::is_none"
    )]
    pub subject_urn: Option<String>,
    /// Fields this version of the SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
