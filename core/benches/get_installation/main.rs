//! `get_installation` (GET /v1/installations/me with the API key, keep-alive) against the
//! emulator at `PLEO_BASE_URL`: latency with one caller, throughput with several, for the
//! SDK, for bare reqwest (the usual Rust client) and for the floor, a raw keep-alive HTTP
//! client (see `floor.rs`). Callers are threads sharing one client (the floor: one
//! connection each).
//!
//! `make bench-rust` runs it through `tests/bench/run.sh`, which starts the emulator, sets
//! the plan (`plan.rs`) and renders the JSON lines this prints. Arguments name the clients
//! to measure (`sdk`, `reqwest`, `floor`, in any case); none means all.
#![allow(missing_docs)]

mod floor;
mod plan;

use base64::Engine as _;
use pleo_installations::Client;

use floor::Floor;
use plan::{Contender, Plan};

fn main() {
    let url = std::env::var("PLEO_BASE_URL").expect("set PLEO_BASE_URL to the emulator's URL");
    let key = std::env::var("PLEO_API_KEY").expect("set PLEO_API_KEY to the emulator's key");
    // cargo bench adds --bench; the other arguments pick clients.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();

    let sdk = Client::builder()
        .base_url(&url)
        .api_key(&key)
        .build()
        .unwrap();
    // reqwest is built without a crypto provider (as in the SDK): install the SDK's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let reqwest = reqwest::blocking::Client::new();
    let endpoint = format!("{url}/v1/installations/me");
    let authorization = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
    );

    let contenders = [
        Contender {
            name: "SDK",
            client: "SDK `get_installation` (typed)",
            role: "sdk",
            new_caller: Box::new(|| Box::new(|| drop(sdk.get_installation(None).unwrap()))),
        },
        Contender {
            name: "reqwest",
            client: "reqwest blocking `Client` + `serde_json::Value`",
            role: "reference",
            new_caller: Box::new(|| {
                Box::new(|| {
                    let response = reqwest
                        .get(&endpoint)
                        .header("authorization", &authorization)
                        .header("accept", "application/json")
                        .send()
                        .unwrap()
                        .error_for_status()
                        .unwrap();
                    let body = response.bytes().unwrap();
                    drop(serde_json::from_slice::<serde_json::Value>(&body).unwrap());
                })
            }),
        },
        Contender {
            name: "floor",
            client: "floor: raw keep-alive `TcpStream`",
            role: "floor",
            new_caller: Box::new(|| {
                let mut floor = Floor::connect(&url, &authorization);
                Box::new(move || floor.get())
            }),
        },
    ];
    let chosen: Vec<Contender> = contenders
        .into_iter()
        .filter(|c| wanted.is_empty() || wanted.iter().any(|w| w.eq_ignore_ascii_case(c.name)))
        .collect();
    Plan::from_env().run(&chosen);
    if chosen.iter().any(|c| c.role != "floor") {
        println!(
            "- Callers are threads. SDK: one `Client` shared by every thread; it returns the \
             typed `Installation`. Each call runs on its caller's thread, its I/O driven by \
             the SDK's runtime (reqwest's async client, two threads per process).\n- A second \
             client takes {:.1} µs to build (median of 200; no CA store is read for an \
             `http://` URL, nor for `https://` before the first call).\n- reqwest (the version \
             in Cargo.lock): one blocking `Client` shared by every thread, the body parsed into \
             a `serde_json::Value`; it hands each request to its own runtime thread.",
            construction(&url, &key)
        );
    }
}

/// The median time, in µs, to build one more client (the first one already built).
fn construction(url: &str, key: &str) -> f64 {
    let mut times: Vec<f64> = (0..200)
        .map(|_| {
            let start = std::time::Instant::now();
            drop(
                Client::builder()
                    .base_url(url)
                    .api_key(key)
                    .build()
                    .unwrap(),
            );
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
