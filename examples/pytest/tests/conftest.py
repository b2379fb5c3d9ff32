"""Fixtures shared by the demo tests."""

import time

import pytest

from demo.inventory import Inventory


@pytest.fixture(scope="session")
def catalogue():
    """Session-scoped: built once per worker (imagine loading a database
    dump). Tests must treat it as read-only."""
    time.sleep(0.2)
    return {
        "A-100": ("widget", 2.50, {"small", "metal"}),
        "B-200": ("gadget", 12.00, {"large"}),
        "C-300": ("gizmo", 7.25, {"small"}),
        "D-400": ("doohickey", 0.99, {"small", "plastic"}),
    }


@pytest.fixture
def inventory(catalogue):
    """A fresh inventory stocked from the catalogue for every test."""
    inv = Inventory()
    for i, (sku, (name, _price, tags)) in enumerate(sorted(catalogue.items())):
        inv.add(sku, name, qty=10 * (i + 1), tags=tags)
    return inv


@pytest.fixture
def prices(catalogue):
    return {sku: price for sku, (_name, price, _tags) in catalogue.items()}
