"""A tiny xshard plugin: per-test timings and peak memory, written per worker.

It works the way pytest-xdist plugin authors use ``workeroutput``: every
worker records its own data and hands it on at the end, keyed so that the
outputs of many workers merge without conflict. xshard's "workers" are CI
matrix jobs, so each writes a file that ``merge`` combines:

    $XSHARD_OUTPUT_DIR/<worker>.xshard.json
    {"tests": {"<nodeid>": {"seconds": 0.01, "peak_kib": 12, "worker": "gw0"}}}

* worker: $XSHARD_WORKER, else $PYTEST_XDIST_WORKER, else "gw0".
* seconds: setup + call + teardown, summed from the test reports.
* peak_kib: peak Python heap allocated while the test ran (tracemalloc),
  in KiB, measured above what was already allocated when it started.

Under pytest-xdist itself (``-n``) each xdist worker also puts its data in
``config.workeroutput`` and the controller merges it in
``pytest_testnodedown`` and writes one file. Only the standard library and
pytest are used.
"""

import json
import os
import tempfile
import tracemalloc

import pytest

_RECORDS_KEY = "xshard_tests"


def _worker_name():
    return os.environ.get("XSHARD_WORKER") or os.environ.get("PYTEST_XDIST_WORKER") or "gw0"


class XshardRecorder:
    def __init__(self, config):
        self.config = config
        self.worker = _worker_name()
        self.tests = {}
        self._started_tracing = False

    # -- measuring ---------------------------------------------------------

    def pytest_sessionstart(self, session):
        if not tracemalloc.is_tracing():
            tracemalloc.start()
            self._started_tracing = True

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        yield
        peak = tracemalloc.get_traced_memory()[1]
        rec = self.tests.setdefault(item.nodeid, {"seconds": 0.0, "peak_kib": 0, "worker": self.worker})
        rec["peak_kib"] = max(rec["peak_kib"], max(peak - base, 0) // 1024)

    def pytest_runtest_logreport(self, report):
        rec = self.tests.setdefault(report.nodeid, {"seconds": 0.0, "peak_kib": 0, "worker": self.worker})
        rec["seconds"] = round(rec["seconds"] + report.duration, 6)

    # -- reporting ---------------------------------------------------------

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        # pytest-xdist controller: collect what a worker sent (see below).
        data = getattr(node, "workeroutput", {}).get(_RECORDS_KEY)
        if data:
            self.tests.update(json.loads(data))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        if self._started_tracing:
            tracemalloc.stop()
        if self.config.option.collectonly:
            return  # planning run: never clobber a real worker's output
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:
            # Running as a pytest-xdist worker: hand the data to the controller.
            workeroutput[_RECORDS_KEY] = json.dumps(self.tests)
            return
        self.write()

    def write(self):
        out_dir = os.environ.get("XSHARD_OUTPUT_DIR") or os.getcwd()
        os.makedirs(out_dir, exist_ok=True)
        path = os.path.join(out_dir, f"{self.worker}.xshard.json")
        doc = {"tests": dict(sorted(self.tests.items()))}
        fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".xshard-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=1, sort_keys=False)
                f.write("\n")
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise

    def pytest_terminal_summary(self, terminalreporter):
        if getattr(self.config, "workeroutput", None) is None and not self.config.option.collectonly:
            terminalreporter.write_line(f"xshard: recorded {len(self.tests)} tests as {self.worker}")


def pytest_configure(config):
    config.pluginmanager.register(XshardRecorder(config), "xshard-recorder")
