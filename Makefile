# xshard: see README.md. `make test` is what CI runs (.ci/run).
GO ?= go
BIN := bin

# Fuzz targets left out of the smoke run in `make test` (see
# docs/robustness.md): they stay in `make fuzz`.
FUZZ_SMOKE_SKIP := ./internal/gotest:FuzzRead

.PHONY: all build test vet lint act fuzz fuzz-smoke demo clean

all: build

build:
	$(GO) build -o $(BIN)/shard ./cmd/shard
	$(GO) build -o $(BIN)/merge ./cmd/merge

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# actionlint and shellcheck on the action, the workflows, the examples and
# the scripts (installs shellcheck and actionlint when missing).
lint:
	bash scripts/lint-actions.sh
	shellcheck scripts/*.sh .ci/run internal/acttest/testdata/standins/*/*.sh

# nektos/act, at the version tools/act/go.mod pins, built once into a cache
# directory outside the repository (scripts/install-act.sh), where the
# workflow tests (internal/acttest) find it.
act:
	@bash scripts/install-act.sh >/dev/null

# Tests that need a component that is missing here (Chromium, pytest,
# redis-server, act) skip and write it to $$XSHARD_SKIPPED_LOG (internal/testenv);
# the last line says what was skipped. The exit status is the tests'.
# -timeout: the end-to-end packages run real suites many times; a busy
# machine can take them past go test's default of 10 minutes.
test: vet lint act
	@log=$$(mktemp); status=0; \
	XSHARD_SKIPPED_LOG=$$log $(GO) test -timeout 25m ./... || status=$$?; \
	if [ $$status -eq 0 ]; then $(MAKE) --no-print-directory fuzz-smoke || status=$$?; fi; \
	bash scripts/skipped.sh "$$log"; rm -f "$$log"; exit $$status

# 200 inputs of every fuzz target (a count, not a time: no deadline to
# miss on a busy machine), so that a target that no longer builds or
# fails at once is caught by make test.
fuzz-smoke:
	FUZZTIME=200x FUZZ_SKIP="$(FUZZ_SMOKE_SKIP)" bash scripts/fuzz.sh

# Every fuzz target for a minute (FUZZTIME=10m make fuzz for longer).
fuzz:
	bash scripts/fuzz.sh

demo: build
	./scripts/demo.sh

clean:
	rm -rf $(BIN) demo-out xshard-report
