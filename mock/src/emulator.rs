//! Everything one emulator remembers: credentials, installations, faults and journal.
//! Shared between the server thread and the [`MockServer`](crate::MockServer) handle.

use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

use crate::config::MockConfig;
use crate::credentials::CredentialStore;
use crate::error::MockError;
use crate::faults::FaultQueue;
use crate::journal::Journal;
use crate::state::{Installations, SeedInstallation};

/// The state of one emulator. Each part has its own lock, held only briefly and never
/// across an `.await`.
#[derive(Debug)]
pub(crate) struct Emulator {
    credentials: Mutex<CredentialStore>,
    installations: Mutex<Installations>,
    faults: Mutex<FaultQueue>,
    journal: Mutex<Journal>,
    max_body_bytes: usize,
}

/// Locks `mutex`, recovering the data if a panic ever poisoned it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Emulator {
    pub(crate) fn new(config: &MockConfig) -> Emulator {
        Emulator {
            credentials: Mutex::new(CredentialStore::new(config.credentials.clone())),
            installations: Mutex::new(Installations::default()),
            faults: Mutex::new(FaultQueue::default()),
            journal: Mutex::new(Journal::new(config.journal_limit)),
            max_body_bytes: config.max_body_bytes,
        }
    }

    pub(crate) fn credentials(&self) -> MutexGuard<'_, CredentialStore> {
        lock(&self.credentials)
    }

    pub(crate) fn installations(&self) -> MutexGuard<'_, Installations> {
        lock(&self.installations)
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultQueue> {
        lock(&self.faults)
    }

    pub(crate) fn journal(&self) -> MutexGuard<'_, Journal> {
        lock(&self.journal)
    }

    pub(crate) fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Forgets every installation, fault and recorded request; credentials stay.
    pub(crate) fn reset(&self) {
        self.installations().clear();
        self.faults().clear();
        self.journal().clear();
    }

    /// Puts an installation in place and returns it as the API would.
    pub(crate) fn seed(&self, seed: &SeedInstallation) -> Result<Value, MockError> {
        let valid = seed.validate()?;
        let who = self
            .credentials()
            .find_secret(&seed.credential)
            .cloned()
            .ok_or_else(|| {
                MockError::new(
                    "the credential of a seeded installation is not one this emulator accepts",
                )
            })?;
        let installation = self.installations().seed(&who, &valid);
        serde_json::to_value(installation).map_err(|e| MockError::new(e.to_string()))
    }
}
