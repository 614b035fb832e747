//! The one async runtime of the process, which every client's I/O runs on.
//!
//! Built on first use, with a few worker threads whatever the number of calls in flight,
//! and rebuilt in a child made by `fork()` (which has none of its parent's threads; the
//! parent's runtime is leaked there, as waiting for its threads would never end).

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

use crate::error::{Error, ErrorKind, Result};

/// Worker threads of the runtime: enough to use two cores, few enough to be cheap.
const WORKER_THREADS: usize = 2;

/// Threads for blocking work (a token store or refresh hook, name resolution): a bound,
/// so that thousands of calls in flight never mean thousands of threads.
const MAX_BLOCKING_THREADS: usize = 32;

/// The runtime of this process and the process id it was built in.
static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

/// The runtime's handle, building the runtime on first use in this process.
pub(crate) fn handle() -> Result<Handle> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    match *slot {
        Some((built_in, runtime)) if built_in == pid => Ok(runtime.handle().clone()),
        _ => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKER_THREADS)
                .max_blocking_threads(MAX_BLOCKING_THREADS)
                .thread_name("pleo-installations")
                .enable_all()
                .build()
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Internal,
                        format!("could not start the SDK's runtime threads: {e}"),
                    )
                })?;
            // Lives as long as the process; in a forked child the parent's is leaked too.
            let runtime: &'static Runtime = Box::leak(Box::new(runtime));
            *slot = Some((pid, runtime));
            Ok(runtime.handle().clone())
        }
    }
}

/// Runs `future` to completion on the calling thread, its I/O driven by the runtime.
///
/// Not from inside an async task (Tokio refuses, as reqwest's blocking client does): async
/// code uses the [`AsyncClient`](crate::AsyncClient).
pub(crate) fn block_on<F: Future>(future: F) -> Result<F::Output> {
    Ok(handle()?.block_on(future))
}

/// Runs blocking work (a token store, a refresh hook) from async code without stalling the
/// runtime's other tasks, on the thread that runs the call: a binding whose callbacks must
/// run on the caller's thread sees them there.
pub(crate) fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// Runs `future` on the runtime, from any executor (or none); dropping the returned future
/// cancels it.
pub(crate) fn spawn<T: Send + 'static>(
    future: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<Spawned<T>> {
    Ok(Spawned(handle()?.spawn(future)))
}

/// A future running on the runtime, aborted when dropped.
pub(crate) struct Spawned<T>(JoinHandle<Result<T>>);

impl<T> Future for Spawned<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        Pin::new(&mut self.0).poll(cx).map(|joined| {
            joined.unwrap_or_else(|e| match e.try_into_panic() {
                Ok(payload) => Err(Error::from_panic("a call", payload.as_ref())),
                Err(e) => Err(Error::new(
                    ErrorKind::Internal,
                    format!("the SDK's runtime stopped the call: {e}"),
                )),
            })
        })
    }
}

impl<T> Drop for Spawned<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
