'use strict';
// Logs: the client's events to a `logger` at its `logLevel`, to stderr with `PLEO_LOG`, the
// options checked, a failing logger contained, and never a secret in a line.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { promisify } = require('node:util');
const execFile = promisify(require('node:child_process').execFile);
const { Client, MockServer, ServerError } = require('..');

// The level would otherwise default to the variable's.
delete process.env.PLEO_LOG;

const LEVELS = ['debug', 'info', 'warn', 'error'];

let server;
before(async () => {
  server = await MockServer.start();
});
after(() => server.stop());
beforeEach(() => server.reset());

/** A logger that keeps `{ level, line, count }` per call (`count`: the arguments it got). */
function collector() {
  const lines = [];
  const logger = Object.fromEntries(
    LEVELS.map((level) => [level, (...args) => lines.push({ level, line: args[0], count: args.length })]),
  );
  return { logger, lines };
}

/** Waits until `lines` stops growing: the lines come from other threads, a little later. */
async function delivered(lines) {
  let seen = -1;
  let quiet = 0;
  for (let turn = 0; turn < 200 && quiet < 3; turn += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    quiet = lines.length === seen ? quiet + 1 : 0;
    seen = lines.length;
  }
  return lines;
}

/** The PleoLogWarnings emitted while `body` runs (and the lines it waits for arrive). */
async function logWarnings(body) {
  const warnings = [];
  const listen = (warning) => {
    if (warning.name === 'PleoLogWarning') warnings.push(warning);
  };
  process.on('warning', listen);
  try {
    await body();
    // A warning is emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listen);
  }
  return warnings;
}

const client = (extra) => new Client({ baseUrl: server.url, apiKey: server.apiKey, ...extra });

test('a logger gets attempt, retry and give_up lines at their levels, the line as only argument', async () => {
  const { logger, lines } = collector();
  server.pushFault({ status: 503, retryAfter: '0', times: 2 });
  await assert.rejects(client({ logger, logLevel: 'debug', maxRetries: 1 }).introspect(), ServerError);
  await delivered(lines);
  const expected = [
    [
      'debug',
      /^attempt n=1 operation=introspect method=GET path=\/v1\/introspect status=503 kind=server elapsed_ms=\d+ request_id=\S+$/,
    ],
    ['info', /^retry n=1 operation=introspect kind=server status=503 delay_ms=0$/],
    ['debug', /^attempt n=2 operation=introspect method=GET path=\/v1\/introspect status=503 kind=server /],
    ['warn', /^give_up operation=introspect attempts=2 kind=server status=503 reason=max_retries$/],
  ];
  assert.equal(lines.length, expected.length, JSON.stringify(lines));
  for (const [index, [level, pattern]] of expected.entries()) {
    assert.equal(lines[index].level, level, lines[index].line);
    assert.match(lines[index].line, pattern);
    assert.equal(lines[index].count, 1);
  }
});

test('a successful attempt has no kind, and the level defaults to info with a logger', async () => {
  const debug = collector();
  await client({ logger: debug.logger, logLevel: 'debug' }).introspect();
  const [attempt] = await delivered(debug.lines);
  assert.match(
    attempt.line,
    /^attempt n=1 operation=introspect method=GET path=\/v1\/introspect status=200 elapsed_ms=/,
  );

  const { logger, lines } = collector();
  server.pushFault({ status: 503, retryAfter: '0' });
  await client({ logger }).introspect();
  assert.deepEqual(
    (await delivered(lines)).map(({ level, line }) => [level, line.split(' ')[0]]),
    [['info', 'retry']],
  );
});

test('the level filters: warn tells the give-up only, error and off tell nothing', async () => {
  for (const [logLevel, events] of [
    ['info', ['retry', 'give_up']],
    ['warn', ['give_up']],
    ['error', []],
    ['off', []],
  ]) {
    server.pushFault({ status: 503, retryAfter: '0', times: 2 });
    const { logger, lines } = collector();
    await assert.rejects(client({ logger, logLevel, maxRetries: 1 }).introspect(), ServerError);
    assert.deepEqual(
      (await delivered(lines)).map(({ line }) => line.split(' ')[0]),
      events,
      logLevel,
    );
  }
});

test('a token refresh is told, through a client built with a token store too', async () => {
  const { clientId, clientSecret } = server.oauthClient;
  let stored = null;
  const tokenStore = {
    load: () => stored,
    lock: async () => () => {},
    compareAndSwap: (_expected, tokens) => {
      stored = tokens;
      return true;
    },
  };
  for (const extra of [{}, { tokenStore }]) {
    const { logger, lines } = collector();
    const oauth = { clientId, clientSecret, ...server.issueTokens(), expiresIn: 3600 };
    await new Client({ baseUrl: server.url, oauth, logger, ...extra }).refreshTokens();
    assert.deepEqual(await delivered(lines), [{ level: 'info', line: 'refresh outcome=ok attempts=1', count: 1 }]);
  }
});

test('a bad logger or logLevel is a TypeError naming it', () => {
  const methods = Object.fromEntries(LEVELS.map((level) => [level, () => {}]));
  for (const logger of ['console', 42, true]) {
    assert.throws(() => client({ logger }), { name: 'TypeError', message: /Client options\.logger must be an object/ });
  }
  for (const method of LEVELS) {
    const logger = { ...methods, [method]: 'not a function' };
    assert.throws(() => client({ logger }), {
      name: 'TypeError',
      message: new RegExp(`Client options\\.logger\\.${method} must be a function`),
    });
  }
  const { warn: _warn, ...withoutWarn } = methods;
  assert.throws(() => client({ logger: withoutWarn }), { name: 'TypeError', message: /logger\.warn/ });
  for (const logLevel of ['verbose', 'DEBUG', 'warning', '', 3, {}]) {
    assert.throws(
      () => client({ logLevel }),
      (error) => {
        assert.equal(error.name, 'TypeError');
        assert.match(error.message, /Client options\.logLevel must be one of/);
        for (const level of [...LEVELS, 'off']) assert.ok(error.message.includes(`'${level}'`), error.message);
        return true;
      },
    );
  }
  // Absent, as every option: null and undefined.
  client({ logger: null, logLevel: undefined });
  client({ logger: console, logLevel: null });
});

test('a logger that throws, or rejects, loses its lines, warns once per client and crashes nothing', async () => {
  const rejections = [];
  const unhandled = (reason) => rejections.push(reason);
  process.on('unhandledRejection', unhandled);
  try {
    const failing = {
      throwing: () => {
        throw new Error('the logger broke');
      },
      rejecting: async () => {
        throw new Error('the logger broke later');
      },
    };
    for (const [name, method] of Object.entries(failing)) {
      const called = [];
      const logger = Object.fromEntries(
        LEVELS.map((level) => [
          level,
          (line) => {
            called.push(line);
            return method(line);
          },
        ]),
      );
      const warnings = await logWarnings(async () => {
        for (const each of [client({ logger, logLevel: 'debug' }), client({ logger, logLevel: 'debug' })]) {
          server.pushFault({ status: 503, retryAfter: '0' });
          await each.introspect();
          await each.introspect();
        }
        await delivered(called);
      });
      // Two clients, each told three events by its first call and one by its second.
      assert.equal(called.length, 8, name);
      assert.equal(warnings.length, 2, `${name}: one warning per client`);
      assert.match(warnings[0].message, /^logger\.debug\(\) failed/);
      assert.ok(!warnings[0].message.includes('the logger broke'), 'the logger error is its own');
    }
  } finally {
    process.off('unhandledRejection', unhandled);
  }
  assert.deepEqual(rejections, []);
});

test('PLEO_LOG sets the default level of a client with a logger; logLevel overrides it', async () => {
  process.env.PLEO_LOG = 'debug';
  try {
    const fromVariable = collector();
    const overridden = collector();
    const clients = [client({ logger: fromVariable.logger }), client({ logger: overridden.logger, logLevel: 'warn' })];
    for (const each of clients) await each.introspect();
    assert.deepEqual(
      (await delivered(fromVariable.lines)).map(({ level }) => level),
      ['debug'],
    );
    assert.deepEqual(await delivered(overridden.lines), []);
  } finally {
    delete process.env.PLEO_LOG;
  }
});

/** Runs `script` in a new Node process with `env` added; resolves with its output. */
async function inChild(script, env) {
  const { PLEO_LOG: _level, ...inherited } = process.env;
  return execFile(process.execPath, ['-e', script], {
    env: { ...inherited, ...env },
    cwd: path.join(__dirname, '..'),
    timeout: 30_000,
  });
}

/** A child's script: a client with `options` makes a call retried once, then the process ends. */
const CHILD = (options) => `
const { Client, MockServer } = require('.');
(async () => {
  const server = await MockServer.start();
  server.pushFault({ status: 503, retryAfter: '0' });
  const client = new Client({ baseUrl: server.url, apiKey: server.apiKey, ${options} });
  await client.introspect();
  await new Promise((resolve) => setTimeout(resolve, 100));
  await server.stop();
})();
`;

test('PLEO_LOG=debug without a logger writes each line to stderr', async () => {
  const { stderr, stdout } = await inChild(CHILD(''), { PLEO_LOG: 'debug' });
  assert.equal(stdout, '');
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 3, stderr);
  assert.match(lines[0], /^pleo-installations debug attempt n=1 operation=introspect .* status=503 kind=server /);
  assert.equal(lines[1], 'pleo-installations info retry n=1 operation=introspect kind=server status=503 delay_ms=0');
  assert.match(lines[2], /^pleo-installations debug attempt n=2 operation=introspect .* status=200 /);

  const quiet = await inChild(CHILD(''), {});
  assert.equal(quiet.stderr, '', 'off by default');
  const warnOnly = await inChild(CHILD(''), { PLEO_LOG: 'warn' });
  assert.equal(warnOnly.stderr, '');
  const byOption = await inChild(CHILD("logLevel: 'info'"), {});
  assert.match(byOption.stderr, /^pleo-installations info retry n=1 .*\n$/);
});

test('an invalid PLEO_LOG is off, with one PleoLogWarning per process naming it', async () => {
  const script = `
    const { Client } = require('.');
    const lines = [];
    const logger = { debug: (l) => lines.push(l), info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
    process.on('warning', (w) => console.log(w.name + ': ' + w.message));
    const made = [new Client({ apiKey: 'k', logger }), new Client({ apiKey: 'k' }), new Client({ apiKey: 'k', logLevel: 'debug', logger })];
    setTimeout(() => console.log('clients: ' + made.length + ', lines: ' + lines.length), 50);
  `;
  const { stdout } = await inChild(script, { PLEO_LOG: 'verbose' });
  const warnings = stdout.split('\n').filter((line) => line.startsWith('PleoLogWarning'));
  assert.equal(warnings.length, 1, stdout);
  assert.match(warnings[0], /PLEO_LOG="verbose" is not one of debug, info, warn, error, off/);
  assert.match(stdout, /clients: 3, lines: 0/);
});

test('a client with logs on does not keep the process alive', async () => {
  // The child ends once its work is done; were it held open, execFile would time out.
  const { stdout } = await inChild(CHILD("logger: console, logLevel: 'debug'"), {});
  assert.match(stdout, /^attempt n=2 /m);
});

test('no line carries a credential, a token or a client secret', async () => {
  const { clientId, clientSecret } = server.oauthClient;
  const tokens = server.issueTokens();
  const { logger, lines } = collector();
  server.pushFault({ status: 503, retryAfter: '0' });
  await client({ logger, logLevel: 'debug' }).introspect();
  const secrets = [server.apiKey, clientSecret, tokens.accessToken, tokens.refreshToken];
  const oauthClient = new Client({
    baseUrl: server.url,
    oauth: { clientId, clientSecret, ...tokens, expiresIn: 3600 },
    onTokensRefreshed: (refreshed) => secrets.push(refreshed.accessToken, refreshed.refreshToken),
    logger,
    logLevel: 'debug',
  });
  await oauthClient.introspect();
  server.expireAccessTokens();
  await oauthClient.introspect();
  await delivered(lines);
  const events = lines.map(({ line }) => line.split(' ')[0]);
  for (const event of ['attempt', 'retry', 'refresh']) assert.ok(events.includes(event), events.join());
  assert.equal(secrets.length, 6, 'the refreshed tokens are checked too');
  for (const { line } of lines) {
    for (const secret of secrets) assert.ok(!line.includes(secret), `${line} carries a secret`);
  }
});
