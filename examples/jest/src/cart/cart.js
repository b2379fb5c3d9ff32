'use strict';

// A shopping cart: lines of SKU, unit price in cents and quantity.
class Cart {
  constructor() {
    this.lines = new Map();
  }

  add(sku, priceCents, qty = 1) {
    if (!Number.isInteger(qty) || qty <= 0) {
      throw new RangeError(`quantity must be a positive integer, got ${qty}`);
    }
    const line = this.lines.get(sku) || { priceCents, qty: 0 };
    line.qty += qty;
    this.lines.set(sku, line);
    return this;
  }

  remove(sku, qty = Infinity) {
    const line = this.lines.get(sku);
    if (!line) return this;
    line.qty -= Math.min(qty, line.qty);
    if (line.qty === 0) this.lines.delete(sku);
    return this;
  }

  count() {
    let n = 0;
    for (const { qty } of this.lines.values()) n += qty;
    return n;
  }

  totalCents() {
    let total = 0;
    for (const { priceCents, qty } of this.lines.values()) total += priceCents * qty;
    return total;
  }
}

module.exports = { Cart };
