// ESM entry point: the CommonJS module re-exported (one instance of every class).
import sdk from './index.js';

export const {
  Client,
  PleoError,
  InvalidArgumentError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  BadRequestError,
  RateLimitError,
  ServerError,
  APITimeoutError,
  APIConnectionError,
  TimeoutError,
  ConnectionError,
  DecodeError,
  ReauthenticationRequiredError,
  InternalError,
  oauth,
  authorizationUrl,
  exchangeCode,
  codeChallenge,
  newCodeVerifier,
  MockServer,
  version,
} = sdk;
export default sdk;
