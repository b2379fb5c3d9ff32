'use strict';

// A middling file (~0.9 s of real backoff).
const { retry } = require('./retry');

describe('retry', () => {
  test('returns the first success', async () => {
    await expect(retry(async () => 'ok')).resolves.toBe('ok');
  });

  test('retries until it succeeds', async () => {
    const res = await retry(async (i) => {
      if (i < 2) throw new Error(`attempt ${i}`);
      return i;
    }, { attempts: 3, backoffMs: 100 });
    expect(res).toBe(2);
  });

  test('gives up with the last error', async () => {
    await expect(retry(async (i) => {
      throw new Error(`attempt ${i}`);
    }, { attempts: 3, backoffMs: 200 })).rejects.toThrow('attempt 2');
  });
});
