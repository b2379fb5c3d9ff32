'use strict';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// retry calls fn until it resolves, at most attempts times, waiting
// backoffMs, then twice that, and so on, between attempts.
async function retry(fn, { attempts = 3, backoffMs = 10 } = {}) {
  let lastErr;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn(i);
    } catch (err) {
      lastErr = err;
      if (i + 1 < attempts) await sleep(backoffMs * 2 ** i);
    }
  }
  throw lastErr;
}

module.exports = { retry };
