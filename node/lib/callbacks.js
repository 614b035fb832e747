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
  /** Release functions of taken locks, by the id the native side gave the lock. */
  const locks = new Map();
  /** Ids of locks whose `lock()` is still pending; those in `abandoned` are unlocked already. */
  const pending = new Set();
  const abandoned = new Set();

  const handlers = {
    async tokensRefreshed(json) {
      await onTokensRefreshed(tokensFromWire(JSON.parse(json)));
      return '';
    },
    async 'store.load'() {
      const tokens = await tokenStore.load();
      return tokens == null ? 'null' : jsonText('tokenStore.load()', tokensToWire('tokenStore.load()', tokens));
    },
    async 'store.lock'(json) {
      const { id, wait_ms: waitMs } = JSON.parse(json);
      pending.add(id);
      let release;
      let gaveUp;
      try {
        release = await tokenStore.lock(waitMs);
      } finally {
        pending.delete(id);
        gaveUp = abandoned.delete(id);
      }
      if (release == null || release === false) return 'null';
      if (typeof release !== 'function') {
        throw new TypeError('tokenStore.lock() must resolve to a release function, or null when the wait ran out');
      }
      // The call stopped waiting (its deadline passed) and unlocked: let go at once.
      if (gaveUp) {
        await release();
        return 'null';
      }
      locks.set(id, release);
      return 'locked';
    },
    async 'store.unlock'(id) {
      if (pending.has(id)) {
        abandoned.add(id);
        return '';
      }
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
