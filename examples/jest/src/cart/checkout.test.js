'use strict';

// The slow file (~1.8 s): every checkout waits for the fake gateway.
const { Cart } = require('./cart');
const { checkout, fakeGateway } = require('./checkout');

describe('checkout', () => {
  test('charges the cart total', async () => {
    const gw = fakeGateway(400);
    const res = await checkout(new Cart().add('A', 250, 2), gw);
    expect(res).toEqual({ amount: 500, status: 'paid', id: 'ch_1_500' });
  });

  test('retries a declined charge once', async () => {
    const gw = fakeGateway(300, 1, 200);
    const res = await checkout(new Cart().add('B', 100), gw);
    expect(res.status).toBe('paid');
    expect(gw.calls).toBe(2);
  });

  test('gives up after the retry', async () => {
    const gw = fakeGateway(300, 2, 100);
    const res = await checkout(new Cart().add('B', 100), gw);
    expect(res.status).toBe('declined');
  });

  test('refuses an empty cart', async () => {
    await expect(checkout(new Cart(), fakeGateway(0))).rejects.toThrow('nothing to check out');
  });
});
