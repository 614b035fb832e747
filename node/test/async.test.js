'use strict';
// Calls are futures on the SDK's runtime, not a thread each: thousands in flight keep the
// process's thread count low and their deadline; an AbortSignal cancels a call as it cancels
// a fetch.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const { Client, MockServer, APITimeoutError } = require('..');

let server;
before(async () => {
  server = await MockServer.start();
  server.seedInstallation({ status: 'ACTIVATED' });
});
after(() => server.stop());

const IN_FLIGHT = 2000;

/** The threads of this process, from the kernel's count. */
function threads() {
  return Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
}

/** A server that reads requests and never answers; `closed()` resolves once a client hangs up. */
async function silentServer() {
  let hangUp;
  const hungUp = new Promise((resolve) => {
    hangUp = resolve;
  });
  const sockets = new Set();
  const silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      hangUp();
    });
  });
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${silent.address().port}`,
    closed: () => hungUp,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    },
  };
}

test(`${IN_FLIGHT} calls in flight need no thread each`, async () => {
  const client = new Client({ baseUrl: server.url, apiKey: server.apiKey });
  await client.getInstallation(); // the runtime is started
  server.pushFault({ delayMs: 1000, times: IN_FLIGHT, operation: 'getClientInstallation' });
  const calls = Array.from({ length: IN_FLIGHT }, () => client.getInstallation());
  await new Promise((resolve) => setTimeout(resolve, 500));
  const during = threads();
  const results = await Promise.all(calls);
  assert.ok(results.every((installation) => installation.status === 'ACTIVATED'));
  assert.ok(during < 64, `${during} threads with ${IN_FLIGHT} calls in flight`);
});

test(`the total deadline holds for ${IN_FLIGHT} concurrent calls`, { timeout: 30_000 }, async () => {
  const TOTAL_MS = 1500;
  const client = new Client({ baseUrl: server.url, apiKey: server.apiKey, totalTimeoutMs: TOTAL_MS });
  server.pushFault({ delayMs: 3000, times: IN_FLIGHT, operation: 'getClientInstallation' });
  const late = await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      const started = performance.now();
      const error = await client.getInstallation().then(
        () => assert.fail('answered after the delay'),
        (e) => e,
      );
      assert.ok(error instanceof APITimeoutError, `${error.code}: ${error.message}`);
      return performance.now() - started - TOTAL_MS;
    }),
  );
  const latest = Math.max(...late);
  // Before, the wait for a free thread was not counted: calls settled up to 2.7 s late. What
  // is left is the JS thread settling 2000 rejections one after another (about 0.15 ms each
  // with the debug addon on a busy machine); one call alone settles 3 ms after its deadline.
  assert.ok(latest < 750, `a call settled ${Math.round(latest)} ms after its deadline`);
  server.clearFaults();
});

test('an aborted call rejects with an AbortError at once and abandons its request', async () => {
  const silent = await silentServer();
  try {
    const client = new Client({ baseUrl: silent.url, apiKey: 'k' });
    const controller = new AbortController();
    const call = client.introspect({ signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const aborted = performance.now();
    controller.abort();
    const error = await call.then(
      () => assert.fail('resolved'),
      (e) => e,
    );
    assert.ok(performance.now() - aborted < 100, 'rejected promptly');
    assert.equal(error.name, 'AbortError');
    assert.ok(error instanceof DOMException);
    await silent.closed(); // the SDK hung up: nothing is left running
  } finally {
    silent.stop();
  }
});

test('an abort rejects with the reason given, as fetch does', async () => {
  const silent = await silentServer();
  try {
    const client = new Client({ baseUrl: silent.url, apiKey: 'k' });
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const call = client.callJson('introspect', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(call, (error) => error === reason);
    await silent.closed();
  } finally {
    silent.stop();
  }
});

test('an already aborted signal rejects before anything is sent', async () => {
  const client = new Client({ baseUrl: server.url, apiKey: server.apiKey });
  server.clearJournal();
  const methods = [
    (signal) => client.getInstallation({ signal }),
    (signal) => client.createInstallation({ signal }),
    (signal) => client.updateInstallation({ status: 'ACTIVATED', signal }),
    (signal) => client.deleteInstallation({ signal }),
    (signal) => client.activateInstallation({ signal }),
    (signal) => client.introspect({ signal }),
    (signal) => client.waitForStatus('ACTIVATED', { signal, timeoutMs: 1000 }),
    (signal) => client.refreshTokens({ signal }),
    (signal) => client.callJson('introspect', '{}', { signal }),
  ];
  for (const method of methods) {
    await assert.rejects(method(AbortSignal.abort()), { name: 'AbortError' });
  }
  assert.deepEqual(server.journal(), []);
});

test('a signal that never aborts changes nothing, and a non-signal is a TypeError', async () => {
  const client = new Client({ baseUrl: server.url, apiKey: server.apiKey });
  const { signal } = new AbortController();
  assert.equal((await client.getInstallation({ signal })).status, 'ACTIVATED');
  await assert.rejects(client.introspect({ signal: {} }), TypeError);
});

test('AbortSignal.timeout() ends a call with its TimeoutError', async () => {
  const silent = await silentServer();
  try {
    const client = new Client({ baseUrl: silent.url, apiKey: 'k' });
    await assert.rejects(client.introspect({ signal: AbortSignal.timeout(100) }), { name: 'TimeoutError' });
    await silent.closed();
  } finally {
    silent.stop();
  }
});
