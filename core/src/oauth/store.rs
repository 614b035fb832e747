//! Token stores: where the tokens of one installation live when several processes share
//! them, so that exactly one of them refreshes and the others pick up its result.

use std::cell::Cell;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind};
use crate::oauth::{OAuthTokens, private_file};
use crate::secret::Secret;

/// An error from a token store, passed through as the source of the SDK's error.
pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// Shared storage for an OAuth session's tokens (a file, a database row, a Redis key).
///
/// The client calls [`lock`](TokenStore::lock) before it refreshes and keeps the guard
/// until the new tokens are stored; under the lock it [`load`](TokenStore::load)s again, and
/// uses tokens another process stored instead of refreshing itself.
pub trait TokenStore: Send + Sync {
    /// The stored tokens, if there are any.
    fn load(&self) -> Result<Option<OAuthTokens>, StoreError>;

    /// An exclusive lock across every process using this store, released when the guard
    /// is dropped. Waits at most `wait`, then fails (with [`LockTimeout`] to be reported as
    /// a timeout).
    fn lock(&self, wait: Duration) -> Result<Box<dyn Send + '_>, StoreError>;

    /// Stores `tokens` if the stored refresh token is still `expected` (or nothing is
    /// stored); tells whether it did.
    fn compare_and_swap(&self, expected: &Secret, tokens: &OAuthTokens)
    -> Result<bool, StoreError>;
}

/// The lock of a token store could not be had within the time the call had left.
#[derive(Debug, Clone, Copy)]
pub struct LockTimeout(pub Duration);

impl std::fmt::Display for LockTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the token store's lock was not free within {} ms",
            self.0.as_millis()
        )
    }
}

impl std::error::Error for LockTimeout {}

/// A hook or store callback that had not settled by the deadline of the call it ran in
/// (see [`callback_deadline`]); the call ends as `timeout`, and refreshed tokens the
/// callback was to accept stay in memory for the next call.
#[derive(Debug, Clone, Copy)]
pub struct CallbackTimeout(pub Duration);

impl std::fmt::Display for CallbackTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the callback had not settled within {} ms, the time its call had left",
            self.0.as_millis()
        )
    }
}

impl std::error::Error for CallbackTimeout {}

thread_local! {
    static CALLBACK_DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The deadline of the call a tokens-refreshed hook or a token store method is running in,
/// when asked from inside one (on the thread the SDK called it on); `None` elsewhere.
///
/// A binding whose callbacks can be waited for with a timeout (a JavaScript Promise) waits
/// no longer than this, then fails the callback with [`CallbackTimeout`].
pub fn callback_deadline() -> Option<Instant> {
    CALLBACK_DEADLINE.with(Cell::get)
}

/// Runs `f` (which calls a hook or store) with [`callback_deadline`] set to `deadline`.
pub(crate) fn under_deadline<T>(deadline: Instant, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            CALLBACK_DEADLINE.with(|cell| cell.set(self.0));
        }
    }
    let _restore = Restore(CALLBACK_DEADLINE.with(|cell| cell.replace(Some(deadline))));
    f()
}

/// A hook or store failure described by the SDK itself (a binding saying which foreign
/// callback failed and how), never by user code: unlike other errors of hooks and stores,
/// its text is quoted in the SDK error's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackFailure(pub String);

impl std::fmt::Display for CallbackFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CallbackFailure {}

/// How often a busy file lock is tried again.
const LOCK_POLL: Duration = Duration::from_millis(10);

/// A token store in a JSON file: an advisory lock on `<path>.lock`, writes by atomic
/// rename through a temporary file of a random name, the file readable by its owner only
/// (mode 0600). Safe in a directory others can write to: symbolic links are never
/// followed, and a token or lock file that is not a regular file of this user, private to
/// it, is refused (see the error's message).
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    /// A store in the file at `path` (created on the first write).
    pub fn new(path: impl Into<PathBuf>) -> FileTokenStore {
        FileTokenStore { path: path.into() }
    }

    /// Where the tokens are stored.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `tokens` under the lock (waiting up to 30 s) without comparing: to seed the
    /// file after a code exchange, or after the user authorised again.
    pub fn save(&self, tokens: &OAuthTokens) -> Result<(), StoreError> {
        let _locked = self.lock(Duration::from_secs(30))?;
        self.write(tokens)
    }

    /// Writes `tokens` by atomic rename; the caller holds the lock.
    fn write(&self, tokens: &OAuthTokens) -> Result<(), StoreError> {
        private_file::replace(&self.path, &serde_json::to_vec_pretty(&tokens.to_json())?)
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> Result<Option<OAuthTokens>, StoreError> {
        let Some(file) = private_file::open_existing(&self.path)? else {
            return Ok(None);
        };
        let text = private_file::read_capped(file, &self.path)?;
        let invalid = |e: &dyn std::fmt::Display| {
            let message = format!("token file {} is not valid: {e}", self.path.display());
            Error::new(ErrorKind::Internal, message)
        };
        let value = serde_json::from_slice(&text).map_err(|e| invalid(&e))?;
        Ok(Some(
            OAuthTokens::from_json(&value).map_err(|e| invalid(&e.message()))?,
        ))
    }

    fn lock(&self, wait: Duration) -> Result<Box<dyn Send + '_>, StoreError> {
        let file = private_file::open_lock(&private_file::sibling(&self.path, "lock"))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Box::new(FileLock(file))),
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(LOCK_POLL);
                }
                Err(TryLockError::WouldBlock) => return Err(Box::new(LockTimeout(wait))),
                Err(TryLockError::Error(e)) => return Err(e.into()),
            }
        }
    }

    fn compare_and_swap(
        &self,
        expected: &Secret,
        tokens: &OAuthTokens,
    ) -> Result<bool, StoreError> {
        match self.load()? {
            Some(stored) if stored.refresh_token != *expected => Ok(false),
            _ => self.write(tokens).map(|()| true),
        }
    }
}

/// A held lock on the token file, released when dropped. Released explicitly, not by
/// closing: a child made by `fork()` shares the descriptor, and closing the parent's copy
/// alone would leave the lock held for as long as the child lives.
struct FileLock(File);

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

impl Error {
    /// The SDK's error for a token store's failure: kind `timeout` for a [`LockTimeout`] or
    /// a [`CallbackTimeout`], else `internal`; the store's error is the source, and its text is in the message
    /// only when the SDK wrote it (see [`CallbackFailure`]).
    pub fn from_store(error: StoreError) -> Error {
        let kind = if is_timeout(error.as_ref()) {
            ErrorKind::Timeout
        } else {
            ErrorKind::Internal
        };
        let message = match quoted(error.as_ref()) {
            Some(text) => format!("the token store failed: {text}"),
            None => "the token store failed (its error is this error's source)".to_owned(),
        };
        Error::new(kind, message).with_boxed_source(error)
    }
}

/// Whether a hook's or store's error says it ran out of time.
pub(crate) fn is_timeout(error: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    error.is::<LockTimeout>() || error.is::<CallbackTimeout>()
}

/// The text of a hook's or store's error when the SDK wrote it (an I/O error, a lock
/// timeout, a binding's [`CallbackFailure`], the SDK's own error, such as tokens a store
/// returned that do not parse). User code's own text could quote a token (a
/// failed lookup by refresh token, say): it stays the source, out of the message.
pub(crate) fn quoted(error: &(dyn std::error::Error + Send + Sync + 'static)) -> Option<String> {
    // An I/O error is the system's own only when it carries no inner error: user code can
    // wrap any text in one.
    let system_io = error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.get_ref().is_none());
    let sdk_written =
        system_io || is_timeout(error) || error.is::<CallbackFailure>() || error.is::<Error>();
    // The SDK's own error without its kind: the error it becomes has a kind of its own.
    sdk_written.then(|| match error.downcast_ref::<Error>() {
        Some(sdk) => sdk.message().to_owned(),
        None => error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn tokens(refresh: &str) -> OAuthTokens {
        OAuthTokens {
            access_token: Secret::new(format!("at-{refresh}")),
            refresh_token: Secret::new(refresh),
            expires_at: Some(
                std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(2_000_000_000),
            ),
        }
    }

    #[test]
    fn the_file_store_round_trips_and_compares_before_swapping() {
        let dir = std::env::temp_dir().join(format!("pleo-store-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let store = FileTokenStore::new(dir.join("tokens.json"));
        assert!(store.load().unwrap().is_none());
        assert!(
            store
                .compare_and_swap(&Secret::new("none"), &tokens("r1"))
                .unwrap()
        );
        assert_eq!(store.load().unwrap(), Some(tokens("r1")));
        assert!(
            !store
                .compare_and_swap(&Secret::new("r0"), &tokens("r2"))
                .unwrap()
        );
        assert!(
            store
                .compare_and_swap(&Secret::new("r1"), &tokens("r2"))
                .unwrap()
        );
        assert_eq!(store.load().unwrap(), Some(tokens("r2")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let guard = store.lock(Duration::from_secs(1)).unwrap();
        let waited = store.lock(Duration::from_millis(30)).err().unwrap();
        assert!(waited.downcast_ref::<LockTimeout>().is_some(), "{waited}");
        let other = File::open(private_file::sibling(store.path(), "lock")).unwrap();
        assert!(
            other.try_lock().is_err(),
            "the lock excludes others while held"
        );
        drop(guard);
        other.try_lock().unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }
}
