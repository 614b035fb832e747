// Latency and throughput of the SDK next to Node's built-in fetch doing the same request
// (GET /v1/installations/me with the same API key) against the same emulator, in one run.
// Usage: node latency.mjs <base url> <api key>; prints a Markdown table.
import { Client } from 'pleo-installations';

const [url, apiKey] = process.argv.slice(2);
if (!url || !apiKey) throw new Error('usage: node latency.mjs <base url> <api key>');

const SEQUENTIAL = 2000; // one caller, one call at a time
const CALLERS = 64; // concurrent callers for throughput
const PER_CALLER = 100;
const ROUNDS = 5; // repetitions; medians across them are reported

const client = new Client({ baseUrl: url, apiKey });
const authorization = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;

const contenders = {
  'SDK getInstallation()': () => client.getInstallation(),
  'fetch + JSON.parse': async () => {
    const response = await fetch(`${url}/v1/installations/me`, { headers: { authorization, accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  },
};

// An installation to read.
await fetch(`${url}/__mock/installations`, {
  method: 'POST',
  body: JSON.stringify({ credential: apiKey, status: 'ACTIVATED' }),
});

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Median latency (µs) of calls made one after another. */
async function sequential(call) {
  const latencies = [];
  for (let i = 0; i < SEQUENTIAL; i += 1) {
    const start = process.hrtime.bigint();
    await call();
    latencies.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return median(latencies);
}

/** Throughput (calls/s) and median latency (µs) of CALLERS callers, each making PER_CALLER calls. */
async function concurrent(call) {
  const latencies = [];
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    for (let i = 0; i < PER_CALLER; i += 1) {
      const start = process.hrtime.bigint();
      await call();
      latencies.push(Number(process.hrtime.bigint() - start) / 1e3);
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { throughput: (CALLERS * PER_CALLER) / seconds, latency: median(latencies) };
}

const results = Object.fromEntries(Object.keys(contenders).map((name) => [name, { seq: [], tput: [], conc: [] }]));
for (const call of Object.values(contenders)) await concurrent(call); // warm up both
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, call] of Object.entries(contenders)) {
    results[name].seq.push(await sequential(call));
    const { throughput, latency } = await concurrent(call);
    results[name].tput.push(throughput);
    results[name].conc.push(latency);
  }
}

console.log(`Medians of ${ROUNDS} rounds; each round: ${SEQUENTIAL} sequential calls, then ${CALLERS} concurrent callers × ${PER_CALLER} calls.`);
console.log('');
console.log(`| client | median latency, 1 caller (µs) | throughput, ${CALLERS} callers (calls/s) | median latency, ${CALLERS} callers (µs) |`);
console.log('|---|---:|---:|---:|');
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${median(r.seq).toFixed(0)} | ${median(r.tput).toFixed(0)} | ${median(r.conc).toFixed(0)} |`);
}
