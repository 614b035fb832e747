//! Latency of `get_installation` over keep-alive against the emulator, next to a bare
//! reqwest client making the same request in the same run.
//!
//! Uses the emulator at `PLEO_BASE_URL` with `PLEO_API_KEY` when set (`make bench` starts
//! one pinned to another core), else one in this process. Prints a markdown table.
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use base64::Engine as _;
use pleo_installations::{Client, CreateInstallation};
use pleo_installations_mock::MockServer;

const WARMUP: usize = 500;
const ROUNDS: usize = 7;
const PER_ROUND: usize = 1_000;

type Probe<'a> = Box<dyn Fn() + 'a>;

fn main() {
    let local = std::env::var("PLEO_BASE_URL")
        .is_err()
        .then(|| MockServer::start().unwrap());
    let (url, key) = match &local {
        Some(server) => (server.url(), server.api_key()),
        None => (
            std::env::var("PLEO_BASE_URL").unwrap(),
            std::env::var("PLEO_API_KEY").unwrap_or_else(|_| "pleo-mock-api-key".to_owned()),
        ),
    };
    let sdk = Client::builder()
        .base_url(&url)
        .api_key(&key)
        .build()
        .unwrap();
    if sdk.get_installation(None).is_err() {
        sdk.create_installation(&CreateInstallation::default())
            .unwrap();
    }
    let bare = reqwest::blocking::Client::new();
    let endpoint = format!("{url}/v1/installations/me");
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
    );
    let bare_get = || {
        bare.get(&endpoint)
            .header("authorization", &auth)
            .header("accept", "application/json")
            .send()
            .unwrap()
            .bytes()
            .unwrap()
    };

    let probes: Vec<(&str, Probe)> = vec![
        ("bare reqwest (bytes)", Box::new(|| drop(bare_get()))),
        (
            "bare reqwest + serde_json::Value",
            Box::new(|| {
                let body = bare_get();
                drop(serde_json::from_slice::<serde_json::Value>(&body).unwrap());
            }),
        ),
        (
            "SDK get_installation (typed)",
            Box::new(|| drop(sdk.get_installation(None).unwrap())),
        ),
        (
            "SDK call_json",
            Box::new(|| drop(sdk.call_json("getClientInstallation", "{}").unwrap())),
        ),
    ];
    for (_, probe) in &probes {
        for _ in 0..WARMUP {
            probe();
        }
    }
    // Interleave the clients round by round so drift on the machine hits them alike.
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); probes.len()];
    for _ in 0..ROUNDS {
        for (i, (_, probe)) in probes.iter().enumerate() {
            for _ in 0..PER_ROUND {
                let start = Instant::now();
                probe();
                samples[i].push(start.elapsed());
            }
        }
    }
    let medians: Vec<f64> = samples.iter_mut().map(|s| percentile(s, 0.5)).collect();
    println!("get_installation against the emulator at {url}, keep-alive,");
    println!(
        "{ROUNDS} interleaved rounds x {PER_ROUND} calls per client after {WARMUP} warm-up calls\n"
    );
    println!("| client | median (µs) | p90 (µs) | p99 (µs) | median vs bare reqwest |");
    println!("|---|---:|---:|---:|---:|");
    for (i, (name, _)) in probes.iter().enumerate() {
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} | {:.2}x |",
            medians[i],
            percentile(&mut samples[i], 0.9),
            percentile(&mut samples[i], 0.99),
            medians[i] / medians[0]
        );
    }
}

/// The `q` quantile of `samples`, in microseconds.
fn percentile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples[index].as_secs_f64() * 1e6
}
