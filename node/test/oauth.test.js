'use strict';
// OAuth: the code flow with PKCE, refresh with onTokensRefreshed, and a token store in JS.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { createHash } = require('node:crypto');
const sdk = require('..');
const { Client, MockServer } = sdk;

let server;
before(async () => {
  server = await MockServer.start();
});
after(() => server.stop());
beforeEach(() => server.reset());

/** A client with a fresh token family of the emulator's OAuth client. */
function oauthClient(extra = {}) {
  const { clientId, clientSecret } = server.oauthClient;
  const tokens = server.issueTokens();
  return new Client({ baseUrl: server.url, oauth: { clientId, clientSecret, ...tokens, expiresIn: 3600 }, ...extra });
}

/** A token store in memory with a promise-based lock, as a user would write one for Redis. */
function memoryStore() {
  let stored = null;
  let held = Promise.resolve();
  const calls = { lock: 0, compareAndSwap: 0 };
  return {
    calls,
    get tokens() {
      return stored;
    },
    async load() {
      return stored;
    },
    async lock() {
      calls.lock += 1;
      let release;
      const previous = held;
      held = new Promise((resolve) => {
        release = resolve;
      });
      await previous;
      return release;
    },
    async compareAndSwap(expected, tokens) {
      calls.compareAndSwap += 1;
      if (stored && stored.refreshToken !== expected) return false;
      stored = tokens;
      return true;
    },
  };
}

test('the code flow: authorization URL, consent, code exchange, then calls with the tokens', async () => {
  const { clientId, clientSecret, redirectUri } = server.oauthClient;
  const { url, codeVerifier, state } = await sdk.authorizationUrl({
    clientId,
    redirectUri,
    state: 'csrf-1',
    baseUrl: server.url,
  });
  assert.ok(url.startsWith(`${server.url}/oauth/authorize?`));
  assert.equal(state, 'csrf-1');
  assert.equal(new URL(url).searchParams.get('code_challenge'), await sdk.codeChallenge(codeVerifier));
  const consent = server.consent(url);
  assert.equal(consent.state, 'csrf-1');
  const tokens = await sdk.exchangeCode({
    clientId,
    clientSecret,
    code: consent.code,
    codeVerifier,
    redirectUri,
    baseUrl: server.url,
  });
  assert.match(tokens.accessToken, /^at_/);
  assert.match(tokens.refreshToken, /^rt_/);
  assert.ok(tokens.expiresAt instanceof Date && tokens.expiresAt > new Date());
  const client = new Client({ baseUrl: server.url, oauth: { clientId, clientSecret, ...tokens } });
  assert.equal((await client.introspect()).data.authMethod, 'OAUTH2');
  assert.equal((await client.getInstallation()).status, 'ACTIVATED');
});

test('exchangeCode with a wrong verifier is ReauthenticationRequired or BadRequest, never a crash', async () => {
  const { clientId, clientSecret, redirectUri } = server.oauthClient;
  const { url } = await sdk.authorizationUrl({ clientId, redirectUri, baseUrl: server.url });
  const { code } = server.consent(url);
  const codeVerifier = await sdk.newCodeVerifier();
  await assert.rejects(
    sdk.exchangeCode({ clientId, clientSecret, code, codeVerifier, redirectUri, baseUrl: server.url }),
    (e) => e instanceof sdk.PleoError && e.status === 400 && !e.message.includes(clientSecret),
  );
});

test('PKCE helpers: a fresh verifier and its S256 challenge', async () => {
  const verifier = await sdk.newCodeVerifier();
  assert.match(verifier, /^[A-Za-z0-9._~-]{43,128}$/);
  assert.notEqual(await sdk.newCodeVerifier(), verifier);
  assert.equal(await sdk.codeChallenge(verifier), createHash('sha256').update(verifier).digest('base64url'));
  await assert.rejects(sdk.codeChallenge('short'), sdk.InvalidArgumentError);
});

test('an expired token is refreshed once, and an async onTokensRefreshed sees the new tokens first', async () => {
  const seen = [];
  const client = oauthClient({
    onTokensRefreshed: async (tokens) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen.push(tokens);
    },
  });
  server.expireAccessTokens();
  assert.equal((await client.introspect()).data.authMethod, 'OAUTH2');
  // Calls started after the refresh use its tokens. (Calls started while the hook runs may
  // refresh once more: a core issue reported to the lead, so they are not made here.)
  await Promise.all([client.introspect(), client.introspect()]);
  assert.equal(server.oauthStats().refreshes, 1);
  assert.equal(seen.length, 1);
  assert.match(seen[0].accessToken, /^at_/);
  assert.match(seen[0].refreshToken, /^rt_/);
  assert.ok(seen[0].expiresAt instanceof Date);
});

test('refreshTokens refreshes on demand', async () => {
  let refreshed = 0;
  const client = oauthClient({
    onTokensRefreshed: () => {
      refreshed += 1;
    },
  });
  assert.equal(await client.refreshTokens(), undefined);
  assert.equal(refreshed, 1);
  assert.equal(server.oauthStats().refreshes, 1);
});

test('a rejected onTokensRefreshed fails the call with the rejection as cause (its text only there), and runs again next time', async () => {
  const failure = new Error('rt_secret');
  let attempts = 0;
  const client = oauthClient({
    onTokensRefreshed: async () => {
      attempts += 1;
      if (attempts === 1) throw failure;
    },
  });
  server.expireAccessTokens();
  const e = await client.introspect().then(
    () => assert.fail('expected a rejection'),
    (err) => err,
  );
  assert.ok(e instanceof sdk.PleoError, e.message);
  assert.equal(e.code, 'internal');
  assert.equal(e.cause, failure);
  assert.equal(e.cause.message, 'rt_secret');
  assert.match(e.message, /tokens-refreshed hook failed/);
  assert.doesNotMatch(e.message, /rt_secret/);
  assert.doesNotMatch(e.message, /js-callback-error/);
  assert.equal((await client.introspect()).data.authMethod, 'OAUTH2');
  assert.equal(attempts, 2);
});

test('a hook that throws synchronously (even a non-Error) is a cause too', async () => {
  const client = oauthClient({
    onTokensRefreshed: () => {
      throw 'plain string';
    },
  });
  await assert.rejects(client.refreshTokens(), (e) => e.code === 'internal' && e.cause === 'plain string');
});

test('a token store in JS: two clients, one refresh, both tokens persisted', async () => {
  const store = memoryStore();
  const { clientId, clientSecret } = server.oauthClient;
  const tokens = server.issueTokens();
  const make = () =>
    new Client({ baseUrl: server.url, oauth: { clientId, clientSecret, ...tokens }, tokenStore: store });
  const [a, b] = [make(), make()];
  await Promise.all([a.introspect(), b.introspect()]);
  assert.equal(store.tokens.refreshToken, tokens.refreshToken, 'the empty store was seeded');
  server.expireAccessTokens();
  await a.introspect();
  await b.introspect();
  assert.equal(server.oauthStats().refreshes, 1, 'b used the tokens a refreshed and stored');
  assert.ok(store.calls.lock >= 1);
  assert.match(store.tokens.refreshToken, /^rt_/);
  assert.notEqual(store.tokens.refreshToken, tokens.refreshToken);
});

test('a store whose lock times out fails the call with APITimeoutError', async () => {
  const store = memoryStore();
  const client = oauthClient({ tokenStore: store, totalTimeoutMs: 2000 });
  await client.introspect();
  store.lock = async () => null;
  await assert.rejects(client.refreshTokens(), (e) => e instanceof sdk.APITimeoutError && /lock/.test(e.message));
});

test('a store that fails carries its error as cause', async () => {
  const failure = new Error('redis unreachable');
  const store = {
    ...memoryStore(),
    load: async () => {
      throw failure;
    },
  };
  const client = oauthClient({ tokenStore: store });
  await assert.rejects(
    client.refreshTokens(),
    (e) => e instanceof sdk.PleoError && e.cause === failure && !/redis/.test(e.message),
  );
});

test('a store returning malformed tokens gets a clear error', async () => {
  const store = { ...memoryStore(), load: async () => ({ accessToken: 'a' }) };
  const client = oauthClient({ tokenStore: store });
  await assert.rejects(
    client.refreshTokens(),
    (e) => e instanceof sdk.PleoError && /refreshToken|refresh_token/.test(e.message),
  );
});

test('with a token store, a configuration the core refuses rejects the first call', async () => {
  const { clientId, clientSecret } = server.oauthClient;
  const oauth = { clientId, clientSecret, ...server.issueTokens() };
  const client = new Client({ baseUrl: server.url, oauth, maxRetries: 99, tokenStore: memoryStore() });
  await assert.rejects(
    client.introspect(),
    (e) => e instanceof sdk.InvalidArgumentError && /max_retries/.test(e.message),
  );
  assert.throws(
    () => new Client({ baseUrl: 'http://127.0.0.1:1', oauth: { ...oauth, bogus: 1 }, tokenStore: memoryStore() }),
    sdk.InvalidArgumentError,
  );
  assert.throws(
    () => new Client({ baseUrl: server.url, oauth, tokenStore: { load() {}, lock() {} } }),
    /tokenStore\.compareAndSwap/,
  );
});

test('a refresh hook or token store without OAuth credentials is refused, not silently ignored', async () => {
  assert.throws(
    () => new Client({ baseUrl: server.url, apiKey: server.apiKey, onTokensRefreshed: () => {} }),
    (e) => e instanceof sdk.InvalidArgumentError && e.code === 'invalid_argument',
  );
  // With a store the client is built off the JS thread: the first call rejects.
  const client = new Client({ baseUrl: server.url, accessToken: server.accessToken, tokenStore: memoryStore() });
  await assert.rejects(client.introspect(), sdk.InvalidArgumentError);
  assert.equal(server.journal().length, 0);
});
