'use strict';
// One scenario of the conformance suite (tests/conformance/README.md) run through the Node
// SDK's public API: admin requests with fetch, the configuration as the options object of
// `new Client`, each call through its typed method, the events through its `logger` option,
// every step checked.

// The package by its path: this directory is outside node/, where `pleo-installations` resolves.
const { Client, PleoError } = require('../../../node');
const { mismatch, substitute, normaliseResult } = require('./patterns');

/** The error fields an outcome file holds. */
const ERROR_OUTCOME = ['kind', 'status', 'attempts', 'retryable', 'retry_after'];

/** What an admin step without a body sends (a step's `"body": null` sends JSON null). */
const NO_BODY = Symbol('no body');

/** The event fields that differ from run to run, masked in the outcome file. */
const VOLATILE_FIELDS = new Set(['elapsed_ms', 'request_id']);

/** A step did not meet its expectation; the message says how. */
class StepFailed extends Error {}

/**
 * One scenario's state: the emulator, the client of the last client step, the events its
 * logger collected (`{ level, line }`, none without a `log_level`), saved answers.
 */
class Run {
  constructor(server) {
    this.server = server;
    this.client = null;
    this.events = [];
    this.saved = {};
  }

  /** The outcomes of the steps, in order, up to and including the first that fails. */
  async scenario(steps) {
    try {
      await adminRequest(this.server.url, 'POST /__mock/reset');
    } catch (error) {
      return [{ failed: `reset: ${error.message}` }];
    }
    const outcomes = [];
    for (const [index, step] of steps.entries()) {
      try {
        outcomes.push(await this.step(substitute(step, { ...this.saved, base_url: this.server.url })));
      } catch (error) {
        // An unexpected exception fails the step as a mismatch does.
        const reason = error instanceof StepFailed ? error.message : `${error.name}: ${error.message}`;
        outcomes.push({ failed: `step ${index}: ${reason}` });
        break;
      }
    }
    return outcomes;
  }

  async step(step) {
    if ('admin' in step) return this.adminStep(step);
    if ('client' in step) return this.clientStep(step);
    if ('logs' in step) return this.logsStep(step);
    return this.callStep(step);
  }

  async adminStep(step) {
    const answer = await adminRequest(this.server.url, step.admin, 'body' in step ? step.body : NO_BODY);
    if ('expect' in step) {
      const found = mismatch(step.expect, answer);
      if (found) throw new StepFailed(`${step.admin}: ${found}`);
    }
    if ('save' in step) this.saved[step.save] = answer;
    return 'admin';
  }

  clientStep(step) {
    this.client = null;
    // A new list: events the last client still delivers are not this one's.
    const events = [];
    this.events = events;
    const options = clientOptions(step.client, this.server.url);
    if ('log_level' in step) {
      const collect = (level) => (line) => events.push({ level, line });
      options.logger = {
        debug: collect('debug'),
        info: collect('info'),
        warn: collect('warn'),
        error: collect('error'),
      };
      options.logLevel = step.log_level;
    }
    let client;
    try {
      client = new Client(options);
    } catch (error) {
      if (!(error instanceof PleoError)) throw error;
      if (!('error' in step)) throw new StepFailed(`building the client: ${error.message}`);
      return { error: expectedError(step.error, error) };
    }
    if ('error' in step) throw new StepFailed('the client was built, an error was expected');
    this.client = client;
    return 'client';
  }

  async callStep(step) {
    if (this.client === null) throw new StepFailed('a call before any client step');
    let result;
    let error = null;
    const started = performance.now();
    try {
      result = (await CALLS[step.call](this.client, step.request ?? {})) ?? null;
    } catch (raised) {
      if (!(raised instanceof PleoError)) throw raised;
      error = raised;
    }
    checkTime(step, Math.floor(performance.now() - started));
    if (error) {
      if (!('error' in step)) throw new StepFailed(`expected a result, got ${error.code}: ${error.message}`);
      return { error: expectedError(step.error, error) };
    }
    if ('error' in step) throw new StepFailed(`expected an error, got ${JSON.stringify(result)}`);
    const found = mismatch(step.result, result);
    if (found) throw new StepFailed(`result: ${found}`);
    return { result: normaliseResult(result) };
  }

  /** The events collected since the client step or the last logs step, matched. */
  async logsStep(step) {
    await delivered(this.events);
    const events = this.events.splice(0).map(({ level, line }) => logEvent(level, line));
    const found = mismatch(step.logs, events);
    if (found) throw new StepFailed(`logs: ${found} in ${JSON.stringify(events)}`);
    return { logs: events };
  }
}

/**
 * Resolves once `events` has not grown for a while (at most two seconds): the client's events
 * reach its logger from the SDK's threads, shortly after the call that caused them settled.
 */
async function delivered(events) {
  let seen = -1;
  let quietTurns = 0;
  for (let turn = 0; turn < 400 && quietTurns < 4; turn += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    quietTurns = events.length === seen ? quietTurns + 1 : 0;
    seen = events.length;
  }
}

/**
 * An event line as the README's object: `event` (its first word), `level`, and each
 * `key=value` as a string, the volatile values masked.
 */
function logEvent(level, line) {
  const [event, ...fields] = line.split(' ');
  const found = { event, level };
  for (const field of fields) {
    const equals = field.indexOf('=');
    const key = equals < 0 ? field : field.slice(0, equals);
    const value = equals < 0 ? '' : field.slice(equals + 1);
    found[key] = VOLATILE_FIELDS.has(key) ? '<volatile>' : value;
  }
  return found;
}

/** Checks `max_ms` and `min_ms` against the call's wall time. */
function checkTime(step, elapsedMs) {
  if ('max_ms' in step && elapsedMs > step.max_ms)
    throw new StepFailed(`took ${elapsedMs} ms, more than max_ms ${step.max_ms}`);
  if ('min_ms' in step && elapsedMs < step.min_ms)
    throw new StepFailed(`took ${elapsedMs} ms, less than min_ms ${step.min_ms}`);
}

/** The error's outcome, once its JSON matches `pattern`. */
function expectedError(pattern, error) {
  const full = errorJson(error);
  const found = mismatch(pattern, full);
  if (found) throw new StepFailed(`error: ${found} (${error.code}: ${error.message})`);
  return Object.fromEntries(ERROR_OUTCOME.map((key) => [key, full[key]]));
}

/** The error JSON of API.md, from the PleoError's fields. */
function errorJson(error) {
  return {
    kind: error.code,
    message: error.message,
    status: error.status,
    request_id: error.requestId,
    retryable: error.retryable,
    attempts: error.attempts,
    body: error.body,
    retry_after: error.retryAfter,
  };
}

/**
 * Sends `METHOD /path` (with `body` as JSON unless it is NO_BODY) to the emulator's admin
 * API; resolves with its answer's JSON, or null for an empty one. Fails unless it is 2xx.
 */
async function adminRequest(baseUrl, request, body = NO_BODY) {
  const space = request.indexOf(' ');
  const init = { method: request.slice(0, space), signal: AbortSignal.timeout(10_000) };
  if (body !== NO_BODY) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(baseUrl + request.slice(space + 1), init);
  const text = await response.text();
  if (!response.ok) throw new StepFailed(`${request}: ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

// --- the configuration and the calls, mapped onto the typed API ---------------------------

/** The configuration's keys and the Client options they are. */
const OPTIONS = {
  base_url: 'baseUrl',
  environment: 'environment',
  api_key: 'apiKey',
  access_token: 'accessToken',
  oauth: 'oauth',
  timeout_ms: 'timeoutMs',
  connect_timeout_ms: 'connectTimeoutMs',
  total_timeout_ms: 'totalTimeoutMs',
  max_retries: 'maxRetries',
  user_agent: 'userAgent',
};

/** The `oauth` configuration's keys and the options they are. */
const OAUTH = {
  client_id: 'clientId',
  client_secret: 'clientSecret',
  access_token: 'accessToken',
  refresh_token: 'refreshToken',
  expires_at: 'expiresAt',
  expires_in: 'expiresIn',
  token_url: 'tokenUrl',
};

/** `object` with its keys renamed by `names`; a key it does not name fails the step. */
function renamed(where, object, names) {
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => {
      if (!Object.prototype.hasOwnProperty.call(names, key))
        throw new StepFailed(`${where} has no option for "${key}"`);
      return [names[key], value];
    }),
  );
}

/**
 * The options object of `new Client` for a configuration JSON object, with the emulator's
 * URL unless it names a base URL or an environment.
 */
function clientOptions(config, baseUrl) {
  const options = renamed("Node's Client", config, OPTIONS);
  if (config.oauth) options.oauth = renamed("Node's Client options.oauth", config.oauth, OAUTH);
  return 'base_url' in config || 'environment' in config ? options : { baseUrl, ...options };
}

/** Each operation through its typed method; resolves with the result as the API's JSON. */
const CALLS = {
  getClientInstallation: (client, request) =>
    client.getInstallation(renamed('getInstallation', request, { company_id: 'companyId' })),
  createClientInstallation: (client, request) => client.createInstallation(request),
  updateClientInstallation: (client, request) => client.updateInstallation(request),
  deleteClientInstallation: (client) => client.deleteInstallation(),
  activateMyInstallation: (client) => client.activateInstallation(),
  // Deprecated: the first call in the process prints a DeprecationWarning, as expected.
  completeInstallationExternalClientOnlyIdempotently: (client) => client.completeInstallation(),
  introspect: (client) => client.introspect(),
  waitForStatus: (client, { statuses, timeout_ms: timeoutMs }) => client.waitForStatus(statuses, { timeoutMs }),
  refreshTokens: (client) => client.refreshTokens(),
};

module.exports = { Run, clientOptions, adminRequest, logEvent };
