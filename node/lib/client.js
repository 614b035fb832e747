'use strict';
// The client: camelCase options and methods over the native client's JSON door.

const native = require('../native');
const { fromNative, invalidArgument, CallbackFailures } = require('./errors');
const { toWire, expect, jsonText, parseJson, isPlainObject } = require('./options');
const { makeHost } = require('./callbacks');
const { eventSink } = require('./logs');

const OPTIONS = {
  apiKey: ['api_key', 'string'],
  accessToken: ['access_token', 'string'],
  environment: ['environment', 'string'],
  baseUrl: ['base_url', 'string'],
  timeoutMs: ['timeout_ms', 'integer'],
  connectTimeoutMs: ['connect_timeout_ms', 'integer'],
  totalTimeoutMs: ['total_timeout_ms', 'integer'],
  maxRetries: ['max_retries', 'integer'],
  userAgent: ['user_agent', 'string'],
  caBundle: ['ca_bundle', 'string'],
  proxy: ['proxy', 'string'],
  oauth: ['oauth', 'object'],
  onTokensRefreshed: ['on_tokens_refreshed', 'function'],
  tokenStore: ['token_store', 'object'],
  logger: ['logger', 'logger'],
  logLevel: ['log_level', 'logLevel'],
};

const OAUTH = {
  clientId: ['client_id', 'string'],
  clientSecret: ['client_secret', 'string'],
  accessToken: ['access_token', 'string'],
  refreshToken: ['refresh_token', 'string'],
  expiresAt: ['expires_at', 'date'],
  expiresIn: ['expires_in', 'integer'],
  tokenUrl: ['token_url', 'string'],
};

const STORE_METHODS = ['load', 'lock', 'compareAndSwap'];

/**
 * The core's configuration JSON for these options (the native client fills an unset
 * credential and base URL from the `PLEO_*` environment variables).
 */
function configJson(options) {
  const {
    on_tokens_refreshed: _hook,
    token_store: _store,
    logger: _logger,
    log_level: _level,
    ...config
  } = toWire('Client options', options, OPTIONS);
  if (config.oauth) config.oauth = toWire('Client options.oauth', config.oauth, OAUTH);
  return jsonText('Client options', config);
}

let completionWarned = false;

/**
 * Splits the `signal` (an `AbortSignal`, as `fetch` takes) from a method's options; a
 * TypeError for anything else in its place.
 */
function takeSignal(where, options) {
  if (!isPlainObject(options) || !('signal' in options)) return [undefined, options];
  const { signal, ...rest } = options;
  if (signal != null && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${where}.signal must be an AbortSignal`);
  }
  return [signal ?? undefined, rest];
}

/**
 * A client of Pleo's Installations API. Every method returns a Promise; calls run on the SDK's
 * own small runtime, never on the JS thread, and take `{ signal }` to be cancelled.
 */
class Client {
  /** The native client, or the Promise of it while a token store is being read. */
  #native;
  #failures = new CallbackFailures();

  constructor(options = {}) {
    const config = configJson(options);
    const { onTokensRefreshed, tokenStore, logger, logLevel } = options ?? {};
    if (tokenStore != null) {
      for (const method of STORE_METHODS) {
        if (typeof tokenStore[method] !== 'function') {
          throw new TypeError(`Client options.tokenStore.${method} must be a function`);
        }
      }
    }
    // Nothing is set up natively for logs that are off.
    const { level, deliver } = eventSink(logger, logLevel) ?? {};
    const host = onTokensRefreshed || tokenStore ? makeHost({ onTokensRefreshed, tokenStore }, this.#failures) : null;
    try {
      // With a store, building seeds it, which runs JS callbacks: that has to happen off this
      // thread, so a configuration the core refuses rejects the first call instead.
      this.#native = tokenStore
        ? native.NativeClient.create(config, host, Boolean(onTokensRefreshed), true, level, deliver)
        : new native.NativeClient(config, host, Boolean(onTokensRefreshed), level, deliver);
    } catch (error) {
      throw fromNative(error);
    }
    if (tokenStore) this.#native.catch(() => {});
  }

  /**
   * Calls an operation by its OpenAPI operationId with a request (the API's own field
   * names) as JSON text, or as a value that is plain JSON data (checked as the typed methods
   * check theirs, BigInts sent as their digits); resolves with the result's JSON text
   * (`"null"` for 204).
   */
  async callJson(operationId, request = '{}', options = undefined) {
    expect('callJson', 'operationId', operationId, 'string');
    const [signal, rest] = takeSignal('callJson options', options);
    toWire('callJson options', rest, {});
    return this.#send(
      operationId,
      typeof request === 'string' ? request : jsonText('callJson', request, 'request'),
      signal,
    );
  }

  /**
   * Sends on the native client. With a `signal`, an abort rejects at once with the signal's
   * reason (an `AbortError` unless the caller gave another, as `fetch` does) and cancels the
   * native call, which abandons its request.
   */
  async #send(operationId, requestJson, signal) {
    let client;
    try {
      client = await this.#native;
      if (signal === undefined) return await client.callJson(operationId, requestJson);
    } catch (error) {
      throw fromNative(error, this.#failures);
    }
    signal.throwIfAborted();
    const call = new native.NativeCall();
    const pending = client.callJson(operationId, requestJson, call);
    return new Promise((resolve, reject) => {
      const abort = () => {
        call.cancel();
        reject(signal.reason);
      };
      signal.addEventListener('abort', abort, { once: true });
      pending
        .then(resolve, (error) => reject(fromNative(error, this.#failures)))
        .finally(() => signal.removeEventListener('abort', abort));
    });
  }

  /**
   * Calls `operationId` with the options of a method (`where` names them in errors), mapped
   * by `spec`; resolves with the result, `undefined` for 204.
   */
  async #call(operationId, where, options, spec = {}, extra = {}) {
    const [signal, rest] = takeSignal(`${where} options`, options);
    const request = { ...extra, ...toWire(`${where} options`, rest, spec) };
    const result = parseJson(await this.#send(operationId, jsonText(where, request), signal));
    return result ?? undefined;
  }

  /** The installation of the credential's company, or of `companyId`'s. */
  async getInstallation(options) {
    return this.#call('getClientInstallation', 'getInstallation', options, { companyId: ['company_id', 'string'] });
  }

  /** Creates the installation (API-key integrations; OAuth ones get it from the flow). */
  async createInstallation(options) {
    return this.#call('createClientInstallation', 'createInstallation', options, {
      status: ['status', 'string'],
      metadata: ['metadata', 'object'],
    });
  }

  /** Sets the status (and replaces metadata, sets or clears the error code). */
  async updateInstallation(options) {
    if (!isPlainObject(options)) throw new TypeError('updateInstallation: options must be an object with a status');
    if (options.status === undefined) throw invalidArgument('updateInstallation: status is required');
    return this.#call('updateClientInstallation', 'updateInstallation', options, {
      status: ['status', 'string'],
      metadata: ['metadata', 'object'],
      errorCode: ['errorCode', 'string'],
    });
  }

  /** Deletes the installation, which also revokes every OAuth token of the client. */
  async deleteInstallation(options) {
    await this.#call('deleteClientInstallation', 'deleteInstallation', options);
  }

  /** Activates an installation that is AUTHORIZED or PENDING_INTEGRATION. */
  async activateInstallation(options) {
    return this.#call('activateMyInstallation', 'activateInstallation', options);
  }

  /** @deprecated The API deprecates this endpoint: use `activateInstallation()`. */
  async completeInstallation(options) {
    if (!completionWarned) {
      completionWarned = true;
      process.emitWarning(
        'completeInstallation() is deprecated by the API: use activateInstallation()',
        'DeprecationWarning',
        'PLEO_COMPLETE',
      );
    }
    return this.#call('completeInstallationExternalClientOnlyIdempotently', 'completeInstallation', options);
  }

  /** Which credential is in use: `{ data: { authMethod, clientId, scope, … } }`. */
  async introspect(options) {
    return this.#call('introspect', 'introspect', options);
  }

  /** Polls until the installation's status is one of `statuses`; rejects with `APITimeoutError`. */
  async waitForStatus(statuses, options) {
    const list = typeof statuses === 'string' ? [statuses] : statuses;
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
      throw new TypeError('waitForStatus: statuses must be a status string or an array of them');
    }
    return this.#call(
      'waitForStatus',
      'waitForStatus',
      options,
      { timeoutMs: ['timeout_ms', 'integer'] },
      { statuses: list },
    );
  }

  /** Refreshes the OAuth tokens now (they are otherwise refreshed before they expire). */
  async refreshTokens(options) {
    await this.#call('refreshTokens', 'refreshTokens', options);
  }

  /** Never shows a credential. */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return 'Client {}';
  }
}

module.exports = { Client };
