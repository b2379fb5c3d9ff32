"""The slow file: what makes timing-based splitting matter.

Durations are fixed sleeps standing in for I/O, so they are stable from run
to run (~3.5 s in total).
"""

import time

import pytest

from demo.pricing import quote

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warm_cache():
    """Module-scoped: paid once by whichever test of this file runs first."""
    time.sleep(0.3)
    return {sku: quote(price) for sku, price in {"A": 1, "B": 2}.items()}


def test_sync_full_catalogue(warm_cache):
    time.sleep(1.0)
    assert set(warm_cache) == {"A", "B"}


def test_nightly_report(warm_cache):
    time.sleep(0.8)
    assert warm_cache["B"] == 2 * warm_cache["A"]


@pytest.mark.parametrize("region", ["eu", "us"])
def test_region_export(region):
    time.sleep(0.5)
    assert region in {"eu", "us"}


class TestBackups:
    def test_backup(self):
        time.sleep(0.3)

    def test_restore(self):
        time.sleep(0.2)


def test_allocation_heavy():
    # Allocates ~20 MiB briefly: the largest peak_kib in the suite.
    blocks = [bytes(1024) for _ in range(20_000)]
    time.sleep(0.2)
    assert len(blocks) == 20_000
