//! The listener, its background thread and its shutdown.
//!
//! Each emulator runs a current-thread tokio runtime on a thread of its own; every
//! connection is a task on it, so slow (delayed) answers overlap. Stopping signals the
//! accept loop, which returns; the runtime is then dropped, which cancels every
//! connection task (even one in the middle of a long delay) and closes its socket.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot};

use crate::config::MockConfig;
use crate::emulator::Emulator;
use crate::routes;

/// A running listener thread.
#[derive(Debug)]
pub(crate) struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    /// Binds `config.host:config.port` and starts serving `emulator` on a new thread.
    pub(crate) fn start(config: &MockConfig, emulator: Arc<Emulator>) -> io::Result<Running> {
        let listener = std::net::TcpListener::bind((config.host, config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let (stop, stopped) = oneshot::channel();
        let limits = Limits {
            read_timeout: config.read_timeout,
            connections: Arc::new(Semaphore::new(config.max_connections.max(1))),
        };
        let thread = std::thread::Builder::new()
            .name(format!("pleo-mock-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(accept_loop(listener, emulator, limits, stopped));
                // Dropping the runtime here cancels every connection task.
                drop(runtime);
            })?;
        Ok(Running {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Signals the thread and waits for it; the port is closed when this returns.
    /// Safe to call more than once.
    pub(crate) fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The thread may already be gone; then there is nobody to tell.
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has nothing left to clean up.
            let _ = thread.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What one connection may take of the emulator.
struct Limits {
    /// How long a request's head may take to arrive.
    read_timeout: Duration,
    /// One permit per connection served at once.
    connections: Arc<Semaphore>,
}

async fn accept_loop(
    listener: TcpListener,
    emulator: Arc<Emulator>,
    limits: Limits,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        // At the connection limit, wait for one to close before accepting another.
        let permit = tokio::select! {
            _ = &mut stopped => break,
            permit = limits.connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        tokio::select! {
            // A sent signal and a dropped sender both stop the loop.
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let emulator = emulator.clone();
                    let read_timeout = limits.read_timeout;
                    tokio::spawn(async move {
                        serve_connection(stream, peer, emulator, read_timeout).await;
                        drop(permit);
                    });
                }
                // E.g. out of file descriptors: back off a little instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
        }
    }
}

/// The largest request head read (hyper's buffer; 8 KiB is its least): the emulator's
/// requests have a few short headers.
const MAX_HEAD_BYTES: usize = 64 * 1024;

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    emulator: Arc<Emulator>,
    read_timeout: Duration,
) {
    // Small JSON answers: do not wait for Nagle.
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request| routes::handle(emulator.clone(), peer, request));
    // An error here is the client going away, a fault dropping the connection, or a head
    // too slow or too large.
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(read_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}
