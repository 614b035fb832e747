// The ESM entry points re-export the CommonJS module: one class of each, same names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from 'pleo-installations';
import * as testing from 'pleo-installations/testing';

const require = createRequire(import.meta.url);

test('import and require give the same exports', () => {
  const cjs = require('pleo-installations');
  assert.deepEqual(
    Object.keys(esm)
      .filter((k) => k !== 'default')
      .sort(),
    Object.keys(cjs).sort(),
  );
  for (const name of Object.keys(cjs)) assert.equal(esm[name], cjs[name], name);
  assert.equal(testing.MockServer, cjs.MockServer);
  assert.equal(esm.version, require('../package.json').version);
});
