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

    server.pushFault([{ status: 503, operation: 'activateMyInstallation' }, { delayMs: 10 }]);
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
    server.expireAccessTokens();
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
  } finally {
    await server.stop();
  }
});
