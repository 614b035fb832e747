//! OAuth hooks from C: the tokens-refreshed callback and a token store made of callbacks,
//! adapted to the core's `TokensRefreshedHook` and `TokenStore`.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::ptr;
use std::sync::Arc;
use std::time::Duration;

use pleo_installations::ClientBuilder;
use pleo_installations::Secret;
use pleo_installations::oauth::{
    CallbackFailure, LockTimeout, OAuthTokens, StoreError, TokenStore,
};

use super::boundary::Failure;
use super::strings::c_string;

/// What a `pleo_token_store.lock` callback returns when the lock was not free in time
/// (the call then fails with `PLEO_STATUS_TIMEOUT`).
pub const PLEO_LOCK_TIMEOUT: c_int = 1;

/// Called after every successful token refresh, before the new access token is used:
/// persist both tokens (Pleo rotates refresh tokens and invalidates the old ones).
///
/// @param tokens_json  `{"access_token", "refresh_token", "expires_at": RFC 3339 or null}`;
///                     borrowed for the callback only: copy what you keep. Holds secrets.
/// @param user_data    `pleo_hooks.tokens_refreshed_user_data`.
/// @return 0 on success; anything else fails the call that triggered the refresh with
///         `PLEO_STATUS_INTERNAL` (see below).
///
/// Runs synchronously on the thread whose call triggered the refresh, while the client's
/// refresh lock is held: it must not call the client. It must be safe to run on any thread.
///
/// The SDK cannot interrupt it: the call waits for it to return, even past the call's
/// deadline (`total_timeout_ms`), and meanwhile other calls of the client that need the
/// tokens wait for it too (each gives up with `PLEO_STATUS_TIMEOUT` at its own deadline).
/// Return well within the deadline: persist quickly, or fail.
///
/// When it fails, the refreshed tokens are not lost and not refreshed again: they stay in
/// the client's memory, no request is sent with them, and they are handed to this callback
/// again, the same ones, on the next call of the client, which fails the same way until
/// the callback accepts them (with a token store, tokens another process stored since
/// replace them instead). Pleo has already invalidated the previous refresh token: free the
/// client before the callback accepts them and the user must authorise again.
pub type pleo_tokens_refreshed_fn =
    Option<unsafe extern "C" fn(tokens_json: *const c_char, user_data: *mut c_void) -> c_int>;

/// Loads the stored tokens.
///
/// @param user_data    `pleo_token_store.user_data`.
/// @param tokens_json  receives NULL when nothing is stored, or the tokens JSON
///                     (`{"access_token", "refresh_token", "expires_at"}`) in memory from
///                     `malloc` (e.g. `strdup`), which the library frees with `free`.
/// @return 0 on success, anything else on failure.
pub type pleo_store_load_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, tokens_json: *mut *mut c_char) -> c_int>;

/// Takes the store's lock, exclusive across every process sharing the store, waiting at
/// most `wait_ms`. @return 0 when locked, `PLEO_LOCK_TIMEOUT` when not free in time,
/// anything else on failure.
pub type pleo_store_lock_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, wait_ms: u64) -> c_int>;

/// Releases the lock taken by a successful `lock`.
pub type pleo_store_unlock_fn = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// Stores `tokens_json` if the stored refresh token is still `expected_refresh_token` (or
/// nothing is stored), and sets `*swapped` to 1 if it did, 0 if not. Both strings are
/// borrowed for the callback only and hold secrets. @return 0 on success, anything else on
/// failure.
pub type pleo_store_compare_and_swap_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        expected_refresh_token: *const c_char,
        tokens_json: *const c_char,
        swapped: *mut c_int,
    ) -> c_int,
>;

/// A token store shared by the processes of one installation, as four callbacks (all
/// required). Before refreshing, a client takes the lock, loads the tokens again and uses
/// tokens another process stored instead of refreshing; new tokens are written with
/// `compare_and_swap` while the lock is held. A store that holds tokens wins over the
/// configured ones; an empty one is seeded with them.
///
/// The callbacks run synchronously on the calling thread of whichever `pleo_*` call needs
/// them (`pleo_client_new_with_hooks` too, which seeds the store), possibly on several
/// threads at once: they must be thread-safe, and must not call the client.
///
/// The SDK cannot interrupt a callback: the call waits for it to return, even past the
/// call's deadline (`total_timeout_ms`). Each must return well within it; `lock` gets the
/// time the call has left as `wait_ms` and must give up (`PLEO_LOCK_TIMEOUT`, which fails
/// the call with `PLEO_STATUS_TIMEOUT`) once it has passed.
///
/// A callback that fails (returns non-zero) fails the call with `PLEO_STATUS_INTERNAL`.
/// When `compare_and_swap` fails after a refresh, the refreshed tokens stay in the client's
/// memory, no request is sent with them, and `compare_and_swap` gets them again (with the
/// same expected refresh token) on the next call of the client; Pleo has already
/// invalidated the stored refresh token, so freeing the client before they are stored
/// means authorising again.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct pleo_token_store {
    /// See `pleo_store_load_fn`.
    pub load: pleo_store_load_fn,
    /// See `pleo_store_lock_fn`.
    pub lock: pleo_store_lock_fn,
    /// See `pleo_store_unlock_fn`.
    pub unlock: pleo_store_unlock_fn,
    /// See `pleo_store_compare_and_swap_fn`.
    pub compare_and_swap: pleo_store_compare_and_swap_fn,
    /// Passed to every callback; must stay valid while the client lives.
    pub user_data: *mut c_void,
}

/// The OAuth hooks of `pleo_client_new_with_hooks`. Zero it (`{0}`) and set what you use;
/// a hook or store needs a configuration with `oauth` (`PLEO_STATUS_INVALID_ARGUMENT`
/// otherwise).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct pleo_hooks {
    /// NULL, or called after every successful refresh; see `pleo_tokens_refreshed_fn`.
    pub tokens_refreshed: pleo_tokens_refreshed_fn,
    /// Passed to `tokens_refreshed`; must stay valid while the client lives.
    pub tokens_refreshed_user_data: *mut c_void,
    /// NULL, or a token store, copied by `pleo_client_new_with_hooks`.
    pub token_store: *const pleo_token_store,
}

impl pleo_hooks {
    /// Adds these hooks to `builder`.
    ///
    /// # Safety
    /// The callbacks and `token_store` follow the contracts documented above.
    pub(crate) unsafe fn install(
        &self,
        mut builder: ClientBuilder,
    ) -> Result<ClientBuilder, Failure> {
        if let Some(callback) = self.tokens_refreshed {
            let hook = Refreshed {
                callback,
                user_data: self.tokens_refreshed_user_data,
            };
            builder = builder.on_tokens_refreshed(move |tokens| hook.call(tokens));
        }
        // SAFETY: NULL or valid per the caller's contract.
        if let Some(store) = unsafe { self.token_store.as_ref() } {
            builder = builder.token_store(Arc::new(CStore::new(store)?));
        }
        Ok(builder)
    }
}

/// The tokens-refreshed callback with its user data.
struct Refreshed {
    callback: unsafe extern "C" fn(*const c_char, *mut c_void) -> c_int,
    user_data: *mut c_void,
}

// SAFETY: the documented contract makes the callback safe to run on any thread, with its
// user data.
unsafe impl Send for Refreshed {}
// SAFETY: as above.
unsafe impl Sync for Refreshed {}

impl Refreshed {
    fn call(&self, tokens: &OAuthTokens) -> Result<(), StoreError> {
        let json = c_string(tokens.to_json().to_string());
        // SAFETY: a valid callback per the contract; the string lives across the call.
        let code = unsafe { (self.callback)(json.as_ptr(), self.user_data) };
        match code {
            0 => Ok(()),
            code => Err(returned("tokens-refreshed", code)),
        }
    }
}

/// A `pleo_token_store` with every callback checked present.
struct CStore {
    load: unsafe extern "C" fn(*mut c_void, *mut *mut c_char) -> c_int,
    lock: unsafe extern "C" fn(*mut c_void, u64) -> c_int,
    unlock: unsafe extern "C" fn(*mut c_void),
    compare_and_swap:
        unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char, *mut c_int) -> c_int,
    user_data: *mut c_void,
}

// SAFETY: the documented contract makes the callbacks thread-safe, with their user data.
unsafe impl Send for CStore {}
// SAFETY: as above.
unsafe impl Sync for CStore {}

impl CStore {
    fn new(store: &pleo_token_store) -> Result<CStore, Failure> {
        let missing = |name: &str| Failure::Null(format!("hooks.token_store->{name}"));
        Ok(CStore {
            load: store.load.ok_or_else(|| missing("load"))?,
            lock: store.lock.ok_or_else(|| missing("lock"))?,
            unlock: store.unlock.ok_or_else(|| missing("unlock"))?,
            compare_and_swap: store
                .compare_and_swap
                .ok_or_else(|| missing("compare_and_swap"))?,
            user_data: store.user_data,
        })
    }
}

unsafe extern "C" {
    /// The C library's `free`, for the strings `load` allocates with `malloc`.
    fn free(ptr: *mut c_void);
}

impl TokenStore for CStore {
    fn load(&self) -> Result<Option<OAuthTokens>, StoreError> {
        let mut json: *mut c_char = ptr::null_mut();
        // SAFETY: a valid callback per the contract; `json` is a writable slot.
        let code = unsafe { (self.load)(self.user_data, &mut json) };
        let text = (!json.is_null()).then(|| {
            // SAFETY: a NUL-terminated string from `malloc`, ours to free, per the contract.
            let text = unsafe { CStr::from_ptr(json) }.to_str().map(str::to_owned);
            // SAFETY: as above; not used afterwards.
            unsafe { free(json.cast()) };
            text
        });
        if code != 0 {
            return Err(returned("token store's load", code));
        }
        let Some(text) = text.transpose()? else {
            return Ok(None);
        };
        Ok(Some(OAuthTokens::from_json_str(&text)?))
    }

    fn lock(&self, wait: Duration) -> Result<Box<dyn Send + '_>, StoreError> {
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        // SAFETY: a valid callback per the contract.
        match unsafe { (self.lock)(self.user_data, wait_ms) } {
            0 => Ok(Box::new(Unlock(self))),
            PLEO_LOCK_TIMEOUT => Err(Box::new(LockTimeout(wait))),
            code => Err(returned("token store's lock", code)),
        }
    }

    fn compare_and_swap(
        &self,
        expected: &Secret,
        tokens: &OAuthTokens,
    ) -> Result<bool, StoreError> {
        let expected = c_string(expected.expose().to_owned());
        let json = c_string(tokens.to_json().to_string());
        let mut swapped: c_int = 0;
        // SAFETY: a valid callback per the contract; the strings and `swapped` outlive it.
        let code = unsafe {
            (self.compare_and_swap)(
                self.user_data,
                expected.as_ptr(),
                json.as_ptr(),
                &mut swapped,
            )
        };
        match code {
            0 => Ok(swapped != 0),
            code => Err(returned("token store's compare_and_swap", code)),
        }
    }
}

/// The store's lock, released by `unlock` when dropped.
struct Unlock<'a>(&'a CStore);

impl Drop for Unlock<'_> {
    fn drop(&mut self) {
        // SAFETY: a valid callback per the contract, after a successful `lock`.
        unsafe { (self.0.unlock)(self.0.user_data) };
    }
}

/// A callback's non-zero return code, in words the SDK error's message may quote.
fn returned(callback: &str, code: c_int) -> StoreError {
    Box::new(CallbackFailure(format!(
        "the {callback} callback returned {code}"
    )))
}
