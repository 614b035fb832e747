'use strict';
// The succeeding TLS path: a loopback HTTPS server whose certificate a test CA signed is
// reached once that CA is trusted, through `caBundle` or `SSL_CERT_FILE`; and a process with
// no CA store at all still builds clients and reaches the emulator over plain http.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { promisify } = require('node:util');
const execFile = promisify(require('node:child_process').execFile);
const { Client, APIConnectionError } = require('..');

const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'tls');
const CA = path.join(FIXTURES, 'ca.crt');

let server;
let url;
before(async () => {
  server = https.createServer(
    {
      cert: fs.readFileSync(path.join(FIXTURES, 'server.crt')),
      key: fs.readFileSync(path.join(FIXTURES, 'server.key')),
    },
    (request, response) => {
      response.writeHead(204).end();
    },
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

/** Runs `script` in a new Node process (the system's roots are read once per process). */
async function inChild(script, env) {
  const { stdout } = await execFile(process.execPath, ['-e', script], {
    env: { ...process.env, ...env },
    cwd: path.join(__dirname, '..'),
  });
  return stdout.trim();
}

test('caBundle trusts a CA, as a path or as PEM text; without it the server is refused', async () => {
  for (const caBundle of [CA, fs.readFileSync(CA, 'utf8')]) {
    const client = new Client({ baseUrl: url, apiKey: 'k', caBundle });
    assert.equal(await client.deleteInstallation(), undefined);
  }
  const client = new Client({ baseUrl: url, apiKey: 'k' });
  await assert.rejects(
    client.deleteInstallation(),
    (error) => error instanceof APIConnectionError && /certificate/.test(error.message),
  );
});

test('a caBundle that is not PEM is an InvalidArgumentError naming it', () => {
  assert.throws(() => new Client({ baseUrl: url, apiKey: 'k', caBundle: '/nonexistent/ca.pem' }), {
    code: 'invalid_argument',
    message: /^ca_bundle: /,
  });
});

test('SSL_CERT_FILE is trusted', async () => {
  const script = `new (require('.').Client)({ baseUrl: ${JSON.stringify(url)}, apiKey: 'k' })
    .deleteInstallation().then(() => console.log('ok'), (e) => console.log(e.code, e.message))`;
  assert.equal(await inChild(script, { SSL_CERT_FILE: CA }), 'ok');
});

test('without a CA store, clients build and reach the emulator over http', async () => {
  const script = `const { Client, MockServer } = require('.');
    (async () => {
      const server = await MockServer.start();
      const local = new Client({ baseUrl: server.url, apiKey: server.apiKey });
      const missing = await local.getInstallation().catch((e) => e.code);
      const remote = new Client({ baseUrl: ${JSON.stringify(url)}, apiKey: 'k' });
      const refused = await remote.deleteInstallation().catch((e) => e.code);
      server.stop();
      console.log(missing, refused);
    })()`;
  const out = await inChild(script, { SSL_CERT_FILE: '/nonexistent/ca.pem', SSL_CERT_DIR: '/nonexistent' });
  assert.equal(out, 'not_found connection');
});
