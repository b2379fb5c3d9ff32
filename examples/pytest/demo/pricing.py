"""Prices in Decimal: tiered discounts, coupons and tax."""

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

TIERS = {
    "bronze": Decimal("0"),
    "silver": Decimal("0.05"),
    "gold": Decimal("0.10"),
    "platinum": Decimal("0.15"),
}


class PricingError(ValueError):
    """Raised for invalid prices, tiers or coupons."""


def to_money(value, rounding=ROUND_HALF_UP):
    """Round value to cents."""
    return Decimal(value).quantize(CENT, rounding=rounding)


def tier_discount(tier):
    try:
        return TIERS[tier.lower()]
    except KeyError:
        raise PricingError(f"unknown tier {tier!r}") from None


def apply_coupon(price, coupon):
    """Apply a coupon: "10%" takes a percentage off, "5.00" an amount off."""
    if not coupon:
        return price
    if coupon.endswith("%"):
        pct = Decimal(coupon[:-1])
        if not 0 < pct <= 100:
            raise PricingError(f"bad percentage {coupon!r}")
        return price * (1 - pct / 100)
    amount = Decimal(coupon)
    if amount <= 0:
        raise PricingError(f"bad amount {coupon!r}")
    return max(price - amount, Decimal(0))


def quote(price, qty=1, tier="bronze", coupon=None, tax_rate="0.20", bankers=False):
    """Return the total for qty items, after discounts, coupon and tax."""
    price = Decimal(str(price))
    if price < 0:
        raise PricingError("negative price")
    if qty < 1:
        raise PricingError("quantity must be at least 1")
    subtotal = price * qty
    if qty >= 100:
        subtotal *= Decimal("0.95")  # bulk discount
    subtotal *= 1 - tier_discount(tier)
    subtotal = apply_coupon(subtotal, coupon)
    total = subtotal * (1 + Decimal(tax_rate))
    return to_money(total, ROUND_HALF_EVEN if bankers else ROUND_HALF_UP)


def split_bill(total, people):
    """Split total into people shares that add up exactly (extra cents first)."""
    if people < 1:
        raise PricingError("need at least one person")
    cents = int(to_money(total) * 100)
    base, extra = divmod(cents, people)
    return [Decimal(base + (1 if i < extra else 0)) / 100 for i in range(people)]
