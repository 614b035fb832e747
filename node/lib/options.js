'use strict';
// Argument checking and the camelCase → snake_case mapping onto the core's JSON.

const { invalidArgument } = require('./errors');

const isPlainObject = (value) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** Each type an option may have: its check, and how a message names it. */
const TYPES = {
  string: [(v) => typeof v === 'string', 'a string'],
  integer: [Number.isInteger, 'a whole number'],
  boolean: [(v) => typeof v === 'boolean', 'a boolean'],
  object: [isPlainObject, 'an object'],
  strings: [(v) => Array.isArray(v) && v.every((s) => typeof s === 'string'), 'an array of strings'],
  date: [(v) => typeof v === 'string' || (v instanceof Date && !Number.isNaN(v.getTime())), 'a Date or an RFC 3339 string'],
  function: [(v) => typeof v === 'function', 'a function'],
};

/**
 * Checks `given` (an options object of `where`) against `spec` ({camelName: [wireName, type]})
 * and returns the wire object. Wrong types (`1.5` for a whole number too) are a TypeError
 * naming the option, values out of range are left to the core; unknown
 * names an InvalidArgumentError. `undefined` and `null` values are left out.
 */
function toWire(where, given, spec) {
  if (given === undefined || given === null) return {};
  if (!isPlainObject(given)) throw new TypeError(`${where} must be an object, got ${describe(given)}`);
  const wire = {};
  for (const [name, value] of Object.entries(given)) {
    const entry = spec[name];
    if (!entry) {
      throw invalidArgument(`${where}: unknown option "${name}" (expected one of ${Object.keys(spec).join(', ')})`);
    }
    if (value === undefined || value === null) continue;
    const [wireName, type] = entry;
    const [check, text] = TYPES[type];
    // The type only: ranges (a negative timeout, too many retries) are the core's to refuse.
    if (!check(value)) throw new TypeError(`${where}.${name} must be ${text}, got ${describe(value)}`);
    wire[wireName] = value instanceof Date ? value.toISOString() : value;
  }
  return wire;
}

/** Checks a positional argument's type; a TypeError naming it otherwise. */
function expect(where, name, value, type) {
  const [check, text] = TYPES[type];
  if (!check(value)) throw new TypeError(`${where}: ${name} must be ${text}, got ${describe(value)}`);
  return value;
}

/** A short description of a value's type for messages (never the value: it may be a secret). */
function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** OAuth tokens as the core writes them → as JavaScript sees them. */
function tokensFromWire(wire) {
  return {
    accessToken: wire.access_token,
    refreshToken: wire.refresh_token,
    expiresAt: wire.expires_at ? new Date(wire.expires_at) : null,
  };
}

const TOKENS = {
  accessToken: ['access_token', 'string'],
  refreshToken: ['refresh_token', 'string'],
  expiresAt: ['expires_at', 'date'],
};

/** OAuth tokens from JavaScript → as the core reads them. */
function tokensToWire(where, tokens) {
  return { expires_at: null, ...toWire(where, tokens, TOKENS) };
}

module.exports = { toWire, expect, tokensFromWire, tokensToWire, isPlainObject };
