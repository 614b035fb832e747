'use strict';
// MockServer: the emulator as users drive it from their own tests.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Client, MockServer: FromMain, ServerError } = require('..');
const { MockServer } = require('pleo-installations/testing');

test('MockServer is the same class from the main module and from /testing', () => {
  assert.equal(FromMain, MockServer);
});

test('start, serve, journal, faults, seeding, reset, stop', async () => {
  const server = await MockServer.start();
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(typeof server.apiKey, 'string');
    const client = new Client({ baseUrl: server.url, apiKey: server.apiKey, maxRetries: 0 });

    const seeded = server.seedInstallation({ status: 'AUTHORIZED', metadata: { k: 'v' } });
    assert.equal(seeded.status, 'AUTHORIZED');
    assert.deepEqual(server.installation(), seeded);

    server.pushFaults([{ status: 503, operation: 'activateMyInstallation' }, { delayMs: 10 }]);
    assert.equal(server.pendingFaults(), 2);
    await assert.rejects(client.activateInstallation(), ServerError);
    assert.equal((await client.activateInstallation()).status, 'ACTIVATED');
    assert.equal(server.pendingFaults(), 0);

    const journal = server.journal();
    assert.equal(journal.length, 2);
    assert.equal(journal[0].method, 'POST');
    assert.equal(journal[0].path, '/v1/installations/me:activate');
    assert.equal(journal[0].operation, 'activateMyInstallation');
    assert.match(journal[0].requestId, /\S/);
    assert.ok(journal[0].headers.some(([name]) => name === 'authorization'));
    server.clearJournal();
    assert.deepEqual(server.journal(), []);

    server.pushFault({ status: 500 });
    server.clearFaults();
    assert.equal(server.pendingFaults(), 0);
    server.reset();
    assert.equal(server.installation(), null);
  } finally {
    await server.stop();
  }
  await server.stop(); // twice is fine
  assert.throws(() => server.journal(), /stopped/);
});

test('OAuth side: issued tokens, token stats, clock and expiry', async () => {
  const server = await MockServer.start();
  try {
    const { clientId, clientSecret, redirectUri } = server.oauthClient;
    assert.equal(typeof clientSecret, 'string');
    assert.match(redirectUri, /^http/);
    assert.equal(server.tokenUrl, `${server.url}/oauth/token`);
    assert.equal(server.authorizeUrl, `${server.url}/oauth/authorize`);
    const tokens = server.issueTokens();
    const client = new Client({ baseUrl: server.url, oauth: { clientId, clientSecret, ...tokens } });
    assert.equal((await client.introspect()).data.clientId, clientId);
    server.advanceClock(2 * 3600 * 1000);
    assert.equal((await client.introspect()).data.authMethod, 'OAUTH2');
    assert.deepEqual(server.oauthStats(), { tokenRequests: 1, refreshes: 1 });
    assert.equal(server.expireAccessTokens(), 1);
    assert.throws(() => server.issueTokens('nobody'), /nobody/);
  } finally {
    await server.stop();
  }
});

test('bad input to the emulator throws an error naming it', async () => {
  const server = await MockServer.start();
  try {
    assert.throws(() => server.pushFault({ status: 503, operation: 'nope' }), /nope/);
    assert.throws(() => server.pushFault({ bogus: 1 }), /bogus/);
    assert.throws(() => server.seedInstallation({ status: 'ACTIVATED', companyId: 'x' }), /company_id|x/);
    assert.throws(
      () => server.consent('http://127.0.0.1/oauth/authorize?client_id=who'),
      /invalid_client: no OAuth client with client_id "who"/,
    );
    assert.throws(() => new MockServer({}), TypeError);
    assert.throws(() => server.advanceClock(-1), /advanceClock: ms/);
    assert.throws(() => server.advanceClock('1s'), /advanceClock: ms/);
    assert.throws(() => server.issueTokens(5), /issueTokens: clientId must be a string/);
    assert.throws(() => server.consent(null), /consent: authorizeUrl must be a string/);
    assert.throws(() => server.pushFault(null), TypeError);
    assert.throws(() => server.pushFault([{ status: 503 }]), TypeError);
    assert.throws(() => server.pushFaults({ status: 503 }), TypeError);
    assert.throws(() => server.installation(server.apiKey, 42), /companyId must be a string/);
    assert.throws(() => server.installation(server.apiKey, '42'), /not a hyphenated UUID/);
    assert.throws(() => server.admin('GET', 1), /admin: path must be a string/);
  } finally {
    await server.stop();
  }
});

test('several faults are queued all or none', async () => {
  const server = await MockServer.start();
  try {
    server.pushFaults([
      { status: 503, times: 2 },
      { delayMs: 50, operation: 'introspect' },
    ]);
    assert.equal(server.pendingFaults(), 2);
    assert.throws(() => server.pushFaults([{ status: 500 }, { status: 500, operation: 'nope' }]), /nope/);
    assert.equal(server.pendingFaults(), 2, 'an invalid list queues nothing');
    assert.throws(() => server.pushFaults([{ status: 500 }, null]), /faults\[1\] must be an object/);
    await assert.rejects(
      new Client({ baseUrl: server.url, apiKey: server.apiKey, maxRetries: 1 }).introspect(),
      ServerError,
    );
    assert.equal(server.pendingFaults(), 1);
  } finally {
    await server.stop();
  }
});

test('journal stats, cut bodies, and installations of other companies', async () => {
  const server = await MockServer.start();
  try {
    assert.deepEqual(server.journalStats(), {
      entries: 0,
      bytes: 0,
      maxEntries: 10000,
      maxBytes: 16 * 1024 * 1024,
      maxBodyBytes: 64 * 1024,
      dropped: 0,
      truncated: 0,
    });
    const client = new Client({ baseUrl: server.url, apiKey: server.apiKey });
    await client.createInstallation({ metadata: { big: 'x'.repeat(70000) } });
    const [entry] = server.journal();
    assert.equal(entry.bodyTruncated, true);
    assert.ok(entry.bodySize > 70000 && entry.body.length <= 64 * 1024);
    assert.equal(server.journalStats().truncated, 1);

    const other = '0b7e2c1a-9d3f-4e6a-8b5c-1d2e3f4a5b6c';
    server.seedInstallation({ status: 'ERROR', companyId: other });
    assert.equal(server.installation(undefined, other).status, 'ERROR');
    assert.equal(server.installation().status, 'ACTIVATED');
    assert.equal(server.installation(server.accessToken, other), null);
  } finally {
    await server.stop();
  }
});

test('the admin door answers as the admin API does', async () => {
  const server = await MockServer.start();
  try {
    assert.deepEqual(server.admin('GET', '/__mock/health'), { status: 'ok' });
    assert.deepEqual(server.admin('POST', '/__mock/faults', { status: 503 }), { pending_faults: 1 });
    assert.deepEqual(server.admin('GET', '/__mock/faults'), [{ status: 503, times: 1 }]);
    assert.equal(server.admin('GET', '/__mock/info').url, server.url);
    assert.equal(server.oauthClient.scope, 'export:read export:write');
    assert.throws(() => server.admin('GET', '/__mock/nothing'), /no admin route GET \/__mock\/nothing/);
    assert.throws(() => server.admin('GET', '/__mock/reset'), /does not take GET/);
    assert.throws(() => server.admin('GET', '/v1/introspect'), /not an admin path/);
    assert.deepEqual(server.journal(), [], 'the door is not an API request');
  } finally {
    await server.stop();
  }
});
