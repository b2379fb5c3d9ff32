"""Order flow across inventory and pricing; includes the demo's deliberately
failing test."""

import os
from decimal import Decimal

import pytest

from demo.pricing import quote


def place_order(inventory, prices, sku, qty, tier="bronze"):
    inventory.reserve(sku, qty)
    return quote(prices[sku], qty, tier)


def test_place_order(inventory, prices):
    total = place_order(inventory, prices, "A-100", 4)
    assert total == Decimal("12.00")
    assert inventory.get("A-100").reserved == 4


def test_refund_restores_stock(inventory, prices):
    """Passes normally; fails only when XSHARD_DEMO_FAIL=1 so the end-to-end
    tests can check a failure in one shard fails the merged report."""
    place_order(inventory, prices, "C-300", 5)
    inventory.release("C-300", 5)
    expected = 30
    if os.environ.get("XSHARD_DEMO_FAIL") == "1":
        expected = 29  # deliberately wrong expectation
    available = inventory.get("C-300").available
    assert available == expected, f"C-300 available after refund: {available}, want {expected}"


@pytest.mark.parametrize("tier", ["bronze", "silver", "gold", "platinum"])
def test_order_total_by_tier(inventory, prices, tier):
    total = place_order(inventory, prices, "B-200", 2, tier)
    assert Decimal("0") < total <= Decimal("28.80")


@pytest.mark.parametrize("note", ["gift wrap", "leave at door", "ünïcödé ✓"])
def test_order_notes(note):
    # Parameter ids with spaces and non-ASCII characters end up in node ids.
    assert note.strip() == note
