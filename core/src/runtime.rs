//! The one async runtime of the process, which every client's I/O runs on.
//!
//! Built on first use, with a few worker threads whatever the number of calls in flight,
//! and rebuilt in a child made by `fork()` (which has none of its parent's threads; the
//! parent's runtime is leaked there, as waiting for its threads would never end). Found
//! without taking a lock ([`PerProcess`]), so a fork can never leave the child waiting.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::runtime::{Handle, Runtime, RuntimeFlavor};
use tokio::task::JoinHandle;

use crate::error::{Error, ErrorKind, Result};
use crate::per_process::PerProcess;

/// Worker threads of the runtime: enough to use two cores, few enough to be cheap.
const WORKER_THREADS: usize = 2;

/// Threads for blocking work (a token store or refresh hook, name resolution): a bound,
/// so that thousands of calls in flight never mean thousands of threads.
const MAX_BLOCKING_THREADS: usize = 32;

/// The runtime of this process.
static RUNTIME: PerProcess<Background> = PerProcess::new();

/// A runtime that, if ever dropped (one built by a thread that lost the race to build it),
/// stops without waiting, which is allowed anywhere, even inside another runtime.
struct Background(Option<Runtime>);

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// The runtime's handle, building the runtime on first use in this process.
pub(crate) fn handle() -> Result<Handle> {
    let runtime = RUNTIME.get_or_try_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .max_blocking_threads(MAX_BLOCKING_THREADS)
            .thread_name("pleo-installations")
            .enable_all()
            .build()
            .map(|runtime| Background(Some(runtime)))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("could not start the SDK's runtime threads: {e}"),
                )
            })
    })?;
    match &runtime.0 {
        Some(runtime) => Ok(runtime.handle().clone()),
        None => Err(Error::new(
            ErrorKind::Internal,
            "the SDK's runtime was stopped",
        )),
    }
}

/// Runs `future` to completion on the calling thread, its I/O driven by the runtime.
///
/// Not from inside an async task (Tokio refuses, as reqwest's blocking client does): async
/// code uses the [`AsyncClient`](crate::AsyncClient).
pub(crate) fn block_on<F: Future>(future: F) -> Result<F::Output> {
    Ok(handle()?.block_on(future))
}

/// Runs blocking work (a token refresh, a token store, a refresh hook) from async code
/// without stalling the runtime. Inside one of the runtime's tasks (an async call) it runs
/// on the blocking pool and is awaited, so a cancelled call stops waiting for it at once
/// while the work itself goes on to its end (a refresh still keeps the rotated tokens). On
/// the thread of a blocking call (`block_on`) it runs right there: a binding whose
/// callbacks must run on the caller's thread sees them there.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    if tokio::task::try_id().is_none() {
        // `block_in_place` leaves the runtime's context, so the work may `block_on` again.
        return Ok(match Handle::try_current() {
            Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(work)
            }
            _ => work(),
        });
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| match e.try_into_panic() {
            Ok(payload) => Error::from_panic("OAuth work", payload.as_ref()),
            Err(e) => Error::new(
                ErrorKind::Internal,
                format!("the SDK's runtime stopped OAuth work: {e}"),
            ),
        })
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
