'use strict';

const { Cart } = require('./cart');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// checkout charges a cart through a payment gateway that answers after a
// delay, retrying a declined charge once.
async function checkout(cart, gateway) {
  if (!(cart instanceof Cart) || cart.count() === 0) {
    throw new Error('nothing to check out');
  }
  const amount = cart.totalCents();
  let res = await gateway.charge(amount);
  if (res.status === 'declined') {
    await sleep(gateway.retryAfterMs || 0);
    res = await gateway.charge(amount);
  }
  return { amount, status: res.status, id: res.id };
}

// fakeGateway answers after latencyMs; the first `declines` charges are
// declined.
function fakeGateway(latencyMs, declines = 0, retryAfterMs = 0) {
  let calls = 0;
  return {
    retryAfterMs,
    get calls() {
      return calls;
    },
    async charge(amount) {
      calls += 1;
      await sleep(latencyMs);
      if (calls <= declines) return { status: 'declined' };
      return { status: 'paid', id: `ch_${calls}_${amount}` };
    },
  };
}

module.exports = { checkout, fakeGateway, sleep };
