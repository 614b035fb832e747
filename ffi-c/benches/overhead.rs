//! The C path's per-call overhead: `pleo_get_installation` (C strings in, a library-owned
//! C string out, freed with `pleo_string_free`) next to the core's `call_json` and typed
//! `get_installation` on one emulator, the three alternating call by call so that drift on
//! the machine hits them alike; then the layer alone, without the network: the C
//! `pleo_oauth_call("codeChallenge")` next to the core's `oauth::call_json`.
//!
//! Needs the emulator at `PLEO_BASE_URL` (with `PLEO_API_KEY`); `make bench-c` starts one
//! pinned to another core. Prints markdown.
#![allow(missing_docs)]
// Calls the C exports as a C program would, through raw pointers.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char};
use std::ptr;
use std::time::{Duration, Instant};

use pleo_installations::{ClientBuilder, oauth};

// The crate builds only a cdylib and a staticlib (an rlib would collide with the core's
// `libpleo_installations.rlib`), so the bench compiles the exports in itself.
#[path = "../src/lib.rs"]
#[allow(dead_code, unused_imports)]
mod ffi;

use ffi::{
    pleo_client, pleo_client_free, pleo_client_new, pleo_get_installation, pleo_oauth_call,
    pleo_status, pleo_string_free,
};

const WARMUP: usize = 500;
const CALLS: usize = 10_000;
const LAYER_CALLS: usize = 200_000;
const CHALLENGE: &str = r#"{"code_verifier":"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}"#;

type Probe<'a> = Box<dyn Fn() + 'a>;

fn main() {
    let url = std::env::var("PLEO_BASE_URL").expect("set PLEO_BASE_URL to the emulator's URL");
    let key = std::env::var("PLEO_API_KEY").unwrap_or_else(|_| "pleo-mock-api-key".to_owned());
    let config = serde_json::json!({ "base_url": url, "api_key": key }).to_string();
    let core = ClientBuilder::from_json(&config).unwrap().build().unwrap();
    // The same client as the C one builds: same configuration, same User-Agent.
    let twin = ClientBuilder::from_json(&config)
        .unwrap()
        .sdk_component(format!(
            "pleo-installations-c/{}",
            pleo_installations::VERSION
        ))
        .build()
        .unwrap();
    if core.get_installation(None).is_err() {
        core.call_json("createClientInstallation", "{}").unwrap();
    }
    let c_config = CString::new(config).unwrap();
    let mut c_client: *mut pleo_client = ptr::null_mut();
    // SAFETY: valid C strings and out-pointers.
    let status = unsafe { pleo_client_new(c_config.as_ptr(), &mut c_client, ptr::null_mut()) };
    assert_eq!(status, pleo_status::Ok);
    let c_get = || {
        // SAFETY: a live client, a C string literal and a writable out-pointer.
        c_call(|out| unsafe {
            pleo_get_installation(c_client, c"{}".as_ptr(), out, ptr::null_mut())
        })
    };
    let probes: Vec<(&str, Probe)> = vec![
        (
            "core call_json",
            Box::new(|| drop(core.call_json("getClientInstallation", "{}").unwrap())),
        ),
        (
            "core call_json, a second client with the C client's settings",
            Box::new(|| drop(twin.call_json("getClientInstallation", "{}").unwrap())),
        ),
        (
            "core get_installation (typed)",
            Box::new(|| drop(core.get_installation(None).unwrap())),
        ),
        ("C pleo_get_installation", Box::new(c_get)),
    ];
    let samples = alternate(&probes, WARMUP, CALLS);
    // SAFETY: made by `pleo_client_new`, no call running.
    unsafe { pleo_client_free(c_client) };

    println!("`get_installation` against the emulator at {url}, keep-alive, {CALLS} calls per");
    println!(
        "client after {WARMUP} warm-up calls, the clients alternating call by call in rotating order.\n"
    );
    println!("| client | median (µs) | p90 (µs) | p99 (µs) |");
    println!("|---|---:|---:|---:|");
    for ((name, _), samples) in probes.iter().zip(&samples) {
        let mut micros: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e6).collect();
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} |",
            quantile(&mut micros, 0.5),
            quantile(&mut micros, 0.9),
            quantile(&mut micros, 0.99)
        );
    }
    println!(
        "\nMedians of the {CALLS} paired differences (call i of one client minus call i of the other):\n"
    );
    for (label, minuend, subtrahend) in [
        ("C path minus core `call_json`", 3, 0),
        ("C path minus the second core client", 3, 1),
        ("second core client minus the first (noise floor)", 1, 0),
    ] {
        let mut paired: Vec<f64> = samples[minuend]
            .iter()
            .zip(&samples[subtrahend])
            .map(|(a, b)| (a.as_secs_f64() - b.as_secs_f64()) * 1e6)
            .collect();
        println!(
            "- {label}: **{:+.2} µs** (p25..p75 {:+.1}..{:+.1} µs)",
            quantile(&mut paired, 0.5),
            quantile(&mut paired, 0.25),
            quantile(&mut paired, 0.75)
        );
    }

    // The layer alone: the same boundary, argument checks and result string, no network.
    let c_request = CString::new(CHALLENGE).unwrap();
    let layer: Vec<(&str, Probe)> = vec![
        (
            "core oauth::call_json(\"codeChallenge\")",
            Box::new(|| drop(oauth::call_json("codeChallenge", CHALLENGE).unwrap())),
        ),
        (
            "C pleo_oauth_call(\"codeChallenge\") + pleo_string_free",
            Box::new(|| {
                // SAFETY: C strings and a writable out-pointer.
                c_call(|out| unsafe {
                    pleo_oauth_call(
                        c"codeChallenge".as_ptr(),
                        c_request.as_ptr(),
                        out,
                        ptr::null_mut(),
                    )
                })
            }),
        ),
    ];
    let samples = alternate(&layer, WARMUP, LAYER_CALLS);
    let means: Vec<f64> = samples
        .iter()
        .map(|s| s.iter().sum::<Duration>().as_secs_f64() * 1e9 / s.len() as f64)
        .collect();
    println!("\nThe layer alone, without the network ({LAYER_CALLS} alternating calls each):\n");
    println!("| call | mean (ns) |");
    println!("|---|---:|");
    for ((name, _), mean) in layer.iter().zip(&means) {
        println!("| {name} | {mean:.0} |");
    }
    println!(
        "\nC layer overhead per call: **{:+.0} ns**.",
        means[1] - means[0]
    );
}

/// Runs a C call with an out-parameter, checks it succeeded with a result, and frees it.
fn c_call(call: impl FnOnce(*mut *mut c_char) -> pleo_status) {
    let mut out: *mut c_char = ptr::null_mut();
    assert_eq!(call(&mut out), pleo_status::Ok);
    // SAFETY: set by the library on success; freed once.
    unsafe {
        assert!(!CStr::from_ptr(out).is_empty());
        pleo_string_free(out);
    }
}

/// Warms each probe up, then times `calls` calls of each, alternating probe by probe.
fn alternate(probes: &[(&str, Probe)], warmup: usize, calls: usize) -> Vec<Vec<Duration>> {
    for (_, probe) in probes {
        for _ in 0..warmup {
            probe();
        }
    }
    let mut samples = vec![Vec::with_capacity(calls); probes.len()];
    for call in 0..calls {
        // Rotate which probe goes first, so that none always follows the same one.
        for offset in 0..probes.len() {
            let index = (call + offset) % probes.len();
            let start = Instant::now();
            (probes[index].1)();
            samples[index].push(start.elapsed());
        }
    }
    samples
}

/// The `q` quantile of `values`.
fn quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() as f64 - 1.0) * q).round() as usize]
}
