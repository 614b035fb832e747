'use strict';
// The Node row of `make soak`: one client makes SOAK_CALLS (100 000) getInstallation calls,
// one after the other, against the emulator at PLEO_BASE_URL with PLEO_API_KEY, and prints
// one JSON line with the wall time and the resident memory (VmRSS) after a warm-up of
// SOAK_WARMUP (1 000) calls and at the end, each measured after a full garbage collection
// (run with --expose-gc). tests/soak/run.sh runs it.

const fs = require('node:fs');
const { Client } = require('../../node');

/** This process's resident memory in KiB (VmRSS of /proc/self/status). */
function rssKib() {
  global.gc();
  const line = fs
    .readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number.parseInt(line.split(/\s+/)[1], 10);
}

async function getMany(client, calls) {
  for (let i = 0; i < calls; i += 1) await client.getInstallation();
}

async function main() {
  const calls = Number(process.env.SOAK_CALLS ?? 100000);
  const warmup = Number(process.env.SOAK_WARMUP ?? 1000);
  const client = new Client({ baseUrl: process.env.PLEO_BASE_URL, apiKey: process.env.PLEO_API_KEY });
  await getMany(client, warmup);
  const rssStart = rssKib();
  const started = performance.now();
  await getMany(client, calls);
  const seconds = (performance.now() - started) / 1000;
  const rssEnd = rssKib();
  console.log(
    JSON.stringify({
      binding: 'Node',
      calls,
      seconds: Number(seconds.toFixed(2)),
      rss_start_kib: rssStart,
      rss_end_kib: rssEnd,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
