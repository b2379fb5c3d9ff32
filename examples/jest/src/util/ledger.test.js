'use strict';

const { Ledger } = require('./ledger');

describe('ledger', () => {
  test('deposits add up', () => {
    const l = new Ledger();
    l.deposit('alice', 500);
    l.deposit('alice', 250);
    expect(l.balance('alice')).toBe(750);
  });

  test('refuses an overdraft', () => {
    const l = new Ledger();
    l.deposit('bob', 100);
    expect(() => l.withdraw('bob', 101)).toThrow('insufficient funds in bob');
  });

  test('transfers move money', () => {
    const l = new Ledger();
    l.deposit('alice', 1000);
    l.transfer('alice', 'bob', 400);
    expect([l.balance('alice'), l.balance('bob')]).toEqual([600, 400]);
  });

  // Passes normally; fails only with XSHARD_DEMO_FAIL=1, so the tests of
  // the Jest workflow can check that one failing test fails the report.
  test('refunds restore the balance', () => {
    const l = new Ledger();
    l.deposit('alice', 10000);
    l.withdraw('alice', 1);
    l.deposit('alice', 1);
    const want = process.env.XSHARD_DEMO_FAIL === '1' ? 9999 : 10000;
    expect(l.balance('alice')).toBe(want);
  });
});
