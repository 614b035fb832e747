'use strict';
// Calls run off the JS thread, are not capped by libuv's four threads, and share one client.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Client, MockServer } = require('..');

let server;
let client;
before(async () => {
  server = await MockServer.start();
  client = new Client({ baseUrl: server.url, apiKey: server.apiKey });
  server.seedInstallation({ status: 'ACTIVATED' });
});
after(() => server.stop());

const DELAY_MS = 400;

test('64 calls against a slow response are in flight at once', async () => {
  server.pushFault({ delayMs: DELAY_MS, times: 64, operation: 'getClientInstallation' });
  const ends = await Promise.all(
    Array.from({ length: 64 }, async () => {
      const installation = await client.getInstallation();
      assert.equal(installation.status, 'ACTIVATED');
      return performance.now();
    }),
  );
  assert.equal(server.pendingFaults(), 0, 'every call met the delay');
  // All 64 wait out the delay together, so they finish together. With n worker threads
  // they would finish in 64/n waves, DELAY_MS apart (15 waves in libuv's pool of four).
  // No bound on the total time: a loaded machine may start them late, not in waves.
  const spread = Math.max(...ends) - Math.min(...ends);
  assert.ok(spread < DELAY_MS, `the 64 calls finished over ${spread.toFixed(0)} ms: they ran in waves`);
});

test('a timer keeps firing while a slow call is in flight', async () => {
  server.pushFault({ delayMs: DELAY_MS, operation: 'getClientInstallation' });
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
  }, 10);
  try {
    await client.getInstallation();
  } finally {
    clearInterval(timer);
  }
  // 400 ms at 10 ms: about 40 ticks when the event loop is free; none if it were blocked.
  assert.ok(ticks >= 15, `only ${ticks} ticks during a ${DELAY_MS} ms call`);
});

test('16 concurrent callers make 1000 calls each on one client', async () => {
  const CALLERS = 16;
  const CALLS = 1000;
  server.clearJournal();
  const statuses = await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      const seen = [];
      for (let i = 0; i < CALLS; i += 1) {
        seen.push((await client.getInstallation()).status);
      }
      return seen;
    }),
  );
  // A failed call would have rejected Promise.all.
  assert.deepEqual(statuses, Array(CALLERS).fill(Array(CALLS).fill('ACTIVATED')));
  // The journal keeps its last 10 000 entries: every one is one of these calls.
  const journal = server.journal();
  assert.equal(journal.length, 10000);
  assert.ok(journal.every((entry) => entry.operation === 'getClientInstallation'));
});
