'use strict';
// Every export of the addon must catch a Rust panic (napi-derive only does so for exports
// marked `catch_unwind`): an uncaught panic aborts the whole Node process.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

test('every exported native function or method is marked #[napi(catch_unwind)]', () => {
  const dir = path.join(__dirname, '..', 'src');
  const unguarded = [];
  let exports = 0;
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.rs'))) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    // An export: a `#[napi…]` attribute line, then (after other attributes) a `fn`.
    const pattern = /^[ \t]*#\[napi(\([^\n]*\))?\]\s*\n(?:[ \t]*#\[[^\n]*\n)*[ \t]*pub (?:async )?fn (\w+)/gm;
    for (const match of source.matchAll(pattern)) {
      exports += 1;
      if (!/\bcatch_unwind\b/.test(match[1] ?? '')) unguarded.push(`${file}: ${match[2]}`);
    }
  }
  assert.ok(exports >= 9, `found only ${exports} exports: the pattern is out of date`);
  assert.deepEqual(unguarded, []);
});
