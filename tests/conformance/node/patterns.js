'use strict';
// The conformance suite's patterns, substitutions and result normalisation, as
// tests/conformance/README.md ("Patterns", "Substitutions", "The outcome file") defines them.

/** Matches any value except null or a missing key. */
const ANY = '<any>';
/** In an object pattern: the key is missing or null. */
const ABSENT = '<absent>';
/** Result fields that differ from run to run, masked in the outcome file. */
const VOLATILE = new Set(['id', 'createdAt', 'updatedAt']);

const REFERENCE = /\$\{([^}]*)\}/g;

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
const text = (value) => JSON.stringify(value) ?? 'undefined';

/** `null` when `actual` matches `pattern`; otherwise where and how it differs. */
function mismatch(pattern, actual, path = '$') {
  if (pattern === ANY) return actual === null || actual === undefined ? `${path}: expected a value, got null` : null;
  if (isObject(pattern) && isObject(actual)) return objectMismatch(pattern, actual, path);
  if (Array.isArray(pattern) && Array.isArray(actual)) {
    if (pattern.length !== actual.length) {
      return `${path}: expected ${pattern.length} items, got ${actual.length}: ${text(actual)}`;
    }
    for (const [index, itemPattern] of pattern.entries()) {
      const found = mismatch(itemPattern, actual[index], `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  // A scalar equals the same JSON value (all numbers are doubles here: 1 is 1.0); an object
  // or array pattern that got here met a value of another type.
  const scalar = pattern === null || typeof pattern !== 'object';
  if (scalar && pattern === actual) return null;
  return `${path}: expected ${text(pattern)}, got ${text(actual)}`;
}

function objectMismatch(pattern, actual, path) {
  for (const [key, valuePattern] of Object.entries(pattern)) {
    const inner = `${path}.${key}`;
    const value = has(actual, key) ? actual[key] : undefined;
    if (valuePattern === ABSENT) {
      if (value !== undefined && value !== null) return `${inner}: expected absent, got ${text(value)}`;
    } else if (!has(actual, key)) {
      return `${inner}: missing`;
    } else {
      const found = mismatch(valuePattern, value, inner);
      if (found) return found;
    }
  }
  return null;
}

/**
 * `value` with every `${name}` or `${name.key…}` in its strings replaced by that saved value
 * (a string as is, anything else as JSON text); throws naming a reference to nothing saved.
 */
function substitute(value, saved) {
  if (typeof value === 'string') return value.replace(REFERENCE, (_, reference) => lookup(reference, saved));
  if (Array.isArray(value)) return value.map((item) => substitute(item, saved));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, saved)]));
  return value;
}

function lookup(reference, saved) {
  let value = saved;
  for (const key of reference.split('.')) {
    if (!isObject(value) || !has(value, key)) throw new Error(`\${${reference}} refers to nothing saved`);
    value = value[key];
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The result as the outcome file holds it: the API's JSON exactly, volatile values masked. */
function normaliseResult(result) {
  if (!isObject(result)) return result;
  return Object.fromEntries(
    Object.entries(result).map(([key, value]) => [key, VOLATILE.has(key) ? '<volatile>' : value]),
  );
}

module.exports = { mismatch, substitute, normaliseResult, isObject };
