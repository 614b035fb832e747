//! The sources of time and chance the client uses, injectable so tests are exact and fast.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

/// The longest accepted timeout of any kind: one day.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The wait a [`Clock`] gives: a future that is ready once the time has passed.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where the client reads the time and how it waits between attempts.
pub trait Clock: Send + Sync + 'static {
    /// A monotonic reading, for deadlines.
    fn now(&self) -> Instant;
    /// The wall-clock time, for `Retry-After` dates.
    fn wall(&self) -> SystemTime;
    /// Waits for `duration` (between attempts, between polls), without holding a thread.
    fn sleep(&self, duration: Duration) -> Sleep;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Where the client draws the random factor of its backoff.
pub trait Random: Send + Sync + 'static {
    /// A number in `[0, 1)`.
    fn unit(&self) -> f64;
}

/// Randomness from a fast thread-local generator (not for cryptography).
#[derive(Debug, Default, Clone, Copy)]
pub struct ThreadRandom;

impl Random for ThreadRandom {
    fn unit(&self) -> f64 {
        fastrand::f64()
    }
}
