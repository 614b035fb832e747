'use strict';
// The Node runner of the conformance suite (tests/conformance/README.md): every scenario, one
// `node --test` test each, through the SDK's public API against an in-process MockServer
// (its own thread; the client's calls run off the JS thread); the outcomes written to
// `$CONFORMANCE_OUT/node.json` (default `target/conformance/`) for compare.py.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { MockServer } = require('../../../node');
const { loadAll } = require('./scenarios');
const { Run } = require('./run');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

// The suite runs with no PLEO_* variable: the client would read them as defaults.
for (const name of Object.keys(process.env).filter((n) => n.startsWith('PLEO_'))) delete process.env[name];

function writeOutcomes(outcomes) {
  const directory = process.env.CONFORMANCE_OUT || path.join(REPO_ROOT, 'target', 'conformance');
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, 'node.json'), `${JSON.stringify(outcomes, null, 2)}\n`);
}

// A run that stops early (a malformed scenario file included) must not leave the outcomes
// of an earlier one behind.
writeOutcomes({});
const SCENARIOS = loadAll(undefined, process.env.CONFORMANCE_FILTER ?? '');

const outcomes = {};
let server;

before(async () => {
  server = await MockServer.start();
});

after(async () => {
  await server.stop();
  writeOutcomes(outcomes);
});

for (const { key, steps } of SCENARIOS) {
  test(key, async () => {
    outcomes[key] = await new Run(server).scenario(steps);
    const failed = outcomes[key].at(-1)?.failed;
    if (failed) assert.fail(`${key}: ${failed}`);
  });
}
