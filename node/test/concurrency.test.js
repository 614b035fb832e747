'use strict';
// Calls run off the JS thread and are not capped by libuv's four threads.

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
  const started = performance.now();
  const spans = await Promise.all(Array.from({ length: 64 }, async () => {
    const begin = performance.now();
    const installation = await client.getInstallation();
    assert.equal(installation.status, 'ACTIVATED');
    return [begin, performance.now()];
  }));
  const elapsed = performance.now() - started;
  assert.equal(server.pendingFaults(), 0, 'every call met the delay');
  // Serialised they would take 64 × 400 ms; in libuv's pool of four, 16 × 400 ms.
  assert.ok(elapsed < 3 * DELAY_MS, `64 slow calls took ${elapsed.toFixed(0)} ms`);
  // All 64 overlap: the last to start began before the first to finish ended.
  const lastStart = Math.max(...spans.map(([begin]) => begin));
  const firstEnd = Math.min(...spans.map(([, end]) => end));
  assert.ok(lastStart < firstEnd, 'the calls overlapped');
});

test('a timer keeps firing while a slow call is in flight', async () => {
  server.pushFault({ delayMs: DELAY_MS, operation: 'getClientInstallation' });
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 10);
  try {
    await client.getInstallation();
  } finally {
    clearInterval(timer);
  }
  // 400 ms at 10 ms: about 40 ticks when the event loop is free; none if it were blocked.
  assert.ok(ticks >= 15, `only ${ticks} ticks during a ${DELAY_MS} ms call`);
});
