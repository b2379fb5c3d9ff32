from decimal import Decimal

import pytest

from demo.pricing import PricingError, apply_coupon, quote, split_bill, tier_discount, to_money


@pytest.mark.parametrize(
    "tier, expected",
    [("bronze", "0"), ("silver", "0.05"), ("gold", "0.10"), ("Platinum", "0.15")],
)
def test_tier_discount(tier, expected):
    assert tier_discount(tier) == Decimal(expected)


def test_unknown_tier():
    with pytest.raises(PricingError, match="unknown tier"):
        tier_discount("diamond")


@pytest.mark.parametrize(
    "price, qty, tier, coupon, expected",
    [
        (10, 1, "bronze", None, "12.00"),
        (10, 3, "gold", None, "32.40"),
        (10, 100, "bronze", None, "1140.00"),
        (19.99, 2, "silver", "10%", "41.02"),
        (5, 1, "bronze", "7.50", "0.00"),
    ],
    ids=["plain", "gold tier", "bulk", "silver+percent", "coupon exceeds price"],
)
def test_quote(price, qty, tier, coupon, expected):
    assert quote(price, qty, tier, coupon) == Decimal(expected)


def test_quote_bankers_rounding():
    # 0.125 rounds to 0.12 with banker's rounding, 0.13 with half-up.
    assert quote("0.125", tax_rate="0") == Decimal("0.13")
    assert quote("0.125", tax_rate="0", bankers=True) == Decimal("0.12")


@pytest.mark.parametrize("coupon", ["0%", "150%", "-1", "0"])
def test_bad_coupons(coupon):
    with pytest.raises(PricingError):
        apply_coupon(Decimal(10), coupon)


@pytest.mark.parametrize("price, qty", [(-1, 1), (1, 0)])
def test_quote_rejects(price, qty):
    with pytest.raises(PricingError):
        quote(price, qty)


class TestSplitBill:
    def test_even(self):
        assert split_bill(Decimal("30"), 3) == [Decimal("10")] * 3

    def test_uneven_cents_go_first(self):
        shares = split_bill(Decimal("10"), 3)
        assert shares == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
        assert sum(shares) == Decimal("10")

    def test_nobody(self):
        with pytest.raises(PricingError):
            split_bill(Decimal("1"), 0)

    def test_to_money(self):
        assert to_money("2.675") == Decimal("2.68")
