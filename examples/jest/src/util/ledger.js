'use strict';

// A ledger of account balances in cents.
class Ledger {
  constructor() {
    this.balances = new Map();
  }

  balance(account) {
    return this.balances.get(account) || 0;
  }

  deposit(account, cents) {
    if (!(cents > 0)) throw new RangeError('deposit must be positive');
    this.balances.set(account, this.balance(account) + cents);
  }

  withdraw(account, cents) {
    if (cents > this.balance(account)) throw new Error(`insufficient funds in ${account}`);
    this.balances.set(account, this.balance(account) - cents);
  }

  transfer(from, to, cents) {
    this.withdraw(from, cents);
    this.deposit(to, cents);
  }
}

module.exports = { Ledger };
