//! The Rust row of `make soak`: one client makes `SOAK_CALLS` (100 000) `get_installation`
//! calls against the emulator at `PLEO_BASE_URL` with `PLEO_API_KEY`, and prints one JSON
//! line with the wall time and the resident memory (VmRSS) after a warm-up of
//! `SOAK_WARMUP` (1 000) calls and at the end. `tests/soak/run.sh` runs it.

use std::time::Instant;

use pleo_installations::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let calls: u64 = env("SOAK_CALLS", "100000").parse()?;
    let warmup: u64 = env("SOAK_WARMUP", "1000").parse()?;
    let client = Client::builder()
        .base_url(std::env::var("PLEO_BASE_URL")?)
        .api_key(std::env::var("PLEO_API_KEY")?)
        .build()?;
    for _ in 0..warmup {
        client.get_installation(None)?;
    }
    let rss_start = rss_kib()?;
    let started = Instant::now();
    for _ in 0..calls {
        client.get_installation(None)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let rss_end = rss_kib()?;
    println!(
        r#"{{"binding": "Rust", "calls": {calls}, "seconds": {seconds:.2}, "rss_start_kib": {rss_start}, "rss_end_kib": {rss_end}}}"#
    );
    Ok(())
}

/// This process's resident memory in KiB (`VmRSS` of `/proc/self/status`).
fn rss_kib() -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .ok_or("no VmRSS in /proc/self/status")?;
    Ok(line.trim().trim_end_matches("kB").trim().parse()?)
}
