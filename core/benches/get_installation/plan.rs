//! The measuring plan shared by every language's benchmark, and the JSON line of one
//! client's raw results that `tests/bench/report.py` turns into a table.
//!
//! The plan comes from the `BENCH_*` variables `tests/bench/run.sh` sets: latency is
//! `BENCH_ROUNDS` rounds of `BENCH_ROUND_CALLS` sequential calls per client after
//! `BENCH_WARMUP_CALLS` warm-up calls, the clients taking turns round by round; throughput
//! is, for each count in `BENCH_CALLERS`, `BENCH_REPS` runs per client (taking turns) of
//! that many callers calling as fast as they can, the calls that end inside a window of
//! `BENCH_WINDOW_MS` after `BENCH_WARMUP_MS` counted.

use std::time::{Duration, Instant};

/// A new caller: its own connection where the client has no pool, else a handle on one.
pub type NewCaller<'a> = Box<dyn Fn() -> Box<dyn FnMut() + 'a> + Sync + 'a>;

/// One client under measurement.
pub struct Contender<'a> {
    /// The short name: in the SDK's ratio row, and the argument that picks the client.
    pub name: &'static str,
    /// The row's text in the table.
    pub client: &'static str,
    /// `sdk`, `reference` or `floor`.
    pub role: &'static str,
    pub new_caller: NewCaller<'a>,
}

pub struct Plan {
    warmup_calls: usize,
    rounds: usize,
    round_calls: usize,
    callers: Vec<usize>,
    reps: usize,
    warmup: Duration,
    window: Duration,
}

impl Plan {
    pub fn from_env() -> Plan {
        let number = |name: &str| -> usize {
            let value = std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
            value.parse().unwrap_or_else(|_| panic!("{name}={value}"))
        };
        let callers = std::env::var("BENCH_CALLERS").expect("BENCH_CALLERS is not set");
        Plan {
            warmup_calls: number("BENCH_WARMUP_CALLS"),
            rounds: number("BENCH_ROUNDS"),
            round_calls: number("BENCH_ROUND_CALLS"),
            callers: callers
                .split_whitespace()
                .map(|c| c.parse().unwrap())
                .collect(),
            reps: number("BENCH_REPS"),
            warmup: Duration::from_millis(number("BENCH_WARMUP_MS") as u64),
            window: Duration::from_millis(number("BENCH_WINDOW_MS") as u64),
        }
    }

    /// Measures every contender and prints one JSON line each.
    pub fn run(&self, contenders: &[Contender]) {
        let latencies = self.latencies(contenders);
        let mut throughput = vec![serde_json::Map::new(); contenders.len()];
        for &callers in &self.callers {
            let mut runs = vec![Vec::new(); contenders.len()];
            for _ in 0..self.reps {
                for (contender, runs) in contenders.iter().zip(&mut runs) {
                    runs.push(self.throughput(contender, callers));
                }
            }
            for (map, runs) in throughput.iter_mut().zip(runs) {
                map.insert(callers.to_string(), runs.into());
            }
        }
        for ((contender, latency), throughput) in contenders.iter().zip(latencies).zip(throughput) {
            let line = serde_json::json!({
                "client": contender.client,
                "name": contender.name,
                "role": contender.role,
                "latency_us": latency,
                "throughput": throughput,
            });
            println!("{line}");
        }
    }

    /// Each contender's per-call latencies (µs), one caller calling one call at a time.
    fn latencies(&self, contenders: &[Contender]) -> Vec<Vec<f64>> {
        let mut callers: Vec<_> = contenders.iter().map(|c| (c.new_caller)()).collect();
        for call in &mut callers {
            (0..self.warmup_calls).for_each(|_| call());
        }
        let mut samples = vec![Vec::with_capacity(self.rounds * self.round_calls); callers.len()];
        for _ in 0..self.rounds {
            for (call, samples) in callers.iter_mut().zip(&mut samples) {
                for _ in 0..self.round_calls {
                    let start = Instant::now();
                    call();
                    samples.push(start.elapsed().as_secs_f64() * 1e6);
                }
            }
        }
        samples
    }

    /// Calls per second of `callers` threads sharing the contender, in the window.
    fn throughput(&self, contender: &Contender, callers: usize) -> f64 {
        let counted = Instant::now() + self.warmup;
        let end = counted + self.window;
        let calls: usize = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..callers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut call = (contender.new_caller)();
                        let mut calls = 0;
                        loop {
                            call();
                            let now = Instant::now();
                            if now >= end {
                                return calls;
                            }
                            calls += usize::from(now >= counted);
                        }
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).sum()
        });
        calls as f64 / self.window.as_secs_f64()
    }
}
