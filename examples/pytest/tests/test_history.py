"""Tests that stand for a suite's tests over many CI runs.

The end-to-end test of xshard's run history (internal/e2e) sets
XSHARD_DEMO_RUN to the run's number (1, 2, ...) and XSHARD_DEMO_COUNTER to
a file that counts executions. Without them all three pass, so that
make demo and the other oracles stay green.
"""

import os


def _run():
    return int(os.environ.get("XSHARD_DEMO_RUN") or 0)


def test_history_intermittent():
    """Fails on every second execution: the counter file holds how many
    times it ran before."""
    path = os.environ.get("XSHARD_DEMO_COUNTER")
    if not path:
        return
    try:
        with open(path, encoding="utf-8") as f:
            n = int(f.read().strip() or 0)
    except FileNotFoundError:
        n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{n + 1}\n")
    assert n % 2 == 0, f"intermittent failure (execution {n})"


def test_history_broken_from_run_3():
    assert _run() < 3, f"broken since run 3 (this is run {_run()})"


def test_history_fixed_at_run_4():
    r = _run()
    assert not 0 < r < 4, f"not fixed before run 4 (this is run {r})"
