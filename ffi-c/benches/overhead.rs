//! The C path's per-call overhead: `pleo_get_installation` (C strings in, a library-owned
//! C string out, freed with `pleo_string_free`) next to the core's `call_json` and typed
//! `get_installation`, on one emulator, in interleaved rounds.
//!
//! Needs the emulator at `PLEO_BASE_URL` (with `PLEO_API_KEY`); `make bench-c` starts one
//! pinned to another core. Prints a markdown table.
#![allow(missing_docs)]
// Calls the C exports as a C program would, through raw pointers.
#![allow(unsafe_code)]

use std::ffi::{CStr, c_char};
use std::ptr;
use std::time::{Duration, Instant};

use pleo_installations::ClientBuilder;
// The crate builds only a cdylib and a staticlib (an rlib would collide with the core's
// `libpleo_installations.rlib`), so the bench compiles the exports in itself.
#[path = "../src/lib.rs"]
#[allow(dead_code, unused_imports)]
mod ffi;

use ffi::{
    pleo_client, pleo_client_free, pleo_client_new, pleo_get_installation, pleo_status,
    pleo_string_free,
};

const WARMUP: usize = 500;
const ROUNDS: usize = 15;
const PER_ROUND: usize = 1_000;

type Probe<'a> = Box<dyn Fn() + 'a>;

fn main() {
    let url = std::env::var("PLEO_BASE_URL").expect("set PLEO_BASE_URL to the emulator's URL");
    let key = std::env::var("PLEO_API_KEY").unwrap_or_else(|_| "pleo-mock-api-key".to_owned());
    let config = serde_json::json!({ "base_url": url, "api_key": key }).to_string();
    let core = ClientBuilder::from_json(&config).unwrap().build().unwrap();
    if core.get_installation(None).is_err() {
        core.call_json("createClientInstallation", "{}").unwrap();
    }
    let c_config = std::ffi::CString::new(config).unwrap();
    let mut c_client: *mut pleo_client = ptr::null_mut();
    // SAFETY: valid C strings and out-pointers.
    let status = unsafe { pleo_client_new(c_config.as_ptr(), &mut c_client, ptr::null_mut()) };
    assert_eq!(status, pleo_status::Ok);

    let c_get = || {
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: a live client, a C string literal and a writable out-pointer; the result
        // is freed once.
        unsafe {
            let status = pleo_get_installation(c_client, c"{}".as_ptr(), &mut out, ptr::null_mut());
            assert!(status == pleo_status::Ok && !CStr::from_ptr(out).is_empty());
            pleo_string_free(out);
        }
    };
    let probes: Vec<(&str, Probe)> = vec![
        (
            "core call_json",
            Box::new(|| drop(core.call_json("getClientInstallation", "{}").unwrap())),
        ),
        (
            "core get_installation (typed)",
            Box::new(|| drop(core.get_installation(None).unwrap())),
        ),
        ("C pleo_get_installation", Box::new(c_get)),
    ];
    for (_, probe) in &probes {
        for _ in 0..WARMUP {
            probe();
        }
    }
    // Interleave the clients round by round so drift on the machine hits them alike.
    let mut rounds: Vec<Vec<f64>> = vec![Vec::new(); probes.len()];
    let mut all: Vec<Vec<Duration>> = vec![Vec::new(); probes.len()];
    for _ in 0..ROUNDS {
        for (i, (_, probe)) in probes.iter().enumerate() {
            let mut samples: Vec<Duration> = (0..PER_ROUND)
                .map(|_| {
                    let start = Instant::now();
                    probe();
                    start.elapsed()
                })
                .collect();
            rounds[i].push(quantile(&mut samples, 0.5));
            all[i].extend(samples);
        }
    }
    // SAFETY: made by `pleo_client_new`, no call running.
    unsafe { pleo_client_free(c_client) };

    println!("get_installation against the emulator at {url}, keep-alive,");
    println!(
        "{ROUNDS} interleaved rounds x {PER_ROUND} calls per client after {WARMUP} warm-up calls\n"
    );
    println!("| client | median (µs) | p90 (µs) | p99 (µs) |");
    println!("|---|---:|---:|---:|");
    for (i, (name, _)) in probes.iter().enumerate() {
        let median = quantile(&mut all[i], 0.5);
        println!(
            "| {name} | {median:.1} | {:.1} | {:.1} |",
            quantile(&mut all[i], 0.9),
            quantile(&mut all[i], 0.99)
        );
    }
    let mut overhead: Vec<f64> = rounds[2]
        .iter()
        .zip(&rounds[0])
        .map(|(c, core)| c - core)
        .collect();
    overhead.sort_by(f64::total_cmp);
    println!(
        "\nC path over core call_json, per call (median of the {ROUNDS} per-round differences of \
         medians): **{:+.2} µs** (rounds ranged {:+.2} to {:+.2} µs)",
        overhead[ROUNDS / 2],
        overhead[0],
        overhead[ROUNDS - 1]
    );
}

/// The `q` quantile of `samples`, in microseconds.
fn quantile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples[index].as_secs_f64() * 1e6
}
