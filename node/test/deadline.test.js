'use strict';
// JavaScript callbacks (onTokensRefreshed, a token store's methods) run under the deadline of
// the call they run in: a Promise that never settles ends the call as `timeout`, not never.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const v8 = require('node:v8');
const vm = require('node:vm');
const { Client, MockServer, APITimeoutError } = require('..');

const TOTAL_MS = 1500;
/** How much later than its deadline a call may end (thread hand-offs on a busy machine). */
const SLACK_MS = 1500;
const never = () => new Promise(() => {});

let server;
before(async () => {
  server = await MockServer.start();
});
after(() => server.stop());
beforeEach(() => server.reset());

/** A client of a fresh token family with a total timeout of TOTAL_MS, and its tokens. */
function oauthClient(extra) {
  const { clientId, clientSecret } = server.oauthClient;
  const tokens = server.issueTokens();
  const client = new Client({
    baseUrl: server.url,
    oauth: { clientId, clientSecret, ...tokens, expiresIn: 3600 },
    totalTimeoutMs: TOTAL_MS,
    ...extra,
  });
  return { client, tokens };
}

/** Awaits `call`, which must reject with `timeout` within the total timeout and the slack. */
async function rejectsInTime(call) {
  const started = performance.now();
  const error = await call().then(
    () => assert.fail('expected a timeout'),
    (e) => e,
  );
  const elapsed = performance.now() - started;
  assert.ok(error instanceof APITimeoutError, `${error.code}: ${error.message}`);
  assert.equal(error.code, 'timeout');
  assert.ok(elapsed < TOTAL_MS + SLACK_MS, `took ${Math.round(elapsed)} ms`);
  return error;
}

/** A store in memory whose methods can be swapped for never-settling ones. */
function memoryStore() {
  let stored = null;
  let held = Promise.resolve();
  return {
    get tokens() {
      return stored;
    },
    async load() {
      return stored;
    },
    async lock() {
      let release;
      const previous = held;
      held = new Promise((resolve) => {
        release = resolve;
      });
      await previous;
      return release;
    },
    async compareAndSwap(expected, tokens) {
      if (stored && stored.refreshToken !== expected) return false;
      stored = tokens;
      return true;
    },
  };
}

test(
  'a hook that never settles ends the call as timeout; the next call hands it the same tokens, refreshed once',
  { timeout: 15_000 },
  async () => {
    const seen = [];
    let hook = never;
    const { client, tokens } = oauthClient({
      onTokensRefreshed: (t) => {
        seen.push(t);
        return hook(t);
      },
    });
    const error = await rejectsInTime(() => client.refreshTokens());
    assert.match(error.message, /tokens-refreshed hook/);
    assert.equal(seen.length, 1);
    assert.doesNotMatch(
      error.message,
      new RegExp(`${seen[0].refreshToken}|${seen[0].accessToken}|${tokens.refreshToken}`),
    );

    hook = async () => {};
    assert.equal((await client.introspect()).data.authMethod, 'OAUTH2');
    assert.equal(seen.length, 2);
    assert.deepEqual(seen[1], seen[0]);
    assert.notEqual(seen[1].refreshToken, tokens.refreshToken);
    assert.deepEqual(server.oauthStats(), { tokenRequests: 1, refreshes: 1 });
  },
);

for (const method of ['load', 'lock', 'compareAndSwap']) {
  test(
    `a token store whose ${method}() never settles ends the call as timeout; the next call works, refreshed once`,
    { timeout: 15_000 },
    async () => {
      const store = memoryStore();
      const { client, tokens } = oauthClient({ tokenStore: store });
      await client.introspect();
      const working = store[method];
      store[method] = never;
      await rejectsInTime(() => client.refreshTokens());
      store[method] = working;
      // A refresh that happened (compareAndSwap came after it) is stored now, not repeated.
      if (server.oauthStats().refreshes === 0) await client.refreshTokens();
      else await client.introspect();
      assert.equal((await client.introspect()).data.authMethod, 'OAUTH2');
      assert.deepEqual(server.oauthStats(), { tokenRequests: 1, refreshes: 1 });
      assert.notEqual(store.tokens.refreshToken, tokens.refreshToken);
    },
  );
}

test(
  'a store that never settles while the client is built (seeding it) rejects the first call as timeout',
  { timeout: 15_000 },
  async () => {
    for (const method of ['lock', 'compareAndSwap']) {
      const store = memoryStore();
      store[method] = never;
      const { client } = oauthClient({ tokenStore: store });
      await rejectsInTime(() => client.introspect());
    }
    assert.deepEqual(server.journal(), []);
  },
);

test(
  'a never-settling Promise garbage-collected while the call waits still ends it as timeout, at the deadline',
  { timeout: 15_000 },
  async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    const collecting = setInterval(gc, 50);
    try {
      // Nothing references this Promise once it is returned: a collector may take it.
      const { client } = oauthClient({ onTokensRefreshed: () => new Promise(() => {}) });
      const started = performance.now();
      await rejectsInTime(() => client.refreshTokens());
      assert.ok(performance.now() - started > TOTAL_MS - 200, 'ended at the deadline, not earlier');
    } finally {
      clearInterval(collecting);
    }
  },
);

test('a lock taken after the call gave up waiting for it is released at once', { timeout: 15_000 }, async () => {
  const store = memoryStore();
  const { client } = oauthClient({ tokenStore: store });
  await client.introspect();
  let released = 0;
  store.lock = () =>
    new Promise((resolve) => {
      setTimeout(
        () =>
          resolve(() => {
            released += 1;
          }),
        TOTAL_MS + 300,
      );
    });
  await rejectsInTime(() => client.refreshTokens());
  await new Promise((resolve) => {
    setTimeout(resolve, 800);
  });
  assert.equal(released, 1);
});

test('a lock release that never settles holds the call no longer than its deadline', { timeout: 15_000 }, async () => {
  const store = memoryStore();
  const { client } = oauthClient({ tokenStore: store });
  await client.introspect();
  store.lock = async () => never;
  const started = performance.now();
  // The release is awaited until the deadline; what is left of the call may then time out.
  await client.refreshTokens().catch((e) => assert.equal(e.code, 'timeout', e.message));
  assert.ok(performance.now() - started < TOTAL_MS + SLACK_MS);
});
