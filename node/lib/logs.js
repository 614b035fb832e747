'use strict';
// A client's events (one line per attempt, retry, give-up and token refresh): to the
// `logger` option, or to stderr when only a level is set (`logLevel`, or `PLEO_LOG`).

const { LOG_LEVELS } = require('./options');

/** The methods a logger needs, one per level. */
const METHODS = ['debug', 'info', 'warn', 'error'];

let badVariableWarned = false;

/**
 * The level `PLEO_LOG` names, or `undefined` when it is unset or empty. Any other value is
 * `off`, with one PleoLogWarning per process: the variable is not the caller's argument, so
 * it never throws.
 */
function levelFromEnvironment() {
  const value = process.env.PLEO_LOG;
  if (!value) return undefined;
  if (LOG_LEVELS.includes(value)) return value;
  if (!badVariableWarned) {
    badVariableWarned = true;
    process.emitWarning(
      `PLEO_LOG=${JSON.stringify(value)} is not one of ${LOG_LEVELS.join(', ')}: no log is printed`,
      'PleoLogWarning',
    );
  }
  return 'off';
}

/**
 * Where a client's events go, from its `logger` and `logLevel` options (their types checked
 * already): `{ level, deliver }`, with `deliver(level, line)` never throwing, or `null` when
 * the level is `off`. The level defaults to `PLEO_LOG`, else `info` with a logger and
 * `off` without one.
 */
function eventSink(logger, logLevel) {
  if (logger != null) {
    for (const method of METHODS) {
      if (typeof logger[method] !== 'function') {
        throw new TypeError(`Client options.logger.${method} must be a function`);
      }
    }
  }
  const level = logLevel ?? levelFromEnvironment() ?? (logger == null ? 'off' : 'info');
  if (level === 'off') return null;
  return { level, deliver: logger == null ? toStderr : toLogger(logger) };
}

/** Writes a line to stderr as `pleo-installations <level> <line>`. */
function toStderr(level, line) {
  process.stderr.write(`pleo-installations ${level} ${line}\n`);
}

/**
 * Hands each line to the logger's method of its level, the line as the only argument. A
 * method that throws or rejects loses that line, and the first such failure of the client
 * is told by a PleoLogWarning (not its error: the logger's own text is not the SDK's to show).
 */
function toLogger(logger) {
  let warned = false;
  const failed = (level) => {
    if (warned) return;
    warned = true;
    process.emitWarning(
      `logger.${level}() failed on a pleo-installations log line: the lines it fails on are dropped`,
      'PleoLogWarning',
    );
  };
  return (level, line) => {
    try {
      const returned = logger[level](line);
      if (typeof returned?.then === 'function') returned.then(undefined, () => failed(level));
    } catch {
      failed(level);
    }
  };
}

module.exports = { eventSink };
