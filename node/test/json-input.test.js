'use strict';
// A value becomes JSON exactly or is refused: anything that is not plain JSON data is a
// TypeError naming where it is, and nothing reaches the server.

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

class Settings {
  constructor() {
    this.a = 1;
  }
}
const cyclic = { a: [] };
cyclic.a.push(cyclic);
const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays

/** Each kind of value JSON cannot carry exactly, inside metadata, and the path and words of its error. */
const REFUSED = [
  ['a Map', { a: [0, 1, new Map([['k', 'v']])] }, 'metadata.a[2]', /Map/],
  ['a Set', { s: new Set([1]) }, 'metadata.s', /Set/],
  ['a Date', { when: new Date(0) }, 'metadata.when', /Date/],
  ['a class instance', { settings: new Settings() }, 'metadata.settings', /Settings/],
  ['a function', { f() {} }, 'metadata.f', /function/],
  ['a symbol', { s: Symbol('x') }, 'metadata.s', /symbol/],
  ['a symbol key', { [Symbol('k')]: 1 }, 'metadata', /symbol/],
  ['undefined', { u: undefined }, 'metadata.u', /undefined/],
  ['NaN', { n: [NaN] }, 'metadata.n[0]', /NaN/],
  ['Infinity', { n: -Infinity }, 'metadata.n', /Infinity/],
  ['a boxed string', { b: new String('x') }, 'metadata.b', /String/], // eslint-disable-line no-new-wrappers
  ['a boxed number', { b: Object(1) }, 'metadata.b', /Number/],
  ['an object with toJSON', { t: { toJSON: () => 'x' } }, 'metadata.t', /toJSON/],
  ['a cycle', cyclic, 'metadata.a[0]', /cycl/],
  ['a sparse array', { s: sparse }, 'metadata.s[1]', /sparse|hole/],
  ['an Array subclass', { s: new (class List extends Array {})() }, 'metadata.s', /List/],
  ['a lone surrogate', { s: 'a\uD800' }, 'metadata.s', /surrogate/],
  ['an odd key', { 'a b': { c: new Map() } }, 'metadata["a b"].c', /Map/],
];

for (const [what, metadata, path, words] of REFUSED) {
  test(`metadata with ${what} is a TypeError naming ${path}, and nothing is sent`, async () => {
    for (const call of [
      () => client.createInstallation({ metadata }),
      () => client.updateInstallation({ status: 'ACTIVATED', metadata }),
      () => client.callJson('createClientInstallation', { metadata }),
    ]) {
      await assert.rejects(call(), (e) => {
        assert.ok(e instanceof TypeError, `${e.name}: ${e.message}`);
        assert.ok(e.message.includes(`${path} `), e.message);
        assert.match(e.message, words);
        return true;
      });
    }
    assert.deepEqual(server.journal(), []);
  });
}

test('metadata that is not a plain object is a TypeError, and nothing is sent', async () => {
  for (const metadata of [new Map([['erp', 'x']]), [1], 'x', new Settings(), new Date(0)]) {
    await assert.rejects(
      client.createInstallation({ metadata }),
      (e) => e instanceof TypeError && /metadata/.test(e.message),
    );
    await assert.rejects(
      client.updateInstallation({ status: 'ACTIVATED', metadata }),
      (e) => e instanceof TypeError && /metadata/.test(e.message),
    );
  }
  assert.deepEqual(server.journal(), []);
});

test('status, errorCode and companyId must be plain strings; options objects must be plain', async () => {
  const boxed = new String('ACTIVATED'); // eslint-disable-line no-new-wrappers
  const calls = [
    () => client.createInstallation({ status: boxed }),
    () => client.updateInstallation({ status: 'INACTIVE', errorCode: Symbol('NOT_ENTITLED') }),
    () => client.updateInstallation({ status: 'INACTIVE', errorCode: 5 }),
    () => client.getInstallation({ companyId: { toJSON: () => 'x' } }),
    () => client.createInstallation(new Map([['status', 'ACTIVATED']])),
    () => client.updateInstallation(new Map([['status', 'ACTIVATED']])),
    () => client.waitForStatus('ACTIVATED', { timeoutMs: NaN }),
    () => client.callJson('createClientInstallation', new Map()),
    () => client.callJson('createClientInstallation', { status: undefined }),
  ];
  for (const call of calls) await assert.rejects(call(), TypeError);
  assert.deepEqual(server.journal(), []);
});

test('Client options must be plain data too', () => {
  const options = new Map([
    ['baseUrl', server.url],
    ['apiKey', server.apiKey],
  ]);
  assert.throws(
    () => new Client(options),
    (e) => e instanceof TypeError && /Client options/.test(e.message),
  );
  assert.throws(() => new Client({ baseUrl: server.url, apiKey: server.apiKey, timeoutMs: Infinity }), /timeoutMs/);
  assert.throws(
    () =>
      new Client({
        baseUrl: server.url,
        oauth: new (class OAuth {
          constructor() {
            this.clientId = 'c';
          }
        })(),
      }),
    (e) => e instanceof TypeError && /oauth/.test(e.message),
  );
});

test('plain JSON data is sent exactly: nested objects, null prototypes, unicode, big integers as BigInt', async () => {
  const bare = Object.assign(Object.create(null), { k: 'v' });
  const metadata = {
    bare,
    list: [1, -0.5, 1e21, true, null, 'é😀', []],
    big: 12345678901234567890n,
    negative: -9007199254740993n,
  };
  await client.createInstallation({ metadata });
  const sent = server.journal().at(-1).body;
  assert.match(sent, /"big":12345678901234567890[,}]/);
  assert.match(sent, /"negative":-9007199254740993[,}]/);
  assert.deepEqual(JSON.parse(sent).metadata.list, [1, -0.5, 1e21, true, null, 'é😀', []]);
  assert.deepEqual(JSON.parse(sent).metadata.bare, { k: 'v' });
  // callJson takes the request as an object too, checked and sent the same way.
  const updated = JSON.parse(
    await client.callJson('updateClientInstallation', { status: 'INACTIVE', metadata: { big: 2n ** 60n } }),
  );
  assert.equal(updated.status, 'INACTIVE');
  assert.match(server.journal().at(-1).body, /"big":1152921504606846976[,}]/);
});
