/**
 * Types of pleo-installations: a client for the Installations API of the Pleo App Marketplace.
 * Start with {@link Client}; the emulator for tests is in `pleo-installations/testing`.
 * @module pleo-installations
 */

/** The statuses the API documents; any other string the server sends is passed through. */
export type InstallationStatus =
  'ACTIVATED' | 'INACTIVE' | 'AUTHORIZED' | 'PENDING_INTEGRATION' | 'ERROR' | (string & {});

/** Why an installation was inactivated; unknown codes are passed through. */
export type InstallationErrorCode = 'NOT_ENTITLED' | 'AUTH_ERROR' | (string & {});

/**
 * Plain JSON data, as every value the SDK sends must be: plain objects, arrays without holes,
 * strings, finite numbers, booleans and null, all the way down; a BigInt is sent as its exact
 * digits. Anything else (a Map, a Date, a class instance, undefined, NaN…) is a TypeError
 * naming where it is, and nothing is sent.
 */
export type JsonValue = string | number | bigint | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An installation: the server's JSON exactly, with the API's own field names (a field the
 * server left out is absent, a null stays null, unknown fields pass through, and an integer
 * beyond ±(2^53 − 1) is a BigInt with every digit; so in every result).
 */
export interface Installation {
  id: string;
  applicationId: string;
  resource: string;
  status: InstallationStatus;
  /** Absent when the server leaves it out. */
  metadata?: Record<string, unknown>;
  errorCode?: InstallationErrorCode | null;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

/**
 * What `introspect()` resolves to: the API's JSON as it is, the envelope `{ data: { … } }`
 * (as in Rust and C), so read `(await client.introspect()).data.authMethod`.
 */
export interface Introspection {
  data: {
    authMethod: 'OAUTH2' | 'API_KEY' | 'NONE' | (string & {});
    clientId: string;
    scope: string;
    applicationName?: string | null;
    subjectURN?: string | null;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** An OAuth session's tokens. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, if known. */
  expiresAt: Date | null;
}

/** OAuth credentials refreshed as they expire. */
export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  accessToken: string;
  refreshToken: string;
  /** A Date or an RFC 3339 string; or give `expiresIn`. */
  expiresAt?: Date | string | null;
  /** Seconds from now. */
  expiresIn?: number;
  /** Defaults to the environment's, or `<baseUrl>/oauth/token`. */
  tokenUrl?: string;
}

/**
 * Where several processes share one installation's tokens (Redis, SQL…): before refreshing,
 * a client takes the lock, loads again, and uses tokens another process stored; new tokens
 * are written with a compare-and-swap on the old refresh token while the lock is held.
 */
export interface TokenStore {
  /** The stored tokens, or null. */
  load(): Promise<TokensInput | null> | TokensInput | null;
  /**
   * Takes the lock across processes, waiting at most `waitMs`; resolves to a function that
   * releases it, or null when the wait ran out (the call then fails with `APITimeoutError`).
   */
  lock(waitMs: number): Promise<(() => unknown) | null> | (() => unknown) | null;
  /** Stores `tokens` if the stored refresh token is still `expectedRefreshToken` (or nothing is stored). */
  compareAndSwap(expectedRefreshToken: string, tokens: OAuthTokens): Promise<boolean> | boolean;
}

/** Tokens as a store may return them. */
export interface TokensInput {
  accessToken: string;
  refreshToken: string;
  expiresAt?: Date | string | null;
}

/** Options of `new Client()`. Exactly one credential: `apiKey`, `accessToken` or `oauth`. */
export interface ClientOptions {
  /** Falls back to `PLEO_API_KEY` (then `PLEO_ACCESS_TOKEN`) when no credential is given. */
  apiKey?: string;
  accessToken?: string;
  oauth?: OAuthOptions;
  /** `production` (default) or `staging`; excludes `baseUrl`. */
  environment?: 'production' | 'staging';
  /** Any `https://` URL, or `http://` to a loopback host; falls back to `PLEO_BASE_URL`. */
  baseUrl?: string;
  /** One attempt's limit (default 30 000). */
  timeoutMs?: number;
  /** Connecting's limit (default 5 000). */
  connectTimeoutMs?: number;
  /** A whole call's limit across attempts and waits (default 90 000). */
  totalTimeoutMs?: number;
  /** Repeats of a failed attempt (default 2, at most 10). */
  maxRetries?: number;
  /** Your application's name and version, appended to the SDK's `User-Agent`. */
  userAgent?: string;
  /**
   * CA certificates to trust beside the system's, as PEM: the text, or the path of a file.
   * (`SSL_CERT_FILE` and `SSL_CERT_DIR` replace the system's; with no system store at all,
   * the Mozilla roots bundled with the SDK are used.)
   */
  caBundle?: string;
  /**
   * The proxy `https` requests go through (`http://user:pass@host:port`); by default
   * `HTTPS_PROXY` or `ALL_PROXY`. `NO_PROXY` is honoured either way; plain `http` requests
   * (loopback only) never use a proxy.
   */
  proxy?: string;
  /**
   * Called after each refresh, before the new token is used: persist both tokens (Pleo
   * rotates refresh tokens). A rejection fails the call (`InternalError` with it as `cause`),
   * a Promise still pending at the call's deadline fails it with `APITimeoutError`; either
   * way the tokens are handed over again on the next call. Only with `oauth`: otherwise
   * the constructor throws `InvalidArgumentError`.
   */
  onTokensRefreshed?: (tokens: OAuthTokens) => unknown;
  /**
   * Share the tokens with other processes. Its methods run under the call's deadline (a
   * Promise still pending then fails the call with `APITimeoutError`). Only with `oauth`:
   * otherwise the first call rejects with `InvalidArgumentError` (the store is read off the
   * JS thread).
   */
  tokenStore?: TokenStore;
  /**
   * Receives the client's events, one line each (`attempt …`, `retry …`, `give_up …`,
   * `refresh …`; never a secret), through the method of their level with the line as the
   * only argument: pino, winston and `console` fit. A method that throws or rejects loses
   * that line, and the client's first such failure emits a `PleoLogWarning`. Lines arrive
   * on the JS thread a moment after their event, possibly after the call's Promise settled.
   */
  logger?: Logger;
  /**
   * The events told, from `debug` (every attempt) through `info` (retries, token refreshes)
   * and `warn` (gave up, a refresh failed) to `error`; `off` tells nothing. Default: the
   * `PLEO_LOG` environment variable when it is set (any value but a level is `off`, with a
   * `PleoLogWarning`), else `info` with a `logger` and `off` without. With a level but no
   * `logger`, lines go to stderr as `pleo-installations <level> <line>`.
   */
  logLevel?: LogLevel;
}

/** The levels of the SDK's events, least severe first; `off` tells nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** What receives a client's events: a method per level, called with the line. */
export interface Logger {
  debug(line: string): unknown;
  info(line: string): unknown;
  warn(line: string): unknown;
  error(line: string): unknown;
}

/**
 * What every method takes: `signal` cancels the call, as it cancels a `fetch`: the Promise
 * rejects at once with the signal's reason (an `AbortError` `DOMException` unless another
 * reason was given) and the request is abandoned.
 */
export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * A client of Pleo's Installations API. Every method returns a Promise; calls run on the
 * SDK's own small runtime, not a thread each, and never block the JS thread.
 */
export declare class Client {
  constructor(options?: ClientOptions);
  /** The installation of the credential's company, or of `companyId`'s. */
  getInstallation(options?: { companyId?: string } & CallOptions): Promise<Installation>;
  /** Creates the installation (API-key integrations; OAuth ones get it from the flow). */
  /** `metadata` must be plain JSON data (see {@link JsonValue}). */
  createInstallation(
    options?: { status?: InstallationStatus; metadata?: Record<string, unknown> } & CallOptions,
  ): Promise<Installation>;
  /** Sets the status (and replaces metadata, sets or clears the error code); `metadata` as in `createInstallation`. */
  updateInstallation(
    options: {
      status: InstallationStatus;
      metadata?: Record<string, unknown>;
      errorCode?: InstallationErrorCode;
    } & CallOptions,
  ): Promise<Installation>;
  /** Deletes the installation, which also revokes every OAuth token of the client. */
  deleteInstallation(options?: CallOptions): Promise<void>;
  /** Activates an installation that is AUTHORIZED or PENDING_INTEGRATION. */
  activateInstallation(options?: CallOptions): Promise<Installation>;
  /** @deprecated The API deprecates this endpoint: use `activateInstallation()`. */
  completeInstallation(options?: CallOptions): Promise<Installation>;
  /** Which credential is in use: the API's envelope `{ data: { authMethod, … } }` as it is. */
  introspect(options?: CallOptions): Promise<Introspection>;
  /** Polls until the status is one of `statuses`; rejects with `APITimeoutError` (default 60 s). */
  waitForStatus(
    statuses: InstallationStatus | InstallationStatus[],
    options?: { timeoutMs?: number } & CallOptions,
  ): Promise<Installation>;
  /** Refreshes the OAuth tokens now. */
  refreshTokens(options?: CallOptions): Promise<void>;
  /**
   * Any operation by its OpenAPI operationId: the request as JSON text (sent as is) or as
   * plain JSON data (checked, see {@link JsonValue}); resolves with the result's JSON text
   * (`"null"` for 204).
   */
  callJson(operationId: string, request?: string | JsonValue, options?: CallOptions): Promise<string>;
}

/** The stable kinds of error, the same in every language of the SDK. */
export type ErrorCode =
  | 'invalid_argument'
  | 'authentication'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'bad_request'
  | 'rate_limited'
  | 'server'
  | 'timeout'
  | 'connection'
  | 'decode'
  | 'reauthentication_required'
  | 'internal'
  | 'cancelled';

/** Any failure of the SDK. */
export declare class PleoError extends Error {
  /** The kind of failure. */
  readonly code: ErrorCode;
  /** The HTTP status of the last response, if there was one. */
  readonly status: number | null;
  /** The server's request id, if it sent one. */
  readonly requestId: string | null;
  /** The server's response body (at most 4 KiB). */
  readonly body: string | null;
  /** HTTP attempts made (0 when refused before sending). */
  readonly attempts: number;
  /** Whether the retry policy treats this failure as transient. */
  readonly retryable: boolean;
  /** The server's `Retry-After`, in seconds. */
  readonly retryAfter: number | null;
}
/** Bad configuration or request, caught before sending. */
export declare class InvalidArgumentError extends PleoError {}
/** 401. */
export declare class AuthenticationError extends PleoError {}
/** 403. */
export declare class PermissionDeniedError extends PleoError {}
/** 404. */
export declare class NotFoundError extends PleoError {}
/** 409. */
export declare class ConflictError extends PleoError {}
/** 400, 422 and other 4xx. */
export declare class BadRequestError extends PleoError {}
/** 429 after retries. */
export declare class RateLimitError extends PleoError {}
/** 5xx after retries. */
export declare class ServerError extends PleoError {}
/** A connect or read timeout, or the call's deadline. */
export declare class APITimeoutError extends PleoError {}
/** Could not connect, reset, TLS failure. */
export declare class APIConnectionError extends PleoError {}
/** The same classes under their earlier names: `TimeoutError` is `APITimeoutError`, `ConnectionError` is `APIConnectionError`. */
export { APITimeoutError as TimeoutError, APIConnectionError as ConnectionError };
/** A 2xx whose body is not the documented JSON. */
export declare class DecodeError extends PleoError {}
/** The refresh token was rejected: send the user through the OAuth flow again. */
export declare class ReauthenticationRequiredError extends PleoError {}
/** A bug in the SDK, or a failed `onTokensRefreshed` / token store (see `cause`). */
export declare class InternalError extends PleoError {}

/** Where the OAuth endpoints are: at most one of these; production's when none. */
export interface OAuthEndpointOptions {
  environment?: 'production' | 'staging';
  /** The API's base URL (the emulator's `url`): endpoints under `<baseUrl>/oauth/`. */
  baseUrl?: string;
}

/** The URL to send the user to, with a fresh PKCE verifier and state: keep both for the callback. */
export declare function authorizationUrl(
  options: {
    clientId: string;
    redirectUri: string;
    scopes?: string[];
    state?: string;
    authorizeUrl?: string;
  } & OAuthEndpointOptions,
): Promise<{ url: string; codeVerifier: string; state: string }>;
/** Trades the callback's code for tokens (server side: it sends the client secret). */
export declare function exchangeCode(
  options: {
    clientId: string;
    clientSecret: string;
    code: string;
    codeVerifier: string;
    redirectUri: string;
    tokenUrl?: string;
  } & OAuthEndpointOptions,
): Promise<OAuthTokens>;
/** The S256 challenge of a verifier. */
export declare function codeChallenge(codeVerifier: string): Promise<string>;
/** A fresh random PKCE verifier. */
export declare function newCodeVerifier(): Promise<string>;
/** The OAuth helpers, also exported one by one. */
export declare const oauth: {
  authorizationUrl: typeof authorizationUrl;
  exchangeCode: typeof exchangeCode;
  codeChallenge: typeof codeChallenge;
  newCodeVerifier: typeof newCodeVerifier;
};

export { MockServer, Fault, RecordedRequest, SeedInstallation } from './testing';

/** The library's version. */
export declare const version: string;
