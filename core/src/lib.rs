//! A client for the Installations API of the Pleo App Marketplace.
//!
//! ```no_run
//! use pleo_installations::{Client, CreateInstallation};
//!
//! let client = Client::builder().api_key("my-api-key").build()?;
//! let installation = client.create_installation(&CreateInstallation::default())?;
//! println!("{} is {}", installation.id, installation.status);
//! # Ok::<(), pleo_installations::Error>(())
//! ```
//!
//! Every call retries transient failures per the operation's safety, within a connect
//! timeout, a per-attempt timeout and an overall deadline. [`Client::call_json`] is the
//! JSON door the C, Python and Node bindings use. Its events (attempt, retry, give-up,
//! refresh; target [`LOG_TARGET`], or a client's [`ClientBuilder::log_sink`]) never carry
//! a secret.

mod auth;
mod call;
mod client;
mod clock;
mod config;
mod credential_url;
mod environment;
mod error;
mod events;
mod http;
mod json;
mod models;
pub mod oauth;
mod operation;
mod outcome;
mod per_process;
mod request;
mod retry;
mod runtime;
mod secret;
mod settings;
mod tls;
mod transport;
mod unique_keys;

pub use call::{MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES};
pub use client::{AsyncClient, CallHandle, Client};
pub use clock::{Clock, MAX_TIMEOUT, Random, Sleep, SystemClock, ThreadRandom};
pub use config::{ClientBuilder, Config, MAX_RETRIES_LIMIT};
pub use environment::{Environment, PRODUCTION_URL, STAGING_URL};
pub use error::{Error, ErrorKind, MAX_ERROR_BODY_BYTES, Result};
pub use events::{LOG_TARGET, LogSink};
pub use models::{
    AuthMethod, CreateInstallation, ExternalClient, Installation, InstallationErrorCode,
    InstallationStatus, Introspection, Metadata, UpdateInstallation, parse_timestamp,
};
pub use operation::Operation;
pub use request::{REFRESH_TOKENS, WAIT_FOR_STATUS};
pub use retry::{MAX_RETRY_AFTER, RETRY_AFTER_CEILING};
pub use secret::Secret;
pub use uuid::Uuid;

/// This library's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
