'use strict';
// Errors: one class per kind of the core's error JSON, all deriving from PleoError.

/** Any failure of the SDK; `code` is the kind, the same string in every language. */
class PleoError extends Error {
  constructor(message, details = {}, options) {
    super(message, options);
    this.name = new.target.name;
    this.code = details.kind ?? 'internal';
    this.status = details.status ?? null;
    this.requestId = details.request_id ?? null;
    this.body = details.body ?? null;
    this.attempts = details.attempts ?? 0;
    this.retryable = details.retryable ?? false;
    this.retryAfter = details.retry_after ?? null;
  }
}

const KINDS = {
  invalid_argument: 'InvalidArgumentError',
  authentication: 'AuthenticationError',
  permission_denied: 'PermissionDeniedError',
  not_found: 'NotFoundError',
  conflict: 'ConflictError',
  bad_request: 'BadRequestError',
  rate_limited: 'RateLimitError',
  server: 'ServerError',
  timeout: 'APITimeoutError',
  connection: 'APIConnectionError',
  decode: 'DecodeError',
  reauthentication_required: 'ReauthenticationRequiredError',
  internal: 'InternalError',
};

/** The class of each kind, by kind. */
const classes = {};
for (const [kind, name] of Object.entries(KINDS)) {
  // A named class per kind, so that `instanceof NotFoundError` and stack traces read well.
  classes[kind] = { [name]: class extends PleoError {} }[name];
}

/** An `invalid_argument` error raised by this layer before calling the core. */
function invalidArgument(message) {
  return new classes.invalid_argument(message, { kind: 'invalid_argument' });
}

/**
 * The mark of a JavaScript callback's failure: all the core learns of it (the error's own
 * text may hold a secret), and what it hands back, as `js_callback` of the error JSON.
 */
const CAUSE_MARK = /\[js-callback-error (\d+)\]/;
const CAUSE_MARKS = new RegExp(CAUSE_MARK.source, 'g');

/**
 * Failures of JavaScript callbacks (hook, token store), kept until the call they failed
 * surfaces them as `cause`. Bounded: a failure nobody reports is forgotten eventually.
 */
class CallbackFailures {
  #next = 1;
  #failures = new Map();

  /** Remembers `error` and returns its mark, the only text handed to the core. */
  remember(error) {
    const id = this.#next++;
    this.#failures.set(id, error);
    if (this.#failures.size > 64) this.#failures.delete(this.#failures.keys().next().value);
    return `[js-callback-error ${id}]`;
  }

  /** The remembered error a mark names (forgotten then), or `undefined`. */
  take(mark) {
    const match = CAUSE_MARK.exec(mark ?? '');
    if (!match) return undefined;
    const id = Number(match[1]);
    const cause = this.#failures.get(id);
    this.#failures.delete(id);
    return cause;
  }
}

/** Turns a rejection of the native layer (its message is the core's error JSON) into a PleoError. */
function fromNative(error, failures) {
  let details;
  try {
    details = JSON.parse(error.message);
  } catch {
    return new classes.internal(`unexpected native failure: ${error.message}`, { kind: 'internal' });
  }
  const Class = classes[details.kind] ?? classes.internal;
  const cause = failures?.take(details.js_callback);
  // The core may copy the mark into its message: it says where to look instead.
  const message = String(details.message).replace(CAUSE_MARKS, 'a JavaScript callback failed (see cause)');
  return new Class(message, details, cause === undefined ? undefined : { cause });
}

module.exports = { PleoError, classes, KINDS, invalidArgument, fromNative, CallbackFailures };
