'use strict';
// Argument checking, the camelCase → snake_case mapping onto the core's JSON, and JSON
// text exactly both ways (jsonText out, parseJson in).

const { randomUUID } = require('node:crypto');
const { invalidArgument } = require('./errors');

/** An object literal's kind of object (prototype `Object.prototype` or null): no Map, Date, class instance. */
const isPlainObject = (value) => {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** The levels of `logLevel` and `PLEO_LOG`, from the most told to nothing. */
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'off'];

/** Each type an option may have: its check, and how a message names it. */
const TYPES = {
  string: [(v) => typeof v === 'string', 'a string'],
  integer: [Number.isInteger, 'a whole number'],
  boolean: [(v) => typeof v === 'boolean', 'a boolean'],
  object: [isPlainObject, 'an object'],
  strings: [(v) => Array.isArray(v) && v.every((s) => typeof s === 'string'), 'an array of strings'],
  date: [
    (v) => typeof v === 'string' || (v instanceof Date && !Number.isNaN(v.getTime())),
    'a Date or an RFC 3339 string',
  ],
  function: [(v) => typeof v === 'function', 'a function'],
  // Its methods are checked where it is used (lib/logs.js).
  logger: [
    (v) => typeof v === 'object' || typeof v === 'function',
    'an object with methods debug, info, warn and error',
  ],
  logLevel: [(v) => LOG_LEVELS.includes(v), `one of ${LOG_LEVELS.map((l) => `'${l}'`).join(', ')}`],
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
  if (typeof value !== 'object' || isPlainObject(value)) return typeof value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Array.prototype) return 'an array';
  return `a ${prototype?.constructor?.name || 'non-plain'} object`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * `value` as JSON text, when it is plain JSON data all the way down: plain objects (see
 * `isPlainObject`), arrays without holes, well-formed strings, finite numbers, BigInts (their
 * exact digits: JSON numbers have no size limit), booleans and null. Anything else (a Map, a
 * Date, a class instance, a boxed primitive, a function, a symbol, undefined, NaN, a
 * `toJSON` method, a cycle…), which `JSON.stringify` would change or drop, is a TypeError
 * naming its path under `where`, before anything is sent.
 */
function jsonText(where, value, root = '') {
  const open = new Set();
  const refuse = (path, what) => {
    throw new TypeError(`${where}: ${path || 'the value'} ${what}, which JSON cannot carry as it is; nothing was sent`);
  };
  const encode = (path, item) => {
    switch (typeof item) {
      case 'string':
        if (!item.isWellFormed()) refuse(path, 'is a string with a lone surrogate');
        return JSON.stringify(item);
      case 'number':
        if (!Number.isFinite(item)) refuse(path, `is ${item}`);
        return JSON.stringify(item);
      case 'bigint':
        return item.toString();
      case 'boolean':
        return String(item);
      case 'object':
        if (item === null) return 'null';
        break;
      default:
        refuse(path, item === undefined ? 'is undefined' : `is a ${typeof item}`);
    }
    const array = Array.isArray(item) && Object.getPrototypeOf(item) === Array.prototype;
    if (!array && !isPlainObject(item)) refuse(path, `is ${describe(item)}`);
    if (typeof item.toJSON === 'function') refuse(path, 'has a toJSON method');
    if (Object.getOwnPropertySymbols(item).length > 0) refuse(path, 'has a symbol key');
    if (open.has(item)) refuse(path, 'is a cycle (it contains itself)');
    open.add(item);
    let text;
    if (array) {
      const items = [];
      for (let i = 0; i < item.length; i += 1) {
        if (!(i in item)) refuse(`${path}[${i}]`, 'is a hole in a sparse array');
        items.push(encode(`${path}[${i}]`, item[i]));
      }
      text = `[${items.join(',')}]`;
    } else {
      const members = Object.entries(item).map(([key, member]) => {
        const inner = IDENTIFIER.test(key) ? `${path}${path ? '.' : ''}${key}` : `${path}[${JSON.stringify(key)}]`;
        return `${JSON.stringify(key)}:${encode(inner, member)}`;
      });
      text = `{${members.join(',')}}`;
    }
    open.delete(item);
    return text;
  };
  return encode(root, value);
}

/** A JSON string or a number token (an integer has neither fraction nor exponent). */
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * Parses JSON text (the core's, so valid) like `JSON.parse`, except that an integer outside
 * ±(2^53 − 1), which a number would round, becomes a BigInt with every digit.
 */
function parseJson(text) {
  // Only a run of 16 digits can be such an integer: the common case costs one scan.
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  // Each big integer goes through JSON.parse as a string carrying a mark no server string has.
  const id = randomUUID();
  const mark = `\u0000${id}:`;
  const marked = text.replace(TOKEN, (token) =>
    token[0] === '"' || /[.eE]/.test(token) || Number.isSafeInteger(Number(token)) ? token : `"\\u0000${id}:${token}"`,
  );
  return JSON.parse(marked, (_key, value) =>
    typeof value === 'string' && value.startsWith(mark) ? BigInt(value.slice(mark.length)) : value,
  );
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

module.exports = {
  toWire,
  expect,
  jsonText,
  parseJson,
  tokensFromWire,
  tokensToWire,
  isPlainObject,
  LOG_LEVELS,
};
