// get_installation (GET /v1/installations/me with the API key, keep-alive) against the
// emulator at PLEO_BASE_URL: latency with one caller, throughput with several, for the Node
// SDK, for Node's own `http.request` with a keep-alive Agent (the fastest client Node has)
// and for the built-in fetch (undici's global dispatcher), each shared by every caller.
// Callers are concurrent async loops in this one process.
//
// `make bench-node` runs it through tests/bench/run.sh, which starts the emulator and sets
// the plan (BENCH_*, described in core/benches/get_installation/plan.rs). Prints one JSON
// line of raw results per client for tests/bench/report.py, and notes on the clients.
import http from 'node:http';
import { Client } from 'pleo-installations';

const setting = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const number = (name) => Number(setting(name));
const url = setting('PLEO_BASE_URL');
const apiKey = setting('PLEO_API_KEY');
const warmupCalls = number('BENCH_WARMUP_CALLS');
const rounds = number('BENCH_ROUNDS');
const roundCalls = number('BENCH_ROUND_CALLS');
const callerCounts = setting('BENCH_CALLERS').split(' ').filter(Boolean);
const reps = number('BENCH_REPS');
const warmupUs = number('BENCH_WARMUP_MS') * 1e3;
const windowUs = number('BENCH_WINDOW_MS') * 1e3;
const now = () => Number(process.hrtime.bigint()) / 1e3; // µs

const sdk = new Client({ baseUrl: url, apiKey });
const endpoint = `${url}/v1/installations/me`;
const headers = {
  authorization: `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`,
  accept: 'application/json',
};

const agent = new http.Agent({ keepAlive: true });

/**
 * GET through `http.request` on the keep-alive agent, the body parsed as JSON; sent again
 * once when a reused connection turns out closed (as Node's documentation advises, and as
 * fetch does by itself).
 */
const httpRequest = () =>
  httpGet().catch((error) => {
    if (error.code === 'ECONNRESET' && error.reused) return httpGet();
    throw error;
  });

const httpGet = () =>
  new Promise((resolve, reject) => {
    const request = http.request(endpoint, { agent, headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`HTTP ${response.statusCode}`));
        else resolve(JSON.parse(Buffer.concat(chunks).toString()));
      });
      response.on('error', reject);
    });
    request.on('error', (error) => reject(Object.assign(error, { reused: request.reusedSocket })));
    request.end();
  });

/** The median time, in µs, to construct one more client (the first one already built). */
function construction() {
  const times = [];
  for (let i = 0; i < 200; i += 1) {
    const start = now();
    new Client({ baseUrl: url, apiKey });
    times.push(now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const contenders = [
  {
    name: 'SDK',
    client: 'SDK `getInstallation()`',
    role: 'sdk',
    call: () => sdk.getInstallation(),
  },
  {
    name: 'http.request',
    client: '`http.request` (keep-alive `Agent`) + `JSON.parse`',
    role: 'reference',
    call: httpRequest,
  },
  {
    name: 'fetch',
    client: '`fetch` + `.json()`',
    role: 'reference',
    call: async () => {
      const response = await fetch(endpoint, { headers });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
  },
];

/** Each contender's per-call latencies (µs), one caller, the clients taking turns. */
async function latencies() {
  for (const { call } of contenders) {
    for (let i = 0; i < warmupCalls; i += 1) await call();
  }
  const samples = contenders.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, { call }] of contenders.entries()) {
      for (let i = 0; i < roundCalls; i += 1) {
        const start = now();
        await call();
        samples[index].push(now() - start);
      }
    }
  }
  return samples;
}

/** Calls per second of `callers` concurrent loops, counting the calls that end in the window. */
async function throughput(call, callers) {
  const counted = now() + warmupUs;
  const end = counted + windowUs;
  let calls = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (;;) {
        await call();
        const time = now();
        if (time >= end) return;
        if (time >= counted) calls += 1;
      }
    }),
  );
  return calls / (windowUs / 1e6);
}

const samples = await latencies();
const runs = contenders.map(() => ({}));
for (const callers of callerCounts) {
  for (let rep = 0; rep < reps; rep += 1) {
    for (const [index, { call }] of contenders.entries()) {
      (runs[index][callers] ??= []).push(await throughput(call, Number(callers)));
    }
  }
}
for (const [index, { name, client, role }] of contenders.entries()) {
  const row = { client, name, role, latency_us: samples[index], throughput: runs[index] };
  console.log(JSON.stringify(row));
}
console.log(
  [
    `- Node ${process.version}, release build of the addon; callers are concurrent async loops` + ' in one process.',
    "- SDK: one `Client` shared by every caller; each call is a future on the SDK's runtime" +
      ' (two threads, however many calls are in flight) that settles a Promise.',
    `- A second \`new Client()\` takes ${construction().toFixed(1)} µs (median of 200; no CA store is` +
      ' read for an `http://` URL, nor for `https://` before the first call).',
    '- http.request: one `http.Agent({ keepAlive: true })`, no limit on sockets, the body' +
      ' collected and parsed with `JSON.parse`.',
    `- fetch (undici ${process.versions.undici}, built into Node): the global dispatcher, one` +
      ' keep-alive pool per origin without a limit on connections.',
  ].join('\n'),
);
