/**
 * Types of pleo-installations/testing: the emulator in-process ({@link MockServer}).
 * @module pleo-installations/testing
 */

/** A fault for the next matching request(s). */
export interface Fault {
  /** Only requests of this operationId (or `oauthAuthorize`, `oauthToken`). */
  operation?: string;
  /** Answer with this status (200–599). */
  status?: number;
  /** A `Retry-After` value (seconds or an HTTP date); needs `status`. */
  retryAfter?: string;
  /** The body to answer with; needs `status` or `malformed`. */
  body?: string;
  /** Wait this long first (alone, or with another effect). */
  delayMs?: number;
  /** Close the connection without answering. */
  drop?: boolean;
  /** Answer 200 with a body that is not the documented JSON. */
  malformed?: boolean;
  /** For this many requests (default 1). */
  times?: number;
}

/** One request the emulator received. */
export interface RecordedRequest {
  method: string;
  /** With its query string. */
  path: string;
  operation: string | null;
  /** In the order received, names in lower case, credentials included. */
  headers: [string, string][];
  /** As kept: only its start when `bodyTruncated`. */
  body: string;
  /** Whether `body` was cut to the journal's bound per body. */
  bodyTruncated: boolean;
  /** The whole body's size in bytes (null when it was refused for its size). */
  bodySize: number | null;
  requestId: string;
  /** The client's address; requests over one keep-alive connection share it. */
  peer: string;
}

/** What the journal holds, its bounds, and what it dropped or cut since the last clear. */
export interface JournalStats {
  entries: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
  maxBodyBytes: number;
  /** Entries dropped to stay within the bounds. */
  dropped: number;
  /** Entries kept with their body cut. */
  truncated: number;
}

/** An installation to put in place. */
export interface SeedInstallation {
  status: string;
  /** The API key or token whose client owns it (default: `apiKey`). */
  credential?: string;
  /** Another company of the same client (reachable with `getInstallation({ companyId })`). */
  companyId?: string;
  metadata?: Record<string, unknown>;
  errorCode?: string;
}

/**
 * The emulator of the Installations API and its OAuth server on 127.0.0.1: installations
 * with Pleo's lifecycle, API-key, bearer and OAuth authentication, faults and a journal.
 * Every method goes through {@link MockServer.admin}; Python's `pleo_installations.testing`
 * has the same methods (with durations in seconds, as the Python SDK has).
 */
export declare class MockServer {
  private constructor();
  /** Starts one on a free port. */
  static start(): Promise<MockServer>;
  /** Its base URL, without a trailing slash. */
  readonly url: string;
  /** An API key it accepts. */
  readonly apiKey: string;
  /** A static bearer token it accepts. */
  readonly accessToken: string;
  /** Its OAuth authorisation endpoint. */
  readonly authorizeUrl: string;
  /** Its OAuth token endpoint. */
  readonly tokenUrl: string;
  /** The default OAuth client. */
  readonly oauthClient: { clientId: string; clientSecret: string; redirectUri: string; scope: string };
  /**
   * The admin API without HTTP (routes in the emulator's README, "Admin HTTP API"): the
   * answer's JSON; throws with the API's message when it refuses.
   */
  admin(method: string, path: string, body?: unknown): any;
  /** Queues one fault. */
  pushFault(fault: Fault): void;
  /** Queues several faults, in order: all of them or none. */
  pushFaults(faults: Fault[]): void;
  clearFaults(): void;
  /** How many faults are still queued. */
  pendingFaults(): number;
  /** The requests received, in order. */
  journal(): RecordedRequest[];
  /** How much the journal holds and has dropped or cut. */
  journalStats(): JournalStats;
  clearJournal(): void;
  /** Puts an installation in place and returns it. */
  seedInstallation(installation: SeedInstallation): Record<string, unknown>;
  /** The installation of `credential`'s client (default `apiKey`) in `companyId` (default: its own), or null. */
  installation(credential?: string, companyId?: string): Record<string, unknown> | null;
  /** Forgets installations, faults, journal and OAuth state. */
  reset(): void;
  /** A new OAuth token family of a client (default: the default client). */
  issueTokens(clientId?: string): { accessToken: string; refreshToken: string };
  /** Plays the user's browser on the consent page. */
  consent(authorizeUrl: string): { callback: string; code: string; state: string | null };
  /** Moves the emulator's clock forward by `ms` milliseconds. */
  advanceClock(ms: number): void;
  /** Expires every access token issued so far; returns how many were still live. */
  expireAccessTokens(): number;
  /** What the token endpoint counted. */
  oauthStats(): { tokenRequests: number; refreshes: number };
  /** Stops it; stopping twice does nothing. */
  stop(): Promise<void>;
}
