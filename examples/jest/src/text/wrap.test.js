'use strict';

// A middling file (~0.5 s): one test wraps a large generated text.
const { wrap } = require('./wrap');

describe('wrap', () => {
  test('keeps short text on one line', () => {
    expect(wrap('a b c', 10)).toEqual(['a b c']);
  });

  test('breaks at spaces', () => {
    expect(wrap('the quick brown fox', 9)).toEqual(['the quick', 'brown fox']);
  });

  test('gives a long word its own line', () => {
    expect(wrap('a supercalifragilistic b', 5)).toEqual(['a', 'supercalifragilistic', 'b']);
  });

  test('refuses a width of zero', () => {
    expect(() => wrap('a', 0)).toThrow(RangeError);
  });

  test('wraps a large text within the width', async () => {
    const words = [];
    for (let i = 0; i < 200000; i++) words.push('w'.repeat((i * 7) % 13 + 1));
    const lines = wrap(words.join(' '), 72);
    expect(lines.every((l) => l.length <= 72)).toBe(true);
    expect(lines.join(' ').split(' ')).toHaveLength(words.length);
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
});
