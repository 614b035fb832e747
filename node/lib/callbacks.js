'use strict';
// The JavaScript side of the core's callbacks: `onTokensRefreshed` and a token store,
// answered through one async `host(name, json)` function the native client calls.

const { jsonText, tokensFromWire, tokensToWire } = require('./options');

/**
 * Builds the host function of one client. A callback's failure is remembered in
 * `failures` and reaches the core as a marked message, so the failed call can carry the
 * original error as `cause`.
 */
function makeHost({ onTokensRefreshed, tokenStore }, failures) {
  const locks = new Map();
  let nextLock = 1;

  const handlers = {
    async tokensRefreshed(json) {
      await onTokensRefreshed(tokensFromWire(JSON.parse(json)));
      return '';
    },
    async 'store.load'() {
      const tokens = await tokenStore.load();
      return tokens == null ? 'null' : jsonText('tokenStore.load()', tokensToWire('tokenStore.load()', tokens));
    },
    async 'store.lock'(waitMs) {
      const release = await tokenStore.lock(Number(waitMs));
      if (release == null || release === false) return 'null';
      if (typeof release !== 'function') {
        throw new TypeError('tokenStore.lock() must resolve to a release function, or null when the wait ran out');
      }
      const id = String(nextLock++);
      locks.set(id, release);
      return id;
    },
    async 'store.unlock'(id) {
      const release = locks.get(id);
      locks.delete(id);
      if (release) await release();
      return '';
    },
    async 'store.compareAndSwap'(json) {
      const { expected, tokens } = JSON.parse(json);
      const swapped = await tokenStore.compareAndSwap(expected, tokensFromWire(tokens));
      if (typeof swapped !== 'boolean') throw new TypeError('tokenStore.compareAndSwap() must resolve to a boolean');
      return JSON.stringify(swapped);
    },
  };

  return async (name, json) => {
    try {
      return await handlers[name](json);
    } catch (error) {
      throw new Error(failures.remember(error));
    }
  };
}

module.exports = { makeHost };
