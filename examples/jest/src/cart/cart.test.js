'use strict';

const { Cart } = require('./cart');

describe('cart', () => {
  test('starts empty', () => {
    const c = new Cart();
    expect(c.count()).toBe(0);
    expect(c.totalCents()).toBe(0);
  });

  test('adds up lines of the same SKU', () => {
    const c = new Cart().add('A', 250, 2).add('A', 250);
    expect(c.count()).toBe(3);
    expect(c.totalCents()).toBe(750);
  });

  test('removes part of a line', () => {
    const c = new Cart().add('A', 100, 5).remove('A', 2);
    expect(c.count()).toBe(3);
  });

  test('removing a whole line drops it', () => {
    const c = new Cart().add('A', 100, 1).add('B', 50, 1).remove('A');
    expect([...c.lines.keys()]).toEqual(['B']);
  });

  test('removing an unknown SKU changes nothing', () => {
    const c = new Cart().add('A', 100, 1).remove('Z');
    expect(c.count()).toBe(1);
  });

  test.each([0, -1, 1.5, NaN])('refuses quantity %p', (qty) => {
    expect(() => new Cart().add('A', 100, qty)).toThrow(RangeError);
  });
});
