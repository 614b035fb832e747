'use strict';
// The emulator of the Installations API in-process, for tests of the SDK and of users' code.

const native = require('../native');
const { toWire, expect, jsonText, parseJson, isPlainObject } = require('./options');

const FAULT = {
  operation: ['operation', 'string'],
  status: ['status', 'integer'],
  retryAfter: ['retry_after', 'string'],
  body: ['body', 'string'],
  delayMs: ['delay_ms', 'integer'],
  drop: ['drop', 'boolean'],
  malformed: ['malformed', 'boolean'],
  times: ['times', 'integer'],
};

const SEED = {
  credential: ['credential', 'string'],
  companyId: ['company_id', 'string'],
  status: ['status', 'string'],
  metadata: ['metadata', 'object'],
  errorCode: ['errorCode', 'string'],
};

/**
 * A running emulator on 127.0.0.1 with its own port and state: installations with Pleo's
 * lifecycle, API-key, bearer and OAuth authentication, injected faults and a journal.
 */
class MockServer {
  #native;
  #info;

  constructor(handle) {
    if (!(handle instanceof native.NativeMockServer)) throw new TypeError('use await MockServer.start()');
    this.#native = handle;
    this.#info = JSON.parse(handle.info());
  }

  /** Starts an emulator on a free port. */
  static async start() {
    return new MockServer(native.NativeMockServer.start());
  }

  /** Its base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  get url() {
    return this.#info.url;
  }
  /** An API key it accepts. */
  get apiKey() {
    return this.#info.apiKey;
  }
  /** A static bearer token it accepts. */
  get accessToken() {
    return this.#info.accessToken;
  }
  /** Its OAuth authorisation endpoint. */
  get authorizeUrl() {
    return this.#info.authorizeUrl;
  }
  /** Its OAuth token endpoint. */
  get tokenUrl() {
    return this.#info.tokenUrl;
  }
  /** The default OAuth client: `{ clientId, clientSecret, redirectUri }`. */
  get oauthClient() {
    return { ...this.#info.oauthClient };
  }

  /**
   * Queues a fault, or several (all or nothing): `{ status, retryAfter, body, delayMs,
   * drop, malformed, operation, times }`. Faults are used in order by the next requests.
   */
  pushFault(fault) {
    const list = Array.isArray(fault) ? fault : [fault];
    if (!list.every(isPlainObject)) throw new TypeError('pushFault: a fault must be an object (or an array of them)');
    this.#native.pushFaults(
      jsonText(
        'pushFault',
        list.map((f) => toWire('fault', f, FAULT)),
      ),
    );
  }

  /** Forgets the queued faults. */
  clearFaults() {
    this.#native.clearFaults();
  }
  /** How many faults are still queued. */
  pendingFaults() {
    return this.#native.pendingFaults();
  }

  /**
   * The requests received, in order: `{ method, path, operation, headers, body,
   * requestId, peer }` (headers as sent, credentials included).
   */
  journal() {
    return JSON.parse(this.#native.journal()).map(({ request_id: requestId, ...entry }) => ({ ...entry, requestId }));
  }

  /** Forgets the journal. */
  clearJournal() {
    this.#native.clearJournal();
  }

  /**
   * Puts an installation in place: `{ status, credential?, companyId?, metadata?,
   * errorCode? }` (the credential defaults to `apiKey`); returns it.
   */
  seedInstallation(installation) {
    const wire = { credential: this.apiKey, ...toWire('seedInstallation', installation, SEED) };
    return parseJson(this.#native.seed(jsonText('seedInstallation', wire)));
  }

  /** The installation of `credential`'s client (default `apiKey`), or null. */
  installation(credential = this.apiKey) {
    expect('installation', 'credential', credential, 'string');
    return parseJson(this.#native.installation(credential));
  }

  /** Forgets installations, faults, journal and OAuth state (credentials stay). */
  reset() {
    this.#native.reset();
  }

  /** A new OAuth token family, as after the user authorised: `{ accessToken, refreshToken }`. */
  issueTokens(clientId = this.#info.oauthClient.clientId) {
    expect('issueTokens', 'clientId', clientId, 'string');
    const { access_token: accessToken, refresh_token: refreshToken } = JSON.parse(this.#native.issueTokens(clientId));
    return { accessToken, refreshToken };
  }

  /** Plays the user's browser on the consent page: `{ callback, code, state }`. */
  consent(authorizeUrl) {
    expect('consent', 'authorizeUrl', authorizeUrl, 'string');
    return JSON.parse(this.#native.consent(authorizeUrl));
  }
  /** Moves the emulator's clock (token and code expiry) forward. */
  advanceClock(ms) {
    if (!(Number.isSafeInteger(ms) && ms >= 0 && ms <= 0xffffffff)) {
      throw new TypeError(`advanceClock: ms must be a whole number of milliseconds from 0 to 2^32 - 1, got ${ms}`);
    }
    this.#native.advanceClock(ms);
  }
  /** Expires every access token issued so far. */
  expireAccessTokens() {
    this.#native.expireAccessTokens();
  }
  /** `{ tokenRequests, refreshes }` counted by the token endpoint. */
  oauthStats() {
    return JSON.parse(this.#native.oauthStats());
  }

  /** Stops it and cuts open connections; stopping twice does nothing. */
  async stop() {
    this.#native.stop();
  }
}

module.exports = { MockServer };
