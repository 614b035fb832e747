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

/** The journal entry's keys as the admin API spells them → as JavaScript does. */
const camel = (snake) => snake.replace(/_([a-z])/g, (_, letter) => letter.toUpperCase());
const camelKeys = (object) => Object.fromEntries(Object.entries(object).map(([key, value]) => [camel(key), value]));

/**
 * A running emulator on 127.0.0.1 with its own port and state: installations with Pleo's
 * lifecycle, API-key, bearer and OAuth authentication, injected faults and a journal.
 * Every method goes through one door, {@link MockServer#admin}, the emulator's admin API
 * without HTTP; Python's `pleo_installations.testing` has the same methods on the same door.
 */
class MockServer {
  #native;
  #info;

  constructor(handle) {
    if (!(handle instanceof native.NativeMockServer)) throw new TypeError('use await MockServer.start()');
    this.#native = handle;
    this.#info = this.admin('GET', '/__mock/info');
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
    return this.#info.api_key;
  }
  /** A static bearer token it accepts. */
  get accessToken() {
    return this.#info.access_token;
  }
  /** Its OAuth authorisation endpoint. */
  get authorizeUrl() {
    return this.#info.authorize_url;
  }
  /** Its OAuth token endpoint. */
  get tokenUrl() {
    return this.#info.token_url;
  }
  /** The default OAuth client: `{ clientId, clientSecret, redirectUri, scope }`. */
  get oauthClient() {
    const [client] = this.#info.oauth_clients;
    return {
      clientId: client.client_id,
      clientSecret: client.client_secret,
      redirectUri: client.redirect_uris[0],
      scope: client.scope,
    };
  }

  /**
   * The admin API without HTTP: `admin('POST', '/__mock/faults', { status: 503 })` does what
   * that request would and returns the answer's JSON. Throws an Error with the API's message
   * when it refuses, and once stopped.
   */
  admin(method, path, body) {
    expect('admin', 'method', method, 'string');
    expect('admin', 'path', path, 'string');
    const text = body === undefined ? '' : jsonText('admin', body);
    return parseJson(this.#native.admin(method, path, text));
  }

  /**
   * Queues a fault: `{ status, retryAfter, body, delayMs, drop, malformed, operation,
   * times }`. Faults are used in order by the next matching requests.
   */
  pushFault(fault) {
    if (!isPlainObject(fault)) throw new TypeError('pushFault: a fault must be an object');
    this.pushFaults([fault]);
  }

  /** Queues several faults, in order: all of them, or none if one is invalid. */
  pushFaults(faults) {
    if (!Array.isArray(faults)) throw new TypeError('pushFaults: faults must be an array of fault objects');
    const wire = faults.map((fault, index) => {
      if (!isPlainObject(fault)) throw new TypeError(`pushFaults: faults[${index}] must be an object`);
      return toWire(`faults[${index}]`, fault, FAULT);
    });
    this.admin('POST', '/__mock/faults', wire);
  }

  /** Forgets the queued faults. */
  clearFaults() {
    this.admin('DELETE', '/__mock/faults');
  }
  /** How many faults are still queued (one with `times: n` counts once). */
  pendingFaults() {
    return this.admin('GET', '/__mock/faults').length;
  }

  /**
   * The requests received, in order, within the journal's bounds: `{ method, path,
   * operation, headers, body, bodyTruncated, bodySize, requestId, peer }` (headers as sent,
   * credentials included).
   */
  journal() {
    return this.admin('GET', '/__mock/journal').map(camelKeys);
  }
  /**
   * How much the journal holds and has dropped or cut: `{ entries, bytes, maxEntries,
   * maxBytes, maxBodyBytes, dropped, truncated }`.
   */
  journalStats() {
    return camelKeys(this.admin('GET', '/__mock/journal/stats'));
  }
  /** Forgets the journal. */
  clearJournal() {
    this.admin('DELETE', '/__mock/journal');
  }

  /**
   * Puts an installation in place: `{ status, credential?, companyId?, metadata?,
   * errorCode? }` (the credential defaults to `apiKey`); returns it.
   */
  seedInstallation(installation) {
    const wire = { credential: this.apiKey, ...toWire('seedInstallation', installation, SEED) };
    return this.admin('POST', '/__mock/installations', wire);
  }

  /**
   * The installation of `credential`'s client (default `apiKey`) in `companyId` (default:
   * the credential's company), or null.
   */
  installation(credential = this.apiKey, companyId = undefined) {
    expect('installation', 'credential', credential, 'string');
    const query = new URLSearchParams({ credential });
    if (companyId !== undefined) query.set('company_id', expect('installation', 'companyId', companyId, 'string'));
    const [found] = this.admin('GET', `/__mock/installations?${query}`);
    return found === undefined ? null : found.installation;
  }

  /** Forgets installations, faults, journal and OAuth state (credentials stay). */
  reset() {
    this.admin('POST', '/__mock/reset');
  }

  /** A new OAuth token family, as after the user authorised: `{ accessToken, refreshToken }`. */
  issueTokens(clientId = this.oauthClient.clientId) {
    expect('issueTokens', 'clientId', clientId, 'string');
    const issued = this.admin('POST', '/__mock/oauth/tokens', { client_id: clientId });
    return { accessToken: issued.access_token, refreshToken: issued.refresh_token };
  }

  /** Plays the user's browser on the consent page: `{ callback, code, state }`. */
  consent(authorizeUrl) {
    expect('consent', 'authorizeUrl', authorizeUrl, 'string');
    return this.admin('POST', '/__mock/oauth/consent', { authorize_url: authorizeUrl });
  }
  /** Moves the emulator's clock (token and code expiry) forward by `ms` milliseconds. */
  advanceClock(ms) {
    if (!(Number.isSafeInteger(ms) && ms >= 0)) {
      throw new TypeError(`advanceClock: ms must be a whole, non-negative number of milliseconds, got ${ms}`);
    }
    this.admin('POST', '/__mock/clock', { advance_ms: ms });
  }
  /** Expires every access token issued so far; returns how many were still live. */
  expireAccessTokens() {
    return this.admin('POST', '/__mock/expire-access-tokens').expired;
  }
  /** `{ tokenRequests, refreshes }` counted by the token endpoint. */
  oauthStats() {
    return camelKeys(this.admin('GET', '/__mock/oauth/stats'));
  }

  /** Stops it and cuts open connections; stopping twice does nothing. */
  async stop() {
    this.#native.stop();
  }
}

module.exports = { MockServer };
