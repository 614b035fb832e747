//! The validated settings a client runs with (made by `ClientBuilder`).

use std::time::Duration;

use crate::auth::Credential;
use crate::events::Events;
use crate::http::HttpSettings;

/// The validated settings a client runs with.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) base_url: String,
    pub(crate) credential: Credential,
    pub(crate) timeout: Duration,
    pub(crate) total_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) http: HttpSettings,
    /// Where the client's events go.
    pub(crate) events: Events,
}
