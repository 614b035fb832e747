'use strict';
// The runner can fail: its patterns reject mismatches, malformed scenario files are refused
// with their place named, and a step whose expectation is wrong ends its scenario as failed.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MockServer } = require('../../../node');
const { mismatch, substitute, normaliseResult } = require('./patterns');
const { loadFile, ScenarioError } = require('./scenarios');
const { Run, clientOptions, logEvent } = require('./run');

const ACTUAL = { a: 1, b: [true, { c: 'x' }], d: null };

test('patterns accept subsets', () => {
  for (const pattern of [{ a: 1.0, b: [true, {}] }, { a: '<any>', d: '<absent>', e: '<absent>' }, {}, ACTUAL]) {
    assert.equal(mismatch(pattern, ACTUAL), null, JSON.stringify(pattern));
  }
});

test('patterns reject differences, saying where', () => {
  const cases = [
    [{ a: 2 }, '$.a'],
    [{ a: true }, '$.a'],
    [{ a: '1' }, '$.a'],
    [{ d: '<any>' }, '$.d'],
    [{ a: '<absent>' }, '$.a'],
    [{ b: [true] }, '$.b'],
    [{ b: [true, { c: 'y' }] }, '$.b[1].c'],
    [{ z: 1 }, '$.z'],
    [{ a: {} }, '$.a'],
    [[], '$'],
    [null, '$'],
  ];
  for (const [pattern, where] of cases) {
    assert.ok(mismatch(pattern, ACTUAL)?.startsWith(`${where}:`), JSON.stringify(pattern));
  }
});

test('true is not 1, and null is only null', () => {
  assert.notEqual(mismatch(true, 1), null);
  assert.notEqual(mismatch(1, true), null);
  assert.equal(mismatch(null, null), null);
  assert.notEqual(mismatch(null, {}), null);
  assert.equal(mismatch('<any>', '<any>'), null);
});

test('substitutions fill strings anywhere', () => {
  const saved = { base_url: 'http://h', tokens: { access_token: 'at', n: 3, o: { k: [1] } } };
  const step = { x: ['${base_url}/oauth/token', '${tokens.access_token}', '${tokens.n}', '${tokens.o}'], y: 2 };
  assert.deepEqual(substitute(step, saved), { x: ['http://h/oauth/token', 'at', '3', '{"k":[1]}'], y: 2 });
  assert.throws(() => substitute('${nothing.here}', saved), /nothing\.here/);
});

test('normalising masks volatile fields and keeps nulls', () => {
  const result = { id: '1', createdAt: 't', status: 'A', errorCode: null, metadata: { id: 1, n: null } };
  assert.deepEqual(normaliseResult(result), {
    id: '<volatile>',
    createdAt: '<volatile>',
    status: 'A',
    errorCode: null,
    metadata: { id: 1, n: null },
  });
  assert.equal(normaliseResult(null), null);
});

test('malformed files are refused with their place named', () => {
  const one = (step) => ({ scenarios: [{ name: 'n', steps: [step] }] });
  const cases = [
    ['{', 'not JSON'],
    [{ scenario: [] }, 'no "scenarios" array'],
    [{ scenarios: [{ steps: [{ admin: 'GET /' }] }] }, 'scenario 0 (null): no name'],
    [{ scenarios: [{ name: 'n', steps: [] }] }, 'non-empty'],
    [
      {
        scenarios: [
          { name: 'n', steps: [{ admin: 'GET /' }] },
          { name: 'n', steps: [{ admin: 'GET /' }] },
        ],
      },
      'used twice',
    ],
    [one({ admin: 'GET /', call: 'introspect' }), 'step 0: needs exactly one'],
    [one({ admin: 'GET /', expect: 1, reslt: 1 }), "no key 'reslt'"],
    [one({ admin: '/__mock/reset' }), 'not "METHOD /path"'],
    [one({ call: 'nope', result: null }), 'unknown operation'],
    [one({ call: 'introspect' }), '"result" and "error"'],
    [one({ call: 'introspect', result: {}, error: {} }), 'exactly one'],
    [one({ call: 'introspect', request: { x: 1 }, result: 1 }), "'x'"],
    [one({ call: 'introspect', result: 1, max_ms: -1 }), 'max_ms'],
    [one({ client: 'api_key' }), 'not an object'],
    [one({ client: {}, log_level: 'trace' }), 'log_level "trace" is not one of debug, info, warn, error'],
    [one({ client: {}, log_level: 'off' }), 'log_level "off"'],
    [one({ logs: { event: 'retry' } }), 'not a list of events'],
    [one({ logs: [], call: 'introspect' }), 'needs exactly one of "admin", "client", "call" and "logs"'],
    [one({ logs: [], expect: [] }), "a logs step has no key 'expect'"],
  ];
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-'));
  try {
    for (const [document, problem] of cases) {
      const file = path.join(directory, 'broken.json');
      fs.writeFileSync(file, typeof document === 'string' ? document : JSON.stringify(document));
      assert.throws(
        () => loadFile(file),
        (error) => {
          assert.ok(error instanceof ScenarioError);
          assert.match(error.message, /^broken\.json: /);
          assert.ok(error.message.includes(problem), `${error.message} lacks ${problem}`);
          return true;
        },
      );
    }
  } finally {
    fs.rmSync(directory, { recursive: true });
  }
});

test('a wrong expectation, error or timing fails its step and ends the scenario', async () => {
  const server = await MockServer.start();
  try {
    const client = { client: { api_key: 'pleo-mock-api-key' } };
    const wrongResult = await new Run(server).scenario([
      client,
      { call: 'createClientInstallation', request: {}, result: { status: 'INACTIVE' } },
      { call: 'getClientInstallation', result: {} },
    ]);
    assert.deepEqual(wrongResult, [
      'client',
      { failed: 'step 1: result: $.status: expected "INACTIVE", got "ACTIVATED"' },
    ]);

    const wrongKind = await new Run(server).scenario([
      client,
      { call: 'getClientInstallation', error: { kind: 'conflict' } },
    ]);
    assert.match(wrongKind.at(-1).failed, /\$\.kind: expected "conflict", got "not_found"/);

    const noError = await new Run(server).scenario([{ ...client, error: { kind: 'invalid_argument' } }]);
    assert.deepEqual(noError, [{ failed: 'step 0: the client was built, an error was expected' }]);

    const tooFast = await new Run(server).scenario([client, { call: 'introspect', result: {}, min_ms: 60000 }]);
    assert.match(tooFast.at(-1).failed, /less than min_ms 60000/);
  } finally {
    await server.stop();
  }
});

test('an event line becomes an object of strings, its volatile values masked', () => {
  const line = 'attempt n=2 operation=introspect status=- kind=server elapsed_ms=12 request_id=req-1';
  assert.deepEqual(logEvent('debug', line), {
    event: 'attempt',
    level: 'debug',
    n: '2',
    operation: 'introspect',
    status: '-',
    kind: 'server',
    elapsed_ms: '<volatile>',
    request_id: '<volatile>',
  });
  assert.deepEqual(logEvent('info', 'refresh outcome=adopted'), {
    event: 'refresh',
    level: 'info',
    outcome: 'adopted',
  });
});

test('events that differ from the logs pattern fail the step; without log_level none are collected', async () => {
  const server = await MockServer.start();
  try {
    const retried = [
      { admin: 'POST /__mock/faults', body: { status: 503, retry_after: '0' } },
      { client: { api_key: 'pleo-mock-api-key' }, log_level: 'info' },
      { call: 'introspect', result: {} },
    ];
    const wrongDelay = await new Run(server).scenario([...retried, { logs: [{ event: 'retry', delay_ms: '1' }] }]);
    assert.match(wrongDelay.at(-1).failed, /^step 3: logs: \$\[0\]\.delay_ms: expected "1", got "0"/);

    const tooMany = await new Run(server).scenario([...retried, { logs: [] }]);
    assert.match(tooMany.at(-1).failed, /^step 3: logs: \$: expected 0 items, got 1/);

    const taken = await new Run(server).scenario([...retried, { logs: [{ event: 'retry' }] }, { logs: [] }]);
    assert.deepEqual(taken.slice(3), [
      {
        logs: [
          {
            event: 'retry',
            level: 'info',
            n: '1',
            operation: 'introspect',
            kind: 'server',
            status: '503',
            delay_ms: '0',
          },
        ],
      },
      { logs: [] },
    ]);

    const uncollected = await new Run(server).scenario([
      retried[0],
      { client: { api_key: 'pleo-mock-api-key' } },
      retried[2],
      { logs: [{ event: 'retry' }] },
    ]);
    assert.match(uncollected.at(-1).failed, /expected 1 items, got 0/);
  } finally {
    await server.stop();
  }
});

test('the configuration maps onto the options object', () => {
  const config = { api_key: 'k', timeout_ms: 1500, max_retries: 0, oauth: { client_id: 'c', expires_in: 60 } };
  assert.deepEqual(clientOptions(config, 'http://e'), {
    baseUrl: 'http://e',
    apiKey: 'k',
    timeoutMs: 1500,
    maxRetries: 0,
    oauth: { clientId: 'c', expiresIn: 60 },
  });
  assert.equal(clientOptions({ environment: 'staging' }, 'http://e').baseUrl, undefined);
  assert.throws(() => clientOptions({ nope: 1 }, 'http://e'), /no option for "nope"/);
});
