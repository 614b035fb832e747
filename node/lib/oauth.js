'use strict';
// The OAuth code flow with PKCE: build the authorisation URL, trade the code for tokens.

const native = require('../native');
const { fromNative } = require('./errors');
const { toWire, expect, jsonText, tokensFromWire } = require('./options');

async function call(name, request) {
  try {
    return JSON.parse(await native.oauthCall(name, jsonText(name, request)));
  } catch (error) {
    throw fromNative(error);
  }
}

const WHERE = {
  environment: ['environment', 'string'],
  baseUrl: ['base_url', 'string'],
};

/** The URL to send the user to, with a fresh PKCE verifier and state: keep both for the callback. */
async function authorizationUrl(options) {
  const request = toWire('authorizationUrl options', options, {
    clientId: ['client_id', 'string'],
    redirectUri: ['redirect_uri', 'string'],
    scopes: ['scopes', 'strings'],
    state: ['state', 'string'],
    authorizeUrl: ['authorize_url', 'string'],
    ...WHERE,
  });
  const { url, code_verifier: codeVerifier, state } = await call('authorizationUrl', request);
  return { url, codeVerifier, state };
}

/** Trades the callback's code for tokens (server side: it sends the client secret). */
async function exchangeCode(options) {
  const request = toWire('exchangeCode options', options, {
    clientId: ['client_id', 'string'],
    clientSecret: ['client_secret', 'string'],
    code: ['code', 'string'],
    codeVerifier: ['code_verifier', 'string'],
    redirectUri: ['redirect_uri', 'string'],
    tokenUrl: ['token_url', 'string'],
    ...WHERE,
  });
  return tokensFromWire(await call('exchangeCode', request));
}

/** The S256 challenge of a verifier: base64url(sha256(verifier)). */
async function codeChallenge(codeVerifier) {
  expect('codeChallenge', 'codeVerifier', codeVerifier, 'string');
  return (await call('codeChallenge', { code_verifier: codeVerifier })).code_challenge;
}

/** A fresh random PKCE verifier. */
async function newCodeVerifier() {
  return (await call('newCodeVerifier', {})).code_verifier;
}

module.exports = { authorizationUrl, exchangeCode, codeChallenge, newCodeVerifier };
