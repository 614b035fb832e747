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
  body: string;
  requestId: string;
  peer: string;
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
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  /** The default OAuth client. */
  readonly oauthClient: { clientId: string; clientSecret: string; redirectUri: string };
  /** Queues one fault or several (all or nothing); used in order. */
  pushFault(fault: Fault | Fault[]): void;
  clearFaults(): void;
  pendingFaults(): number;
  /** The requests received, in order. */
  journal(): RecordedRequest[];
  clearJournal(): void;
  /** Puts an installation in place and returns it. */
  seedInstallation(installation: SeedInstallation): Record<string, unknown>;
  /** The installation of `credential`'s client (default `apiKey`), or null. */
  installation(credential?: string): Record<string, unknown> | null;
  /** Forgets installations, faults, journal and OAuth state. */
  reset(): void;
  /** A new OAuth token family of a client (default: the default client). */
  issueTokens(clientId?: string): { accessToken: string; refreshToken: string };
  /** Plays the user's browser on the consent page. */
  consent(authorizeUrl: string): { callback: string; code: string; state: string | null };
  /** Moves the emulator's clock forward. */
  advanceClock(ms: number): void;
  /** Expires every access token issued so far. */
  expireAccessTokens(): void;
  oauthStats(): { tokenRequests: number; refreshes: number };
  /** Stops it; stopping twice does nothing. */
  stop(): Promise<void>;
}
