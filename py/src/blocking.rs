//! Blocking calls that Ctrl-C interrupts.
//!
//! Python runs signal handlers only on its main thread, and only between two steps of Python
//! code: a call blocked in the core gives it none, so a SIGINT would wait for the call's end.
//! On the main thread, the call therefore runs on a worker thread while the main thread waits
//! with the GIL released, waking every [`TICK`] to run the handlers (`py.check_signals()`).
//! When one raises (`KeyboardInterrupt`), that exception is raised at once and the call is
//! abandoned: it finishes in the background within its own deadline, and its result is
//! dropped. Other threads never receive signals: they run the call themselves.
//!
//! The Python code a call runs (refresh hook, token store: [`on_caller`]) still runs on the
//! calling thread, which the worker asks to run it while it waits: a store on sqlite3, or one
//! using thread-local state, works as on any other thread. For a call already abandoned,
//! it runs on the worker.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::thread;
use std::time::Duration;

use pyo3::intern;
use pyo3::prelude::*;

use crate::interpreter;

/// How often the main thread runs Python's signal handlers while a call is pending.
const TICK: Duration = Duration::from_millis(50);

/// Idle workers kept for later calls; more are started when all are busy (an abandoned call
/// still runs on one), and a worker that finds the list full ends.
const MAX_IDLE: usize = 4;

type Job = Box<dyn FnOnce() + Send>;

/// Python code for the calling thread to run (see [`on_caller`]).
type Callback = Box<dyn FnOnce(Python<'_>) + Send>;

/// What a worker tells the main thread waiting for its call.
enum Message {
    /// Run this, then go on waiting.
    Run(Callback),
    /// The call ended: its `thread::Result<T>`.
    Done(Box<dyn Any + Send>),
}

thread_local! {
    /// On a worker running a call from the main thread: where that thread waits.
    static CALLER: RefCell<Option<Sender<Message>>> = const { RefCell::new(None) };
}

/// The idle workers, as the senders of their job channels, and the process they belong to
/// (a child of `fork()` has none of its parent's threads).
struct Idle {
    pid: u32,
    workers: Vec<Sender<Job>>,
}

static IDLE: Mutex<Idle> = Mutex::new(Idle {
    pid: 0,
    workers: Vec::new(),
});

/// Runs `f` with the GIL released; on the main thread, so that a signal handler that raises
/// (Ctrl-C's `KeyboardInterrupt`) ends the wait within [`TICK`] with its exception, leaving `f`
/// to finish in the background. A panic in `f` is resumed here, as `py.detach` would.
pub(crate) fn run<T: Send + 'static>(
    py: Python<'_>,
    f: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    if !on_main_thread(py)? {
        return Ok(py.detach(f));
    }
    let (messages_tx, messages_rx) = mpsc::channel();
    let job: Job = Box::new(move || {
        CALLER.with(|caller| caller.replace(Some(messages_tx.clone())));
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        CALLER.with(|caller| caller.replace(None));
        // The receiver is gone when the call was abandoned: the result is dropped.
        let _ = messages_tx.send(Message::Done(Box::new(result)));
    });
    if let Err(job) = submit(job) {
        // No worker could be started: the call runs here, as on other threads.
        py.detach(job);
    }
    let mut messages_rx = messages_rx;
    loop {
        // A `Receiver` may move between threads, not be shared: it goes in and comes back out.
        let (rx, received) = py.detach(move || {
            let received = messages_rx.recv_timeout(TICK);
            (messages_rx, received)
        });
        messages_rx = rx;
        match received {
            Ok(Message::Run(callback)) => callback(py),
            Ok(Message::Done(result)) => {
                let result = result
                    .downcast::<thread::Result<T>>()
                    .expect("the job sends its own result type");
                return Ok(result.unwrap_or_else(|payload| panic::resume_unwind(payload)));
            }
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => {
                unreachable!("every job sends its result before its sender is dropped")
            }
        }
    }
}

/// Runs `f` attached to Python on the thread of the call this thread is running: the
/// calling thread, or this one when the call was made here or abandoned. Fails once the
/// interpreter exits (see `interpreter`).
pub(crate) fn on_caller<R: Send + 'static>(
    f: impl FnOnce(Python<'_>) -> R + Send + 'static,
) -> Result<R, interpreter::Exiting> {
    let Some(caller) = CALLER.with(|caller| caller.borrow().clone()) else {
        return interpreter::attach(f);
    };
    // `f` stays reachable from here: the caller drops a callback it will not run.
    let slot = Arc::new(Mutex::new(Some(f)));
    let (reply_tx, reply_rx) = mpsc::channel();
    let theirs = Arc::clone(&slot);
    let callback: Callback = Box::new(move |py| {
        if let Some(f) = theirs.lock().unwrap_or_else(PoisonError::into_inner).take() {
            let _ = reply_tx.send(f(py));
        }
    });
    if caller.send(Message::Run(callback)).is_ok()
        && let Ok(reply) = reply_rx.recv()
    {
        return Ok(reply);
    }
    let f = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    interpreter::attach(f.expect("a callback that ran has replied"))
}

/// Whether this is the thread Python runs signal handlers on.
fn on_main_thread(py: Python<'_>) -> PyResult<bool> {
    let threading = py.import(intern!(py, "threading"))?;
    let main = threading
        .call_method0(intern!(py, "main_thread"))?
        .getattr(intern!(py, "ident"))?;
    main.eq(threading.call_method0(intern!(py, "get_ident"))?)
}

/// Hands `job` to an idle worker or a new one; gives it back when no thread could be started.
fn submit(job: Job) -> Result<(), Job> {
    let job = match take_idle() {
        Some(worker) => match worker.send(job) {
            Ok(()) => return Ok(()),
            Err(mpsc::SendError(job)) => job,
        },
        None => job,
    };
    match start_worker() {
        Ok(worker) => worker.send(job).map_err(|mpsc::SendError(job)| job),
        Err(_) => Err(job),
    }
}

/// An idle worker, if any.
fn take_idle() -> Option<Sender<Job>> {
    idle_list()?.workers.pop()
}

/// Puts a worker back on the idle list; false when it should end instead.
fn give_back(worker: Sender<Job>) -> bool {
    match idle_list() {
        Some(mut idle) if idle.workers.len() < MAX_IDLE => {
            idle.workers.push(worker);
            true
        }
        _ => false,
    }
}

/// The idle list of this process, unless another thread holds it. It is only tried, never
/// waited for: after a `fork()` its lock may be held by a thread the child does not have.
fn idle_list() -> Option<MutexGuard<'static, Idle>> {
    let mut idle = match IDLE.try_lock() {
        Ok(idle) => idle,
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(TryLockError::WouldBlock) => return None,
    };
    let pid = std::process::id();
    if idle.pid != pid {
        // The parent's workers: their channels may be mid-operation, so not even dropped.
        std::mem::forget(std::mem::take(&mut idle.workers));
        idle.pid = pid;
    }
    Some(idle)
}

/// Starts a worker thread: it runs the jobs sent to it, going back on the idle list after each.
fn start_worker() -> std::io::Result<Sender<Job>> {
    let (tx, rx) = mpsc::channel::<Job>();
    let own = tx.clone();
    thread::Builder::new()
        .name("pleo-installations-call".to_owned())
        .spawn(move || {
            // One Python thread state for the worker's life: a log record or callback then
            // attaches cheaply (without one, every attach creates and destroys a state).
            Python::attach(|py| py.detach(move || serve(rx, own)));
        })?;
    Ok(tx)
}

/// The worker's loop.
fn serve(jobs: Receiver<Job>, own: Sender<Job>) {
    while let Ok(job) = jobs.recv() {
        job();
        if !give_back(own.clone()) {
            break;
        }
    }
    while interpreter::exiting() {
        // Attaching again to end the thread state would panic or end the thread inside
        // CPython: the worker waits for the process to end instead.
        thread::park();
    }
}
