//! The sources of time and chance the client uses, injectable so tests are exact and fast.

use std::time::{Duration, Instant, SystemTime};

/// Where the client reads the time and how it waits between attempts.
pub trait Clock: Send + Sync + 'static {
    /// A monotonic reading, for deadlines.
    fn now(&self) -> Instant;
    /// The wall-clock time, for `Retry-After` dates.
    fn wall(&self) -> SystemTime;
    /// Blocks the calling thread for `duration`.
    fn sleep(&self, duration: Duration);
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

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
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
