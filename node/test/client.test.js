'use strict';
// Every method of the client against the emulator, and the options it takes.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { inspect } = require('node:util');
const { Client, MockServer, PleoError, InvalidArgumentError, NotFoundError } = require('..');

let server;
let client;
before(async () => {
  server = await MockServer.start();
  client = new Client({ baseUrl: server.url, apiKey: server.apiKey });
});
after(() => server.stop());
beforeEach(() => server.reset());

test('createInstallation, then getInstallation, resolve to the API object', async () => {
  const created = await client.createInstallation({ status: 'AUTHORIZED', metadata: { erp: 'x' } });
  assert.equal(created.status, 'AUTHORIZED');
  assert.deepEqual(created.metadata, { erp: 'x' });
  assert.match(created.id, /^[0-9a-f-]{36}$/);
  for (const field of ['applicationId', 'createdAt', 'updatedAt', 'resource'])
    assert.equal(typeof created[field], 'string');
  assert.deepEqual(await client.getInstallation(), created);
});

test('createInstallation with no argument creates it ACTIVATED', async () => {
  assert.equal((await client.createInstallation()).status, 'ACTIVATED');
});

test('getInstallation({ companyId }) reads another company of the same client', async () => {
  const companyId = '5b9d3a3e-8f6e-4c41-9a0a-1c2d3e4f5a6b';
  server.seedInstallation({ companyId, status: 'PENDING_INTEGRATION' });
  const got = await client.getInstallation({ companyId });
  assert.equal(got.status, 'PENDING_INTEGRATION');
  assert.equal(got.resource, `urn:pleo:company:${companyId}`);
  assert.match(server.journal().at(-1).path, new RegExp(`company_id=${companyId}`));
});

test('updateInstallation sets status, metadata and errorCode', async () => {
  await client.createInstallation();
  const updated = await client.updateInstallation({
    status: 'INACTIVE',
    metadata: { a: 1 },
    errorCode: 'NOT_ENTITLED',
  });
  assert.equal(updated.status, 'INACTIVE');
  assert.equal(updated.errorCode, 'NOT_ENTITLED');
  assert.deepEqual(updated.metadata, { a: 1 });
  assert.deepEqual(JSON.parse(server.journal().at(-1).body), {
    status: 'INACTIVE',
    metadata: { a: 1 },
    errorCode: 'NOT_ENTITLED',
  });
});

test('activateInstallation turns AUTHORIZED into ACTIVATED', async () => {
  server.seedInstallation({ status: 'AUTHORIZED' });
  assert.equal((await client.activateInstallation()).status, 'ACTIVATED');
});

test('completeInstallation still works, warns once that it is deprecated', async () => {
  const warnings = [];
  const listen = (w) => warnings.push(w);
  process.on('warning', listen);
  server.seedInstallation({ status: 'PENDING_INTEGRATION' });
  assert.equal((await client.completeInstallation()).status, 'ACTIVATED');
  assert.equal((await client.completeInstallation()).status, 'ACTIVATED');
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', listen);
  assert.equal(warnings.filter((w) => w.name === 'DeprecationWarning').length, 1);
  assert.equal(server.journal().at(-1).operation, 'completeInstallationExternalClientOnlyIdempotently');
});

test('deleteInstallation resolves to undefined and removes it', async () => {
  await client.createInstallation();
  assert.equal(await client.deleteInstallation(), undefined);
  assert.equal(server.installation(), null);
  await assert.rejects(client.getInstallation(), NotFoundError);
});

test('introspect tells the credential in use', async () => {
  const { data } = await client.introspect();
  assert.equal(data.authMethod, 'API_KEY');
  assert.equal(typeof data.clientId, 'string');
});

test('waitForStatus resolves once the status is reached', async () => {
  server.seedInstallation({ status: 'PENDING_INTEGRATION' });
  setTimeout(() => server.seedInstallation({ status: 'ACTIVATED' }), 100);
  const reached = await client.waitForStatus(['ACTIVATED', 'ERROR'], { timeoutMs: 5000 });
  assert.equal(reached.status, 'ACTIVATED');
});

test('waitForStatus accepts one status and rejects with APITimeoutError at its deadline', async () => {
  server.seedInstallation({ status: 'PENDING_INTEGRATION' });
  const { APITimeoutError } = require('..');
  await assert.rejects(
    client.waitForStatus('ACTIVATED', { timeoutMs: 300 }),
    (e) => e instanceof APITimeoutError && /PENDING_INTEGRATION/.test(e.message),
  );
});

test('unknown statuses and fields from the server pass through', async () => {
  server.seedInstallation({ status: 'SUSPENDED', errorCode: 'SOMETHING_NEW' });
  const got = await client.getInstallation();
  assert.equal(got.status, 'SUSPENDED');
  assert.equal(got.errorCode, 'SOMETHING_NEW');
});

test('callJson takes and returns JSON with the API field names', async () => {
  const created = JSON.parse(await client.callJson('createClientInstallation', '{"status":"AUTHORIZED"}'));
  assert.equal(created.status, 'AUTHORIZED');
  assert.equal(await client.callJson('deleteClientInstallation'), 'null');
  await assert.rejects(
    client.callJson('noSuchOperation', '{}'),
    (e) => e instanceof InvalidArgumentError && /noSuchOperation/.test(e.message),
  );
});

test('the User-Agent names the Node binding and the application', async () => {
  const named = new Client({ baseUrl: server.url, apiKey: server.apiKey, userAgent: 'my-erp/2.0' });
  await assert.rejects(named.getInstallation(), NotFoundError);
  const agent = server
    .journal()
    .at(-1)
    .headers.find(([k]) => k === 'user-agent')[1];
  assert.match(agent, /pleo-installations-node\/\d/);
  assert.match(agent, /my-erp\/2\.0/);
});

/** Sets (or, with `undefined`, unsets) environment variables until the test ends. */
function setEnv(t, vars) {
  for (const [name, value] of Object.entries(vars)) {
    const before = process.env[name];
    t.after(() => {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    });
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

test('credentials and base URL fall back to PLEO_API_KEY, else PLEO_ACCESS_TOKEN, and PLEO_BASE_URL', async (t) => {
  setEnv(t, { PLEO_BASE_URL: server.url, PLEO_API_KEY: server.apiKey, PLEO_ACCESS_TOKEN: server.accessToken });
  // The API key wins over the access token.
  assert.equal((await new Client().introspect()).data.authMethod, 'API_KEY');
  setEnv(t, { PLEO_API_KEY: '' });
  assert.equal((await new Client({}).introspect()).data.authMethod, 'OAUTH2');
  setEnv(t, { PLEO_API_KEY: 'wrong-key', PLEO_ACCESS_TOKEN: undefined });
  // An explicit option wins over the environment.
  assert.equal((await new Client({ apiKey: server.apiKey }).introspect()).data.authMethod, 'API_KEY');
});

test('an explicit environment or base URL keeps PLEO_BASE_URL out', async (t) => {
  setEnv(t, { PLEO_BASE_URL: server.url, PLEO_API_KEY: server.apiKey });
  // Pointed at the hosted API, not the emulator: the call fails before reaching the emulator.
  const hosted = new Client({ environment: 'staging', maxRetries: 0, totalTimeoutMs: 50 });
  await assert.rejects(hosted.introspect(), PleoError);
  assert.equal(server.journal().length, 0);
  setEnv(t, { PLEO_BASE_URL: 'http://127.0.0.1:1' });
  assert.equal((await new Client({ baseUrl: server.url }).introspect()).data.authMethod, 'API_KEY');
});

test('a client never shows its credential', () => {
  const shown = inspect(new Client({ baseUrl: server.url, apiKey: 'secret-key-123' }), { showHidden: true, depth: 5 });
  assert.doesNotMatch(shown, /secret-key-123/);
  assert.doesNotMatch(JSON.stringify(new Client({ baseUrl: server.url, apiKey: 'secret-key-123' })), /secret-key-123/);
});
