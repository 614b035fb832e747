'use strict';
// The client: camelCase options and methods over the native client's JSON door.

const native = require('../native');
const { fromNative, invalidArgument, CallbackFailures } = require('./errors');
const { toWire, expect, jsonText, parseJson, isPlainObject } = require('./options');
const { makeHost } = require('./callbacks');

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
  oauth: ['oauth', 'object'],
  onTokensRefreshed: ['on_tokens_refreshed', 'function'],
  tokenStore: ['token_store', 'object'],
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
  const { on_tokens_refreshed: _hook, token_store: _store, ...config } = toWire('Client options', options, OPTIONS);
  if (config.oauth) config.oauth = toWire('Client options.oauth', config.oauth, OAUTH);
  return jsonText('Client options', config);
}

let completionWarned = false;

/** A client of Pleo's Installations API. Every method returns a Promise and runs off the JS thread. */
class Client {
  /** The native client, or the Promise of it while a token store is being read. */
  #native;
  #failures = new CallbackFailures();

  constructor(options = {}) {
    const config = configJson(options);
    const { onTokensRefreshed, tokenStore } = options ?? {};
    if (tokenStore != null) {
      for (const method of STORE_METHODS) {
        if (typeof tokenStore[method] !== 'function') {
          throw new TypeError(`Client options.tokenStore.${method} must be a function`);
        }
      }
    }
    const host = onTokensRefreshed || tokenStore ? makeHost({ onTokensRefreshed, tokenStore }, this.#failures) : null;
    try {
      // With a store, building seeds it, which runs JS callbacks: that has to happen off this
      // thread, so a configuration the core refuses rejects the first call instead.
      this.#native = tokenStore
        ? native.NativeClient.create(config, host, Boolean(onTokensRefreshed), true)
        : new native.NativeClient(config, host, Boolean(onTokensRefreshed));
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
  async callJson(operationId, request = '{}') {
    expect('callJson', 'operationId', operationId, 'string');
    return this.#send(operationId, typeof request === 'string' ? request : jsonText('callJson', request, 'request'));
  }

  async #send(operationId, requestJson) {
    try {
      return await (await this.#native).callJson(operationId, requestJson);
    } catch (error) {
      throw fromNative(error, this.#failures);
    }
  }

  /** Calls `operationId` with `request` (`where` names it in errors); resolves with the result, `undefined` for 204. */
  async #call(operationId, request = {}, where = operationId) {
    const result = parseJson(await this.#send(operationId, jsonText(where, request)));
    return result ?? undefined;
  }

  /** The installation of the credential's company, or of `companyId`'s. */
  async getInstallation(options) {
    return this.#call('getClientInstallation', toWire('getInstallation options', options, { companyId: ['company_id', 'string'] }), 'getInstallation');
  }

  /** Creates the installation (API-key integrations; OAuth ones get it from the flow). */
  async createInstallation(options) {
    return this.#call('createClientInstallation', toWire('createInstallation options', options, {
      status: ['status', 'string'],
      metadata: ['metadata', 'object'],
    }), 'createInstallation');
  }

  /** Sets the status (and replaces metadata, sets or clears the error code). */
  async updateInstallation(options) {
    if (!isPlainObject(options)) throw new TypeError('updateInstallation: options must be an object with a status');
    if (options.status === undefined) throw invalidArgument('updateInstallation: status is required');
    return this.#call('updateClientInstallation', toWire('updateInstallation options', options, {
      status: ['status', 'string'],
      metadata: ['metadata', 'object'],
      errorCode: ['errorCode', 'string'],
    }), 'updateInstallation');
  }

  /** Deletes the installation, which also revokes every OAuth token of the client. */
  async deleteInstallation() {
    await this.#call('deleteClientInstallation');
  }

  /** Activates an installation that is AUTHORIZED or PENDING_INTEGRATION. */
  async activateInstallation() {
    return this.#call('activateMyInstallation');
  }

  /** @deprecated The API deprecates this endpoint: use `activateInstallation()`. */
  async completeInstallation() {
    if (!completionWarned) {
      completionWarned = true;
      process.emitWarning('completeInstallation() is deprecated by the API: use activateInstallation()', 'DeprecationWarning', 'PLEO_COMPLETE');
    }
    return this.#call('completeInstallationExternalClientOnlyIdempotently');
  }

  /** Which credential is in use: `{ data: { authMethod, clientId, scope, … } }`. */
  async introspect() {
    return this.#call('introspect');
  }

  /** Polls until the installation's status is one of `statuses`; rejects with `APITimeoutError`. */
  async waitForStatus(statuses, options) {
    const list = typeof statuses === 'string' ? [statuses] : statuses;
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
      throw new TypeError('waitForStatus: statuses must be a status string or an array of them');
    }
    const wire = toWire('waitForStatus options', options, { timeoutMs: ['timeout_ms', 'integer'] });
    return this.#call('waitForStatus', { statuses: list, ...wire });
  }

  /** Refreshes the OAuth tokens now (they are otherwise refreshed before they expire). */
  async refreshTokens() {
    await this.#call('refreshTokens');
  }

  /** Never shows a credential. */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return 'Client {}';
  }
}

module.exports = { Client };
