//! A client inherited across `fork()` keeps working in the child (Python's multiprocessing
//! pools fork every client they inherit).
#![allow(unsafe_code)]

mod common;

use std::time::{Duration, Instant};

use pleo_installations::CreateInstallation;
use pleo_installations_mock::MockServer;

#[test]
fn a_client_inherited_across_fork_works_in_the_child() {
    let server = MockServer::start().unwrap();
    let client = common::builder(&server).build().unwrap();
    let created = client
        .create_installation(&CreateInstallation::default())
        .unwrap();
    // The parent's pool now holds a keep-alive connection and its background thread.
    client.get_installation(None).unwrap();

    // SAFETY: the child only calls the SDK and then `_exit`s, never returning into the
    // test harness; the parent waits for it.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = match client.get_installation(None) {
            Ok(installation) if installation.id == created.id => 0,
            Ok(_) => 3,
            Err(_) => 4,
        };
        // SAFETY: ends the child without running the parent's destructors or harness.
        unsafe { libc::_exit(code) };
    }

    let status = wait_for(pid, Duration::from_secs(30));
    assert_eq!(status, Some(0), "the child's call failed or hung");
    // The parent's client is untouched by the child's rebuild.
    client.get_installation(None).unwrap();
    let gets = server
        .journal()
        .iter()
        .filter(|r| r.operation.as_deref() == Some("getClientInstallation"))
        .count();
    assert_eq!(gets, 3, "the child's request reached the emulator");
}

#[test]
fn a_child_that_only_drops_an_inherited_client_exits() {
    let server = MockServer::start().unwrap();
    let client = common::builder(&server).build().unwrap();
    // A call starts the pool's driver thread, which the child will not have.
    let _ = client.get_installation(None);

    // SAFETY: as above: the child drops the client and `_exit`s.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        drop(client);
        // SAFETY: as above.
        unsafe { libc::_exit(0) };
    }
    assert_eq!(
        wait_for(pid, Duration::from_secs(10)),
        Some(0),
        "dropping the inherited client hung the child"
    );
    client.get_installation(None).unwrap_err();
}

#[test]
fn a_token_file_lock_released_by_the_parent_is_free_while_a_child_lives() {
    use pleo_installations::oauth::{FileTokenStore, TokenStore};
    let dir = std::env::temp_dir().join(format!("pleo-fork-lock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = FileTokenStore::new(dir.join("tokens.json"));
    let held = store.lock(Duration::from_secs(1)).unwrap();

    // SAFETY: the child only sleeps and `_exit`s, keeping its copy of the lock's file open.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        std::thread::sleep(Duration::from_secs(3));
        // SAFETY: as above.
        unsafe { libc::_exit(0) };
    }
    drop(held);
    let again = store.lock(Duration::from_millis(200));
    assert!(
        again.is_ok(),
        "the child's inherited descriptor kept the lock"
    );
    drop(again);
    assert_eq!(wait_for(pid, Duration::from_secs(10)), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The child's exit code, or None when it did not end within `limit` (it is then killed).
fn wait_for(pid: libc::pid_t, limit: Duration) -> Option<i32> {
    let started = Instant::now();
    loop {
        let mut status = 0;
        // SAFETY: waits for our own child; `status` is a valid out-pointer.
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done == pid {
            return libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
        }
        if started.elapsed() > limit {
            // SAFETY: kills our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_child_forked_while_a_parent_thread_refreshes_is_not_locked_out() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;

    use pleo_installations::Client;

    let server = MockServer::start().unwrap();
    // The first hook call (in the parent) holds the refresh lock until told to go on.
    let first = Arc::new(AtomicBool::new(true));
    let (entered, hook_entered) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let released = std::sync::Mutex::new(released);
    let first_call = first.clone();
    let client = Client::builder()
        .base_url(server.url())
        .oauth(common::oauth_credentials(&server))
        .total_timeout(Duration::from_secs(30))
        .on_tokens_refreshed(move |_| {
            if first_call.swap(false, Ordering::SeqCst) {
                let _ = entered.send(());
                let _ = released.lock().unwrap().recv();
            }
            Ok(())
        })
        .build()
        .unwrap();
    let refreshing = {
        let client = client.clone();
        std::thread::spawn(move || client.refresh_tokens())
    };
    if hook_entered.recv_timeout(Duration::from_secs(20)).is_err() {
        panic!(
            "the refresh hook never ran: {:?}",
            refreshing.join().unwrap()
        );
    }

    // SAFETY: the child only calls the SDK and then `_exit`s; the parent waits for it.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = match client.introspect() {
            Ok(_) => 0,
            Err(_) => 4,
        };
        // SAFETY: ends the child without running the parent's destructors or harness.
        unsafe { libc::_exit(code) };
    }
    let status = wait_for(pid, Duration::from_secs(10));
    release.send(()).unwrap();
    refreshing.join().unwrap().unwrap();
    assert_eq!(
        status,
        Some(0),
        "the child waited for the parent's refresh lock"
    );
    client.introspect().unwrap();
}
