'use strict';
// pleo-installations: a client for the Installations API of the Pleo App Marketplace.

const { Client } = require('./client');
const { PleoError, classes } = require('./errors');
const oauth = require('./oauth');
const { MockServer } = require('./testing');
const { version } = require('../package.json');

module.exports = {
  Client,
  PleoError,
  InvalidArgumentError: classes.invalid_argument,
  AuthenticationError: classes.authentication,
  PermissionDeniedError: classes.permission_denied,
  NotFoundError: classes.not_found,
  ConflictError: classes.conflict,
  BadRequestError: classes.bad_request,
  RateLimitError: classes.rate_limited,
  ServerError: classes.server,
  APITimeoutError: classes.timeout,
  APIConnectionError: classes.connection,
  /** The same class as `APITimeoutError` (its earlier name). */
  TimeoutError: classes.timeout,
  /** The same class as `APIConnectionError` (its earlier name). */
  ConnectionError: classes.connection,
  DecodeError: classes.decode,
  ReauthenticationRequiredError: classes.reauthentication_required,
  InternalError: classes.internal,
  oauth,
  authorizationUrl: oauth.authorizationUrl,
  exchangeCode: oauth.exchangeCode,
  codeChallenge: oauth.codeChallenge,
  newCodeVerifier: oauth.newCodeVerifier,
  MockServer,
  version,
};
