//! Values built once per process and shared without a lock, so that `fork()` cannot leave
//! a child waiting forever.
//!
//! A `Mutex` or a `OnceLock` held by another thread at the moment of a fork stays held in
//! the child, where that thread does not exist: the child's first call would hang. Here the
//! value is built with no lock held and published with one atomic swap; a child sees that
//! the value was built in another process and builds its own. The parent's is leaked in the
//! child, never dropped: dropping it could wait for threads the child does not have.

use std::sync::Arc;

use arc_swap::ArcSwapOption;

/// A value of this process, built on first use here (see the module's documentation).
pub(crate) struct PerProcess<T> {
    slot: ArcSwapOption<Built<T>>,
}

/// A value and the process it was built in.
struct Built<T> {
    pid: u32,
    value: Arc<T>,
}

impl<T> PerProcess<T> {
    /// An empty slot.
    pub(crate) const fn new() -> PerProcess<T> {
        PerProcess {
            slot: ArcSwapOption::const_empty(),
        }
    }

    /// This process's value, built by `build` if there is none yet. Threads that find none
    /// at once may each build one; one of them is kept and the others are dropped.
    pub(crate) fn get_or_try_init<E>(
        &self,
        build: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        let pid = std::process::id();
        if let Some(built) = self.slot.load().as_ref()
            && built.pid == pid
        {
            return Ok(Arc::clone(&built.value));
        }
        let fresh = Arc::new(Built {
            pid,
            value: Arc::new(build()?),
        });
        loop {
            let current = self.slot.load_full();
            if let Some(built) = &current
                && built.pid == pid
            {
                // Another thread of this process was first: use its value, drop ours.
                return Ok(Arc::clone(&built.value));
            }
            let previous = self
                .slot
                .compare_and_swap(&current, Some(Arc::clone(&fresh)));
            let swapped = match (&*previous, &current) {
                (Some(previous), Some(current)) => Arc::ptr_eq(previous, current),
                (None, None) => true,
                _ => false,
            };
            if swapped {
                // A value of the parent process: keep a reference forever, so it is never
                // dropped here.
                std::mem::forget(current);
                return Ok(Arc::clone(&fresh.value));
            }
        }
    }

    /// [`get_or_try_init`](PerProcess::get_or_try_init) for a build that cannot fail.
    pub(crate) fn get_or_init(&self, build: impl FnOnce() -> T) -> Arc<T> {
        match self.get_or_try_init(|| Ok::<T, std::convert::Infallible>(build())) {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }
}

impl<T> std::fmt::Debug for PerProcess<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let built = self.slot.load().as_ref().map(|built| built.pid);
        f.debug_struct("PerProcess")
            .field("built_in", &built)
            .finish()
    }
}

#[cfg(all(test, unix))]
#[allow(unsafe_code)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    #[test]
    fn threads_share_one_value() {
        let slot = PerProcess::new();
        let first = slot.get_or_init(|| 1);
        assert_eq!(*slot.get_or_init(|| 2), 1);
        let failed: Result<Arc<i32>, &str> = PerProcess::new().get_or_try_init(|| Err("no"));
        assert_eq!(failed.unwrap_err(), "no");
        let values: Vec<Arc<i32>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| slot.get_or_init(|| 3)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(values.iter().all(|v| Arc::ptr_eq(v, &first)));
    }

    /// The case a `OnceLock` or `Mutex` gets wrong: another thread is building the value
    /// at the moment of the fork. The child must build its own, not wait for a thread it
    /// does not have.
    #[test]
    fn a_child_forked_while_another_thread_builds_builds_its_own() {
        static SLOT: PerProcess<&str> = PerProcess::new();
        let (entered, inside) = mpsc::channel();
        let builder = std::thread::spawn(move || {
            SLOT.get_or_init(|| {
                entered.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(1500));
                "parent"
            })
        });
        inside.recv().unwrap();
        // SAFETY: the child only reads the slot and `_exit`s, never returning into the
        // test harness; the parent waits for it.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let code = if *SLOT.get_or_init(|| "child") == "child" {
                0
            } else {
                3
            };
            // SAFETY: ends the child without running the parent's destructors or harness.
            unsafe { libc::_exit(code) };
        }
        assert_eq!(*builder.join().unwrap(), "parent");
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut status = 0;
        loop {
            // SAFETY: `pid` is our child; `status` is a valid out pointer.
            let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if done == pid {
                break;
            }
            if Instant::now() > deadline {
                // SAFETY: as above; the child hung: end it so the test reports.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!("the child hung waiting for its parent's thread");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
        assert_eq!(*SLOT.get_or_init(|| "again"), "parent");
    }
}
