'use strict';
// Every error class and field, and bad input: nothing crashes, every message names the problem.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const sdk = require('..');
const { Client, MockServer, PleoError } = sdk;
const { fromNative } = require('../lib/errors');

let server;
let client;
before(async () => {
  server = await MockServer.start();
  client = new Client({ baseUrl: server.url, apiKey: server.apiKey, maxRetries: 0 });
});
after(() => server.stop());
beforeEach(() => server.reset());

/** Asserts that `promise` rejects with `Class`, of kind `code`, and returns the error. */
async function rejection(promise, Class, code) {
  const error = await promise.then(
    () => assert.fail(`expected a ${Class.name}`),
    (e) => e,
  );
  assert.ok(error instanceof Class, `${error?.name}: ${error?.message} is not a ${Class.name}`);
  assert.ok(error instanceof PleoError);
  assert.ok(error instanceof Error);
  assert.equal(error.code, code);
  assert.equal(error.name, Class.name);
  return error;
}

test('NotFoundError carries status, requestId, body and attempts', async () => {
  const e = await rejection(client.getInstallation(), sdk.NotFoundError, 'not_found');
  assert.equal(e.status, 404);
  assert.equal(e.attempts, 1);
  assert.equal(e.retryable, false);
  assert.equal(e.requestId, server.journal().at(-1).requestId);
  assert.equal(JSON.parse(e.body).error, 'not_found');
});

test('ConflictError for a second create', async () => {
  await client.createInstallation();
  const e = await rejection(client.createInstallation(), sdk.ConflictError, 'conflict');
  assert.equal(e.status, 409);
});

test('BadRequestError for an activation the lifecycle refuses', async () => {
  server.seedInstallation({ status: 'INACTIVE' });
  const e = await rejection(client.activateInstallation(), sdk.BadRequestError, 'bad_request');
  assert.equal(e.status, 400);
  assert.match(e.body, /invalid_transition/);
});

test('AuthenticationError for a key the server does not know, without the key in it', async () => {
  const stranger = new Client({ baseUrl: server.url, apiKey: 'not-a-known-key-4711' });
  const e = await rejection(stranger.introspect(), sdk.AuthenticationError, 'authentication');
  assert.equal(e.status, 401);
  assert.doesNotMatch(JSON.stringify({ ...e, message: e.message, stack: e.stack }), /not-a-known-key-4711/);
});

for (const [status, Class, code] of [
  [403, sdk.PermissionDeniedError, 'permission_denied'],
  [429, sdk.RateLimitError, 'rate_limited'],
  [503, sdk.ServerError, 'server'],
]) {
  test(`${Class.name} for HTTP ${status}`, async () => {
    server.pushFault({ status, retryAfter: '1' });
    const e = await rejection(client.getInstallation(), Class, code);
    assert.equal(e.status, status);
    assert.equal(e.attempts, 1);
  });
}

test('retries are counted in attempts, and retryAfter is in seconds', async () => {
  const retrying = new Client({ baseUrl: server.url, apiKey: server.apiKey, maxRetries: 1 });
  server.pushFault({ status: 503, retryAfter: '0', times: 2 });
  const e = await rejection(retrying.getInstallation(), sdk.ServerError, 'server');
  assert.equal(e.attempts, 2);
  assert.equal(e.retryable, true);
  assert.equal(e.retryAfter, 0);
});

test('APITimeoutError when the server is slower than timeoutMs', async () => {
  const impatient = new Client({ baseUrl: server.url, apiKey: server.apiKey, maxRetries: 0, timeoutMs: 100 });
  server.pushFault({ delayMs: 1000 });
  const e = await rejection(impatient.getInstallation(), sdk.APITimeoutError, 'timeout');
  assert.equal(e.status, null);
});

test('APIConnectionError when nothing listens', async () => {
  const stopped = await MockServer.start();
  const url = stopped.url;
  await stopped.stop();
  const e = await rejection(
    new Client({ baseUrl: url, apiKey: 'k', maxRetries: 0 }).getInstallation(),
    sdk.APIConnectionError,
    'connection',
  );
  assert.equal(e.status, null);
});

test('DecodeError for a 2xx body that is not the documented JSON', async () => {
  server.pushFault({ malformed: true });
  await rejection(client.getInstallation(), sdk.DecodeError, 'decode');
});

test('ReauthenticationRequiredError when the refresh token is refused', async () => {
  const { clientId, clientSecret } = server.oauthClient;
  const oauth = new Client({
    baseUrl: server.url,
    oauth: { clientId, clientSecret, accessToken: 'at_unknown', refreshToken: 'rt_unknown' },
  });
  await rejection(oauth.refreshTokens(), sdk.ReauthenticationRequiredError, 'reauthentication_required');
});

test('InvalidArgumentError for values the core refuses, naming them, before sending', async () => {
  const cases = [
    [() => client.createInstallation({ status: 'NOT_A_STATUS' }), /NOT_A_STATUS/],
    [() => client.updateInstallation({ status: 'ACTIVATED', errorCode: 'NOPE' }), /NOPE/],
    [() => client.getInstallation({ companyId: 'not-a-uuid' }), /not-a-uuid/],
    [() => client.waitForStatus([], { timeoutMs: 10 }), /status/],
    [() => client.waitForStatus(['ACTIVATED'], { timeoutMs: 0 }), /timeout/],
    [() => client.callJson('getClientInstallation', '{not json'), /JSON/],
    [() => client.callJson('getClientInstallation', '{"bogus": 1}'), /bogus/],
    [() => client.createInstallation({ stauts: 'ACTIVATED' }), /stauts/],
    [() => client.updateInstallation({}), /status/],
  ];
  for (const [call, named] of cases) {
    const e = await rejection(call(), sdk.InvalidArgumentError, 'invalid_argument');
    assert.match(e.message, named);
    assert.equal(e.attempts, 0);
  }
  assert.equal(server.journal().length, 0);
});

test('the constructor throws InvalidArgumentError for a bad configuration, naming it', () => {
  const cases = [
    [{ baseUrl: server.url }, /credential/],
    [{ baseUrl: server.url, apiKey: 'k', accessToken: 't' }, /credential|one of/],
    [{ baseUrl: 'http://example.com', apiKey: 'k' }, /http/],
    [{ environment: 'moon', apiKey: 'k' }, /moon/],
    [{ apiKey: 'k', maxRetries: 99 }, /max_retries|retries/],
    [{ apiKey: 'k', timeoutMs: -1 }, /timeout_ms/],
    [{ oauth: { clientId: 'c', clientSecret: 's', accessToken: 'a', refreshToken: 'r', expiresIn: -5 } }, /expires_in/],
    [{ apiKey: 'k', api_key: 'k' }, /api_key/],
    [
      { oauth: { clientId: 'c', clientSecret: 's', accessToken: 'a', refreshToken: 'r', expiresAt: 'tomorrow' } },
      /tomorrow/,
    ],
  ];
  for (const [options, named] of cases) {
    assert.throws(
      () => new Client(options),
      (e) => e instanceof sdk.InvalidArgumentError && e.code === 'invalid_argument' && named.test(e.message),
      JSON.stringify(Object.keys(options)),
    );
  }
});

test('wrong argument types reject with a TypeError naming the argument', async () => {
  const rejected = [
    [() => client.getInstallation('company'), /getInstallation options/],
    [() => client.getInstallation({ companyId: 42 }), /companyId/],
    [() => client.createInstallation({ metadata: 'x' }), /metadata/],
    [() => client.createInstallation({ status: 1 }), /status/],
    [() => client.updateInstallation('ACTIVATED'), /updateInstallation/],
    [() => client.updateInstallation({ status: 'ACTIVATED', errorCode: 5 }), /errorCode/],
    [() => client.waitForStatus(7), /statuses/],
    [() => client.waitForStatus(['ACTIVATED'], { timeoutMs: '1s' }), /timeoutMs/],
    [() => client.waitForStatus('ACTIVATED', { timeoutMs: 0.5 }), /timeoutMs must be a whole number/],
    [() => client.callJson(1, '{}'), /operationId/],
    [() => client.callJson('introspect', () => {}), /callJson: request is a function/],
    [() => sdk.codeChallenge(undefined), /codeVerifier/],
    [() => sdk.authorizationUrl({ clientId: 'c', redirectUri: 'http://localhost/cb', scopes: 'a b' }), /scopes/],
  ];
  for (const [call, named] of rejected) {
    await assert.rejects(call(), (e) => e instanceof TypeError && named.test(e.message));
  }
  const thrown = [
    [() => new Client('key'), /Client options/],
    [() => new Client({ apiKey: 42 }), /apiKey/],
    [() => new Client({ apiKey: 'k', timeoutMs: '5' }), /timeoutMs/],
    [() => new Client({ apiKey: 'k', maxRetries: 1.5 }), /maxRetries must be a whole number/],
    [() => new Client({ apiKey: 'k', timeoutMs: NaN }), /timeoutMs/],
    [() => new Client({ oauth: 'x' }), /oauth/],
    [() => new Client({ apiKey: 'k', onTokensRefreshed: 'f' }), /onTokensRefreshed/],
    [() => new Client({ apiKey: 'k', tokenStore: { load() {} } }), /tokenStore\.lock/],
    [() => server.pushFault({ status: '503' }), /status/],
  ];
  for (const [call, named] of thrown) assert.throws(call, (e) => e instanceof TypeError && named.test(e.message));
});

test('every kind of the contract becomes its class, from the error JSON the core returns', () => {
  // API.md's kinds, each with the class a rejection of the native layer must become.
  const expected = {
    invalid_argument: 'InvalidArgumentError',
    authentication: 'AuthenticationError',
    permission_denied: 'PermissionDeniedError',
    not_found: 'NotFoundError',
    conflict: 'ConflictError',
    bad_request: 'BadRequestError',
    rate_limited: 'RateLimitError',
    server: 'ServerError',
    timeout: 'APITimeoutError',
    connection: 'APIConnectionError',
    decode: 'DecodeError',
    reauthentication_required: 'ReauthenticationRequiredError',
    internal: 'InternalError',
  };
  for (const [kind, name] of Object.entries(expected)) {
    const native = new Error(JSON.stringify({ kind, message: `a ${kind} failure`, status: null, attempts: 1 }));
    const error = fromNative(native);
    assert.ok(typeof sdk[name] === 'function', `${name} is not exported`);
    assert.ok(error instanceof sdk[name] && error instanceof PleoError, `${kind} became ${error.name}, not ${name}`);
    assert.equal(error.name, name);
    assert.equal(error.code, kind);
    assert.equal(error.message, `a ${kind} failure`);
  }
  // A kind this version does not know, and a message that is not the core's JSON: internal.
  assert.ok(fromNative(new Error('{"kind": "newer_kind", "message": "m"}')) instanceof sdk.InternalError);
  assert.ok(fromNative(new Error('not json')) instanceof sdk.InternalError);
  assert.equal(sdk.TimeoutError, sdk.APITimeoutError);
  assert.equal(sdk.ConnectionError, sdk.APIConnectionError);
});
