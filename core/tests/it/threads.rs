//! One client shared by many threads.

use crate::common;

use std::sync::Arc;
use std::thread;

use pleo_installations::{Client, CreateInstallation, InstallationStatus};
use pleo_installations_mock::MockServer;

#[test]
fn sixteen_threads_share_one_client() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Client>();

    let server = MockServer::start().unwrap();
    let client = Arc::new(common::builder(&server).build().unwrap());
    let created = client
        .create_installation(&CreateInstallation::default())
        .unwrap();
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let client = Arc::clone(&client);
            thread::spawn(move || {
                for _ in 0..50 {
                    let installation = client.get_installation(None).unwrap();
                    assert_eq!(installation.status, InstallationStatus::Activated);
                }
                client.introspect().unwrap();
            })
        })
        .collect();
    for handle in threads {
        handle.join().unwrap();
    }
    let journal = server.journal();
    let gets = common::received(&server, "getClientInstallation");
    assert_eq!(gets, 16 * 50);
    // Keep-alive: the 800 requests reused pooled connections (a few more than one per
    // thread may open when all idle ones are busy), not one connection per request.
    let connections: std::collections::HashSet<_> = journal.iter().map(|r| r.peer).collect();
    assert!(connections.len() <= 48, "{} connections", connections.len());
    assert_eq!(client.get_installation(None).unwrap().id, created.id);
}
