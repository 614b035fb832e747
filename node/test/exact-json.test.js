'use strict';
// Result objects are the server's JSON exactly (API.md, "Results"): a key the server left out
// stays out, a null stays null, unknown fields stay, integers keep every digit.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { Client, MockServer } = require('..');

let server;
let client;
before(async () => {
  server = await MockServer.start();
  client = new Client({ baseUrl: server.url, apiKey: server.apiKey, maxRetries: 0 });
});
after(() => server.stop());
beforeEach(() => server.reset());

/** An InstallationResponse as a server could send it: no metadata, a null, unknown fields. */
const INSTALLATION = {
  id: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  status: 'PAUSED',
  errorCode: null,
  applicationId: '3a9d4c2e-8b1f-4d7a-a6e5-0c1b2d3e4f50',
  resource: 'urn:pleo:company:7c1e5a2b-3d4f-4e6a-9b8c-0d1e2f3a4b5c',
  createdAt: '2026-12-02T17:13:57.411Z',
  updatedAt: '2026-12-02T17:13:57.411Z',
  futureField: { nested: [1, null, 'x', { deeper: null }], empty: {} },
};

/** The server answers the next request with `body` (200, JSON). */
function answerNext(body) {
  server.pushFault({ status: 200, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

test('an installation without metadata has no metadata key; nulls and unknown fields stay, in order', async () => {
  for (const call of [
    () => client.getInstallation(),
    () => client.activateInstallation(),
    () => client.updateInstallation({ status: 'ACTIVATED' }),
  ]) {
    answerNext(INSTALLATION);
    const got = await call();
    assert.deepEqual(got, INSTALLATION);
    assert.deepEqual(Object.keys(got), Object.keys(INSTALLATION));
    assert.equal(Object.hasOwn(got, 'metadata'), false);
    assert.equal(got.errorCode, null);
  }
});

test('introspection keeps "applicationName": null and unknown fields, inside and outside data', async () => {
  const body = {
    data: {
      authMethod: 'API_KEY',
      clientId: 'c',
      scope: 's',
      applicationName: null,
      subjectURN: null,
      newField: [true],
    },
    meta: { note: null },
  };
  answerNext(body);
  const got = await client.introspect();
  assert.deepEqual(got, body);
  assert.equal(got.data.applicationName, null);
});

test('integers beyond 2^53 keep every digit as BigInt; every other number stays a number', async () => {
  answerNext(
    `{"id":"${INSTALLATION.id}","status":"ACTIVATED","applicationId":"${INSTALLATION.applicationId}",` +
      `"resource":"${INSTALLATION.resource}","createdAt":"${INSTALLATION.createdAt}","updatedAt":"${INSTALLATION.updatedAt}",` +
      '"metadata":{"big":12345678901234567890,"negative":-9007199254740993,"safe":9007199254740991,' +
      '"float":1.5,"exp":1e21,"zero":0,"text":"12345678901234567890","list":[9007199254740992,-1]}}',
  );
  const { metadata } = await client.getInstallation();
  assert.deepEqual(metadata, {
    big: 12345678901234567890n,
    negative: -9007199254740993n,
    safe: 9007199254740991,
    float: 1.5,
    exp: 1e21,
    zero: 0,
    text: '12345678901234567890',
    list: [9007199254740992n, -1],
  });
});

test('a big integer makes the round trip through the emulator', async () => {
  await client.createInstallation({ metadata: { big: 12345678901234567890n, small: 7 } });
  assert.deepEqual((await client.getInstallation()).metadata, { big: 12345678901234567890n, small: 7 });
  // The emulator's own view, as MockServer gives it, too.
  assert.deepEqual(server.installation().metadata, { big: 12345678901234567890n, small: 7 });
  assert.deepEqual(
    server.seedInstallation({ status: 'ACTIVATED', metadata: { big: -1234567890123456789n } }).metadata,
    { big: -1234567890123456789n },
  );
});
